package org

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/pii"
)

// Limits on names.
const (
	MaxTeamName   = 100
	MaxMemberName = 200
	MaxEmail      = 254
)

// CreateTeam asks for a new team.
type CreateTeam struct {
	Team   string // the new team's id, chosen by the caller
	Name   string
	Parent string // "" for a top-level team
}

// DecideCreateTeam returns the TeamCreated event for c, or an *apperr.Error:
// Invalid for an empty or over-long name (field "name"), NotFound for an
// unknown parent (field "parent_id"), Conflict when the id exists (field
// "id") or a sibling has the same name (field "name").
func DecideCreateTeam(s *State, c CreateTeam) (TeamCreated, error) {
	name := strings.TrimSpace(c.Name)
	if err := checkText("name", name, MaxTeamName); err != nil {
		return TeamCreated{}, err
	}
	if _, ok := s.Teams[c.Team]; ok {
		return TeamCreated{}, &apperr.Error{Code: apperr.Conflict, Field: "id", Message: "team exists"}
	}
	if c.Parent != "" {
		if _, ok := s.Teams[c.Parent]; !ok {
			return TeamCreated{}, &apperr.Error{Code: apperr.NotFound, Field: "parent_id", Message: "no such team"}
		}
	}
	for _, t := range s.Teams {
		if t.Parent == c.Parent && strings.EqualFold(t.Name, name) {
			return TeamCreated{}, &apperr.Error{Code: apperr.Conflict, Field: "name", Message: "a team with this name already exists here"}
		}
	}
	return TeamCreated{Team: c.Team, Name: name, Parent: c.Parent}, nil
}

// Sealer seals a member's personal data; context is NameContext or
// EmailContext.
type Sealer func(plaintext, context string) (pii.Sealed, error)

// JoinMember asks for a new member.
type JoinMember struct {
	Member    string // the new member's id, chosen by the caller
	Team      string
	Role      Role
	Name      string
	Email     string
	TokenHash string // of link 1's token
	// Issued and Expires bound link 1's life; Expires must be after Issued.
	Issued, Expires time.Time
	// Seal seals Name and Email with the new member's key.
	Seal Sealer
}

// DecideJoin returns the MemberJoined event for c, or an *apperr.Error:
// Invalid for a bad name, e-mail address or role (fields "name", "email",
// "role") or a link that expires before it is issued (field "ttl_days"),
// NotFound for an unknown team (field "team_id"), Conflict for an existing
// member id or token hash. A Seal error is returned as it is.
func DecideJoin(s *State, c JoinMember) (MemberJoined, error) {
	name := strings.TrimSpace(c.Name)
	if err := checkText("name", name, MaxMemberName); err != nil {
		return MemberJoined{}, err
	}
	email, err := checkEmail(c.Email)
	if err != nil {
		return MemberJoined{}, err
	}
	if !c.Role.Valid() {
		return MemberJoined{}, apperr.Field("role", "must be admin, analyst, leader or employee")
	}
	if _, ok := s.Teams[c.Team]; !ok {
		return MemberJoined{}, &apperr.Error{Code: apperr.NotFound, Field: "team_id", Message: "no such team"}
	}
	if _, ok := s.Members[c.Member]; ok {
		return MemberJoined{}, &apperr.Error{Code: apperr.Conflict, Field: "id", Message: "member exists"}
	}
	if err := checkLink(s, c.TokenHash, c.Issued, c.Expires); err != nil {
		return MemberJoined{}, err
	}
	sealedName, err := c.Seal(name, NameContext(c.Member))
	if err != nil {
		return MemberJoined{}, err
	}
	sealedEmail, err := c.Seal(email, EmailContext(c.Member))
	if err != nil {
		return MemberJoined{}, err
	}
	return MemberJoined{Member: c.Member, Team: c.Team, Role: c.Role, Name: sealedName, Email: sealedEmail,
		TokenHash: c.TokenHash, Issued: c.Issued, Expires: c.Expires}, nil
}

// checkLink returns an *apperr.Error unless a new link with tokenHash,
// issued and expires may be recorded: Invalid (field "ttl_days") when it
// would expire before it is issued, Conflict when the hash is empty or
// another link has it.
func checkLink(s *State, tokenHash string, issued, expires time.Time) error {
	if !expires.After(issued) {
		return apperr.Field("ttl_days", "the link must expire after it is issued")
	}
	if _, _, taken := s.ByToken(tokenHash); tokenHash == "" || taken {
		return apperr.New(apperr.Conflict, "token already in use")
	}
	return nil
}

// IssueLink asks for a new personal link of a member.
type IssueLink struct {
	Member    string
	TokenHash string // of the new link's token
	// Issued and Expires bound the link's life; Expires must be after
	// Issued.
	Issued, Expires time.Time
}

// DecideIssueLink returns the LinkIssued event for c, numbering the link
// after the member's others, or an *apperr.Error: NotFound for an unknown
// member (field "member"), ErrErased for an erased one, Invalid (field
// "ttl_days") when Expires is not after Issued, Conflict when the token
// hash is empty or in use.
func DecideIssueLink(s *State, c IssueLink) (LinkIssued, error) {
	m, err := current(s, c.Member)
	if err != nil {
		return LinkIssued{}, err
	}
	if err := checkLink(s, c.TokenHash, c.Issued, c.Expires); err != nil {
		return LinkIssued{}, err
	}
	return LinkIssued{Member: c.Member, Link: len(m.Links) + 1, TokenHash: c.TokenHash, Issued: c.Issued, Expires: c.Expires}, nil
}

// current returns member id, or an *apperr.Error: NotFound (field
// "member") for an unknown member, ErrErased for an erased one.
func current(s *State, id string) (*Member, error) {
	m, ok := s.Members[id]
	if !ok {
		return nil, &apperr.Error{Code: apperr.NotFound, Field: "member", Message: "no such member"}
	}
	if m.Erased {
		return nil, ErrErased
	}
	return m, nil
}

// RevokeLink asks to revoke a member's link.
type RevokeLink struct {
	Member string
	Link   int
}

// DecideRevokeLink returns the LinkRevoked event for c, or an
// *apperr.Error: NotFound for an unknown member (field "member") or link
// (field "link"), ErrErased for an erased member (whose links are gone),
// ErrRevoked for a link revoked already.
func DecideRevokeLink(s *State, c RevokeLink) (LinkRevoked, error) {
	if _, err := current(s, c.Member); err != nil {
		return LinkRevoked{}, err
	}
	l := s.link(c.Member, c.Link)
	if l == nil {
		return LinkRevoked{}, &apperr.Error{Code: apperr.NotFound, Field: "link", Message: "no such link"}
	}
	if l.Revoked {
		return LinkRevoked{}, ErrRevoked
	}
	return LinkRevoked{Member: c.Member, Link: c.Link}, nil
}

// ErrRevoked is the Conflict (field "link") returned for revoking a link
// that is revoked already.
var ErrRevoked = &apperr.Error{Code: apperr.Conflict, Field: "link", Message: "this link is revoked already"}

// MoveMember asks to move a member to another team.
type MoveMember struct {
	Member string
	Team   string
}

// DecideMove returns the MemberMoved event for c, or an *apperr.Error:
// NotFound for an unknown member (field "member") or team (field
// "team_id"), Conflict for an erased member (field "member") or when the
// member is in that team already (field "team_id").
func DecideMove(s *State, c MoveMember) (MemberMoved, error) {
	m, err := current(s, c.Member)
	if err != nil {
		return MemberMoved{}, err
	}
	if _, ok := s.Teams[c.Team]; !ok {
		return MemberMoved{}, &apperr.Error{Code: apperr.NotFound, Field: "team_id", Message: "no such team"}
	}
	if m.Team == c.Team {
		return MemberMoved{}, &apperr.Error{Code: apperr.Conflict, Field: "team_id", Message: "member is in this team already"}
	}
	return MemberMoved{Member: c.Member, From: m.Team, To: c.Team}, nil
}

// ChangeRole asks to give a member another role.
type ChangeRole struct {
	Member string
	Role   Role
}

// DecideChangeRole returns the MemberRoleChanged event for c, or an
// *apperr.Error: Invalid for an unknown role (field "role"), NotFound for an
// unknown member (field "member"), Conflict for an erased member (field
// "member") or when the member has that role (field "role").
func DecideChangeRole(s *State, c ChangeRole) (MemberRoleChanged, error) {
	if !c.Role.Valid() {
		return MemberRoleChanged{}, apperr.Field("role", "must be admin, analyst, leader or employee")
	}
	m, err := current(s, c.Member)
	if err != nil {
		return MemberRoleChanged{}, err
	}
	if m.Role == c.Role {
		return MemberRoleChanged{}, &apperr.Error{Code: apperr.Conflict, Field: "role", Message: "member has this role already"}
	}
	return MemberRoleChanged{Member: c.Member, Role: c.Role}, nil
}

// ErrErased is the Conflict (field "member") returned for a change to a
// member whose personal data has been erased.
var ErrErased = &apperr.Error{Code: apperr.Conflict, Field: "member", Message: "this member's personal data has been erased"}

// DecideErase returns the MemberErased event for member, or an
// *apperr.Error: NotFound for an unknown member (field "member"), ErrErased
// for a member erased already.
func DecideErase(s *State, member string) (MemberErased, error) {
	m, ok := s.Members[member]
	if !ok {
		return MemberErased{}, &apperr.Error{Code: apperr.NotFound, Field: "member", Message: "no such member"}
	}
	if m.Erased {
		return MemberErased{}, ErrErased
	}
	return MemberErased{Member: member}, nil
}

// checkText returns an Invalid error for field unless s is 1 to max
// characters of UTF-8 without control characters.
func checkText(field, s string, max int) error {
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0:
		return apperr.Field(field, "must not be empty")
	case n > max:
		return apperr.Field(field, "must be at most %d characters", max)
	case !utf8.ValidString(s):
		return apperr.Field(field, "must be UTF-8")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return apperr.Field(field, "must not contain control characters")
		}
	}
	return nil
}

// checkEmail returns the trimmed address, or an Invalid error for field
// "email" unless it is one plain address of at most MaxEmail bytes.
func checkEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > MaxEmail {
		return "", apperr.Field("email", "must be an e-mail address of at most %d characters", MaxEmail)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", apperr.Field("email", "must be a plain e-mail address like name@example.org")
	}
	return s, nil
}
