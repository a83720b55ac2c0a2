package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/empulse/empulse/backup"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/pebble"
)

// backupAdmin is the bootstrap admin token of the backup tests' servers.
const backupAdmin = "backup-admin-token"

// backupOrg writes Company > Alpha, Beta with three members each, a WHO-5
// survey of Company with k=3 whose pulse they all answer, and a member
// admin, whose token it returns.
func backupOrg(t *testing.T, addr string) (company, alpha, opsToken string) {
	t.Helper()
	type idOf struct {
		ID string `json:"id"`
	}
	var c idOf
	call(t, addr, backupAdmin, "POST", "/api/v1/teams", `{"name":"Company"}`, 201, &c)
	var tokens []string
	for _, name := range []string{"Alpha", "Beta"} {
		var team idOf
		call(t, addr, backupAdmin, "POST", "/api/v1/teams", `{"name":"`+name+`","parent_id":"`+c.ID+`"}`, 201, &team)
		if name == "Alpha" {
			alpha = team.ID
		}
		for i := range 3 {
			var cm struct {
				Token string `json:"token"`
			}
			call(t, addr, backupAdmin, "POST", "/api/v1/members",
				fmt.Sprintf(`{"name":"%s %d","email":"%s%d@example.org","team_id":"%s"}`, name, i, strings.ToLower(name), i, team.ID), 201, &cm)
			tokens = append(tokens, cm.Token)
		}
	}
	var sv, p idOf
	call(t, addr, backupAdmin, "POST", "/api/v1/surveys", `{"name":"Pulse","team_id":"`+c.ID+`","instruments":["who5"],"cadence":"weekly","k":3}`, 201, &sv)
	call(t, addr, backupAdmin, "POST", "/api/v1/surveys/"+sv.ID+"/pulses", "", 201, &p)
	for i, token := range tokens {
		v := 1 + i%5
		call(t, addr, token, "POST", "/api/v1/surveys/"+sv.ID+"/pulses/"+p.ID+"/answers",
			fmt.Sprintf(`{"values":{"who5.cheerful":%d,"who5.calm":%d,"who5.active":%d,"who5.rested":%d,"who5.interest":%d}}`, v, v, v, v, v), 201, nil)
	}
	var ops struct {
		Token string `json:"token"`
	}
	call(t, addr, backupAdmin, "POST", "/api/v1/members", `{"name":"Ops","email":"ops@example.org","team_id":"`+c.ID+`","role":"admin"}`, 201, &ops)
	return c.ID, alpha, ops.Token
}

// memberWriter adds members to a team until stopped, keeping the name of
// every member whose creation was acknowledged, in order.
type memberWriter struct {
	mu    sync.Mutex
	acked []string
	err   error
	stop  chan struct{}
	done  chan struct{}
}

// startMemberWriter starts adding members to team on the server at addr.
func startMemberWriter(t *testing.T, addr, team string) *memberWriter {
	t.Helper()
	w := &memberWriter{stop: make(chan struct{}), done: make(chan struct{})}
	client := &http.Client{Timeout: 10 * time.Second}
	go func() {
		defer close(w.done)
		for i := 0; ; i++ {
			select {
			case <-w.stop:
				return
			default:
			}
			name := fmt.Sprintf("Writer %d", i)
			req, err := http.NewRequestWithContext(t.Context(), "POST", "http://"+addr+"/api/v1/members",
				strings.NewReader(`{"name":"`+name+`","email":"writer`+fmt.Sprint(i)+`@example.org","team_id":"`+team+`"}`))
			if err != nil {
				w.fail(err)
				return
			}
			req.Header.Set("Authorization", "Bearer "+backupAdmin)
			resp, err := client.Do(req)
			if err != nil {
				w.fail(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			switch resp.StatusCode {
			case http.StatusCreated:
				w.mu.Lock()
				w.acked = append(w.acked, name)
				w.mu.Unlock()
			case http.StatusTooManyRequests:
				time.Sleep(20 * time.Millisecond)
			default:
				w.fail(fmt.Errorf("POST /members: status %d", resp.StatusCode))
				return
			}
		}
	}()
	return w
}

func (w *memberWriter) fail(err error) { w.mu.Lock(); w.err = err; w.mu.Unlock() }

// ackedSoFar returns the names acknowledged so far.
func (w *memberWriter) ackedSoFar() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.acked...)
}

// halt stops the writer and returns every name acknowledged.
func (w *memberWriter) halt(t *testing.T) []string {
	t.Helper()
	close(w.stop)
	<-w.done
	if w.err != nil {
		t.Fatalf("member writer: %v", w.err)
	}
	return w.ackedSoFar()
}

// heatWellbeing returns the rows of the server's wellbeing heat map of
// week, as JSON.
func heatWellbeing(t *testing.T, addr, week string) string {
	t.Helper()
	var hm struct {
		Rows []json.RawMessage `json:"rows"`
	}
	call(t, addr, backupAdmin, "GET", "/api/v1/scores/heatmap?week="+week+"&metrics=wellbeing", "", 200, &hm)
	b, _ := json.Marshal(hm.Rows)
	return string(b)
}

// membersNamed returns the names of the server's members as the admin sees
// them; an erased member (no key in the vault) has none.
func membersNamed(t *testing.T, addr string) map[string]bool {
	t.Helper()
	var ms struct {
		Members []struct {
			Name   string `json:"name"`
			Erased bool   `json:"erased"`
		} `json:"members"`
	}
	call(t, addr, backupAdmin, "GET", "/api/v1/members", "", 200, &ms)
	names := map[string]bool{}
	for _, m := range ms.Members {
		if m.Erased || m.Name == "" {
			t.Errorf("member %+v has lost their name", m)
		}
		names[m.Name] = true
	}
	return names
}

// readAll returns every event of the embedded store in dir.
func readAll(t *testing.T, dir string) []events.Event {
	t.Helper()
	s, err := pebble.Open(dir, pebble.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all, err := s.ReadAll(t.Context(), events.Start, 0)
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// TestRun_BackupRestore backs up a serving server over HTTP while members
// are being added, restores the archive into a new data directory and
// serves it: every write acknowledged before the backup began is there,
// with its personal data readable, the log is a prefix of the original's,
// and the projections, rebuilt from the log on the first start, show the
// original's scores. A stopped server's directory is backed up with --data.
func TestRun_BackupRestore(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	env := map[string]string{envData: data, envLogFormat: "json", envAdminToken: backupAdmin}
	addr, logs, stop := startServe(t, []string{"--addr", "127.0.0.1:0"}, env)
	_, alpha, opsToken := backupOrg(t, addr)
	tokenFile := filepath.Join(t.TempDir(), "ops-token")
	if err := os.WriteFile(tokenFile, []byte(opsToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	y, w := time.Now().UTC().ISOWeek()
	week := fmt.Sprintf("%d-W%02d", y, w)
	heat := heatWellbeing(t, addr, week)
	if !strings.Contains(heat, `"value"`) {
		t.Fatalf("wellbeing heat map %s shows no value", heat)
	}

	writer := startMemberWriter(t, addr, alpha)
	for len(writer.ackedSoFar()) < 5 {
		time.Sleep(5 * time.Millisecond)
	}
	out := filepath.Join(t.TempDir(), "live.tar")
	before := writer.ackedSoFar()
	var stdout bytes.Buffer
	err := run(t.Context(), []string{"backup", "--url", "http://" + addr, "--token-file", tokenFile, "--out", out}, envMap(nil), &stdout, io.Discard)
	if err != nil {
		t.Fatalf("backup --url: %v\nlogs:\n%s", err, logs)
	}
	if !strings.Contains(stdout.String(), "written to "+out) {
		t.Errorf("backup stdout=%q", stdout.String())
	}
	// With the server holding the data directory, --data is refused.
	err = run(t.Context(), []string{"backup", "--data", data, "--out", filepath.Join(t.TempDir(), "x.tar")}, envMap(nil), io.Discard, io.Discard)
	if !errors.Is(err, events.ErrLocked) || !strings.Contains(err.Error(), "use --url") {
		t.Errorf("backup --data beside serve: err=%v, want ErrLocked and a hint to use --url", err)
	}
	all := writer.halt(t)
	if err := stop(); err != nil {
		t.Fatalf("serve: %v\nlogs:\n%s", err, logs)
	}
	t.Logf("members acknowledged: %d before the backup began, %d in all", len(before), len(all))

	restored := filepath.Join(t.TempDir(), "restored")
	stdout.Reset()
	if err := run(t.Context(), []string{"restore", "--in", out, "--data", restored}, envMap(nil), &stdout, io.Discard); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if !strings.Contains(stdout.String(), "restored the events up to position") {
		t.Errorf("restore stdout=%q", stdout.String())
	}
	if _, err := os.Stat(filepath.Join(restored, "projections")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("restored projections: %v, want none (they are rebuilt)", err)
	}
	// A second restore finds the directory in use.
	err = run(t.Context(), []string{"restore", "--in", out, "--data", restored}, envMap(nil), io.Discard, io.Discard)
	if !errors.Is(err, backup.ErrNotEmpty) {
		t.Errorf("restore into the restored directory: err=%v, want ErrNotEmpty", err)
	}

	// Events: the restored log is a prefix of the original's.
	orig, back := readAll(t, filepath.Join(data, "events")), readAll(t, filepath.Join(restored, "events"))
	if len(back) > len(orig) {
		t.Fatalf("restored log has %d events, the original %d", len(back), len(orig))
	}
	for i, e := range back {
		if o := orig[i]; e.ID != o.ID || e.Position != o.Position || e.Stream != o.Stream || !bytes.Equal(e.Data, o.Data) {
			t.Fatalf("restored event %d is %s in %s, the original's %s in %s", i, e.ID, e.Stream, o.ID, o.Stream)
		}
	}

	env[envData] = restored
	addr, logs, stop = startServe(t, []string{"--addr", "127.0.0.1:0"}, env)
	names := membersNamed(t, addr)
	for _, name := range before {
		if !names[name] {
			t.Errorf("member %q, acknowledged before the backup began, is not restored", name)
		}
	}
	acked := map[string]bool{}
	for _, name := range all {
		acked[name] = true
	}
	for name := range names {
		if strings.HasPrefix(name, "Writer ") && !acked[name] {
			t.Errorf("restored member %q was never acknowledged", name)
		}
	}
	// The projections fold the restored log from position 0 on this first
	// start: wait for them to show the original's scores.
	got := heatWellbeing(t, addr, week)
	for deadline := time.Now().Add(10 * time.Second); got != heat && time.Now().Before(deadline); got = heatWellbeing(t, addr, week) {
		time.Sleep(20 * time.Millisecond)
	}
	if got != heat {
		t.Errorf("restored wellbeing heat map %s, the original's %s", got, heat)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve on the restored data: %v\nlogs:\n%s", err, logs)
	}

	// A stopped server's directory, with --data, as a gzip archive.
	zipped := filepath.Join(t.TempDir(), "stopped.tar.gz")
	if err := run(t.Context(), []string{"backup", "--data", data, "--out", zipped}, envMap(nil), io.Discard, io.Discard); err != nil {
		t.Fatalf("backup --data: %v", err)
	}
	if b, _ := os.ReadFile(zipped); !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		t.Errorf("%s is not gzip-compressed", zipped)
	}
	again := filepath.Join(t.TempDir(), "again")
	if err := run(t.Context(), []string{"restore", "--in", zipped, "--data", again}, envMap(nil), io.Discard, io.Discard); err != nil {
		t.Fatalf("restore of the --data backup: %v", err)
	}
	if n := len(readAll(t, filepath.Join(again, "events"))); n != len(orig) {
		t.Errorf("--data backup restored %d events, want all %d", n, len(orig))
	}
}

func TestRun_BackupRestoreErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	damaged := filepath.Join(dir, "damaged.tar")
	if err := os.WriteFile(damaged, []byte("not an archive"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		usage   bool   // a usage error (exit status 2)
		wantErr string // part of the one-line report
	}{
		{"BackupNoOut", []string{"backup"}, nil, true, "--out names the archive"},
		{"BackupURLAndData", []string{"backup", "--out", "x.tar", "--url", "http://127.0.0.1:1", "--data", dir}, map[string]string{envAdminToken: "t"}, true, "not both"},
		{"BackupURLNoToken", []string{"backup", "--out", "x.tar", "--url", "http://127.0.0.1:1"}, nil, true, "needs an admin token"},
		{"BackupBadURL", []string{"backup", "--out", "x.tar", "--url", "127.0.0.1:8080"}, map[string]string{envAdminToken: "t"}, true, "--url"},
		{"BackupTokenFileWithoutURL", []string{"backup", "--out", "x.tar", "--token-file", "f"}, nil, true, "--token-file is for --url"},
		{"BackupOnESDB", []string{"backup", "--out", "x.tar"}, map[string]string{envStore: "esdb://localhost:2113"}, true, "EventStoreDB"},
		{"BackupNoStore", []string{"backup", "--out", filepath.Join(dir, "x.tar"), "--data", filepath.Join(dir, "missing")}, nil, false, "no event store"},
		{"BackupBadFlag", []string{"backup", "--bogus"}, nil, true, "flag provided but not defined: -bogus"},
		{"RestoreNoIn", []string{"restore", "--data", dir}, nil, true, "--in names the archive"},
		{"RestoreMissingArchive", []string{"restore", "--in", filepath.Join(dir, "missing.tar"), "--data", filepath.Join(dir, "r1")}, nil, false, "no such file"},
		{"RestoreDamaged", []string{"restore", "--in", damaged, "--data", filepath.Join(dir, "r2")}, nil, false, "archive damaged"},
		{"RestoreArgument", []string{"restore", "--in", damaged, "extra"}, nil, true, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(t.Context(), tt.args, envMap(tt.env), io.Discard, io.Discard)
			if tt.usage {
				checkUsageError(t, err, tt.wantErr)
				return
			}
			var stderr bytes.Buffer
			if code := exitCode(err, &stderr); code != 1 {
				t.Errorf("exit code=%d, want 1 (err=%v)", code, err)
			}
			checkOneLine(t, stderr.String(), tt.wantErr)
		})
	}
	for _, name := range []string{"r1", "r2", "missing"} {
		if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: %v, want nothing created by a failed command", name, err)
		}
	}
}

func TestRun_HelpBackupRestore(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ cmd, want string }{
		{"backup", "Usage: empulse backup --out FILE"},
		{"restore", "Usage: empulse restore --in FILE"},
	} {
		var stdout bytes.Buffer
		if err := run(t.Context(), []string{"help", tt.cmd}, envMap(nil), &stdout, io.Discard); err != nil {
			t.Fatalf("help %s: %v", tt.cmd, err)
		}
		if !strings.Contains(stdout.String(), tt.want) || !strings.Contains(stdout.String(), "-data") {
			t.Errorf("help %s: %q, want the usage with its flags", tt.cmd, stdout.String())
		}
		stdout.Reset()
		if err := run(t.Context(), []string{tt.cmd, "-h"}, envMap(nil), &stdout, io.Discard); err != nil || !strings.Contains(stdout.String(), tt.want) {
			t.Errorf("%s -h: %v, %q", tt.cmd, err, stdout.String())
		}
	}
}
