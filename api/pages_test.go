package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/empulse/empulse/api"
)

// TestNewRouter_Pages checks that the page paths and /static/ reach
// Config.Pages for GET and HEAD, behind the security headers, and that
// nothing else does.
func TestNewRouter_Pages(t *testing.T) {
	t.Parallel()
	pages := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Page", r.Method+" "+r.URL.Path)
		w.WriteHeader(http.StatusTeapot)
	})
	withPages := api.NewRouter(api.Config{Store: &fakeStore{}, Pages: pages})
	without := api.NewRouter(api.Config{Store: &fakeStore{}})
	tests := []struct {
		name       string
		h          http.Handler
		method     string
		path       string
		wantStatus int
		wantPage   string // X-Page the pages handler set; "" when it must not run
	}{
		{"Landing", withPages, "GET", "/", http.StatusTeapot, "GET /"},
		{"Pulse", withPages, "GET", "/pulse", http.StatusTeapot, "GET /pulse"},
		{"Recognition", withPages, "GET", "/recognition", http.StatusTeapot, "GET /recognition"},
		{"Dashboard", withPages, "GET", "/dashboard", http.StatusTeapot, "GET /dashboard"},
		{"Analysis", withPages, "GET", "/analysis", http.StatusTeapot, "GET /analysis"},
		{"HeadPulse", withPages, "HEAD", "/pulse", http.StatusTeapot, "HEAD /pulse"},
		{"Static", withPages, "GET", "/static/js/pulse.js", http.StatusTeapot, "GET /static/js/pulse.js"},
		{"HeadStatic", withPages, "HEAD", "/static/css/app.css", http.StatusTeapot, "HEAD /static/css/app.css"},
		{"PostPage", withPages, "POST", "/pulse", http.StatusNotFound, ""},
		{"UnknownPage", withPages, "GET", "/admin", http.StatusNotFound, ""},
		{"HealthStillServed", withPages, "GET", "/healthz", http.StatusOK, ""},
		{"NoPagesHandler", without, "GET", "/pulse", http.StatusNotFound, ""},
		{"NoPagesHandlerStatic", without, "GET", "/static/css/app.css", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			tt.h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.wantStatus {
				t.Errorf("status=%d, want %d", rec.Code, tt.wantStatus)
			}
			if got := rec.Header().Get("X-Page"); got != tt.wantPage {
				t.Errorf("pages handler saw %q, want %q", got, tt.wantPage)
			}
			if got := rec.Header().Get("Content-Security-Policy"); got != api.ContentSecurityPolicy {
				t.Errorf("Content-Security-Policy=%q, want %q", got, api.ContentSecurityPolicy)
			}
		})
	}
}
