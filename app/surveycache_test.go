package app_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/google/uuid"

	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/org"
)

// TestApp_SurveyStateFollowsOtherWriters checks that the survey state an App
// keeps between commands follows what another App (another node) appends,
// and that commands which apply their own events to the state they loaded
// do not change what the next command loads.
func TestApp_SurveyStateFollowsOtherWriters(t *testing.T) {
	t.Parallel()
	e, alpha, _, s, first := surveyEnv(t)
	ctx := context.Background()
	alpha2, _ := e.member(t, "ann", alpha.Team, org.RoleEmployee)
	other, err := app.New(app.Config{Store: e.store, Vault: e.vault, AdminTokenHash: app.HashToken(adminToken), Now: e.clock.Now,
		Rand: rand.NewChaCha8([32]byte{2})})
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]int{"who5.calm": 3}

	if _, err := other.Answer(ctx, alpha, app.NewAnswer{Survey: s.ID, Pulse: first.ID, Values: values}); err != nil {
		t.Fatalf("answer through the other App: %v", err)
	}
	if _, err := e.app.ClosePulse(ctx, e.admin, s.ID, first.ID); err != nil {
		t.Fatal(err)
	}
	_, err = other.Answer(ctx, alpha2, app.NewAnswer{Survey: s.ID, Pulse: first.ID, Values: values})
	if apperr.CodeOf(err) != apperr.Conflict || apperr.FieldOf(err) != "pulse" {
		t.Fatalf("answer to a pulse the first App closed: err=%v, want conflict on pulse", err)
	}
	second, err := e.app.OpenPulse(ctx, e.admin, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := other.MyPulses(ctx, alpha2)
	if err != nil || len(mine) != 1 || mine[0].PulseID != second.ID || mine[0].Answered {
		t.Fatalf("MyPulses through the other App=%+v, %v; want the new pulse %s unanswered", mine, err, second.ID)
	}
	if _, err := other.Answer(ctx, alpha2, app.NewAnswer{Survey: s.ID, Pulse: second.ID, Values: values}); err != nil {
		t.Fatalf("answer to the new pulse: %v", err)
	}
	for name, a := range map[string]*app.App{"first": e.app, "other": other} {
		got, err := a.Survey(ctx, e.admin, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Pulses) != 2 || got.Pulses[0].Status != "closed" || got.Pulses[1].Status != "open" {
			t.Errorf("%s App: pulses=%+v, want the first closed and the second open", name, got.Pulses)
		}
	}
	for range 2 {
		if _, err := other.Survey(ctx, e.admin, uuid.NewString()); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("unknown survey: err=%v, want not found", err)
		}
	}
}
