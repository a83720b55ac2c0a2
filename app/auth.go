package app

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"io"
	"strings"
	"time"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/org"
)

// tokenPrefix starts every token Empulse issues, so that leaked tokens are
// easy to recognise.
const tokenPrefix = "emp_"

// NewToken returns a new bearer token read from rand: "emp_" and 32 random
// bytes in unpadded base64url. It returns rand's error.
func NewToken(rand io.Reader) (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", err
	}
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// HashToken returns the hex SHA-256 of token: the only form in which tokens
// are stored.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Principal is who makes a request.
type Principal struct {
	// Member is the member's id; "" for the bootstrap admin token.
	Member string
	// Role is the member's role; RoleAdmin for the bootstrap admin.
	Role org.Role
	// Team is the member's team; "" for the bootstrap admin.
	Team string
	// Expires is when the link the member signed in with stops
	// authenticating; zero for the bootstrap admin and for a link that
	// never expires.
	Expires time.Time
}

// IsMember reports whether p is a member rather than the bootstrap admin.
func (p Principal) IsMember() bool { return p.Member != "" }

// errUnauthenticated is returned for a missing or unknown token.
var errUnauthenticated = apperr.New(apperr.Unauthenticated, "missing or invalid bearer token")

// ErrLinkExpired and ErrLinkRevoked are the Unauthenticated errors (field
// "token") of a personal link that has expired or been revoked: its holder
// needs a new one.
var (
	ErrLinkExpired = &apperr.Error{Code: apperr.Unauthenticated, Field: "token", Message: "this link has expired; ask for a new one"}
	ErrLinkRevoked = &apperr.Error{Code: apperr.Unauthenticated, Field: "token", Message: "this link has been revoked; ask for a new one"}
)

// Authenticate returns the principal whose bearer token is token, or an
// Unauthenticated *apperr.Error: ErrLinkRevoked for a revoked link,
// ErrLinkExpired for one whose expiry has come (by the App's clock), and a
// plain one for a missing or unknown token. The admin token is compared in
// constant time; member tokens are found by their hash.
func (a *App) Authenticate(ctx context.Context, token string) (Principal, error) {
	if token == "" || len(token) > 200 {
		return Principal{}, errUnauthenticated
	}
	hash := HashToken(token)
	if subtle.ConstantTimeCompare([]byte(hash), []byte(a.adminHash)) == 1 {
		return Principal{Role: org.RoleAdmin}, nil
	}
	if !strings.HasPrefix(token, tokenPrefix) {
		return Principal{}, errUnauthenticated
	}
	var p Principal
	err := a.viewOrg(ctx, func(s *org.State) error {
		m, l, ok := s.ByToken(hash)
		switch {
		case !ok:
			return errUnauthenticated
		case l.Revoked:
			return ErrLinkRevoked
		case l.ExpiredAt(a.now()):
			return ErrLinkExpired
		}
		p = Principal{Member: m.ID, Role: m.Role, Team: m.Team, Expires: l.Expires}
		return nil
	})
	return p, err
}

// forbidden returns a Forbidden *apperr.Error, naming field if not empty.
func forbidden(field, msg string) error {
	return &apperr.Error{Code: apperr.Forbidden, Field: field, Message: msg}
}

// notFound returns a NotFound *apperr.Error naming field.
func notFound(field, msg string) error {
	return &apperr.Error{Code: apperr.NotFound, Field: field, Message: msg}
}

// manages reports whether p may manage team: admins manage every team,
// leaders their own team's subtree.
func manages(s *org.State, p Principal, team string) bool {
	switch p.Role {
	case org.RoleAdmin:
		return true
	case org.RoleLeader:
		return s.InSubtree(p.Team, team)
	}
	return false
}

// sees reports whether p may see team's definition and aggregates: admins
// and analysts every team, leaders their subtree, employees their own team.
func sees(s *org.State, p Principal, team string) bool {
	switch p.Role {
	case org.RoleAdmin, org.RoleAnalyst:
		return true
	case org.RoleLeader:
		return s.InSubtree(p.Team, team)
	}
	return team == p.Team
}

// requireMember returns a Forbidden error unless p is a member.
func requireMember(p Principal) error {
	if !p.IsMember() {
		return forbidden("", "only members can do this; the admin token belongs to no member")
	}
	return nil
}
