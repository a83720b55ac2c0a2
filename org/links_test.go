package org_test

import (
	"testing"
	"time"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/org"
)

// t0 is the time the link tests issue links at.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// withLinks returns the fixture with m1's link 2 (hash h1b, expiring a day
// after t0) issued and m2 (link 1, hash h2) erased.
func withLinks(tb testing.TB) *org.State {
	tb.Helper()
	s := fixture(tb)
	for _, ev := range []any{
		org.LinkIssued{Member: "m1", Link: 2, TokenHash: "h1b", Issued: t0, Expires: t0.Add(24 * time.Hour)},
		org.MemberJoined{Member: "m2", Team: "b", Role: org.RoleEmployee, TokenHash: "h2", Issued: t0, Expires: t0.Add(time.Hour)},
		org.MemberErased{Member: "m2"},
	} {
		s.Apply(ev)
	}
	return s
}

func TestDecideIssueLink(t *testing.T) {
	t.Parallel()
	ok := org.IssueLink{Member: "m1", TokenHash: "h1c", Issued: t0, Expires: t0.Add(time.Hour)}
	tests := []struct {
		name      string
		edit      func(*org.IssueLink)
		wantLink  int
		wantCode  apperr.Code
		wantField string
	}{
		{"Third", func(*org.IssueLink) {}, 3, "", ""},
		{"UnknownMember", func(c *org.IssueLink) { c.Member = "zz" }, 0, apperr.NotFound, "member"},
		{"ErasedMember", func(c *org.IssueLink) { c.Member = "m2" }, 0, apperr.Conflict, "member"},
		{"TokenOfLink1", func(c *org.IssueLink) { c.TokenHash = "h1" }, 0, apperr.Conflict, ""},
		{"TokenOfLink2", func(c *org.IssueLink) { c.TokenHash = "h1b" }, 0, apperr.Conflict, ""},
		{"NoToken", func(c *org.IssueLink) { c.TokenHash = "" }, 0, apperr.Conflict, ""},
		{"ExpiresWhenIssued", func(c *org.IssueLink) { c.Expires = c.Issued }, 0, apperr.Invalid, "ttl_days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := ok
			tt.edit(&c)
			got, err := org.DecideIssueLink(withLinks(t), c)
			if tt.wantCode != "" {
				wantErr(t, err, tt.wantCode, tt.wantField)
				return
			}
			want := org.LinkIssued{Member: c.Member, Link: tt.wantLink, TokenHash: c.TokenHash, Issued: c.Issued, Expires: c.Expires}
			if err != nil || got != want {
				t.Fatalf("DecideIssueLink=%+v, %v; want %+v", got, err, want)
			}
		})
	}
}

func TestDecideRevokeLink(t *testing.T) {
	t.Parallel()
	revoked := withLinks(t)
	revoked.Apply(org.LinkRevoked{Member: "m1", Link: 1})
	tests := []struct {
		name      string
		s         *org.State
		c         org.RevokeLink
		wantCode  apperr.Code
		wantField string
	}{
		{"Link1", withLinks(t), org.RevokeLink{Member: "m1", Link: 1}, "", ""},
		{"Link2", withLinks(t), org.RevokeLink{Member: "m1", Link: 2}, "", ""},
		{"UnknownMember", withLinks(t), org.RevokeLink{Member: "zz", Link: 1}, apperr.NotFound, "member"},
		{"UnknownLink", withLinks(t), org.RevokeLink{Member: "m1", Link: 3}, apperr.NotFound, "link"},
		{"LinkZero", withLinks(t), org.RevokeLink{Member: "m1", Link: 0}, apperr.NotFound, "link"},
		{"ErasedMember", withLinks(t), org.RevokeLink{Member: "m2", Link: 1}, apperr.Conflict, "member"},
		{"RevokedAlready", revoked, org.RevokeLink{Member: "m1", Link: 1}, apperr.Conflict, "link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := org.DecideRevokeLink(tt.s, tt.c)
			if tt.wantCode != "" {
				wantErr(t, err, tt.wantCode, tt.wantField)
				return
			}
			if want := (org.LinkRevoked{Member: tt.c.Member, Link: tt.c.Link}); err != nil || got != want {
				t.Fatalf("DecideRevokeLink=%+v, %v; want %+v", got, err, want)
			}
		})
	}
}

func TestState_Links(t *testing.T) {
	t.Parallel()
	s := withLinks(t)
	s.Apply(org.LinkRevoked{Member: "m1", Link: 1})
	// Events that do not fit the state are ignored.
	s.Apply(org.LinkIssued{Member: "m1", Link: 7, TokenHash: "h1x", Issued: t0, Expires: t0.Add(time.Hour)})
	s.Apply(org.LinkIssued{Member: "m2", Link: 1, TokenHash: "h2x", Issued: t0, Expires: t0.Add(time.Hour)})
	s.Apply(org.LinkRevoked{Member: "m1", Link: 9})
	tests := []struct {
		hash       string
		wantFound  bool
		wantMember string
		wantLink   org.Link
	}{
		{"h1", true, "m1", org.Link{N: 1, TokenHash: "h1", Revoked: true}},
		{"h1b", true, "m1", org.Link{N: 2, TokenHash: "h1b", Issued: t0, Expires: t0.Add(24 * time.Hour)}},
		{"h2", false, "", org.Link{}},
		{"h1x", false, "", org.Link{}},
		{"h2x", false, "", org.Link{}},
	}
	for _, tt := range tests {
		m, l, ok := s.ByToken(tt.hash)
		if ok != tt.wantFound {
			t.Errorf("ByToken(%s) found=%v, want %v", tt.hash, ok, tt.wantFound)
			continue
		}
		if ok && (m.ID != tt.wantMember || l != tt.wantLink) {
			t.Errorf("ByToken(%s)=%s %+v, want %s %+v", tt.hash, m.ID, l, tt.wantMember, tt.wantLink)
		}
	}
	if got := len(s.Members["m1"].Links); got != 2 {
		t.Errorf("m1 has %d links, want 2", got)
	}
}

func TestLink_LiveAt(t *testing.T) {
	t.Parallel()
	expires := t0.Add(time.Hour)
	tests := []struct {
		name string
		l    org.Link
		at   time.Time
		want bool
	}{
		{"BeforeExpiry", org.Link{Expires: expires}, expires.Add(-time.Nanosecond), true},
		{"AtExpiry", org.Link{Expires: expires}, expires, false},
		{"AfterExpiry", org.Link{Expires: expires}, expires.Add(time.Hour), false},
		{"NeverExpires", org.Link{}, t0.AddDate(100, 0, 0), true},
		{"Revoked", org.Link{Expires: expires, Revoked: true}, t0, false},
	}
	for _, tt := range tests {
		if got := tt.l.LiveAt(tt.at); got != tt.want {
			t.Errorf("%s: LiveAt=%v, want %v", tt.name, got, tt.want)
		}
	}
}
