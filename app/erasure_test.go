package app_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/survey"
	"github.com/empulse/empulse/vault"
)

func TestApp_EraseMember_Refused(t *testing.T) {
	t.Parallel()
	e, alpha, _, _, _ := surveyEnv(t)
	ctx := context.Background()
	leader, _ := e.member(t, "lea", alpha.Team, org.RoleLeader)
	analyst, _ := e.member(t, "ana", alpha.Team, org.RoleAnalyst)
	tests := []struct {
		name      string
		p         app.Principal
		id        string
		wantCode  apperr.Code
		wantField string
	}{
		{"Leader", leader, alpha.Member, apperr.Forbidden, ""},
		{"Analyst", analyst, alpha.Member, apperr.Forbidden, ""},
		{"Employee", alpha, alpha.Member, apperr.Forbidden, ""},
		{"NotAnID", e.admin, "nope", apperr.Invalid, "member"},
		{"UpperCaseID", e.admin, "A" + alpha.Member[1:], apperr.Invalid, "member"},
		{"Unknown", e.admin, uuid.NewString(), apperr.NotFound, "member"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.head(t)
			err := e.app.EraseMember(ctx, tt.p, tt.id)
			if apperr.CodeOf(err) != tt.wantCode || apperr.FieldOf(err) != tt.wantField {
				t.Fatalf("EraseMember err=%v, want code %q field %q", err, tt.wantCode, tt.wantField)
			}
			if after := e.head(t); after != before {
				t.Errorf("head moved from %v to %v: a refused erasure wrote events", before, after)
			}
			if _, err := e.vault.Get(ctx, alpha.Member); err != nil {
				t.Errorf("vault entry after a refused erasure: %v, want it kept", err)
			}
		})
	}
}

func TestApp_EraseMember(t *testing.T) {
	t.Parallel()
	e, alpha, beta, s, pulse := surveyEnv(t)
	ctx := context.Background()
	erin, erinToken := e.member(t, "erin", alpha.Team, org.RoleEmployee)
	if _, err := e.app.Answer(ctx, erin, app.NewAnswer{Survey: s.ID, Pulse: pulse.ID, Values: map[string]int{"who5.calm": 4},
		Comment: "my private words", IdempotencyKey: "erin-2026-W48"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Recognize(ctx, erin, app.NewRecognition{Receiver: beta.Member, Value: "care", Message: "from erin"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Recognize(ctx, beta, app.NewRecognition{Receiver: erin.Member, Value: "care", Message: "to erin"}); err != nil {
		t.Fatal(err)
	}
	sec, err := e.vault.Get(ctx, erin.Member)
	if err != nil {
		t.Fatal(err)
	}
	answersBefore := countType(e.all(t), survey.TypeAnswerSubmitted)

	if err := e.app.EraseMember(ctx, e.admin, erin.Member); err != nil {
		t.Fatalf("EraseMember: %v", err)
	}

	// The vault holds nothing of theirs: no key, no pseudonym.
	if _, err := e.vault.Get(ctx, erin.Member); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("vault Get after erasure: err=%v, want ErrNotFound", err)
	}
	if _, err := e.vault.KeyOf(ctx, sec.Pseudonym); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("vault KeyOf(pseudonym) after erasure: err=%v, want ErrNotFound", err)
	}
	// The log records the erasure, with the member's id only, once.
	evs := e.all(t)
	var erased []events.Event
	for _, ev := range evs {
		if ev.Type == org.TypeMemberErased {
			erased = append(erased, ev)
		}
	}
	if want := `{"member":"` + erin.Member + `"}`; len(erased) != 1 || string(erased[0].Data) != want {
		t.Fatalf("MemberErased events=%v, want one with data %s", erased, want)
	}
	// Answers stay, naming nobody; the erased member's comment has no key.
	if got := countType(evs, survey.TypeAnswerSubmitted); got != answersBefore {
		t.Errorf("%d answers after erasure, want the %d kept", got, answersBefore)
	}
	for _, ev := range evs {
		if ev.Type != survey.TypeAnswerSubmitted {
			continue
		}
		var ans survey.AnswerSubmitted
		if err := events.Unmarshal(ev.Data, &ans); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(ev.Data, []byte(erin.Member)) || ans.Respondent != sec.Pseudonym {
			t.Errorf("answer %s: want erin's pseudonym and not her id", ev.Data)
		}
		if _, err := e.vault.KeyOf(ctx, ans.Respondent); !errors.Is(err, vault.ErrNotFound) {
			t.Errorf("the answer's pseudonym still has a key: err=%v", err)
		}
	}

	got, err := e.app.Member(ctx, e.admin, erin.Member)
	if err != nil || !got.Erased || got.Name != "" || got.Email != "" || got.TeamID != alpha.Team {
		t.Errorf("Member after erasure=%+v, %v; want erased, no name or e-mail, last team", got, err)
	}
	list, err := e.app.Members(ctx, e.admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if (m.ID == erin.Member) != m.Erased || (m.Erased && (m.Name != "" || m.Email != "")) {
			t.Errorf("Members lists %+v; want only erin erased, without personal data", m)
		}
	}
	if len(list) != 3 {
		t.Errorf("Members lists %d, want all 3 (the erased one marked)", len(list))
	}
	if _, err := e.app.Authenticate(ctx, erinToken); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Errorf("the erased member's token: err=%v, want unauthenticated", err)
	}
	if mine, err := e.app.MyPulses(ctx, alpha); err != nil || len(mine) != 1 {
		t.Errorf("a colleague's pulses=%+v, %v; want theirs untouched", mine, err)
	}

	// Nothing more can happen to them, and erasing again changes nothing.
	head := e.head(t)
	after := []struct {
		name      string
		do        func() error
		wantCode  apperr.Code
		wantField string
	}{
		{"EraseAgain", func() error { return e.app.EraseMember(ctx, e.admin, erin.Member) }, "", ""},
		{"Move", func() error { _, err := e.app.MoveMember(ctx, e.admin, erin.Member, beta.Team); return err }, apperr.Conflict, "member"},
		{"ChangeRole", func() error { _, err := e.app.ChangeRole(ctx, e.admin, erin.Member, org.RoleLeader); return err }, apperr.Conflict, "member"},
		{"Recognise", func() error {
			_, err := e.app.Recognize(ctx, beta, app.NewRecognition{Receiver: erin.Member, Value: "care", Message: "x"})
			return err
		}, apperr.Conflict, "receiver_id"},
	}
	for _, tt := range after {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if apperr.CodeOf(err) != tt.wantCode || apperr.FieldOf(err) != tt.wantField {
				t.Errorf("err=%v, want code %q field %q", err, tt.wantCode, tt.wantField)
			}
		})
	}
	if got := e.head(t); got != head {
		t.Errorf("head moved from %v to %v after the erasure", head, got)
	}
	// What beta gave erin stays beta's to read.
	mine, err := e.app.MyRecognitions(ctx, beta, "")
	if err != nil || len(mine.Given) != 1 || mine.Given[0].Message != "to erin" {
		t.Errorf("beta's given recognitions=%+v, %v", mine, err)
	}
}

// countType returns how many of evs have type typ.
func countType(evs []events.Event, typ string) int {
	n := 0
	for _, ev := range evs {
		if ev.Type == typ {
			n++
		}
	}
	return n
}

// failErasedStore is a store whose appends of MemberErased fail, as when
// the process dies between deleting the vault entry and appending the
// event.
type failErasedStore struct{ events.Store }

var errCrash = errors.New("simulated crash before the append")

func (s failErasedStore) Append(ctx context.Context, stream string, expected events.ExpectedRevision, evs ...events.Proposed) (events.AppendResult, error) {
	for _, ev := range evs {
		if ev.Type == org.TypeMemberErased {
			return events.AppendResult{}, errCrash
		}
	}
	return s.Store.Append(ctx, stream, expected, evs...)
}

// TestApp_EraseMember_InterruptedBetweenSteps fails the append that
// follows the vault deletion and checks that nothing personal is readable
// meanwhile, and that a retry or the next start completes the erasure.
func TestApp_EraseMember_InterruptedBetweenSteps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		complete func(t *testing.T, e *env, member string) *app.App // returns the App that completed it
	}{
		{"Retry", func(t *testing.T, e *env, member string) *app.App {
			if err := e.app.EraseMember(context.Background(), e.admin, member); err != nil {
				t.Fatalf("retried EraseMember: %v", err)
			}
			return e.app
		}},
		{"Restart", func(t *testing.T, e *env, _ string) *app.App {
			a := e.newApp(t, e.store, 0, 3)
			n, err := a.CompleteErasures(context.Background())
			if err != nil || n != 1 {
				t.Fatalf("CompleteErasures=%d, %v; want 1", n, err)
			}
			if n, err := a.CompleteErasures(context.Background()); err != nil || n != 0 {
				t.Errorf("CompleteErasures again=%d, %v; want 0", n, err)
			}
			return a
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, alpha, _, s, pulse := surveyEnv(t)
			ctx := context.Background()
			erin, erinToken := e.member(t, "erin", alpha.Team, org.RoleEmployee)
			if _, err := e.app.Answer(ctx, erin, app.NewAnswer{Survey: s.ID, Pulse: pulse.ID, Values: map[string]int{"who5.calm": 4}, Comment: "mine"}); err != nil {
				t.Fatal(err)
			}
			sec, err := e.vault.Get(ctx, erin.Member)
			if err != nil {
				t.Fatal(err)
			}
			crashing := e.newApp(t, failErasedStore{e.store}, 0, 2)
			if err := crashing.EraseMember(ctx, e.admin, erin.Member); !errors.Is(err, errCrash) {
				t.Fatalf("EraseMember on a failing store: err=%v, want the simulated crash", err)
			}
			// Between the steps: no event yet, but nothing personal readable.
			if n := countType(e.all(t), org.TypeMemberErased); n != 0 {
				t.Fatalf("%d MemberErased events after the failed append, want 0", n)
			}
			if _, err := e.vault.KeyOf(ctx, sec.Pseudonym); !errors.Is(err, vault.ErrNotFound) {
				t.Errorf("comment key between the steps: err=%v, want ErrNotFound", err)
			}
			if m, err := e.app.Member(ctx, e.admin, erin.Member); err != nil || !m.Erased || m.Name != "" {
				t.Errorf("Member between the steps=%+v, %v; want erased", m, err)
			}

			a := tt.complete(t, e, erin.Member)
			if n := countType(e.all(t), org.TypeMemberErased); n != 1 {
				t.Errorf("%d MemberErased events once completed, want 1", n)
			}
			if _, err := a.Authenticate(ctx, erinToken); apperr.CodeOf(err) != apperr.Unauthenticated {
				t.Errorf("the erased member's token once completed: err=%v, want unauthenticated", err)
			}
			if _, err := a.Authenticate(ctx, adminToken); err != nil {
				t.Errorf("admin token: %v", err)
			}
		})
	}
}

// TestApp_FoldingErasureDeletesRestoredEntry puts an erased member's
// secrets back into the vault, as a restored backup would, and checks that
// the next App to fold the org stream deletes them again.
func TestApp_FoldingErasureDeletesRestoredEntry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	ctx := context.Background()
	root := e.team(t, "Company", "")
	erin, _ := e.member(t, "erin", root.ID, org.RoleEmployee)
	kept, _ := e.member(t, "kim", root.ID, org.RoleEmployee)
	sec, err := e.vault.Get(ctx, erin.Member)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.app.EraseMember(ctx, e.admin, erin.Member); err != nil {
		t.Fatal(err)
	}
	if err := e.vault.Put(ctx, erin.Member, sec); err != nil {
		t.Fatalf("restore the entry: %v", err)
	}
	a := e.newApp(t, e.store, 0, 2)
	if n, err := a.CompleteErasures(ctx); err != nil || n != 0 {
		t.Fatalf("CompleteErasures=%d, %v; want 0", n, err)
	}
	if _, err := e.vault.Get(ctx, erin.Member); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("restored entry after folding the erasure: err=%v, want ErrNotFound", err)
	}
	if _, err := e.vault.KeyOf(ctx, sec.Pseudonym); !errors.Is(err, vault.ErrNotFound) {
		t.Errorf("restored pseudonym after folding the erasure: err=%v, want ErrNotFound", err)
	}
	if _, err := e.vault.Get(ctx, kept.Member); err != nil {
		t.Errorf("another member's entry: %v, want it kept", err)
	}
}
