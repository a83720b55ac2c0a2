package org_test

import (
	"slices"
	"testing"

	"github.com/empulse/empulse/org"
)

// TestApplyIgnoresCorruptEvents holds events that no decision makes but
// that a corrupt or foreign event could hold (found by app's
// FuzzDecodeEvent): the state ignores them rather than listing a team or
// member twice, keeping a replaced token valid, or making a team its own
// child, on which Subtree never ended.
func TestApplyIgnoresCorruptEvents(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ev   any
	}{
		{"team created again", org.TeamCreated{Team: "t1", Name: "Again"}},
		{"team its own parent", org.TeamCreated{Team: "t3", Name: "Loop", Parent: "t3"}},
		{"member joined again", org.MemberJoined{Member: "m1", Team: "t2", Role: org.RoleAdmin, TokenHash: "h2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := org.NewState()
			s.Apply(org.TeamCreated{Team: "t1", Name: "One"})
			s.Apply(org.TeamCreated{Team: "t2", Name: "Two", Parent: "t1"})
			s.Apply(org.MemberJoined{Member: "m1", Team: "t1", Role: org.RoleEmployee, TokenHash: "h1"})
			s.Apply(tc.ev)
			if got, want := s.TeamOrder, []string{"t1", "t2"}; !slices.Equal(got, want) {
				t.Errorf("TeamOrder=%v, want %v", got, want)
			}
			if got, want := s.Subtree("t1"), []string{"t1", "t2"}; !slices.Equal(got, want) {
				t.Errorf("Subtree(t1)=%v, want %v", got, want)
			}
			if got, want := s.MemberOrder, []string{"m1"}; !slices.Equal(got, want) {
				t.Errorf("MemberOrder=%v, want %v", got, want)
			}
			if m, _, _ := s.ByToken("h1"); m == nil || m.ID != "m1" || m.Role != org.RoleEmployee || m.Team != "t1" {
				t.Errorf("ByToken(h1)=%+v, want m1, an employee of t1", m)
			}
			if m, _, ok := s.ByToken("h2"); ok {
				t.Errorf("ByToken(h2)=%+v, want none", m)
			}
		})
	}
}
