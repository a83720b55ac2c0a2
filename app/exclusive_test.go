package app_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/survey"
)

// storedButFailedStore is a store whose appends, while fail is set, are
// stored and then reported failed, as when a timeout comes after the
// write.
type storedButFailedStore struct {
	events.Store
	fail *atomic.Bool
}

var errAfterWrite = errors.New("simulated timeout after the write")

func (s storedButFailedStore) Append(ctx context.Context, stream string, expected events.ExpectedRevision, evs ...events.Proposed) (events.AppendResult, error) {
	res, err := s.Store.Append(ctx, stream, expected, evs...)
	if err == nil && s.fail.Load() {
		return events.AppendResult{}, errAfterWrite
	}
	return res, err
}

// TestApp_Exclusive changes the organisation and a survey through an App
// that is its store's only writer, and checks that the App's next command
// sees each change, also when the change's append was stored but reported
// failed.
func TestApp_Exclusive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// change makes a change through a; check returns the error of a
		// command that the change must fail with wantErr.
		change  func(ctx context.Context, a *app.App, f exclusiveFixture) error
		check   func(ctx context.Context, a *app.App, f exclusiveFixture) error
		wantErr *apperr.Error
	}{
		{"RevokeLink",
			func(ctx context.Context, a *app.App, f exclusiveFixture) error {
				return a.RevokeLink(ctx, f.admin, f.member.Member, f.link.Link)
			},
			func(ctx context.Context, a *app.App, f exclusiveFixture) error {
				_, err := a.Authenticate(ctx, f.link.Token)
				return err
			},
			app.ErrLinkRevoked},
		{"ClosePulse",
			func(ctx context.Context, a *app.App, f exclusiveFixture) error {
				_, err := a.ClosePulse(ctx, f.admin, f.pulse.SurveyID, f.pulse.ID)
				return err
			},
			func(ctx context.Context, a *app.App, f exclusiveFixture) error {
				values := map[string]int{}
				for _, q := range f.pulse.Questions {
					values[q.Key] = q.Min
				}
				_, err := a.Answer(ctx, f.member, app.NewAnswer{Survey: f.pulse.SurveyID, Pulse: f.pulse.ID, Values: values})
				return err
			},
			&apperr.Error{Code: apperr.Conflict, Field: "pulse", Message: "pulse is closed"}},
	}
	for _, tt := range tests {
		for _, fail := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/ReportedFailed=%t", tt.name, fail), func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				f := newExclusiveFixture(t)
				f.fail.Store(fail)
				if err := tt.change(ctx, f.app, f); (err != nil) != fail {
					t.Fatalf("change: %v, want an error: %t", err, fail)
				}
				f.fail.Store(false)
				err := tt.check(ctx, f.app, f)
				if got := (*apperr.Error)(nil); !errors.As(err, &got) || *got != *tt.wantErr {
					t.Fatalf("after the change: %v, want %v", err, tt.wantErr)
				}
			})
		}
	}
}

// exclusiveFixture is an exclusive App on a storedButFailedStore, with a
// member, a link of theirs and an open pulse of a survey of their team,
// all seen by the App before the test changes them.
type exclusiveFixture struct {
	app    *app.App
	fail   *atomic.Bool
	admin  app.Principal
	member app.Principal
	link   app.IssuedLink
	pulse  app.Pulse
}

// newExclusiveFixture returns an exclusiveFixture on a fresh store.
func newExclusiveFixture(tb testing.TB) exclusiveFixture {
	tb.Helper()
	ctx := context.Background()
	e := newEnvWith(tb, 0, func(c *app.Config) { c.Exclusive = true })
	team := e.team(tb, "Engineering", "")
	p, _ := e.member(tb, "Ada Lovelace", team.ID, org.RoleEmployee)
	// A second App, as after a restart, is from now on the store's only
	// writer.
	f := exclusiveFixture{fail: &atomic.Bool{}, admin: e.admin, member: p}
	f.app = e.newApp(tb, storedButFailedStore{Store: e.store, fail: f.fail}, 0, 2)
	var err error
	if f.link, err = f.app.IssueLink(ctx, e.admin, p.Member, nil); err != nil {
		tb.Fatalf("IssueLink: %v", err)
	}
	if _, err := f.app.Authenticate(ctx, f.link.Token); err != nil {
		tb.Fatalf("Authenticate: %v", err)
	}
	s, err := f.app.CreateSurvey(ctx, e.admin, app.NewSurvey{Name: "Pulse", Team: team.ID, Instruments: []string{"enps"}, Cadence: survey.Weekly})
	if err != nil {
		tb.Fatalf("CreateSurvey: %v", err)
	}
	if f.pulse, err = f.app.OpenPulse(ctx, e.admin, s.ID); err != nil {
		tb.Fatalf("OpenPulse: %v", err)
	}
	return f
}
