package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/esdb/esdbtest"
	"github.com/empulse/empulse/events/pebble"
)

// envMap returns a getenv that reads m instead of the process environment.
func envMap(m map[string]string) func(string) string {
	return func(key string) string { return m[key] }
}

// checkUsageError fails t unless err is a usageError whose report is one
// line holding want, with exit status 2.
func checkUsageError(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("err=nil, want a usage error about %q", want)
	}
	var stderr bytes.Buffer
	if code := exitCode(err, &stderr); code != 2 {
		t.Errorf("exit code=%d, want 2 (err=%v)", code, err)
	}
	checkOneLine(t, stderr.String(), want)
}

// checkOneLine fails t unless report is a single line holding want.
func checkOneLine(t *testing.T, report, want string) {
	t.Helper()
	if strings.Count(report, "\n") != 1 || !strings.HasSuffix(report, "\n") {
		t.Errorf("report %q is not one line", report)
	}
	if !strings.HasPrefix(report, "empulse: ") || !strings.Contains(report, want) {
		t.Errorf("report %q, want it to start with %q and hold %q", report, "empulse: ", want)
	}
}

func TestParseServeFlags(t *testing.T) {
	t.Parallel()
	allEnv := map[string]string{
		envAddr:      "0.0.0.0:9000",
		envData:      "/srv/empulse",
		envLogLevel:  "debug",
		envLogFormat: "json",
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want serveConfig
	}{
		{"Defaults", nil, nil,
			serveConfig{Addr: "127.0.0.1:8080", Data: "empulse-data", LogLevel: slog.LevelInfo, LogFormat: logText}},
		{"EnvOnly", allEnv, nil,
			serveConfig{Addr: "0.0.0.0:9000", Data: "/srv/empulse", LogLevel: slog.LevelDebug, LogFormat: logJSON}},
		{"FlagsOnly", nil, []string{"--addr", ":0", "--data=d", "--log-level", "warn", "-log-format", "json"},
			serveConfig{Addr: ":0", Data: "d", LogLevel: slog.LevelWarn, LogFormat: logJSON}},
		{"FlagsOverrideEnv", allEnv, []string{"--addr=127.0.0.1:1", "--data", "flagdata", "--log-level=error", "--log-format=text"},
			serveConfig{Addr: "127.0.0.1:1", Data: "flagdata", LogLevel: slog.LevelError, LogFormat: logText}},
		{"FlagOverridesOneEnv", allEnv, []string{"--data", "flagdata"},
			serveConfig{Addr: "0.0.0.0:9000", Data: "flagdata", LogLevel: slog.LevelDebug, LogFormat: logJSON}},
		{"EmptyEnvIsUnset", map[string]string{envAddr: "", envData: "", envLogLevel: "", envLogFormat: ""}, nil,
			serveConfig{Addr: "127.0.0.1:8080", Data: "empulse-data", LogLevel: slog.LevelInfo, LogFormat: logText}},
		{"LevelNamesAnyCase", map[string]string{envLogLevel: "WARN"}, nil,
			serveConfig{Addr: "127.0.0.1:8080", Data: "empulse-data", LogLevel: slog.LevelWarn, LogFormat: logText}},
		{"StoreFromEnv", map[string]string{envStore: "esdb://db:2113?tls=false"}, nil,
			serveConfig{Addr: "127.0.0.1:8080", Data: "empulse-data", Store: "esdb://db:2113?tls=false", LogLevel: slog.LevelInfo, LogFormat: logText}},
		{"StoreFlagOverridesEnv", map[string]string{envStore: "esdb://db:2113"}, []string{"--store", "esdb+discover://a:2113,b:2113"},
			serveConfig{Addr: "127.0.0.1:8080", Data: "empulse-data", Store: "esdb+discover://a:2113,b:2113", LogLevel: slog.LevelInfo, LogFormat: logText}},
		{"PublicURLAndAdminToken", map[string]string{envPublicURL: "https://env.example", envAdminToken: "s3cret"}, []string{"--public-url", "https://flag.example"},
			serveConfig{Addr: "127.0.0.1:8080", Data: "empulse-data", LogLevel: slog.LevelInfo, LogFormat: logText, PublicURL: "https://flag.example", AdminToken: "s3cret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseServeFlags(tt.args, envMap(tt.env), io.Discard)
			got.AdminTokenFile = "" // TestParseServeFlags_TokenFile checks it
			if err != nil {
				t.Fatalf("parseServeFlags(%q): %v", tt.args, err)
			}
			if got != tt.want {
				t.Errorf("config=%+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseServeFlags_TokenFile(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"Flag", nil, []string{"--admin-token-file", file}},
		{"Env", map[string]string{envAdminTokenFile: file}, nil},
		{"WinsOverTokenEnv", map[string]string{envAdminToken: "from-env"}, []string{"--admin-token-file=" + file}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseServeFlags(tt.args, envMap(tt.env), io.Discard)
			if err != nil || got.AdminToken != "from-file" {
				t.Fatalf("AdminToken=%q, %v; want the file's, trimmed", got.AdminToken, err)
			}
		})
	}
}

func TestParseServeFlags_Errors(t *testing.T) {
	t.Parallel()
	emptyFile := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(emptyFile, []byte(" \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string // part of the one-line message
	}{
		{"UnknownFlag", nil, []string{"--port", "80"}, "flag provided but not defined: -port"},
		{"BadFlagLevel", nil, []string{"--log-level", "loud"}, `invalid value "loud" for flag -log-level`},
		{"BadFlagFormat", nil, []string{"--log-format", "xml"}, `unknown log format "xml"`},
		{"BadEnvLevel", map[string]string{envLogLevel: "loud"}, nil, `EMPULSE_LOG_LEVEL="loud"`},
		{"BadEnvFormat", map[string]string{envLogFormat: "xml"}, nil, `EMPULSE_LOG_FORMAT="xml"`},
		{"BadEnvEvenWithFlag", map[string]string{envLogFormat: "xml"}, []string{"--log-format", "json"}, `EMPULSE_LOG_FORMAT="xml"`},
		{"MissingValue", nil, []string{"--addr"}, "flag needs an argument: -addr"},
		{"ExtraArgument", nil, []string{"now"}, `unexpected argument "now"`},
		{"EmptyData", nil, []string{"--data="}, "must not be empty"},
		{"BadStore", nil, []string{"--store", "postgres://x"}, `--store (EMPULSE_STORE) "postgres://x"`},
		{"MissingTokenFile", nil, []string{"--admin-token-file", "/no/such/file"}, "--admin-token-file (EMPULSE_ADMIN_TOKEN_FILE)"},
		{"EmptyTokenFile", map[string]string{envAdminTokenFile: emptyFile}, nil, "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseServeFlags(tt.args, envMap(tt.env), io.Discard)
			checkUsageError(t, err, tt.want)
		})
	}
}

func TestRun_Commands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		wantErr    string // "" for success; else part of the usage error
		wantStdout string // part of stdout
	}{
		{"NoCommand", nil, "no command given", ""},
		{"UnknownCommand", []string{"frobnicate"}, `unknown command "frobnicate"`, ""},
		{"FlagAsCommand", []string{"--addr", ":0"}, `unknown command "--addr"`, ""},
		{"Help", []string{"help"}, "", "empulse <command>"},
		{"DashHelp", []string{"--help"}, "", "empulse <command>"},
		{"HelpServe", []string{"help", "serve"}, "", "EMPULSE_LOG_FORMAT"},
		{"HelpRebuild", []string{"help", "rebuild"}, "", "Usage: empulse rebuild"},
		{"RebuildBadFlag", []string{"rebuild", "--bogus"}, "flag provided but not defined: -bogus", ""},
		{"HelpUnknown", []string{"help", "frobnicate"}, `unknown command "frobnicate"`, ""},
		{"ServeHelpFlag", []string{"serve", "-h"}, "", "Usage: empulse serve"},
		{"ServeBadFlag", []string{"serve", "--bogus"}, "flag provided but not defined: -bogus", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout bytes.Buffer
			err := run(t.Context(), tt.args, envMap(nil), &stdout, io.Discard)
			if tt.wantErr != "" {
				checkUsageError(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatalf("run(%q): %v", tt.args, err)
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) {
				t.Errorf("stdout=%q, want it to hold %q", stdout.String(), tt.wantStdout)
			}
		})
	}
}

// logWatcher is the stderr of a serve run with JSON logs. It sends the
// address of the "listening" record on addr and keeps the lines: every
// one, or, when quiet, only the first maxQuiet records above info level
// (and lines that are not JSON), so that a long run's request logs do not
// fill the heap.
type logWatcher struct {
	addr  chan string
	quiet bool

	mu      sync.Mutex
	all     bytes.Buffer
	kept    int
	partial []byte
}

// maxQuiet bounds the lines a quiet logWatcher keeps.
const maxQuiet = 50

func newLogWatcher() *logWatcher { return &logWatcher{addr: make(chan string, 1)} }

// newQuietLogWatcher returns a logWatcher that keeps only warnings and
// errors.
func newQuietLogWatcher() *logWatcher { return &logWatcher{addr: make(chan string, 1), quiet: true} }

func (w *logWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		line := w.partial[:i+1]
		var rec struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
			Addr  string `json:"addr"`
		}
		err := json.Unmarshal(line, &rec)
		if err == nil && rec.Msg == "listening" {
			select {
			case w.addr <- rec.Addr:
			default:
			}
		}
		if !w.quiet || (err != nil || rec.Level != "INFO" && rec.Level != "DEBUG") && w.kept < maxQuiet {
			w.all.Write(line)
			w.kept++
		}
		w.partial = w.partial[i+1:]
	}
	return len(p), nil
}

// String returns the lines kept so far.
func (w *logWatcher) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.all.String()
}

// startServe runs serve with args and env in the background, waits until
// it is ready (/readyz), and returns the address it listens on, its logs,
// and a function that stops it and returns run's error.
func startServe(t *testing.T, args []string, env map[string]string) (addr string, logs *logWatcher, stop func() error) {
	t.Helper()
	return startServeWith(t, args, env, newLogWatcher())
}

// startServeWith is startServe writing serve's logs to logs.
func startServeWith(t *testing.T, args []string, env map[string]string, logs *logWatcher) (addr string, _ *logWatcher, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"serve"}, args...), envMap(env), io.Discard, logs) }()

	select {
	case addr = <-logs.addr:
	case err := <-done:
		cancel()
		t.Fatalf("serve returned before listening: %v\nlogs:\n%s", err, logs)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("serve did not log its address within 30s; logs:\n%s", logs)
	}
	// Serving starts before the projections have caught up; /readyz says
	// when they have.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve not ready within 30s (last: %v); logs:\n%s", err, logs)
		}
	}
	stopped := false
	stop = func() error {
		t.Helper()
		cancel()
		select {
		case err := <-done:
			stopped = true
			return err
		case <-time.After(30 * time.Second):
			t.Fatalf("serve did not stop within 30s of its context's end; logs:\n%s", logs)
			return nil
		}
	}
	t.Cleanup(func() {
		if !stopped {
			_ = stop()
		}
	})
	return addr, logs, stop
}

// getJSON GETs url and returns the status and the decoded JSON body.
func getJSON(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s: decode body: %v", url, err)
	}
	return resp.StatusCode, body
}

func TestRun_Serve(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	// The data directory comes from the environment; the address flag wins
	// over an environment address that would fail to listen.
	env := map[string]string{envData: data, envAddr: "256.0.0.1:80", envLogFormat: "json"}
	addr, logs, stop := startServe(t, []string{"--addr", "127.0.0.1:0"}, env)

	if status, body := getJSON(t, "http://"+addr+"/healthz"); status != http.StatusOK || body["status"] != "ok" {
		t.Errorf("GET /healthz: status=%d body=%v, want 200 {status:ok}", status, body)
	}
	if status, body := getJSON(t, "http://"+addr+"/readyz"); status != http.StatusOK || body["status"] != "ready" || body["head"] != "0/0" {
		t.Errorf("GET /readyz: status=%d body=%v, want 200 {status:ready head:0/0}", status, body)
	}

	t.Run("SecondProcessLocked", func(t *testing.T) {
		err := run(t.Context(), []string{"serve", "--addr", "127.0.0.1:0", "--data", data}, envMap(nil), io.Discard, io.Discard)
		if !errors.Is(err, events.ErrLocked) {
			t.Fatalf("second serve on the same data: err=%v, want ErrLocked", err)
		}
		var stderr bytes.Buffer
		if code := exitCode(err, &stderr); code != 1 {
			t.Errorf("exit code=%d, want 1", code)
		}
		checkOneLine(t, stderr.String(), "another empulse")
	})

	if err := stop(); err != nil {
		t.Fatalf("serve after cancel: %v\nlogs:\n%s", err, logs)
	}
	for _, want := range []string{`"msg":"shutting down"`, `"msg":"stopped"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
	for _, name := range []string{"FORMAT", "LOCK"} {
		if _, err := os.Stat(filepath.Join(data, "events", name)); err != nil {
			t.Errorf("data layout: %v", err)
		}
	}
	// The store was closed, so its lock is free again.
	s, err := pebble.Open(filepath.Join(data, "events"), pebble.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("reopen after serve stopped: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}

// TestRun_ServeOnESDB serves on an EventStoreDB connection string, here the
// protocol test server, and checks that readiness reflects its log.
func TestRun_ServeOnESDB(t *testing.T) {
	t.Parallel()
	backing, err := pebble.Open(t.TempDir(), pebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { backing.Close() })
	conn, _ := esdbtest.Start(t, backing)
	res, err := backing.Append(t.Context(), "team-1", events.NoStream(),
		events.Proposed{ID: uuid.New(), Type: "TeamCreated", Data: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	addr, logs, stop := startServe(t, []string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--store", conn},
		map[string]string{envLogFormat: "json"})
	want := res.Position.String()
	if status, body := getJSON(t, "http://"+addr+"/readyz"); status != http.StatusOK || body["head"] != want {
		t.Errorf("GET /readyz: status=%d body=%v, want 200 with head %s", status, body, want)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve after cancel: %v\nlogs:\n%s", err, logs)
	}
}

func TestRun_ServeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		setup   func(t *testing.T, data string) // prepares the data directory
		addr    string
		wantIs  error  // nil: no sentinel to check
		wantMsg string // part of the one-line report
	}{
		{"UnknownFormat", func(t *testing.T, data string) {
			if err := os.MkdirAll(filepath.Join(data, "events"), 0o750); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(data, "events", "FORMAT"), []byte("empulse-events 99\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "127.0.0.1:0", events.ErrUnknownFormat, "unknown event store format"},
		{"Locked", func(t *testing.T, data string) {
			s, err := pebble.Open(filepath.Join(data, "events"), pebble.Options{Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
		}, "127.0.0.1:0", events.ErrLocked, "is another empulse serving --data"},
		{"BadAddress", func(*testing.T, string) {}, "127.0.0.1:notaport", nil, "listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := t.TempDir()
			tt.setup(t, data)
			err := run(t.Context(), []string{"serve", "--data", data, "--addr", tt.addr}, envMap(nil), io.Discard, io.Discard)
			if err == nil {
				t.Fatal("serve succeeded, want an error")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("err=%v, want it to wrap %v", err, tt.wantIs)
			}
			if errors.As(err, new(usageError)) {
				t.Errorf("err=%v is a usage error, want a runtime error", err)
			}
			var stderr bytes.Buffer
			if code := exitCode(err, &stderr); code != 1 {
				t.Errorf("exit code=%d, want 1", code)
			}
			checkOneLine(t, stderr.String(), tt.wantMsg)
			if tt.name == "BadAddress" {
				// serve closed the store it had opened before failing to listen.
				s, err := pebble.Open(filepath.Join(data, "events"), pebble.Options{Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					t.Fatalf("reopen after failed serve: %v", err)
				}
				s.Close()
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{usageErrorf("bad"), 2},
		{flag.ErrHelp, 1},
		{errors.New("boom"), 1},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err, io.Discard); got != tt.want {
			t.Errorf("exitCode(%v)=%d, want %d", tt.err, got, tt.want)
		}
	}
}
