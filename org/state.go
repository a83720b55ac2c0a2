package org

import "github.com/empulse/empulse/pii"

// Team is a team as the State knows it.
type Team struct {
	ID       string
	Name     string
	Parent   string   // "" for a top-level team
	Children []string // in creation order
}

// Member is a member as the State knows it. Name and Email stay sealed.
// Once Erased, Name, Email and TokenHash are empty and Team is the team the
// member was last in.
type Member struct {
	ID        string
	Team      string
	Role      Role
	Name      pii.Sealed
	Email     pii.Sealed
	TokenHash string
	Erased    bool
}

// State is an organisation folded from its stream. The zero value is not
// usable; make one with NewState.
type State struct {
	Teams   map[string]*Team
	Members map[string]*Member
	// TeamOrder lists team ids in creation order.
	TeamOrder []string
	// MemberOrder lists member ids in the order they joined.
	MemberOrder []string
	// byToken maps token hashes to member ids.
	byToken map[string]string
}

// NewState returns the state of an organisation with no events.
func NewState() *State {
	return &State{Teams: map[string]*Team{}, Members: map[string]*Member{}, byToken: map[string]string{}}
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
		s.Members[e.Member] = &Member{ID: e.Member, Team: e.Team, Role: e.Role, Name: e.Name, Email: e.Email, TokenHash: e.TokenHash}
		s.MemberOrder = append(s.MemberOrder, e.Member)
		s.byToken[e.TokenHash] = e.Member
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
			if s.byToken[m.TokenHash] == m.ID {
				delete(s.byToken, m.TokenHash)
			}
			m.Name, m.Email, m.TokenHash, m.Erased = nil, nil, "", true
		}
	}
}

// MemberByToken returns the member whose token hashes to hash, or nil.
func (s *State) MemberByToken(hash string) *Member {
	if id, ok := s.byToken[hash]; ok {
		return s.Members[id]
	}
	return nil
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
