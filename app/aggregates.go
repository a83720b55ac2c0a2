package app

import (
	"context"

	"github.com/empulse/empulse/org"
)

// AggregateRoot returns the team whose subtree p may read aggregates of
// when asking about team: team itself when p may see it, or, for team "",
// p's own team for a leader and "" (the whole organisation) for admins and
// analysts. It returns Forbidden for employees and for a leader asking
// about a team outside their subtree (field "team"), and NotFound (field
// "team") for an unknown team.
func (a *App) AggregateRoot(ctx context.Context, p Principal, team string) (string, error) {
	if p.Role != org.RoleAdmin && p.Role != org.RoleAnalyst && p.Role != org.RoleLeader {
		return "", forbidden("", "only leaders, analysts and admins see aggregates")
	}
	var root string
	err := a.viewOrg(ctx, func(s *org.State) error {
		if team == "" {
			if p.Role == org.RoleLeader {
				root = p.Team
			}
			return nil
		}
		if _, ok := s.Teams[team]; !ok {
			return notFound("team", "no such team")
		}
		if !sees(s, p, team) {
			return forbidden("team", "this team is outside your part of the organisation")
		}
		root = team
		return nil
	})
	return root, err
}

// CanOverview returns nil when p may read the organisation's overview
// (admins and analysts), and Forbidden otherwise.
func (a *App) CanOverview(p Principal) error {
	if p.Role != org.RoleAdmin && p.Role != org.RoleAnalyst {
		return forbidden("", "only analysts and admins see the organisation overview")
	}
	return nil
}
