package app

import (
	"context"
	"errors"
	"time"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/org"
)

// The life of personal links.
const (
	// DefaultLinkTTL is how long a link authenticates unless
	// Config.LinkTTL or the issuer says otherwise: 90 days.
	DefaultLinkTTL = 90 * 24 * time.Hour
	// MinLinkTTLDays and MaxLinkTTLDays bound the days IssueLink may be
	// asked for.
	MinLinkTTLDays = 1
	MaxLinkTTLDays = 365
)

// IssuedLink is a new personal link with its bearer token, which is shown
// only this once.
type IssuedLink struct {
	// Link is the link's number among the member's links.
	Link int
	// Token is the link's bearer token.
	Token string
	// Expires is when the link stops authenticating.
	Expires time.Time
}

// Link is one of a member's personal links as the API lists it, without
// its token.
type Link struct {
	Link int `json:"link"`
	// IssuedAt is when the link was issued; nil for a link recorded before
	// links expired.
	IssuedAt *time.Time `json:"issued_at,omitempty"`
	// ExpiresAt is when the link stops authenticating; nil for a link that
	// never expires.
	ExpiresAt *time.Time `json:"expires_at"`
	Revoked   bool       `json:"revoked"`
	// Expired is true once ExpiresAt has come, by the App's clock.
	Expired bool `json:"expired"`
}

// IssueLink gives member a new personal link, which authenticates for
// ttlDays days from now, or Config.LinkTTL when ttlDays is nil; the
// member's other links stay as they are (revoke them with RevokeLink).
// Admins may issue links to every member, leaders to the employees of
// their subtree: never to themselves, so that nobody extends their own
// access. It returns Invalid (field "ttl_days") for a number of days
// outside MinLinkTTLDays..MaxLinkTTLDays, NotFound (field "member"),
// Forbidden (field "member"), or the errors of org.DecideIssueLink.
func (a *App) IssueLink(ctx context.Context, p Principal, member string, ttlDays *int) (IssuedLink, error) {
	ttl := a.linkTTL
	if ttlDays != nil {
		if *ttlDays < MinLinkTTLDays || *ttlDays > MaxLinkTTLDays {
			return IssuedLink{}, apperr.Field("ttl_days", "must be a whole number of days from %d to %d", MinLinkTTLDays, MaxLinkTTLDays)
		}
		ttl = time.Duration(*ttlDays) * 24 * time.Hour
	}
	token, err := NewToken(randReader{a})
	if err != nil {
		return IssuedLink{}, err
	}
	var out IssuedLink
	err = a.changeOrg(ctx, func(s *org.State) ([]eventer, error) {
		m, ok := s.Members[member]
		if !ok {
			return nil, notFound("member", "no such member")
		}
		if !mayIssueLink(s, p, m) {
			return nil, forbidden("member", "admins issue links to anyone, leaders to the employees of their team")
		}
		issued := a.now()
		ev, err := org.DecideIssueLink(s, org.IssueLink{Member: member, TokenHash: HashToken(token), Issued: issued, Expires: issued.Add(ttl)})
		if err != nil {
			return nil, err
		}
		out = IssuedLink{Link: ev.Link, Token: token, Expires: ev.Expires}
		return []eventer{ev}, nil
	})
	if err != nil {
		return IssuedLink{}, err
	}
	return out, nil
}

// Links lists member's personal links, in the order they were issued,
// without their tokens; an erased member has none. Admins see every
// member's, leaders those of the employees of their subtree, and every
// member their own. It returns NotFound or Forbidden (field "member").
func (a *App) Links(ctx context.Context, p Principal, member string) ([]Link, error) {
	out := []Link{}
	now := a.now()
	err := a.viewOrg(ctx, func(s *org.State) error {
		m, err := linkOwner(s, p, member)
		if err != nil {
			return err
		}
		for _, l := range m.Links {
			out = append(out, Link{Link: l.N, IssuedAt: timeOrNil(l.Issued), ExpiresAt: timeOrNil(l.Expires),
				Revoked: l.Revoked, Expired: l.ExpiredAt(now)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RevokeLink revokes member's link number link: it no longer
// authenticates, and its open live connections are closed
// (Config.Disconnect). Revoking a link revoked already succeeds and
// changes nothing. Who may list a member's links may revoke them. It
// returns NotFound (field "member" or "link"), Forbidden (field "member"),
// or the errors of org.DecideRevokeLink.
func (a *App) RevokeLink(ctx context.Context, p Principal, member string, link int) error {
	var hash string
	err := a.changeOrg(ctx, func(s *org.State) ([]eventer, error) {
		m, err := linkOwner(s, p, member)
		if err != nil {
			return nil, err
		}
		ev, err := org.DecideRevokeLink(s, org.RevokeLink{Member: member, Link: link})
		if errors.Is(err, org.ErrRevoked) {
			return nil, nil // revoking again changes nothing
		}
		if err != nil {
			return nil, err
		}
		hash = m.Links[link-1].TokenHash
		return []eventer{ev}, nil
	})
	if err == nil && hash != "" {
		a.disconnect([]string{hash})
	}
	return err
}

// mayIssueLink reports whether p may issue m a link: admins to anyone,
// leaders to the employees of their subtree.
func mayIssueLink(s *org.State, p Principal, m *org.Member) bool {
	switch p.Role {
	case org.RoleAdmin:
		return true
	case org.RoleLeader:
		return m.Role == org.RoleEmployee && s.InSubtree(p.Team, m.Team)
	}
	return false
}

// linkOwner returns member if p may list and revoke their links: those p
// may issue links to, and p themself. It returns NotFound or Forbidden
// (field "member").
func linkOwner(s *org.State, p Principal, member string) (*org.Member, error) {
	m, ok := s.Members[member]
	if !ok {
		return nil, notFound("member", "no such member")
	}
	if m.ID != p.Member && !mayIssueLink(s, p, m) {
		return nil, forbidden("member", "admins see anyone's links, leaders those of the employees of their team, members their own")
	}
	return m, nil
}

// tokenHashes returns the token hashes of links.
func tokenHashes(links []org.Link) []string {
	out := make([]string, len(links))
	for i, l := range links {
		out[i] = l.TokenHash
	}
	return out
}

// timeOrNil returns &t, or nil when t is zero.
func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
