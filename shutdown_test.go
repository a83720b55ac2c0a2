package main

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServe_GracefulShutdown stops serve while answers are being
// submitted, restarts it on the same data, and checks that every answer
// acknowledged with 201 was kept: the shutdown finishes the appends in
// flight before the store closes.
func TestServe_GracefulShutdown(t *testing.T) {
	t.Parallel()
	const n = 48
	data := t.TempDir()
	o, stop := seedLiveIn(t, data, n)

	body := `{"values":{"who5.cheerful":3,"who5.calm":3,"who5.active":3,"who5.rested":3,"who5.interest":3}}`
	client := &http.Client{Timeout: 10 * time.Second}
	var mu sync.Mutex
	acked := map[int]bool{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			time.Sleep(time.Duration(i) * time.Millisecond) // spread over the shutdown
			req, _ := http.NewRequest("POST", "http://"+o.addr+o.answers, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+o.employees[i])
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				return // refused once the listener closed: not acknowledged
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusCreated {
				mu.Lock()
				acked[i] = true
				mu.Unlock()
			}
		})
	}
	close(start)
	time.Sleep(n / 2 * time.Millisecond)
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("no answer was acknowledged before the shutdown; the test proves nothing")
	}

	addr, _, stop2 := startServe(t, []string{"--addr", "127.0.0.1:0"}, liveEnv(data))
	t.Cleanup(func() {
		if err := stop2(); err != nil {
			t.Errorf("serve after restart: %v", err)
		}
	})
	answered := 0
	for i := range n {
		var pulses struct {
			Pulses []struct {
				Answered bool `json:"answered"`
			} `json:"pulses"`
		}
		call(t, addr, o.employees[i], "GET", "/api/v1/me/pulses", "", 200, &pulses)
		got := len(pulses.Pulses) == 1 && pulses.Pulses[0].Answered
		if got {
			answered++
		}
		if acked[i] && !got {
			t.Errorf("employee %d: answer acknowledged before the shutdown, lost after it", i)
		}
	}
	t.Logf("%d of %d answers acknowledged, %d kept", len(acked), n, answered)
}
