package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/empulse/empulse/app"
)

func TestAdminTokenHash(t *testing.T) {
	t.Parallel()
	quiet := slog.New(slog.DiscardHandler)

	t.Run("FromEnvironment", func(t *testing.T) {
		t.Parallel()
		data := t.TempDir()
		got, err := adminTokenHash(data, "s3cret", rand.Reader, quiet)
		if err != nil || got != app.HashToken("s3cret") {
			t.Fatalf("hash=%q, %v; want the hash of the variable's token", got, err)
		}
		if _, err := os.Stat(filepath.Join(data, adminTokenFile)); !os.IsNotExist(err) {
			t.Errorf("admin-token written although the variable is set (stat err %v)", err)
		}
	})

	t.Run("GeneratedOnceWithMode0600", func(t *testing.T) {
		t.Parallel()
		data := filepath.Join(t.TempDir(), "new")
		first, err := adminTokenHash(data, "", rand.Reader, quiet)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(data, adminTokenFile)
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("mode=%o, want 600", mode)
		}
		content, _ := os.ReadFile(path)
		token := strings.TrimSpace(string(content))
		if !strings.HasPrefix(token, "emp_") || app.HashToken(token) != first {
			t.Errorf("file holds %q, whose hash is not the one returned", token)
		}
		second, err := adminTokenHash(data, "", rand.Reader, quiet)
		if err != nil || second != first {
			t.Errorf("second start: hash=%q, %v; want the first token's", second, err)
		}
		again, _ := os.ReadFile(path)
		if !bytes.Equal(again, content) {
			t.Errorf("admin-token rewritten")
		}
	})

	t.Run("EmptyFile", func(t *testing.T) {
		t.Parallel()
		data := t.TempDir()
		if err := os.WriteFile(filepath.Join(data, adminTokenFile), []byte("\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := adminTokenHash(data, "", rand.Reader, quiet); err == nil {
			t.Fatal("empty admin-token accepted")
		}
	})
}

// TestRun_ServeAPI serves the API with the admin token from the
// environment, creates a team with it, and checks that the vault's layout
// exists.
func TestRun_ServeAPI(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	addr, logs, stop := startServe(t, []string{"--addr", "127.0.0.1:0"},
		map[string]string{envData: data, envAdminToken: "admin-secret", envLogFormat: "json"})
	client := &http.Client{Timeout: 10 * time.Second}
	post := func(token string) int {
		t.Helper()
		req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/teams", strings.NewReader(`{"name":"Company"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatalf("decode: %v", err)
		}
		return resp.StatusCode
	}
	if got := post("wrong"); got != http.StatusUnauthorized {
		t.Errorf("wrong token: status=%d, want 401", got)
	}
	if got := post("admin-secret"); got != http.StatusCreated {
		t.Errorf("admin token: status=%d, want 201", got)
	}
	if err := stop(); err != nil {
		t.Fatalf("stop: %v\n%s", err, logs)
	}
	for _, name := range []string{"FORMAT", "LOCK"} {
		if _, err := os.Stat(filepath.Join(data, "vault", name)); err != nil {
			t.Errorf("vault layout: %v", err)
		}
	}
}
