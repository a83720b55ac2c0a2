package app_test

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/pebble"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/vault"
	vpebble "github.com/empulse/empulse/vault/pebble"
)

// adminToken is the bootstrap admin token of every test App.
const adminToken = "test-admin-token"

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// env is an App with its store, vault and clock.
type env struct {
	app   *app.App
	store events.Store
	vault vault.Vault
	clock *clock
	admin app.Principal
	// edit, if set, changes the Config of every App newApp makes.
	edit func(*app.Config)
}

// t0 is a Monday morning.
var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// newEnv returns an App on a fresh embedded store and vault in temporary
// directories, with a clock at t0 and seeded randomness.
func newEnv(tb testing.TB, allowance int) *env {
	tb.Helper()
	return newEnvWith(tb, allowance, nil)
}

// newEnvWith is newEnv with edit (if not nil) changing the App's Config.
func newEnvWith(tb testing.TB, allowance int, edit func(*app.Config)) *env {
	tb.Helper()
	quiet := slog.New(slog.DiscardHandler)
	store, err := pebble.Open(tb.TempDir(), pebble.Options{Logger: quiet})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { store.Close() })
	v, err := vpebble.Open(tb.TempDir(), vpebble.Options{Logger: quiet})
	if err != nil {
		tb.Fatalf("open vault: %v", err)
	}
	tb.Cleanup(func() { v.Close() })
	c := &clock{t: t0}
	e := &env{store: store, vault: v, clock: c, edit: edit}
	e.app = e.newApp(tb, store, allowance, 1)
	e.admin, err = e.app.Authenticate(context.Background(), adminToken)
	if err != nil {
		tb.Fatalf("authenticate admin: %v", err)
	}
	return e
}

// newApp returns an App on store (e's store, or one wrapping it) and e's
// vault and clock, with randomness seeded with seed: another seed for
// another App on the same data, as after a restart.
func (e *env) newApp(tb testing.TB, store events.Store, allowance int, seed byte) *app.App {
	tb.Helper()
	cfg := app.Config{Store: store, Vault: e.vault, AdminTokenHash: app.HashToken(adminToken), Now: e.clock.Now,
		Rand: rand.NewChaCha8([32]byte{seed}), Allowance: allowance}
	if e.edit != nil {
		e.edit(&cfg)
	}
	a, err := app.New(cfg)
	if err != nil {
		tb.Fatalf("app.New: %v", err)
	}
	return a
}

// team creates a team as admin.
func (e *env) team(tb testing.TB, name, parent string) app.Team {
	tb.Helper()
	t, err := e.app.CreateTeam(context.Background(), e.admin, name, parent)
	if err != nil {
		tb.Fatalf("CreateTeam(%s): %v", name, err)
	}
	return t
}

// member creates a member as admin and returns their principal and token.
func (e *env) member(tb testing.TB, name, team string, role org.Role) (app.Principal, string) {
	tb.Helper()
	ctx := context.Background()
	cm, err := e.app.CreateMember(ctx, e.admin, app.NewMember{Name: name, Email: strings.ReplaceAll(name, " ", ".") + "@example.org", Team: team, Role: role})
	if err != nil {
		tb.Fatalf("CreateMember(%s): %v", name, err)
	}
	p, err := e.app.Authenticate(ctx, cm.Token)
	if err != nil {
		tb.Fatalf("Authenticate(%s): %v", name, err)
	}
	return p, cm.Token
}

// head returns the store's head.
func (e *env) head(tb testing.TB) events.Position {
	tb.Helper()
	h, err := e.store.Head(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// all returns every event of the log.
func (e *env) all(tb testing.TB) []events.Event {
	tb.Helper()
	evs, err := e.store.ReadAll(context.Background(), events.Start, 0)
	if err != nil {
		tb.Fatal(err)
	}
	return evs
}
