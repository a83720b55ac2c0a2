package org

import (
	"time"

	"github.com/empulse/empulse/pii"
)

// Team is a team as the State knows it.
type Team struct {
	ID       string
	Name     string
	Parent   string   // "" for a top-level team
	Children []string // in creation order
}

// Member is a member as the State knows it. Name and Email stay sealed.
// Once Erased, Name, Email and Links are empty and Team is the team the
// member was last in.
type Member struct {
	ID    string
	Team  string
	Role  Role
	Name  pii.Sealed
	Email pii.Sealed
	// Links are the member's personal links, Links[i] being link number
	// i+1.
	Links  []Link
	Erased bool
}

// Link is one of a member's personal links.
type Link struct {
	// N is the link's number: 1 for the link the member joined with, then
	// 2, 3, ...
	N int
	// TokenHash is the hex SHA-256 of the link's bearer token.
	TokenHash string
	// Issued is when the link was issued and Expires when it stops
	// authenticating; both are zero for a link 1 recorded before links
	// expired, which never expires.
	Issued, Expires time.Time
	// Revoked is true once the link has been revoked.
	Revoked bool
}

// ExpiredAt reports whether l no longer authenticates at now because it
// has expired: from the instant Expires on, never when Expires is zero.
func (l Link) ExpiredAt(now time.Time) bool {
	return !l.Expires.IsZero() && !now.Before(l.Expires)
}

// LiveAt reports whether l authenticates at now: neither revoked nor
// expired.
func (l Link) LiveAt(now time.Time) bool { return !l.Revoked && !l.ExpiredAt(now) }

// State is an organisation folded from its stream. The zero value is not
// usable; make one with NewState.
type State struct {
	Teams   map[string]*Team
	Members map[string]*Member
	// TeamOrder lists team ids in creation order.
	TeamOrder []string
	// MemberOrder lists member ids in the order they joined.
	MemberOrder []string
	// byToken maps the token hashes of every link of a member not erased,
	// revoked ones included, to the member's id and the link's number.
	byToken map[string]linkRef
}

// linkRef names one link of one member.
type linkRef struct {
	member string
	n      int
}

// NewState returns the state of an organisation with no events.
func NewState() *State {
	return &State{Teams: map[string]*Team{}, Members: map[string]*Member{}, byToken: map[string]linkRef{}}
}

// Apply folds one decoded event into s. Events of other types are ignored,
// and so are those that no decision makes but a corrupt or foreign event
// could hold: a team or member created again (which would list it twice
// and keep its old token valid) or a team that is its own parent (which
// would make walking the hierarchy endless).
func (s *State) Apply(ev any) {
	switch e := ev.(type) {
	case TeamCreated:
		if _, dup := s.Teams[e.Team]; dup || e.Parent == e.Team {
			return
		}
		s.Teams[e.Team] = &Team{ID: e.Team, Name: e.Name, Parent: e.Parent}
		s.TeamOrder = append(s.TeamOrder, e.Team)
		if p, ok := s.Teams[e.Parent]; ok {
			p.Children = append(p.Children, e.Team)
		}
	case MemberJoined:
		if _, dup := s.Members[e.Member]; dup {
			return
		}
		s.Members[e.Member] = &Member{ID: e.Member, Team: e.Team, Role: e.Role, Name: e.Name, Email: e.Email,
			Links: []Link{{N: 1, TokenHash: e.TokenHash, Issued: e.Issued, Expires: e.Expires}}}
		s.MemberOrder = append(s.MemberOrder, e.Member)
		s.index(e.TokenHash, linkRef{e.Member, 1})
	case LinkIssued:
		if m, ok := s.Members[e.Member]; ok && !m.Erased && e.Link == len(m.Links)+1 {
			m.Links = append(m.Links, Link{N: e.Link, TokenHash: e.TokenHash, Issued: e.Issued, Expires: e.Expires})
			s.index(e.TokenHash, linkRef{e.Member, e.Link})
		}
	case LinkRevoked:
		if l := s.link(e.Member, e.Link); l != nil {
			l.Revoked = true
		}
	case MemberMoved:
		if m, ok := s.Members[e.Member]; ok {
			m.Team = e.To
		}
	case MemberRoleChanged:
		if m, ok := s.Members[e.Member]; ok {
			m.Role = e.Role
		}
	case MemberErased:
		if m, ok := s.Members[e.Member]; ok {
			for _, l := range m.Links {
				if s.byToken[l.TokenHash].member == m.ID {
					delete(s.byToken, l.TokenHash)
				}
			}
			m.Name, m.Email, m.Links, m.Erased = nil, nil, nil, true
		}
	}
}

// index maps hash to ref, unless the hash already belongs to a link: no
// decision reuses one, and a corrupt event must not take over another
// member's token.
func (s *State) index(hash string, ref linkRef) {
	if _, taken := s.byToken[hash]; !taken {
		s.byToken[hash] = ref
	}
}

// link returns member's link number n, or nil when either is unknown.
func (s *State) link(member string, n int) *Link {
	m, ok := s.Members[member]
	if !ok || n < 1 || n > len(m.Links) {
		return nil
	}
	return &m.Links[n-1]
}

// ByToken returns the member and the link whose bearer token hashes to
// hash, revoked and expired links included; ok is false when no link of a
// member who is not erased has that hash. The member must not be changed.
func (s *State) ByToken(hash string) (m *Member, l Link, ok bool) {
	ref, found := s.byToken[hash]
	if !found {
		return nil, Link{}, false
	}
	return s.Members[ref.member], *s.link(ref.member, ref.n), true
}

// InSubtree reports whether team is root or lies under it.
func (s *State) InSubtree(root, team string) bool {
	for seen := 0; team != "" && seen <= len(s.Teams); seen++ {
		if team == root {
			return true
		}
		t, ok := s.Teams[team]
		if !ok {
			return false
		}
		team = t.Parent
	}
	return false
}

// Subtree returns root and every team under it, parents before children, or
// nil when root is unknown.
func (s *State) Subtree(root string) []string {
	if _, ok := s.Teams[root]; !ok {
		return nil
	}
	out := []string{root}
	for i := 0; i < len(out); i++ {
		out = append(out, s.Teams[out[i]].Children...)
	}
	return out
}
