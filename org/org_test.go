package org_test

import (
	"errors"
	"testing"
	"time"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/pii"
)

// fixture returns a state with teams root > a > a1 and root > b, and member
// m1 (employee) in a.
func fixture(tb testing.TB) *org.State {
	tb.Helper()
	s := org.NewState()
	for _, ev := range []any{
		org.TeamCreated{Team: "root", Name: "Company"},
		org.TeamCreated{Team: "a", Name: "Alpha", Parent: "root"},
		org.TeamCreated{Team: "a1", Name: "Alpha One", Parent: "a"},
		org.TeamCreated{Team: "b", Name: "Beta", Parent: "root"},
		org.MemberJoined{Member: "m1", Team: "a", Role: org.RoleEmployee, TokenHash: "h1"},
	} {
		s.Apply(ev)
	}
	return s
}

// plainSeal "seals" by copying, so tests can see what was sealed.
func plainSeal(plain, context string) (pii.Sealed, error) {
	return pii.Sealed(context + "=" + plain), nil
}

// wantErr fails unless err has the code and field wanted.
func wantErr(tb testing.TB, err error, code apperr.Code, field string) {
	tb.Helper()
	if got := apperr.CodeOf(err); got != code {
		tb.Fatalf("code=%q (err %v), want %q", got, err, code)
	}
	if got := apperr.FieldOf(err); got != field {
		tb.Fatalf("field=%q (err %v), want %q", got, err, field)
	}
}

func TestDecideCreateTeam(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		c         org.CreateTeam
		wantCode  apperr.Code
		wantField string
	}{
		{"TopLevel", org.CreateTeam{Team: "x", Name: " Other "}, "", ""},
		{"Child", org.CreateTeam{Team: "x", Name: "Gamma", Parent: "root"}, "", ""},
		{"EmptyName", org.CreateTeam{Team: "x", Name: "  "}, apperr.Invalid, "name"},
		{"LongName", org.CreateTeam{Team: "x", Name: string(make([]rune, 101))}, apperr.Invalid, "name"},
		{"ControlChar", org.CreateTeam{Team: "x", Name: "a\nb"}, apperr.Invalid, "name"},
		{"UnknownParent", org.CreateTeam{Team: "x", Name: "X", Parent: "nope"}, apperr.NotFound, "parent_id"},
		{"DuplicateID", org.CreateTeam{Team: "a", Name: "X"}, apperr.Conflict, "id"},
		{"SiblingName", org.CreateTeam{Team: "x", Name: "alpha", Parent: "root"}, apperr.Conflict, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := org.DecideCreateTeam(fixture(t), tt.c)
			if tt.wantCode != "" {
				wantErr(t, err, tt.wantCode, tt.wantField)
				return
			}
			if err != nil {
				t.Fatalf("err=%v, want nil", err)
			}
			if got.Team != tt.c.Team || got.Parent != tt.c.Parent || got.Name == "" || got.Name[0] == ' ' {
				t.Fatalf("event=%+v, want the team, parent and trimmed name of %+v", got, tt.c)
			}
		})
	}
}

func TestDecideJoin(t *testing.T) {
	t.Parallel()
	ok := org.JoinMember{Member: "m2", Team: "b", Role: org.RoleLeader, Name: "Ada", Email: "ada@example.org", TokenHash: "h2",
		Issued: t0, Expires: t0.Add(time.Hour), Seal: plainSeal}
	tests := []struct {
		name      string
		edit      func(*org.JoinMember)
		wantCode  apperr.Code
		wantField string
	}{
		{"OK", func(*org.JoinMember) {}, "", ""},
		{"NoName", func(c *org.JoinMember) { c.Name = "" }, apperr.Invalid, "name"},
		{"BadEmail", func(c *org.JoinMember) { c.Email = "ada at example" }, apperr.Invalid, "email"},
		{"NamedEmail", func(c *org.JoinMember) { c.Email = "Ada <ada@example.org>" }, apperr.Invalid, "email"},
		{"BadRole", func(c *org.JoinMember) { c.Role = "boss" }, apperr.Invalid, "role"},
		{"UnknownTeam", func(c *org.JoinMember) { c.Team = "zz" }, apperr.NotFound, "team_id"},
		{"DuplicateMember", func(c *org.JoinMember) { c.Member = "m1" }, apperr.Conflict, "id"},
		{"DuplicateToken", func(c *org.JoinMember) { c.TokenHash = "h1" }, apperr.Conflict, ""},
		{"NoToken", func(c *org.JoinMember) { c.TokenHash = "" }, apperr.Conflict, ""},
		{"ExpiresWhenIssued", func(c *org.JoinMember) { c.Expires = c.Issued }, apperr.Invalid, "ttl_days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := ok
			tt.edit(&c)
			got, err := org.DecideJoin(fixture(t), c)
			if tt.wantCode != "" {
				wantErr(t, err, tt.wantCode, tt.wantField)
				return
			}
			if err != nil {
				t.Fatalf("err=%v, want nil", err)
			}
			if string(got.Name) != "member/m2/name=Ada" || string(got.Email) != "member/m2/email=ada@example.org" {
				t.Fatalf("sealed name=%q email=%q, want them sealed with their contexts", got.Name, got.Email)
			}
			if got.TokenHash != c.TokenHash || !got.Issued.Equal(c.Issued) || !got.Expires.Equal(c.Expires) {
				t.Fatalf("link 1=%s %v..%v, want %s %v..%v", got.TokenHash, got.Issued, got.Expires, c.TokenHash, c.Issued, c.Expires)
			}
		})
	}
	t.Run("SealError", func(t *testing.T) {
		t.Parallel()
		boom := errors.New("boom")
		c := ok
		c.Seal = func(string, string) (pii.Sealed, error) { return nil, boom }
		if _, err := org.DecideJoin(fixture(t), c); !errors.Is(err, boom) {
			t.Fatalf("err=%v, want boom", err)
		}
	})
}

func TestDecideMoveAndRole(t *testing.T) {
	t.Parallel()
	s := fixture(t)
	if _, err := org.DecideMove(s, org.MoveMember{Member: "m1", Team: "a"}); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("move to own team err=%v, want conflict", err)
	}
	_, err := org.DecideMove(s, org.MoveMember{Member: "zz", Team: "b"})
	wantErr(t, err, apperr.NotFound, "member")
	_, err = org.DecideMove(s, org.MoveMember{Member: "m1", Team: "zz"})
	wantErr(t, err, apperr.NotFound, "team_id")
	ev, err := org.DecideMove(s, org.MoveMember{Member: "m1", Team: "b"})
	if err != nil || ev != (org.MemberMoved{Member: "m1", From: "a", To: "b"}) {
		t.Fatalf("move=%+v, %v", ev, err)
	}
	s.Apply(ev)
	if got := s.Members["m1"].Team; got != "b" {
		t.Errorf("team after move=%q, want b", got)
	}
	_, err = org.DecideChangeRole(s, org.ChangeRole{Member: "m1", Role: "king"})
	wantErr(t, err, apperr.Invalid, "role")
	rc, err := org.DecideChangeRole(s, org.ChangeRole{Member: "m1", Role: org.RoleLeader})
	if err != nil {
		t.Fatal(err)
	}
	s.Apply(rc)
	if got := s.Members["m1"].Role; got != org.RoleLeader {
		t.Errorf("role=%q, want leader", got)
	}
}

func TestDecideErase(t *testing.T) {
	t.Parallel()
	s := fixture(t)
	s.Apply(org.MemberJoined{Member: "m2", Team: "a", Role: org.RoleLeader, Name: pii.Sealed("n"), Email: pii.Sealed("e"), TokenHash: "h2"})
	_, err := org.DecideErase(s, "zz")
	wantErr(t, err, apperr.NotFound, "member")
	ev, err := org.DecideErase(s, "m2")
	if err != nil || ev != (org.MemberErased{Member: "m2"}) {
		t.Fatalf("erase=%+v, %v; want MemberErased of m2", ev, err)
	}
	s.Apply(ev)
	m := s.Members["m2"]
	if !m.Erased || m.Name != nil || m.Email != nil || m.Links != nil || m.Team != "a" {
		t.Errorf("erased member=%+v; want erased, sealed data and links gone, last team kept", m)
	}
	if got, _, ok := s.ByToken("h2"); ok {
		t.Errorf("ByToken(h2)=%+v after erasure, want not found", got)
	}
	if got, _, ok := s.ByToken("h1"); !ok || got.ID != "m1" {
		t.Errorf("ByToken(h1)=%v, %v; want m1 still", got, ok)
	}
	if len(s.MemberOrder) != 2 {
		t.Errorf("MemberOrder=%v, want both members listed", s.MemberOrder)
	}
	tests := []struct {
		name   string
		decide func() error
	}{
		{"EraseAgain", func() error { _, err := org.DecideErase(s, "m2"); return err }},
		{"Move", func() error { _, err := org.DecideMove(s, org.MoveMember{Member: "m2", Team: "b"}); return err }},
		{"ChangeRole", func() error {
			_, err := org.DecideChangeRole(s, org.ChangeRole{Member: "m2", Role: org.RoleEmployee})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, tt.decide(), apperr.Conflict, "member")
		})
	}
}

func TestState_Subtree(t *testing.T) {
	t.Parallel()
	s := fixture(t)
	tests := []struct {
		root, team string
		want       bool
	}{
		{"root", "a1", true}, {"a", "a1", true}, {"a", "a", true}, {"a", "b", false},
		{"a1", "a", false}, {"a", "zz", false}, {"zz", "a", false},
	}
	for _, tt := range tests {
		if got := s.InSubtree(tt.root, tt.team); got != tt.want {
			t.Errorf("InSubtree(%s, %s)=%v, want %v", tt.root, tt.team, got, tt.want)
		}
	}
	if got := s.Subtree("a"); len(got) != 2 || got[0] != "a" || got[1] != "a1" {
		t.Errorf("Subtree(a)=%v, want [a a1]", got)
	}
	if got := s.Subtree("zz"); got != nil {
		t.Errorf("Subtree(zz)=%v, want nil", got)
	}
	if m, l, ok := s.ByToken("h1"); !ok || m.ID != "m1" || l.N != 1 {
		t.Errorf("ByToken(h1)=%v, link %d, %v; want m1's link 1", m, l.N, ok)
	}
}

func TestRegister(t *testing.T) {
	t.Parallel()
	r := events.NewRegistry()
	org.Register(r)
	for _, ev := range []interface{ EventType() string }{org.MemberMoved{Member: "m", From: "a", To: "b"}, org.MemberErased{Member: "m"},
		org.LinkIssued{Member: "m", Link: 2, TokenHash: "h", Issued: t0, Expires: t0.Add(time.Hour)}, org.LinkRevoked{Member: "m", Link: 2}} {
		data, err := events.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.Decode(events.Event{Type: ev.EventType(), Data: data})
		if err != nil || got != ev {
			t.Fatalf("Decode(%s)=%+v, %v; want %+v", data, got, err, ev)
		}
	}
}
