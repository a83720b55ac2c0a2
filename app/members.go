package app

import (
	"context"
	"encoding/hex"
	"errors"
	"time"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/pii"
	"github.com/empulse/empulse/vault"
)

// Member is a member as the API shows it. Name and Email are empty and
// Erased is true once the member's key has been erased.
type Member struct {
	ID     string   `json:"id"`
	TeamID string   `json:"team_id"`
	Role   org.Role `json:"role"`
	Name   string   `json:"name,omitempty"`
	Email  string   `json:"email,omitempty"`
	Erased bool     `json:"erased,omitempty"`
}

// NewMember is what CreateMember needs.
type NewMember struct {
	Name  string
	Email string
	Team  string
	Role  org.Role
}

// CreatedMember is a new member with the bearer token of their first
// personal link, which is shown only this once, and when that link
// expires.
type CreatedMember struct {
	Member  Member
	Token   string
	Expires time.Time
}

// pseudonymBytes is the length of a pseudonym's random part.
const pseudonymBytes = 16

// CreateMember adds a member: it makes their key and pseudonym, stores them
// in the vault, and appends MemberJoined with their name and e-mail sealed.
// Admins may add anyone anywhere; leaders may add employees to their
// subtree. It returns the errors of org.DecideJoin, Forbidden (field
// "team_id" or "role"), or the vault's errors.
func (a *App) CreateMember(ctx context.Context, p Principal, nm NewMember) (CreatedMember, error) {
	id, err := a.newID()
	if err != nil {
		return CreatedMember{}, err
	}
	key, err := pii.NewKey(randReader{a})
	if err != nil {
		return CreatedMember{}, err
	}
	ps, err := a.read(pseudonymBytes)
	if err != nil {
		return CreatedMember{}, err
	}
	token, err := NewToken(randReader{a})
	if err != nil {
		return CreatedMember{}, err
	}
	secrets := vault.Secrets{Key: key, Pseudonym: hex.EncodeToString(ps)}
	stored := false
	var out Member
	issued := a.now()
	expires := issued.Add(a.linkTTL)
	err = a.changeOrg(ctx, func(s *org.State) ([]eventer, error) {
		if p.Role != org.RoleAdmin {
			if p.Role != org.RoleLeader {
				return nil, forbidden("", "only admins and leaders add members")
			}
			if _, ok := s.Teams[nm.Team]; ok && !manages(s, p, nm.Team) {
				return nil, forbidden("team_id", "not in your team")
			}
			if nm.Role != org.RoleEmployee && nm.Role.Valid() {
				return nil, forbidden("role", "leaders may add employees only")
			}
		}
		ev, err := org.DecideJoin(s, org.JoinMember{Member: id, Team: nm.Team, Role: nm.Role, Name: nm.Name, Email: nm.Email,
			TokenHash: HashToken(token), Issued: issued, Expires: expires, Seal: a.sealer(key)})
		if err != nil {
			return nil, err
		}
		// The secrets go to the vault before the event, so that no event
		// ever refers to a key that does not exist.
		if !stored {
			if err := a.vault.Put(ctx, id, secrets); err != nil {
				return nil, err
			}
			stored = true
		}
		out = Member{ID: id, TeamID: ev.Team, Role: ev.Role, Name: nm.Name, Email: nm.Email}
		return []eventer{ev}, nil
	})
	if err != nil {
		if stored {
			// Best effort: a key no event refers to is harmless, but tidy.
			_ = a.vault.Delete(context.WithoutCancel(ctx), id)
		}
		return CreatedMember{}, err
	}
	out.Name, out.Email, out.Erased, err = a.personal(ctx, id, nil)
	return CreatedMember{Member: out, Token: token, Expires: expires}, err
}

// sealer returns an org.Sealer that seals with key.
func (a *App) sealer(key []byte) func(plaintext, context string) (pii.Sealed, error) {
	return func(plaintext, context string) (pii.Sealed, error) {
		return pii.Seal(randReader{a}, key, plaintext, context)
	}
}

// personal returns the name and e-mail of member id, opened with their key;
// m is the member's record, or nil to read it from the org state. erased is
// true, and both are "", when the member or their key has been erased.
func (a *App) personal(ctx context.Context, id string, m *org.Member) (name, email string, erased bool, err error) {
	if m == nil {
		var copyM org.Member
		err := a.viewOrg(ctx, func(s *org.State) error {
			if mm, ok := s.Members[id]; ok {
				copyM = *mm
			}
			return nil
		})
		if err != nil {
			return "", "", false, err
		}
		m = &copyM
	}
	if m.Erased {
		return "", "", true, nil
	}
	sec, err := a.vault.Get(ctx, id)
	if errors.Is(err, vault.ErrNotFound) {
		return "", "", true, nil
	}
	if err != nil {
		return "", "", false, err
	}
	if name, err = pii.Open(sec.Key, m.Name, org.NameContext(id)); err != nil {
		return "", "", false, err
	}
	if email, err = pii.Open(sec.Key, m.Email, org.EmailContext(id)); err != nil {
		return "", "", false, err
	}
	return name, email, false, nil
}

// memberView returns the view of m with its personal data opened.
func (a *App) memberView(ctx context.Context, m org.Member) (Member, error) {
	name, email, erased, err := a.personal(ctx, m.ID, &m)
	if err != nil {
		return Member{}, err
	}
	return Member{ID: m.ID, TeamID: m.Team, Role: m.Role, Name: name, Email: email, Erased: erased}, nil
}

// lookupMember returns a copy of member id and whether p may manage them:
// admins may manage everyone, leaders the members of their subtree. It
// returns NotFound (field "member") for an unknown member.
func (a *App) lookupMember(ctx context.Context, p Principal, id string) (org.Member, bool, error) {
	var m org.Member
	var ok bool
	err := a.viewOrg(ctx, func(s *org.State) error {
		mm, found := s.Members[id]
		if !found {
			return notFound("member", "no such member")
		}
		m, ok = *mm, manages(s, p, mm.Team)
		return nil
	})
	return m, ok, err
}

// Member returns member id with their name and e-mail. Admins see every
// member, leaders the members of their subtree, everyone themselves. It
// returns NotFound (field "member") or Forbidden.
func (a *App) Member(ctx context.Context, p Principal, id string) (Member, error) {
	m, ok, err := a.lookupMember(ctx, p, id)
	if err != nil {
		return Member{}, err
	}
	if !ok && id != p.Member {
		return Member{}, forbidden("member", "not a member of your team")
	}
	return a.memberView(ctx, m)
}

// Members returns the members p may manage, in the order they joined, with
// their names and e-mail addresses: every member for admins, a leader's
// subtree's members; others get Forbidden.
func (a *App) Members(ctx context.Context, p Principal) ([]Member, error) {
	if p.Role != org.RoleAdmin && p.Role != org.RoleLeader {
		return nil, forbidden("", "only admins and leaders list members")
	}
	var ms []org.Member
	err := a.viewOrg(ctx, func(s *org.State) error {
		for _, id := range s.MemberOrder {
			if m := s.Members[id]; manages(s, p, m.Team) {
				ms = append(ms, *m)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Member, 0, len(ms))
	for _, m := range ms {
		v, err := a.memberView(ctx, m)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Me returns p's own member record, or Forbidden for the bootstrap admin.
func (a *App) Me(ctx context.Context, p Principal) (Member, error) {
	if err := requireMember(p); err != nil {
		return Member{}, err
	}
	return a.Member(ctx, p, p.Member)
}

// MoveMember moves member id to team and returns the member. Admins may
// move anyone; leaders only within their subtree. The member's open live
// connections are closed (Config.Disconnect), since what they may see
// depends on their team. It returns the errors of org.DecideMove, or
// Forbidden (field "member" or "team_id").
func (a *App) MoveMember(ctx context.Context, p Principal, id, team string) (Member, error) {
	var moved org.Member
	var hashes []string
	err := a.changeOrg(ctx, func(s *org.State) ([]eventer, error) {
		m, ok := s.Members[id]
		if !ok {
			return nil, notFound("member", "no such member")
		}
		if !manages(s, p, m.Team) {
			return nil, forbidden("member", "not a member of your team")
		}
		if _, ok := s.Teams[team]; ok && !manages(s, p, team) {
			return nil, forbidden("team_id", "not in your team")
		}
		ev, err := org.DecideMove(s, org.MoveMember{Member: id, Team: team})
		if err != nil {
			return nil, err
		}
		moved = *m
		moved.Team = team
		hashes = tokenHashes(m.Links)
		return []eventer{ev}, nil
	})
	if err != nil {
		return Member{}, err
	}
	a.disconnect(hashes)
	return a.memberView(ctx, moved)
}

// ChangeRole gives member id another role and returns the member. Only
// admins may. The member's open live connections are closed
// (Config.Disconnect). It returns the errors of org.DecideChangeRole, or
// Forbidden.
func (a *App) ChangeRole(ctx context.Context, p Principal, id string, role org.Role) (Member, error) {
	if p.Role != org.RoleAdmin {
		return Member{}, forbidden("", "only admins change roles")
	}
	var changed org.Member
	var hashes []string
	err := a.changeOrg(ctx, func(s *org.State) ([]eventer, error) {
		ev, err := org.DecideChangeRole(s, org.ChangeRole{Member: id, Role: role})
		if err != nil {
			return nil, err
		}
		changed = *s.Members[id]
		changed.Role = role
		hashes = tokenHashes(changed.Links)
		return []eventer{ev}, nil
	})
	if err != nil {
		return Member{}, err
	}
	a.disconnect(hashes)
	return a.memberView(ctx, changed)
}

// errNoSecrets is returned when a member's vault entry is gone.
var errNoSecrets = apperr.New(apperr.Forbidden, "this member's personal data has been erased")

// secretsOf returns member's vault entry, or errNoSecrets when it has been
// erased.
func (a *App) secretsOf(ctx context.Context, member string) (vault.Secrets, error) {
	sec, err := a.vault.Get(ctx, member)
	if errors.Is(err, vault.ErrNotFound) {
		return vault.Secrets{}, errNoSecrets
	}
	return sec, err
}
