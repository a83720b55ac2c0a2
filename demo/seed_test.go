package demo_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/demo"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/pebble"
	"github.com/empulse/empulse/instrument"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/recognition"
	"github.com/empulse/empulse/survey"
	"github.com/empulse/empulse/vault"
	vpebble "github.com/empulse/empulse/vault/pebble"
)

const adminToken = "demo-test-admin-token"

// stores opens an event store, whose recorded times come from clock, and a
// vault in a temporary directory, closed when tb ends.
func stores(tb testing.TB, clock *demo.Clock) (events.Store, vault.Vault) {
	tb.Helper()
	quiet := slog.New(slog.DiscardHandler)
	dir := tb.TempDir()
	s, err := pebble.Open(filepath.Join(dir, "events"), pebble.Options{Now: clock.Now, Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	v, err := vpebble.Open(filepath.Join(dir, "vault"), vpebble.Options{Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { v.Close() })
	return s, v
}

func TestSeed(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC) // a Wednesday
	var progress []int
	clock := demo.NewClock(now)
	s, v := stores(t, clock)
	o, err := demo.Seed(context.Background(), demo.Config{Store: s, Vault: v, AdminTokenHash: app.HashToken(adminToken),
		Clock: clock, Rand: rand.Reader, Now: func() time.Time { return now }, Options: demo.Options{Seed: 1, Weeks: 2},
		Progress: func(done, total int) {
			if done != len(progress)+1 || done > total {
				t.Errorf("progress %d of %d after %d calls", done, total, len(progress))
			}
			progress = append(progress, total)
		}})
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	if len(progress) != o.Commands || progress[len(progress)-1] != o.Commands {
		t.Errorf("progress reported %d commands (total %d), Org says %d", len(progress), progress[len(progress)-1], o.Commands)
	}

	// Another App on the same store sees the organisation as Seed wrote it.
	a, err := app.New(app.Config{Store: s, Vault: v, AdminTokenHash: app.HashToken(adminToken), Rand: rand.Reader,
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	admin := app.Principal{Role: org.RoleAdmin}
	teams, err := a.Teams(ctx, admin)
	if err != nil || len(teams) != o.Teams || o.Teams != 30 {
		t.Fatalf("%d teams (%v), Org says %d; want 30", len(teams), err, o.Teams)
	}
	members, err := a.Members(ctx, admin)
	if err != nil || len(members) != len(o.Members) {
		t.Fatalf("%d members (%v), Org says %d", len(members), err, len(o.Members))
	}
	for i, m := range members {
		if m.ID != o.Members[i].ID || m.Name != o.Members[i].Name || m.Role != o.Members[i].Role {
			t.Errorf("member %d=%+v, Org says %+v", i, m, o.Members[i])
		}
	}
	shown := []struct {
		who  string
		m    demo.Member
		role org.Role
		team string
	}{
		{"Employee", o.Employee, org.RoleEmployee, "Payments"},
		{"Leader", o.Leader, org.RoleLeader, "Engineering"},
		{"Analyst", o.Analyst, org.RoleAnalyst, "People"},
	}
	for _, sh := range shown {
		p, err := a.Authenticate(ctx, sh.m.Token)
		if err != nil || p.Member != sh.m.ID || p.Role != sh.role || sh.m.Team != sh.team {
			t.Errorf("%s %+v authenticates as %+v (%v); want a %s of %s", sh.who, sh.m, p, err, sh.role, sh.team)
		}
		// The links were issued weeks ago but last as long as new ones.
		if want := now.Add(app.DefaultLinkTTL); !p.Expires.Equal(want) {
			t.Errorf("%s's link expires at %v, want %v: the default life from now", sh.who, p.Expires, want)
		}
	}

	// A weekly survey per bundled instrument, each with a closed pulse
	// last week and an open one this week; the employee may answer this
	// week's.
	surveys, err := a.Surveys(ctx, admin)
	if err != nil || len(surveys) != len(instrument.Bundled()) {
		t.Fatalf("%d surveys (%v), want %d", len(surveys), err, len(instrument.Bundled()))
	}
	for _, sv := range surveys {
		if len(sv.Pulses) != 2 || sv.Pulses[0].Status != "closed" || sv.Pulses[1].Status != "open" {
			t.Errorf("survey %s: pulses %+v, want one closed, then one open", sv.Name, sv.Pulses)
		}
	}
	emp, _ := a.Authenticate(ctx, o.Employee.Token)
	mine, err := a.MyPulses(ctx, emp)
	if err != nil || len(mine) != len(surveys) {
		t.Errorf("the employee's open pulses: %d (%v), want %d", len(mine), err, len(surveys))
	}
	for _, p := range mine {
		if p.Answered {
			t.Errorf("the employee shown has answered %s, want it left to whoever follows their link", p.SurveyName)
		}
	}

	// Answers and recognitions lie in the two weeks, none after now; who
	// answered last week is recorded.
	all, err := s.ReadAll(ctx, events.Start, 0)
	if err != nil {
		t.Fatal(err)
	}
	first := "2026-11-16"
	count := map[string]int{}
	reg := app.Registry()
	for _, e := range all {
		count[e.Type]++
		if e.Recorded.After(now) {
			t.Fatalf("%s recorded at %v, after now", e.Type, e.Recorded)
		}
		v, err := reg.Decode(e)
		if err != nil {
			t.Fatal(err)
		}
		switch ev := v.(type) {
		case survey.AnswerSubmitted:
			if ev.Day < first || ev.Day > "2026-11-25" {
				t.Errorf("answer on %s, want from %s to 2026-11-25", ev.Day, first)
			}
		case recognition.Given:
			if ev.Week != "2026-W47" && ev.Week != "2026-W48" || ev.Day > "2026-11-25" {
				t.Errorf("recognition on %s (%s), want in 2026-W47 or W48 up to today", ev.Day, ev.Week)
			}
		}
	}
	if count[survey.TypeParticipationRecorded] != len(surveys) || count[survey.TypeAnswerSubmitted] < 500 ||
		count[recognition.TypeGiven] < 100 || count[survey.TypeAnswerSubmitted]+count[recognition.TypeGiven] > o.Commands {
		t.Errorf("events by type %v after %d commands; want participation of every closed pulse, hundreds of answers and recognitions", count, o.Commands)
	}
	if !strings.HasSuffix(o.Employee.Email, "@"+demo.EmailDomain) {
		t.Errorf("employee address %s, want one at %s", o.Employee.Email, demo.EmailDomain)
	}
}

func TestSeed_Errors(t *testing.T) {
	t.Parallel()
	clock := demo.NewClock(time.Now())
	s, v := stores(t, clock)
	cfg := demo.Config{Store: s, Vault: v, AdminTokenHash: app.HashToken(adminToken), Clock: clock, Rand: rand.Reader}
	tests := []struct {
		name string
		edit func(*demo.Config)
		want string
	}{
		{"NoClock", func(c *demo.Config) { c.Clock = nil }, "Clock"},
		{"NoStore", func(c *demo.Config) { c.Store = nil }, "Store"},
		{"NegativeWeeks", func(c *demo.Config) { c.Options.Weeks = -1 }, "weeks"},
	}
	for _, tt := range tests {
		c := cfg
		tt.edit(&c)
		if _, err := demo.Seed(context.Background(), c); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err=%v, want one naming %s", tt.name, err, tt.want)
		}
	}
}
