package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/empulse/empulse/api"
	"github.com/empulse/empulse/events"
)

// panicStore is an events.Store whose Head panics, so that /readyz
// exercises the recoverer's 500.
type panicStore struct{ events.Store }

func (panicStore) Head(context.Context) (events.Position, error) { panic("store exploded") }

// TestSecurityHeaders checks that every kind of response (success, error,
// 404, recovered panic, health probe and /api/v1) carries the security
// headers, and that /api/ responses are not cached.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	s := newServer(t, api.RateLimit{})
	health := api.NewRouter(api.Config{Store: &fakeStore{}})
	down := api.NewRouter(api.Config{Store: &fakeStore{err: events.ErrClosed}})
	panicking := api.NewRouter(api.Config{Store: panicStore{}})
	tests := []struct {
		name       string
		h          http.Handler
		method     string
		path       string
		token      string
		body       string
		wantStatus int
		api        bool // Cache-Control: no-store expected
	}{
		{"Healthz", health, "GET", "/healthz", "", "", 200, false},
		{"Readyz", s.h, "GET", "/readyz", "", "", 200, false},
		{"ReadyzDown", down, "GET", "/readyz", "", "", 503, false},
		{"ReadyzPanic", panicking, "GET", "/readyz", "", "", 500, false},
		{"NotFound", health, "GET", "/nope", "", "", 404, false},
		{"NotFoundUnderAPI", s.h, "GET", "/api/v1/nope", adminToken, "", 404, true},
		{"NotFoundNoApp", health, "GET", "/api/v1/teams", "", "", 404, true},
		{"OpenAPI", s.h, "GET", "/api/v1/openapi.json", "", "", 200, true},
		{"Teams", s.h, "GET", "/api/v1/teams", adminToken, "", 200, true},
		{"CreateTeam", s.h, "POST", "/api/v1/teams", adminToken, `{"name":"Company"}`, 201, true},
		{"Unauthenticated", s.h, "GET", "/api/v1/teams", "", "", 401, true},
		{"BadToken", s.h, "GET", "/api/v1/teams", "wrong", "", 401, true},
		{"InvalidBody", s.h, "POST", "/api/v1/teams", adminToken, `{"nmae":"x"}`, 400, true},
		{"MalformedBody", s.h, "POST", "/api/v1/teams", adminToken, `{`, 400, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := http.NewRequest(tt.method, "http://empulse.test"+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.body != "" {
				r.Header.Set("Content-Type", "application/json")
			}
			if tt.token != "" {
				r.Header.Set("Authorization", "Bearer "+tt.token)
			}
			rec := httptest.NewRecorder()
			tt.h.ServeHTTP(rec, r)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status=%d, want %d; body %s", rec.Code, tt.wantStatus, rec.Body)
			}
			want := map[string]string{
				"Content-Security-Policy":    api.ContentSecurityPolicy,
				"X-Content-Type-Options":     "nosniff",
				"Referrer-Policy":            "no-referrer",
				"X-Frame-Options":            "DENY",
				"Cross-Origin-Opener-Policy": "same-origin",
				"Cache-Control":              "",
			}
			if tt.api {
				want["Cache-Control"] = "no-store"
			}
			for k, v := range want {
				if got := rec.Header().Values(k); len(got) > 1 || rec.Header().Get(k) != v {
					t.Errorf("%s=%q, want %q", k, got, v)
				}
			}
			csp := rec.Header().Get("Content-Security-Policy")
			for _, d := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, d) {
					t.Errorf("Content-Security-Policy %q lacks %s", csp, d)
				}
			}
			if strings.Contains(csp, "unsafe-") {
				t.Errorf("Content-Security-Policy %q allows something unsafe", csp)
			}
		})
	}
}
