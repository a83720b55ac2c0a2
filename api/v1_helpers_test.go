package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/empulse/empulse/api"
	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/pebble"
	"github.com/empulse/empulse/pii"
	"github.com/empulse/empulse/projections"
	vpebble "github.com/empulse/empulse/vault/pebble"
)

// adminToken is the bootstrap admin token of every test server.
const adminToken = "test-admin-token"

// t0 is a Monday morning.
var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// specRouter finds operations in the OpenAPI document; it is built once.
var specRouter = sync.OnceValues(func() (routers.Router, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPI())
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, err
	}
	return gorillamux.NewRouter(doc)
})

// server is the API on a fresh embedded store and vault.
type server struct {
	h      http.Handler
	store  events.Store
	vault  *vpebble.Vault
	scores *projections.Runner
	app    *app.App
	now    time.Time
	mu     sync.Mutex
}

// Now is the server's clock.
func (s *server) Now() time.Time { s.mu.Lock(); defer s.mu.Unlock(); return s.now }

// newServer returns the API on a fresh store and vault with a clock at t0,
// seeded randomness and the given rate limit.
func newServer(tb testing.TB, rl api.RateLimit) *server {
	tb.Helper()
	return newServerWith(tb, rl, nil)
}

// newServerWith is newServer with the router's configuration changed by
// configure, when not nil, before the router is built.
func newServerWith(tb testing.TB, rl api.RateLimit, configure func(*server, *api.Config)) *server {
	tb.Helper()
	quiet := slog.New(slog.DiscardHandler)
	store, err := pebble.Open(tb.TempDir(), pebble.Options{Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	v, err := vpebble.Open(tb.TempDir(), vpebble.Options{Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { v.Close() })
	s := &server{store: store, vault: v, now: t0}
	shuffle := rand.New(rand.NewPCG(1, 2))
	var shuffleMu sync.Mutex
	runner, err := projections.Open(projections.Config{Store: store, Now: s.Now,
		Shuffle: func(n int, swap func(i, j int)) { shuffleMu.Lock(); defer shuffleMu.Unlock(); shuffle.Shuffle(n, swap) },
		OpenComment: func(ctx context.Context, pseudonym string, sealed []byte, aad string) (string, error) {
			key, err := v.KeyOf(ctx, pseudonym)
			if err != nil {
				return "", err
			}
			return pii.Open(key, sealed, aad)
		}})
	if err != nil {
		tb.Fatal(err)
	}
	runner.Start(context.Background())
	tb.Cleanup(func() { runner.Stop() })
	// Ready, as /readyz says, once the projections follow the log live.
	for deadline := time.Now().Add(30 * time.Second); !runner.CaughtUp(); {
		if time.Now().After(deadline) {
			tb.Fatal("the projections did not catch up with an empty log")
		}
		time.Sleep(time.Millisecond)
	}
	s.scores = runner
	a, err := app.New(app.Config{Store: store, Vault: v, AdminTokenHash: app.HashToken(adminToken), Now: s.Now,
		Rand: rand.NewChaCha8([32]byte{7}), Received: runner.Received})
	if err != nil {
		tb.Fatal(err)
	}
	s.app = a
	if rl == (api.RateLimit{}) {
		rl = api.RateLimit{PerSecond: 1e6, Burst: 1e6}
	}
	cfg := api.Config{Store: store, App: a, BaseURL: "http://empulse.test", RateLimit: rl, Now: s.Now, Scores: runner}
	if configure != nil {
		configure(s, &cfg)
	}
	s.h = api.NewRouter(cfg)
	return s
}

// req describes one request.
type req struct {
	method, path, token, body string
	header                    map[string]string
}

// do serves r and returns the response. It checks the response against the
// OpenAPI document (status documented, body matching its schema) and
// returns whether the document accepts the request itself.
func (s *server) do(tb testing.TB, r req) (*httptest.ResponseRecorder, error) {
	tb.Helper()
	newReq := func() *http.Request {
		var body io.Reader
		if r.body != "" {
			body = strings.NewReader(r.body)
		}
		hr := httptest.NewRequest(r.method, "http://empulse.test"+r.path, body)
		if r.body != "" {
			hr.Header.Set("Content-Type", "application/json")
		}
		if r.token != "" {
			hr.Header.Set("Authorization", "Bearer "+r.token)
		}
		for k, v := range r.header {
			hr.Header.Set(k, v)
		}
		return hr
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, newReq())

	router, err := specRouter()
	if err != nil {
		tb.Fatalf("OpenAPI document: %v", err)
	}
	hr := newReq()
	hr.URL.Path = strings.TrimSuffix(hr.URL.Path, "?")
	route, params, err := router.FindRoute(hr)
	if err != nil {
		if rec.Code != http.StatusNotFound {
			tb.Fatalf("%s %s: not in the OpenAPI document (%v) but answered %d", r.method, r.path, err, rec.Code)
		}
		return rec, err
	}
	ctx := context.Background()
	in := &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	reqErr := openapi3filter.ValidateRequest(ctx, in)
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
		Body: io.NopCloser(bytes.NewReader(rec.Body.Bytes())), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		tb.Fatalf("%s %s: response %d %s does not match the OpenAPI document: %v", r.method, r.path, rec.Code, rec.Body, err)
	}
	return rec, reqErr
}

// ok serves a request the OpenAPI document must accept, and fails unless
// the status is want; it decodes the body into v when v is not nil.
func (s *server) ok(tb testing.TB, r req, want int, v any) *httptest.ResponseRecorder {
	tb.Helper()
	rec, reqErr := s.do(tb, r)
	if reqErr != nil {
		tb.Fatalf("%s %s: the OpenAPI document refuses the request: %v", r.method, r.path, reqErr)
	}
	if rec.Code != want {
		tb.Fatalf("%s %s: status=%d, want %d; body %s", r.method, r.path, rec.Code, want, rec.Body)
	}
	if v != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
			tb.Fatalf("%s %s: decode %s: %v", r.method, r.path, rec.Body, err)
		}
	}
	return rec
}

// head returns the store's head.
func (s *server) head(tb testing.TB) events.Position {
	tb.Helper()
	h, err := s.store.Head(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// fixture is an organisation: Company > Alpha, Beta; a leader and an
// employee in Alpha, an employee in Beta, an analyst in Company; a survey
// of Alpha and one of Beta, each with an open pulse.
type fixture struct {
	tb                               testing.TB
	s                                *server
	root, alpha, beta                string
	leaderA, empA, empB, analyst     string // tokens
	empAID, empBID, leaderAID        string // member ids
	surveyA, pulseA, surveyB, pulseB string
	surveyC                          string // Alpha's, no pulse yet
	questionA                        string // a question key of pulseA
}

// idOf decodes {"id":...} from a team or survey.
type idOf struct {
	ID string `json:"id"`
}

// newFixture builds the fixture through the API.
func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	// The backups of the fixture's server are a few bytes: enough for who
	// may make one (the permission matrix); api/backup_test.go tests them.
	s := newServerWith(tb, api.RateLimit{}, func(_ *server, c *api.Config) {
		c.Backup = func(_ context.Context, w io.Writer, _ bool) error {
			_, err := w.Write([]byte("archive"))
			return err
		}
	})
	f := &fixture{tb: tb, s: s}
	team := func(name, parent string) string {
		var t idOf
		body := `{"name":"` + name + `"}`
		if parent != "" {
			body = `{"name":"` + name + `","parent_id":"` + parent + `"}`
		}
		s.ok(tb, req{method: "POST", path: "/api/v1/teams", token: adminToken, body: body}, 201, &t)
		return t.ID
	}
	f.root = team("Company", "")
	f.alpha = team("Alpha", f.root)
	f.beta = team("Beta", f.root)
	member := func(name, team, role string) (token, id string) {
		var cm struct {
			Member idOf   `json:"member"`
			Token  string `json:"token"`
		}
		s.ok(tb, req{method: "POST", path: "/api/v1/members", token: adminToken,
			body: `{"name":"` + name + `","email":"` + name + `@example.org","team_id":"` + team + `","role":"` + role + `"}`}, 201, &cm)
		return cm.Token, cm.Member.ID
	}
	f.leaderA, f.leaderAID = member("lea", f.alpha, "leader")
	f.empA, f.empAID = member("alice", f.alpha, "employee")
	f.empB, f.empBID = member("bob", f.beta, "employee")
	f.analyst, _ = member("ana", f.root, "analyst")
	survey := func(team string) (surveyID, pulseID, key string) {
		var sv idOf
		s.ok(tb, req{method: "POST", path: "/api/v1/surveys", token: adminToken,
			body: `{"name":"Pulse","team_id":"` + team + `","instruments":["who5","enps"],"cadence":"weekly"}`}, 201, &sv)
		var p struct {
			ID        string `json:"id"`
			Questions []struct {
				Key string `json:"key"`
			} `json:"questions"`
		}
		s.ok(tb, req{method: "POST", path: "/api/v1/surveys/" + sv.ID + "/pulses", token: adminToken}, 201, &p)
		return sv.ID, p.ID, p.Questions[0].Key
	}
	f.surveyA, f.pulseA, f.questionA = survey(f.alpha)
	f.surveyB, f.pulseB, _ = survey(f.beta)
	var sc idOf
	s.ok(tb, req{method: "POST", path: "/api/v1/surveys", token: adminToken,
		body: `{"name":"Later","team_id":"` + f.alpha + `","instruments":["empowerment"],"cadence":"monthly"}`}, 201, &sc)
	f.surveyC = sc.ID
	return f
}
