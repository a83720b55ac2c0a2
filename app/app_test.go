package app_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/pii"
	"github.com/empulse/empulse/survey"
	"github.com/empulse/empulse/vault"
)

func TestApp_Authenticate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	root := e.team(t, "Company", "")
	_, token := e.member(t, "ada", root.ID, org.RoleLeader)
	ctx := context.Background()
	tests := []struct {
		name     string
		token    string
		wantRole org.Role
		wantCode apperr.Code
	}{
		{"Admin", adminToken, org.RoleAdmin, ""},
		{"Member", token, org.RoleLeader, ""},
		{"Empty", "", "", apperr.Unauthenticated},
		{"Unknown", "emp_nope", "", apperr.Unauthenticated},
		{"AlmostAdmin", adminToken + "x", "", apperr.Unauthenticated},
	}
	for _, tt := range tests {
		p, err := e.app.Authenticate(ctx, tt.token)
		if apperr.CodeOf(err) != tt.wantCode || p.Role != tt.wantRole {
			t.Errorf("%s: Authenticate=%+v, %v; want role %q code %q", tt.name, p, err, tt.wantRole, tt.wantCode)
		}
	}
}

func TestApp_MembersAndRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	ctx := context.Background()
	root := e.team(t, "Company", "")
	a := e.team(t, "Alpha", root.ID)
	b := e.team(t, "Beta", root.ID)
	leader, _ := e.member(t, "lea", a.ID, org.RoleLeader)
	emp, _ := e.member(t, "emil", a.ID, org.RoleEmployee)
	other, _ := e.member(t, "otto", b.ID, org.RoleEmployee)

	sub, err := e.app.CreateTeam(ctx, leader, "Alpha Sub", a.ID)
	if err != nil {
		t.Fatalf("leader creates team under own team: %v", err)
	}
	if _, err := e.app.CreateTeam(ctx, leader, "Beta Sub", b.ID); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("leader creates team under another team: err=%v, want forbidden", err)
	}
	if _, err := e.app.CreateMember(ctx, leader, app.NewMember{Name: "X", Email: "x@example.org", Team: b.ID, Role: org.RoleEmployee}); apperr.CodeOf(err) != apperr.Forbidden || apperr.FieldOf(err) != "team_id" {
		t.Errorf("leader adds member to another team: err=%v, want forbidden team_id", err)
	}
	if _, err := e.app.CreateMember(ctx, leader, app.NewMember{Name: "X", Email: "x@example.org", Team: a.ID, Role: org.RoleAdmin}); apperr.CodeOf(err) != apperr.Forbidden || apperr.FieldOf(err) != "role" {
		t.Errorf("leader adds an admin: err=%v, want forbidden role", err)
	}
	if _, err := e.app.CreateMember(ctx, emp, app.NewMember{Name: "X", Email: "x@example.org", Team: a.ID, Role: org.RoleEmployee}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("employee adds a member: err=%v, want forbidden", err)
	}
	if _, err := e.app.MoveMember(ctx, leader, emp.Member, sub.ID); err != nil {
		t.Errorf("leader moves within subtree: %v", err)
	}
	if _, err := e.app.MoveMember(ctx, leader, other.Member, a.ID); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("leader moves a member of another team: err=%v, want forbidden", err)
	}
	teams, err := e.app.Teams(ctx, leader)
	if err != nil || len(teams) != 2 {
		t.Errorf("leader sees %d teams (%v), want 2 (own subtree)", len(teams), err)
	}
	if _, err := e.app.Member(ctx, emp, other.Member); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("employee reads another member: err=%v, want forbidden", err)
	}
	me, err := e.app.Me(ctx, emp)
	if err != nil || me.Name != "emil" || me.Email != "emil@example.org" || me.TeamID != sub.ID {
		t.Errorf("Me=%+v, %v; want emil in %s", me, err, sub.ID)
	}
}

func TestApp_PersonalDataSealedAndErasable(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	ctx := context.Background()
	root := e.team(t, "Company", "")
	p, _ := e.member(t, "Grace Hopper", root.ID, org.RoleEmployee)
	for _, ev := range e.all(t) {
		if bytes.Contains(ev.Data, []byte("Grace")) || bytes.Contains(ev.Data, []byte("example.org")) {
			t.Fatalf("event %s holds personal data in clear: %s", ev.Type, ev.Data)
		}
	}
	if err := e.vault.Delete(ctx, p.Member); err != nil {
		t.Fatal(err)
	}
	got, err := e.app.Member(ctx, e.admin, p.Member)
	if err != nil || !got.Erased || got.Name != "" || got.Email != "" {
		t.Fatalf("after erasure Member=%+v, %v; want erased, no name or e-mail", got, err)
	}
	if n := len(e.all(t)); n != 2 {
		t.Errorf("%d events after erasure, want the 2 intact", n)
	}
}

// surveyEnv returns an env with team Company > Alpha, Beta, an employee in
// Alpha, one in Beta, and a weekly WHO-5 survey of Alpha with an open pulse.
func surveyEnv(tb testing.TB) (e *env, alpha, beta app.Principal, s app.Survey, pulse app.Pulse) {
	tb.Helper()
	e = newEnv(tb, 0)
	ctx := context.Background()
	root := e.team(tb, "Company", "")
	a := e.team(tb, "Alpha", root.ID)
	b := e.team(tb, "Beta", root.ID)
	alpha, _ = e.member(tb, "alice", a.ID, org.RoleEmployee)
	beta, _ = e.member(tb, "bob", b.ID, org.RoleEmployee)
	s, err := e.app.CreateSurvey(ctx, e.admin, app.NewSurvey{Name: "Wellbeing", Team: a.ID, Instruments: []string{"who5", "enps"}, Cadence: survey.Weekly})
	if err != nil {
		tb.Fatalf("CreateSurvey: %v", err)
	}
	pulse, err = e.app.OpenPulse(ctx, e.admin, s.ID)
	if err != nil {
		tb.Fatalf("OpenPulse: %v", err)
	}
	return e, alpha, beta, s, pulse
}

func TestApp_Answer(t *testing.T) {
	t.Parallel()
	e, alpha, beta, s, pulse := surveyEnv(t)
	ctx := context.Background()
	if len(pulse.Questions) != 5 {
		t.Fatalf("pulse asks %d questions, want 5", len(pulse.Questions))
	}
	mine, err := e.app.MyPulses(ctx, alpha)
	if err != nil || len(mine) != 1 || mine[0].Answered {
		t.Fatalf("MyPulses(alpha)=%+v, %v; want one unanswered", mine, err)
	}
	if theirs, err := e.app.MyPulses(ctx, beta); err != nil || len(theirs) != 0 {
		t.Fatalf("MyPulses(beta)=%+v, %v; want none: the survey is Alpha's", theirs, err)
	}
	na := app.NewAnswer{Survey: s.ID, Pulse: pulse.ID, Values: map[string]int{"who5.cheerful": 4, "who5.calm": 3}, Comment: "secret remark", IdempotencyKey: "k1"}
	if _, err := e.app.Answer(ctx, beta, na); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("answer from another team: err=%v, want forbidden", err)
	}
	first, err := e.app.Answer(ctx, alpha, na)
	if err != nil {
		t.Fatalf("Answer: %v", err)
	}
	if first.Day != "2026-11-23" || first.PulseID != pulse.ID {
		t.Errorf("receipt=%+v", first)
	}
	head := e.head(t)
	retryNA := na
	retryNA.Values = map[string]int{"who5.calm": 0}
	again, err := e.app.Answer(ctx, alpha, retryNA)
	if err != nil || again != first {
		t.Errorf("retry with the same key=%+v, %v; want the first receipt %+v", again, err, first)
	}
	na.IdempotencyKey = ""
	if _, err := e.app.Answer(ctx, alpha, na); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("second answer: err=%v, want conflict", err)
	}
	if got := e.head(t); got != head {
		t.Errorf("head moved from %v to %v on a retry and a refused answer", head, got)
	}
	answers := 0
	for _, ev := range e.all(t) {
		switch ev.Type {
		case survey.TypeAnswerSubmitted:
			answers++
			if bytes.Contains(ev.Data, []byte(alpha.Member)) || strings.Contains(ev.Stream, alpha.Member) {
				t.Errorf("answer event names the member: %s %s", ev.Stream, ev.Data)
			}
			if bytes.Contains(ev.Data, []byte("secret remark")) {
				t.Errorf("answer comment stored in clear: %s", ev.Data)
			}
			if !bytes.Contains(ev.Data, []byte(`"day":"2026-11-23"`)) || !bytes.Contains(ev.Data, []byte(alpha.Team)) {
				t.Errorf("answer lacks day or team: %s", ev.Data)
			}
		case survey.TypeParticipationRecorded:
			t.Errorf("participation recorded while the pulse is open: %s", ev.Data)
		}
	}
	if answers != 1 {
		t.Errorf("%d answers, want 1", answers)
	}
	mine, _ = e.app.MyPulses(ctx, alpha)
	if len(mine) != 1 || !mine[0].Answered {
		t.Errorf("MyPulses after answering=%+v, want answered", mine)
	}

	// Closing records who answered, in one event, far from the answer.
	if _, err := e.app.ClosePulse(ctx, e.admin, s.ID, pulse.ID); err != nil {
		t.Fatal(err)
	}
	evs, err := e.store.ReadStream(ctx, survey.ParticipationStream(pulse.ID), events.Forwards, 0, 0)
	if err != nil || len(evs) != 1 {
		t.Fatalf("participation stream: %d events, %v; want 1", len(evs), err)
	}
	if want := `"members":["` + alpha.Member + `"]`; !bytes.Contains(evs[0].Data, []byte(want)) {
		t.Errorf("participation=%s, want %s", evs[0].Data, want)
	}
	if _, err := e.app.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if again, _ := e.store.ReadStream(ctx, survey.ParticipationStream(pulse.ID), events.Forwards, 0, 0); len(again) != 1 {
		t.Errorf("participation recorded %d times, want once", len(again))
	}
}

func TestApp_AnswerKeepsTeamAtAnswerTime(t *testing.T) {
	t.Parallel()
	e, alpha, _, s, pulse := surveyEnv(t)
	ctx := context.Background()
	if _, err := e.app.Answer(ctx, alpha, app.NewAnswer{Survey: s.ID, Pulse: pulse.ID, Values: map[string]int{"who5.calm": 2}}); err != nil {
		t.Fatal(err)
	}
	sub, err := e.app.CreateTeam(ctx, e.admin, "Alpha Sub", alpha.Team)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.MoveMember(ctx, e.admin, alpha.Member, sub.ID); err != nil {
		t.Fatal(err)
	}
	for _, ev := range e.all(t) {
		if ev.Type == survey.TypeAnswerSubmitted && !bytes.Contains(ev.Data, []byte(alpha.Team)) {
			t.Errorf("answer lost its team after the move: %s", ev.Data)
		}
	}
}

func TestApp_TickOpensAndCloses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	ctx := context.Background()
	root := e.team(t, "Company", "")
	s, err := e.app.CreateSurvey(ctx, e.admin, app.NewSurvey{Name: "Pulse", Team: root.ID, Instruments: []string{"empowerment"},
		Cadence: survey.Fortnightly, StartsAt: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		at         time.Time
		wantEvents int
		wantPulses int
	}{
		{t0, 0, 0},
		{t0.Add(time.Hour), 1, 1},
		{t0.AddDate(0, 0, 7), 0, 1},
		{t0.AddDate(0, 0, 14).Add(time.Hour), 2, 2},
	}
	for i, st := range steps {
		e.clock.Set(st.at)
		n, err := e.app.Tick(ctx)
		if err != nil || n != st.wantEvents {
			t.Fatalf("step %d: Tick=%d, %v; want %d", i, n, err, st.wantEvents)
		}
		got, err := e.app.Survey(ctx, e.admin, s.ID)
		if err != nil || len(got.Pulses) != st.wantPulses {
			t.Fatalf("step %d: %d pulses (%v), want %d", i, len(got.Pulses), err, st.wantPulses)
		}
	}
	got, _ := e.app.Survey(ctx, e.admin, s.ID)
	part, err := e.store.ReadStream(ctx, survey.ParticipationStream(got.Pulses[0].ID), events.Forwards, 0, 0)
	if err != nil || len(part) != 1 || !bytes.Contains(part[0].Data, []byte(`"members":[]`)) {
		t.Errorf("participation of the pulse the scheduler closed: %d events, %v; want one with no members", len(part), err)
	}
	if !got.KLocked || got.Pulses[0].Status != "closed" || got.Pulses[1].Status != "open" || len(got.Pulses[1].Questions) != 5 {
		t.Errorf("survey=%+v; want k locked, first pulse closed, second open with 5 questions", got)
	}
	if _, err := e.app.ChangeK(ctx, e.admin, s.ID, 7); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("ChangeK after first pulse: err=%v, want conflict", err)
	}
}

func TestApp_RecognitionAllowanceUnderConcurrency(t *testing.T) {
	t.Parallel()
	const allowance, tries = 3, 12
	e := newEnv(t, allowance)
	ctx := context.Background()
	root := e.team(t, "Company", "")
	giver, _ := e.member(t, "gina", root.ID, org.RoleEmployee)
	receiver, _ := e.member(t, "rex", root.ID, org.RoleEmployee)
	if _, err := e.app.Recognize(ctx, giver, app.NewRecognition{Receiver: giver.Member, Value: "kindness", Message: "me"}); apperr.FieldOf(err) != "receiver_id" {
		t.Errorf("self-recognition: err=%v, want invalid receiver_id", err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, tries)
	for range tries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.app.Recognize(ctx, giver, app.NewRecognition{Receiver: receiver.Member, Value: "teamwork", Message: "Thanks for the help"})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		switch {
		case err == nil:
			ok++
		case apperr.FieldOf(err) != "allowance":
			t.Errorf("err=%v, want the allowance conflict", err)
		}
	}
	if ok != allowance {
		t.Errorf("%d recognitions accepted, want the allowance %d", ok, allowance)
	}
	mine, err := e.app.MyRecognitions(ctx, giver, "")
	if err != nil || len(mine.Given) != allowance || mine.Remaining != 0 || mine.Given[0].Message != "Thanks for the help" {
		t.Errorf("MyRecognitions=%+v, %v", mine, err)
	}
	for _, ev := range e.all(t) {
		if bytes.Contains(ev.Data, []byte("Thanks")) {
			t.Errorf("recognition message stored in clear: %s", ev.Data)
		}
	}
	if _, err := e.store.ReadStream(ctx, "recognition-"+giver.Member+"-2026-W48", events.Forwards, 0, 0); err != nil {
		t.Errorf("per-giver-per-week stream: %v", err)
	}
}

func TestApp_RunScheduler(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	root := e.team(t, "Company", "")
	s, err := e.app.CreateSurvey(context.Background(), e.admin, app.NewSurvey{Name: "Now", Team: root.ID, Instruments: []string{"enps"}, Cadence: survey.Weekly})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.app.RunScheduler(ctx, 5*time.Millisecond) }()
	// The first pulse is due at creation; wait (with a generous bound) for
	// the scheduler to open it.
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := e.app.Survey(context.Background(), e.admin, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Pulses) == 1 {
			if got.Pulses[0].Status != "open" || len(got.Pulses[0].Questions) != 1 {
				t.Errorf("pulse=%+v, want one open eNPS question", got.Pulses[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the scheduler opened no pulse")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("RunScheduler returned %v, want context.Canceled", err)
	}
}

func TestApp_ErasureMakesAnswersUnreadableAndUnlinkable(t *testing.T) {
	t.Parallel()
	e, alpha, _, s, pulse := surveyEnv(t)
	ctx := context.Background()
	if _, err := e.app.Answer(ctx, alpha, app.NewAnswer{Survey: s.ID, Pulse: pulse.ID, Values: map[string]int{"who5.calm": 4}, Comment: "my private words"}); err != nil {
		t.Fatal(err)
	}
	var ans survey.AnswerSubmitted
	for _, ev := range e.all(t) {
		if ev.Type == survey.TypeAnswerSubmitted {
			if err := events.Unmarshal(ev.Data, &ans); err != nil {
				t.Fatal(err)
			}
		}
	}
	key, err := e.vault.KeyOf(ctx, ans.Respondent)
	if err != nil {
		t.Fatalf("KeyOf before erasure: %v", err)
	}
	if got, err := pii.Open(key, ans.Comment, survey.CommentContext(ans.Pulse, ans.Respondent)); err != nil || got != "my private words" {
		t.Fatalf("comment before erasure=%q, %v", got, err)
	}
	before := len(e.all(t))
	if err := e.vault.Delete(ctx, alpha.Member); err != nil {
		t.Fatal(err)
	}
	if _, err := e.vault.KeyOf(ctx, ans.Respondent); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("KeyOf after erasure err=%v, want ErrNotFound: the comment stays readable", err)
	}
	if _, err := e.vault.Get(ctx, alpha.Member); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("Get after erasure err=%v, want ErrNotFound: member and pseudonym stay linked", err)
	}
	if after := len(e.all(t)); after != before {
		t.Errorf("%d events after erasure, want the %d intact", after, before)
	}
	// The pulse closes after the erasure: the participation event leaves the
	// erased member out, and nothing in the log joins member and pseudonym.
	if _, err := e.app.ClosePulse(ctx, e.admin, s.ID, pulse.ID); err != nil {
		t.Fatal(err)
	}
	for _, ev := range e.all(t) {
		if bytes.Contains(ev.Data, []byte(alpha.Member)) && bytes.Contains(ev.Data, []byte(ans.Respondent)) {
			t.Errorf("event %s joins member and pseudonym: %s", ev.Type, ev.Data)
		}
		if ev.Type == survey.TypeParticipationRecorded && bytes.Contains(ev.Data, []byte(alpha.Member)) {
			t.Errorf("participation names the erased member: %s", ev.Data)
		}
	}
	if _, err := e.app.Answer(ctx, alpha, app.NewAnswer{Survey: s.ID, Pulse: pulse.ID, Values: map[string]int{"who5.calm": 1}}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("answer by an erased member: err=%v, want forbidden", err)
	}
}
