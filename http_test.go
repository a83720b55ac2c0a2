package main

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"testing"
	"time"
)

// call makes a request with token to the server at addr, decodes the JSON
// answer into v, and fails unless the status is want. Like a well-behaved
// client it waits and retries while the token is rate limited (429),
// unless 429 is what it wants.
func call(t *testing.T, addr, token, method, path, body string, want int, v any) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	status, _, data, err := request(t, client, addr, token, method, path, body, "", want != http.StatusTooManyRequests)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if status != want {
		t.Fatalf("%s %s: status=%d, want %d; body %s", method, path, status, want, data)
	}
	if v != nil {
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, data, err)
		}
	}
}

// getBody GETs path from the server at addr with token and returns the
// body, failing unless the status is 200 (after waiting out a rate limit).
func getBody(t *testing.T, addr, token, path string) string {
	t.Helper()
	status, _, data, err := request(t, &http.Client{Timeout: 10 * time.Second}, addr, token, "GET", path, "", "", true)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if status != http.StatusOK {
		t.Fatalf("GET %s: status=%d, body %s", path, status, data)
	}
	return string(data)
}

// request makes a request with token (and a JSON body unless body is "",
// and an Accept header unless accept is "") to the server at addr, and
// returns the status, media type and body of the response. When retry429
// is set it waits and retries, for up to 30 s, while the token is rate
// limited, as a well-behaved client would.
func request(t testing.TB, client *http.Client, addr, token, method, target, body, accept string, retry429 bool) (int, string, []byte, error) {
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		req, err := http.NewRequestWithContext(t.Context(), method, "http://"+addr+target, strings.NewReader(body))
		if err != nil {
			return 0, "", nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, "", nil, err
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return 0, "", nil, err
		}
		if retry429 && resp.StatusCode == http.StatusTooManyRequests && time.Now().Before(deadline) {
			continue
		}
		ctype, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		return resp.StatusCode, ctype, data, nil
	}
}
