package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/empulse/empulse/api"
	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/vault"
)

// Principals, by the byte that chooses one in a fuzz input (modulo their
// number): the fixture's admin, Alpha's leader, an employee of Alpha, an
// employee of Beta and the analyst.
const (
	asAdmin byte = iota
	asLeader
	asEmployee
	asOtherEmployee
	asAnalyst
	principals
)

// maxFixtureEvents bounds the events a fuzz target's inputs may append to
// one fixture; past it the next input gets a fresh fixture, so that
// millions of successful inputs (each a new team, say) keep memory, disk
// and the cost of a command bounded.
const maxFixtureEvents = 2000

// bodyFuzzer is the harness of one fuzz target of a request body: a router
// over a real app, embedded event store and vault holding the fixture's
// organisation, built once and shared by all the target's inputs, which
// run one at a time.
type bodyFuzzer struct {
	target bodyTarget
	root   string // the directory of every fixture's files

	life   *lifetime // the current fixture's directories and cleanups
	store  events.Store
	vault  *watchedVault
	h      http.Handler
	tokens [principals]string
	expand *strings.Replacer // the fixture's $names to its ids
	path   string            // the target's path, with the fixture's ids
	op     *openapi3filter.RequestValidationInput
	base   uint64 // the head's commit position when the fixture was built
}

// fuzzBody runs the fuzz target of f.Name()'s row of bodyTargets: it
// seeds the corpus with the row's bodies and tricky variants of them, and
// checks every input's response (see bodyFuzzer.check).
func fuzzBody(f *testing.F) {
	target, ok := bodyTargets[f.Name()]
	if !ok {
		f.Fatalf("%s has no row in bodyTargets", f.Name())
	}
	for _, s := range seedsOf(target) {
		f.Add(s.who, []byte(s.body))
	}
	z := &bodyFuzzer{target: target, root: fuzzRoot(f)}
	z.build(f)
	f.Cleanup(func() { z.life.close(f) })
	f.Fuzz(z.check)
}

// fuzzRoot returns the directory for a fuzz target's fixtures, removed
// when f ends: under /dev/shm where there is one, since a successful
// request's WAL sync then costs memory rather than a disk flush, and the
// fuzzer gets several times more executions per second; else f.TempDir().
func fuzzRoot(f *testing.F) string {
	if info, err := os.Stat("/dev/shm"); err != nil || !info.IsDir() {
		return f.TempDir()
	}
	dir, err := os.MkdirTemp("/dev/shm", "empulse-fuzz")
	if err != nil {
		return f.TempDir()
	}
	f.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			f.Error(err)
		}
	})
	return dir
}

// build replaces the fixture, if any, by a fresh one; tb is told of
// failures while it builds.
func (z *bodyFuzzer) build(tb testing.TB) {
	tb.Helper()
	if z.life != nil {
		z.life.close(tb)
	}
	z.life = newLifetime(tb, z.root)
	f := newFixture(z.life)
	s := f.s
	// The fixture's own app writes to the vault directly; this one goes
	// through a watchedVault, so that the harness sees every change.
	z.store, z.vault = s.store, &watchedVault{Vault: s.vault}
	a, err := app.New(app.Config{Store: s.store, Vault: z.vault, AdminTokenHash: app.HashToken(adminToken), Now: s.Now,
		Rand: rand.NewChaCha8([32]byte{9}), Received: s.scores.Received})
	if err != nil {
		tb.Fatal(err)
	}
	z.h = api.NewRouter(api.Config{Store: s.store, App: a, BaseURL: "http://empulse.test",
		RateLimit: api.RateLimit{PerSecond: 1e6, Burst: 1e6}, Now: s.Now, Scores: s.scores})
	z.tokens = [principals]string{adminToken, f.leaderA, f.empA, f.empB, f.analyst}
	z.expand = strings.NewReplacer("$root", f.root, "$alpha", f.alpha, "$beta", f.beta,
		"$leaderA", f.leaderAID, "$empA", f.empAID, "$empB", f.empBID,
		"$surveyA", f.surveyA, "$pulseA", f.pulseA, "$surveyB", f.surveyB, "$pulseB", f.pulseB,
		"$surveyC", f.surveyC, "$question", f.questionA)
	z.path = "/api/v1" + z.expand.Replace(z.target.path)

	router, err := specRouter()
	if err != nil {
		tb.Fatalf("OpenAPI document: %v", err)
	}
	r := httptest.NewRequest(z.target.method(), "http://empulse.test"+z.path, nil)
	route, params, err := router.FindRoute(r)
	if err != nil {
		tb.Fatalf("%s %s: not in the OpenAPI document: %v", r.Method, z.path, err)
	}
	if got := route.Method + " " + route.Path; got != z.target.op {
		tb.Fatalf("%s %s is the document's %s, want %s", r.Method, z.path, got, z.target.op)
	}
	z.op = &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route}
	z.base = z.head(tb).Commit
}

// head returns the event store's head: the position of the global log's
// last event.
func (z *bodyFuzzer) head(tb testing.TB) events.Position {
	tb.Helper()
	h, err := z.store.Head(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// check sends body (its $names replaced by the fixture's ids) to the
// target's endpoint as the principal who chooses, and fails t unless:
// the status is below 500 (a panic is a 500 too); the response body is
// JSON, and for a 4xx the error shape with a code and a message (and the
// field for a 400); a 4xx left the event store's head and the vault as they
// were; a 2xx answers a request the OpenAPI document accepts, so that the
// server is as strict as the document; and the response matches the
// document's schema for the operation and status.
func (z *bodyFuzzer) check(t *testing.T, who byte, body []byte) {
	if z.head(t).Commit-z.base > maxFixtureEvents {
		z.build(t)
	}
	if bytes.IndexByte(body, '$') >= 0 {
		body = []byte(z.expand.Replace(string(body)))
	}
	before, changes := z.head(t), z.vault.changes.Load()
	r := httptest.NewRequest(z.target.method(), "http://empulse.test"+z.path, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+z.tokens[int(who)%len(z.tokens)])
	rec := httptest.NewRecorder()
	z.h.ServeHTTP(rec, r)

	got := rec.Body.Bytes()
	if rec.Code >= 500 {
		t.Fatalf("status=%d, want below 500; body %s", rec.Code, got)
	}
	if !json.Valid(got) {
		t.Fatalf("status %d: body %q is not JSON", rec.Code, got)
	}
	if rec.Code >= 400 {
		var e errorJSON
		d := json.NewDecoder(bytes.NewReader(got))
		d.DisallowUnknownFields()
		if err := d.Decode(&e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Fatalf("status %d: body %s is not an error with a code and a message (%v)", rec.Code, got, err)
		}
		if rec.Code == http.StatusBadRequest && (e.Error.Field == nil || *e.Error.Field == "") {
			t.Fatalf("status 400: error %s names no field", got)
		}
		if after := z.head(t); after != before {
			t.Fatalf("status %d: head moved from %v to %v; a refused request wrote events (%s)", rec.Code, before, after, got)
		}
		if n := z.vault.changes.Load(); n != changes {
			t.Fatalf("status %d: the vault changed %d times; a refused request changed it (%s)", rec.Code, n-changes, got)
		}
	}
	if rec.Code < 300 {
		in := *z.op
		in.Request = httptest.NewRequest(r.Method, r.URL.String(), bytes.NewReader(body))
		in.Request.Header = r.Header
		in.Options = &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
		if err := openapi3filter.ValidateRequest(context.Background(), &in); err != nil {
			t.Fatalf("status %d for a request the OpenAPI document refuses: %v", rec.Code, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: z.op, Status: rec.Code, Header: rec.Header(),
		Body: io.NopCloser(bytes.NewReader(got)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Fatalf("response %d %s does not match the OpenAPI document: %v", rec.Code, got, err)
	}
}

// watchedVault is a vault.Vault that counts the changes made through it:
// Puts that stored an entry and Deletes that removed one.
type watchedVault struct {
	vault.Vault
	changes atomic.Int64
}

// Put stores s for member through the wrapped vault, counting success.
func (v *watchedVault) Put(ctx context.Context, member string, s vault.Secrets) error {
	err := v.Vault.Put(ctx, member, s)
	if err == nil {
		v.changes.Add(1)
	}
	return err
}

// Delete erases member's entry through the wrapped vault, counting it
// when there was one.
func (v *watchedVault) Delete(ctx context.Context, member string) error {
	_, held := v.Vault.Get(ctx, member)
	err := v.Vault.Delete(ctx, member)
	if err == nil && held == nil {
		v.changes.Add(1)
	}
	return err
}

// lifetime is a testing.TB whose temporary directories and cleanups belong
// to one fixture rather than to the test: close releases them, so that a
// fuzz target can replace its fixture between inputs.
type lifetime struct {
	testing.TB
	dir      string
	dirs     int
	cleanups []func()
}

// newLifetime returns a lifetime under root that reports failures to tb.
func newLifetime(tb testing.TB, root string) *lifetime {
	tb.Helper()
	dir, err := os.MkdirTemp(root, "fixture")
	if err != nil {
		tb.Fatal(err)
	}
	return &lifetime{TB: tb, dir: dir}
}

// TempDir returns a new directory that close removes.
func (l *lifetime) TempDir() string {
	l.dirs++
	dir := filepath.Join(l.dir, strconv.Itoa(l.dirs))
	if err := os.Mkdir(dir, 0o700); err != nil {
		l.Fatal(err)
	}
	return dir
}

// Cleanup registers fn to run at close.
func (l *lifetime) Cleanup(fn func()) { l.cleanups = append(l.cleanups, fn) }

// close runs the cleanups, the last registered first, and removes the
// directories, telling tb of a failure.
func (l *lifetime) close(tb testing.TB) {
	for _, fn := range slices.Backward(l.cleanups) {
		fn()
	}
	l.cleanups = nil
	if err := os.RemoveAll(l.dir); err != nil {
		tb.Error(err)
	}
}
