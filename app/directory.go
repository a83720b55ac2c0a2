package app

import (
	"cmp"
	"context"
	"slices"

	"github.com/empulse/empulse/org"
)

// Colleague is a member as the directory shows them to every colleague:
// a name and a team, so that people can find whom to recognise. It holds
// no e-mail and no role.
type Colleague struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	TeamID   string `json:"team_id"`
	TeamName string `json:"team_name"`
}

// Directory returns every member whose personal data has not been erased,
// by name, to any caller: names are what colleagues know of each other. It
// returns the vault's errors.
func (a *App) Directory(ctx context.Context) ([]Colleague, error) {
	var ms []org.Member
	teams := map[string]string{}
	err := a.viewOrg(ctx, func(s *org.State) error {
		for _, id := range s.MemberOrder {
			ms = append(ms, *s.Members[id])
		}
		for id, t := range s.Teams {
			teams[id] = t.Name
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Colleague, 0, len(ms))
	for _, m := range ms {
		name, _, erased, err := a.personal(ctx, m.ID, &m)
		if err != nil {
			return nil, err
		}
		if erased {
			continue
		}
		out = append(out, Colleague{ID: m.ID, Name: name, TeamID: m.Team, TeamName: teams[m.Team]})
	}
	slices.SortStableFunc(out, func(a, b Colleague) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}
