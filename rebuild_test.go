package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/empulse/empulse/projections"
)

// rebuildAdmin is the admin token of TestRun_Rebuild's server.
const rebuildAdmin = "rebuild-admin-token"

// TestRun_Rebuild serves, writes teams, then checks that the projections
// survive a restart, that rebuild refuses to run beside a server, and that
// a rebuilt projection answers as the one serve built.
func TestRun_Rebuild(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	env := map[string]string{envData: data, envLogFormat: "json", envAdminToken: rebuildAdmin}
	heat := func(addr string) string {
		t.Helper()
		var hm struct {
			Rows []struct {
				Team string `json:"team_id"`
				Name string `json:"name"`
			} `json:"rows"`
		}
		call(t, addr, rebuildAdmin, "GET", "/api/v1/scores/heatmap?week=2026-W48&metrics=wellbeing", "", 200, &hm)
		b, _ := json.Marshal(hm.Rows)
		return string(b)
	}

	addr, logs, stop := startServe(t, []string{"--addr", "127.0.0.1:0"}, env)
	var root struct {
		ID string `json:"id"`
	}
	call(t, addr, rebuildAdmin, "POST", "/api/v1/teams", `{"name":"Company"}`, 201, &root)
	call(t, addr, rebuildAdmin, "POST", "/api/v1/teams", `{"name":"Alpha","parent_id":"`+root.ID+`"}`, 201, nil)
	// Teams are not answers, so nothing waits for them: poll until the
	// projection has them.
	var before string
	for range 100 {
		if before = heat(addr); strings.Contains(before, "Alpha") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(before, "Company") || !strings.Contains(before, "Alpha") {
		t.Fatalf("heat map rows %s, want Company and Alpha", before)
	}

	err := run(t.Context(), []string{"rebuild", "--data", data}, envMap(nil), io.Discard, io.Discard)
	if !errors.Is(err, projections.ErrLocked) && !strings.Contains(errString(err), "in use") {
		t.Errorf("rebuild beside serve: err=%v, want the data in use", err)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v\nlogs:\n%s", err, logs)
	}

	// A restart resumes from the saved checkpoint and state.
	addr, logs, stop = startServe(t, []string{"--addr", "127.0.0.1:0"}, env)
	if after := heat(addr); after != before {
		t.Errorf("after restart heat map rows %s, want %s", after, before)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v\nlogs:\n%s", err, logs)
	}

	var stdout bytes.Buffer
	if err := run(t.Context(), []string{"rebuild", "--data", data}, envMap(nil), &stdout, io.Discard); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	if !strings.Contains(stdout.String(), "projections rebuilt up to position") {
		t.Errorf("rebuild stdout=%q", stdout.String())
	}

	addr, logs, stop = startServe(t, []string{"--addr", "127.0.0.1:0"}, env)
	if after := heat(addr); after != before {
		t.Errorf("after rebuild heat map rows %s, want %s", after, before)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v\nlogs:\n%s", err, logs)
	}
}

// errString returns err's message, or "" for nil.
func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
