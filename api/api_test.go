package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/empulse/empulse/api"
	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/events"
)

// fakeStore is an events.Store whose Head returns fixed values. Its other
// methods are not implemented: calling one panics through the nil embedded
// interface.
type fakeStore struct {
	events.Store
	head events.Position
	err  error
}

func (s *fakeStore) Head(ctx context.Context) (events.Position, error) {
	if s.err != nil {
		return events.Start, s.err
	}
	return s.head, ctx.Err()
}

// errorJSON mirrors the error response body.
type errorJSON struct {
	Error struct {
		Code    string  `json:"code"`
		Field   *string `json:"field"`
		Message string  `json:"message"`
	} `json:"error"`
}

// get serves GET path on h and returns the recorded response.
func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

// decode decodes the JSON body of rec into v.
func decode(t *testing.T, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type=%q, want application/json", ct)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("decode body %q: %v", rec.Body.String(), err)
	}
}

// newLogger returns a JSON logger at debug level writing to the returned
// buffer.
func newLogger() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf
}

func TestWriteError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		err         error
		wantStatus  int
		wantCode    string
		wantField   string
		wantMessage string
		wantLog     string // substring the log must hold; "" for none at warn or above
	}{
		{"Invalid", apperr.Field("name", "must not be empty"), 400, "invalid", "name", "must not be empty", ""},
		{"NotFound", events.ErrStreamNotFound, 404, "not_found", "", "stream not found", ""},
		{"Conflict", fmt.Errorf("append: %w", events.NewConflict("org-1", events.NoStream(), 3, true)), 409, "conflict", "", "wrong expected revision", ""},
		{"Unauthenticated", apperr.New(apperr.Unauthenticated, "sign in first"), 401, "unauthenticated", "", "sign in first", ""},
		{"Forbidden", apperr.New(apperr.Forbidden, "managers only"), 403, "forbidden", "", "managers only", ""},
		{"RateLimited", apperr.New(apperr.RateLimited, "slow down"), 429, "rate_limited", "", "slow down", ""},
		{"TooLarge", fmt.Errorf("pebble: %w", events.ErrTooLarge), 413, "too_large", "events", "append too large", ""},
		{"Unavailable", fmt.Errorf("pebble: head: %w", events.ErrClosed), 503, "unavailable", "", "event store closed", "pebble: head: event store closed"},
		{"InternalCode", &apperr.Error{Code: apperr.Internal, Message: "secret detail"}, 500, "internal", "", "internal error", "secret detail"},
		{"PlainError", errors.New("disk on fire at /var/secret"), 500, "internal", "", "internal error", "disk on fire at /var/secret"},
		{"UnknownCode", &apperr.Error{Code: "teapot", Field: "pot", Message: "short and stout"}, 500, "internal", "", "internal error", "short and stout"},
		{"Nil", nil, 500, "internal", "", "internal error", "nil error"},
		{"EmptyMessage", &apperr.Error{Code: apperr.NotFound}, 404, "not_found", "", "Not Found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logger, logs := newLogger()
			rec := get(t, api.NewErrorTestRouter(logger, tt.err), "/fail")

			if rec.Code != tt.wantStatus {
				t.Errorf("status=%d, want %d", rec.Code, tt.wantStatus)
			}
			var body errorJSON
			decode(t, rec, &body)
			if body.Error.Code != tt.wantCode {
				t.Errorf("code=%q, want %q", body.Error.Code, tt.wantCode)
			}
			var field string
			if body.Error.Field != nil {
				field = *body.Error.Field
				if field == "" {
					t.Errorf("field present but empty; want it omitted")
				}
			}
			if field != tt.wantField {
				t.Errorf("field=%q, want %q", field, tt.wantField)
			}
			if body.Error.Message != tt.wantMessage {
				t.Errorf("message=%q, want %q", body.Error.Message, tt.wantMessage)
			}
			if tt.wantStatus == 500 && tt.err != nil && strings.Contains(rec.Body.String(), tt.err.Error()) {
				t.Errorf("body %q leaks the internal error %q", rec.Body.String(), tt.err)
			}
			if tt.wantLog != "" && !strings.Contains(logs.String(), tt.wantLog) {
				t.Errorf("logs do not mention %q:\n%s", tt.wantLog, logs)
			}
			if tt.wantLog == "" && strings.Contains(logs.String(), `"level":"WARN"`) {
				t.Errorf("client error logged at warning level:\n%s", logs)
			}
		})
	}
}

func TestRecoverer(t *testing.T) {
	t.Parallel()
	logger, logs := newLogger()
	rec := get(t, api.NewErrorTestRouter(logger, nil), "/panic")

	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status=%d, want 500", rec.Code)
	}
	var body errorJSON
	decode(t, rec, &body)
	if body.Error.Code != "internal" || body.Error.Message != "internal error" {
		t.Errorf("error=%+v, want internal/internal error", body.Error)
	}
	if strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("body %q leaks the panic value", rec.Body.String())
	}
	for _, want := range []string{`"msg":"panic"`, `"panic":"boom"`, `"stack":`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
}

func TestNewRouter(t *testing.T) {
	t.Parallel()
	head := events.Position{Commit: 42, Prepare: 42}
	tests := []struct {
		name       string
		store      *fakeStore
		path       string
		wantStatus int
		wantBody   map[string]any
	}{
		{"Healthz", &fakeStore{}, "/healthz", 200, map[string]any{"status": "ok"}},
		{"HealthzStoreDown", &fakeStore{err: events.ErrClosed}, "/healthz", 200, map[string]any{"status": "ok"}},
		{"Readyz", &fakeStore{head: head}, "/readyz", 200, map[string]any{"status": "ready", "head": "42/42"}},
		{"ReadyzEmptyLog", &fakeStore{}, "/readyz", 200, map[string]any{"status": "ready", "head": "0/0"}},
		{"ReadyzClosed", &fakeStore{err: events.ErrClosed}, "/readyz", 503,
			map[string]any{"error": map[string]any{"code": "unavailable", "message": "event store not ready"}}},
		{"ReadyzPlainError", &fakeStore{err: errors.New("i/o error")}, "/readyz", 503,
			map[string]any{"error": map[string]any{"code": "unavailable", "message": "event store not ready"}}},
		{"NoRoute", &fakeStore{}, "/nope", 404,
			map[string]any{"error": map[string]any{"code": "not_found", "message": "no such endpoint: GET /nope"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logger, logs := newLogger()
			rec := get(t, api.NewRouter(api.Config{Store: tt.store, Logger: logger}), tt.path)

			if rec.Code != tt.wantStatus {
				t.Errorf("status=%d, want %d", rec.Code, tt.wantStatus)
			}
			var body map[string]any
			decode(t, rec, &body)
			if got, want := fmt.Sprint(body), fmt.Sprint(tt.wantBody); got != want {
				t.Errorf("body=%s, want %s", got, want)
			}
			if !strings.Contains(logs.String(), `"msg":"request"`) || !strings.Contains(logs.String(), `"path":"`+tt.path+`"`) {
				t.Errorf("request not logged:\n%s", logs)
			}
		})
	}
}

func TestNewRouter_NilLogger(t *testing.T) {
	t.Parallel()
	rec := get(t, api.NewRouter(api.Config{Store: &fakeStore{}}), "/healthz")
	if rec.Code != http.StatusOK {
		t.Fatalf("status=%d, want 200", rec.Code)
	}
}

func TestNewRouter_NilStore(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Fatal("NewRouter(Config{}) did not panic")
		}
	}()
	api.NewRouter(api.Config{})
}

func TestWriteError_ClientGone(t *testing.T) {
	t.Parallel()
	logger, logs := newLogger()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/fail", nil).WithContext(ctx)
	api.NewErrorTestRouter(logger, fmt.Errorf("append: %w", context.Canceled)).ServeHTTP(rec, req)
	if rec.Code != api.StatusClientClosedRequest {
		t.Errorf("status=%d, want %d", rec.Code, api.StatusClientClosedRequest)
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("a client that went away was logged as an error: %s", logs)
	}

	// The same error while the client still waits is the server's.
	rec = httptest.NewRecorder()
	api.NewErrorTestRouter(logger, fmt.Errorf("append: %w", context.Canceled)).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/fail", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status=%d while the client waits, want 500", rec.Code)
	}
}
