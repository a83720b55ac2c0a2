package app

import (
	"context"

	"github.com/empulse/empulse/org"
)

// Team is a team as the API shows it.
type Team struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	ParentID string `json:"parent_id,omitempty"`
}

// teamOf returns the view of t.
func teamOf(t *org.Team) Team { return Team{ID: t.ID, Name: t.Name, ParentID: t.Parent} }

// CreateTeam creates a team called name under parent ("" for a top-level
// team) and returns it. Admins may create any team, leaders only under their
// own subtree. It returns the errors of org.DecideCreateTeam, or Forbidden
// (field "parent_id").
func (a *App) CreateTeam(ctx context.Context, p Principal, name, parent string) (Team, error) {
	id, err := a.newID()
	if err != nil {
		return Team{}, err
	}
	var out Team
	err = a.changeOrg(ctx, func(s *org.State) ([]eventer, error) {
		if p.Role != org.RoleAdmin {
			if p.Role != org.RoleLeader || parent == "" {
				return nil, forbidden("parent_id", "only admins create top-level teams, leaders only under their own team")
			}
			if _, ok := s.Teams[parent]; ok && !manages(s, p, parent) {
				return nil, forbidden("parent_id", "not under your team")
			}
		}
		ev, err := org.DecideCreateTeam(s, org.CreateTeam{Team: id, Name: name, Parent: parent})
		if err != nil {
			return nil, err
		}
		out = Team{ID: ev.Team, Name: ev.Name, ParentID: ev.Parent}
		return []eventer{ev}, nil
	})
	return out, err
}

// Teams returns the teams p may see, in creation order: every team for
// admins and analysts, a leader's subtree, an employee's own team.
func (a *App) Teams(ctx context.Context, p Principal) ([]Team, error) {
	out := []Team{}
	err := a.viewOrg(ctx, func(s *org.State) error {
		for _, id := range s.TeamOrder {
			if sees(s, p, id) {
				out = append(out, teamOf(s.Teams[id]))
			}
		}
		return nil
	})
	return out, err
}

// Team returns team id. It returns NotFound (field "team") for an unknown
// team and Forbidden when p may not see it.
func (a *App) Team(ctx context.Context, p Principal, id string) (Team, error) {
	var out Team
	err := a.viewOrg(ctx, func(s *org.State) error {
		t, ok := s.Teams[id]
		if !ok {
			return notFound("team", "no such team")
		}
		if !sees(s, p, id) {
			return forbidden("team", "not your team")
		}
		out = teamOf(t)
		return nil
	})
	return out, err
}
