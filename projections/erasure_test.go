package projections_test

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/projections"
	"github.com/empulse/empulse/recognition"
	"github.com/empulse/empulse/survey"
)

// TestProjection_Erasure folds a member's erasure and checks that the
// answers of the week stay counted, that the member leaves their team's
// member count, and that the recognitions they received are forgotten, in
// memory, on disk, after a restart and in a rebuild.
func TestProjection_Erasure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := mustStore(t)
	a := &appender{tb: t, store: store}
	a.add(org.Stream("o"), org.TeamCreated{Team: "T", Name: "T"})
	for i := range 4 {
		a.add(org.Stream("o"), org.MemberJoined{Member: fmt.Sprintf("m%d", i), Team: "T", Role: org.RoleEmployee})
	}
	qs := allQuestions()
	a.add(survey.Stream("s"), survey.Created{Survey: "s", Team: "T", K: 3, Items: qs})
	a.add(survey.Stream("s"), survey.PulseOpened{Survey: "s", Pulse: "p", Questions: qs, OpenedAt: t0})
	for i := range 4 {
		resp := fmt.Sprintf("resp-%d", i)
		a.add(survey.AnswerStream("p", resp), survey.AnswerSubmitted{Survey: "s", Pulse: "p", Respondent: resp, Team: "T",
			Day: t0.Format(time.DateOnly), Values: []survey.Value{{Key: "who5.calm", Value: 1 + i}}, Comment: []byte("sealed")})
	}
	give := func(giver, receiver string) {
		week := recognition.Week(t0)
		a.add(recognition.Stream(giver, week), recognition.Given{Recognition: giver + ">" + receiver, Giver: giver, Receiver: receiver,
			Value: "care", Message: []byte("sealed"), Week: week, Day: t0.Format(time.DateOnly)})
	}
	give("m0", "m2")
	give("m1", "m2")
	give("m2", "m0")

	dir := filepath.Join(t.TempDir(), "projections")
	r := mustOpen(t, store, dir)
	if _, err := r.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	before := weekScores(t, r)
	if got, err := r.Received(ctx, "m2", string(projections.WeekOf(t0))); err != nil || len(got) != 2 {
		t.Fatalf("m2 received %d, %v before the erasure; want 2", len(got), err)
	}

	a.add(org.Stream("o"), org.MemberErased{Member: "m2"})
	give("m3", "m2") // in flight while m2 was erased
	if _, err := r.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	after := weekScores(t, r)
	for _, m := range []projections.Metric{projections.MetricWellbeing, projections.MetricParticipation} {
		if after[m] != before[m] {
			t.Errorf("%s after the erasure=%s, want it unchanged: %s", m, after[m], before[m])
		}
	}
	// Three received among the three members left (shown as the value
	// and the member count), as after a departure; the recognition given
	// to m2 while erased is not counted.
	if got, want := after[projections.MetricRecvPerMember], "1 (3)"; got != want {
		t.Errorf("recognitions received per member=%s, want %s", got, want)
	}

	check := func(t *testing.T, r *projections.Runner) {
		t.Helper()
		if got, err := r.Received(ctx, "m2", string(projections.WeekOf(t0))); err != nil || len(got) != 0 {
			t.Errorf("m2 received %+v, %v after the erasure; want nothing", got, err)
		}
		if got, err := r.Received(ctx, "m0", string(projections.WeekOf(t0))); err != nil || len(got) != 1 {
			t.Errorf("m0 received %d, %v; want their 1 kept", len(got), err)
		}
		dump, err := projections.Dump(r)
		if err != nil {
			t.Fatal(err)
		}
		for k := range dump {
			if k == "mm2" || strings.HasPrefix(k, "rm2\x00") {
				t.Errorf("saved key %q of the erased member", k)
			}
		}
	}
	check(t, r)
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	r = mustOpen(t, store, dir)
	check(t, r)
	if got := weekScores(t, r); !maps.Equal(got, after) {
		t.Errorf("scores after a restart=%v, want %v", got, after)
	}
	rebuilt := filepath.Join(t.TempDir(), "rebuilt")
	if _, err := projections.Rebuild(ctx, projections.Config{Store: store, Dir: rebuilt}); err != nil {
		t.Fatal(err)
	}
	rb := mustOpen(t, store, rebuilt)
	check(t, rb)
	want, _ := projections.Dump(rb)
	got, _ := projections.Dump(r)
	if !maps.Equal(got, want) {
		t.Errorf("state after a restart differs from the rebuilt one:\n%v\n%v", got, want)
	}
}

// weekScores returns team T's figures of t0's week as "value (respondents)".
func weekScores(t *testing.T, r *projections.Runner) map[projections.Metric]string {
	t.Helper()
	w := projections.WeekOf(t0)
	s, err := r.TeamSeries(context.Background(), "T", w, w, 1)
	if err != nil {
		t.Fatal(err)
	}
	out := map[projections.Metric]string{}
	for m, sc := range s.Weeks[0].Scores {
		v, ok := sc.Value()
		n, _ := sc.Respondents()
		if !ok {
			out[m] = "withheld: " + sc.Reason()
			continue
		}
		out[m] = fmt.Sprintf("%v (%d)", v, n)
	}
	return out
}
