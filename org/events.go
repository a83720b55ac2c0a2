package org

import (
	"time"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/pii"
)

// Stream returns the name of the stream that holds organisation id's teams
// and members.
func Stream(id string) string { return "org-" + id }

// TeamCreated records a new team. Parent is empty for a top-level team.
type TeamCreated struct {
	Team   string `json:"team"`
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"`
}

// MemberJoined records a new member of a team. Name and Email are sealed
// with the member's key (package pii, contexts from NameContext and
// EmailContext), so erasing the key erases them. TokenHash is the SHA-256 of
// the bearer token of the member's first personal link (link 1), in hex;
// the token itself is never stored. Issued is when that link was issued and
// Expires when it stops authenticating; both are zero in events written
// before links expired, whose link 1 never expires.
type MemberJoined struct {
	Member    string     `json:"member"`
	Team      string     `json:"team"`
	Role      Role       `json:"role"`
	Name      pii.Sealed `json:"name"`
	Email     pii.Sealed `json:"email"`
	TokenHash string     `json:"token_hash"`
	Issued    time.Time  `json:"issued"`
	Expires   time.Time  `json:"expires"`
}

// MemberMoved records a member moving to another team. Answers given before
// stay with the team they were given in: answer events carry their team.
type MemberMoved struct {
	Member string `json:"member"`
	From   string `json:"from"`
	To     string `json:"to"`
}

// MemberRoleChanged records a member's new role.
type MemberRoleChanged struct {
	Member string `json:"member"`
	Role   Role   `json:"role"`
}

// MemberErased records that a member's personal data was erased (the right
// to erasure): their key and pseudonym were deleted from the vault before
// this event was appended. It carries nothing but the member's id. From it
// on the member is no longer in any team (their team's member count drops
// as on a departure), their token no longer authenticates, and they can no
// longer be moved, given another role or recognised.
type MemberErased struct {
	Member string `json:"member"`
}

// LinkIssued records a new personal link of a member: link number Link
// (2, 3, ...; link 1 comes with MemberJoined), whose bearer token hashes to
// TokenHash (hex SHA-256), issued at Issued and authenticating until
// Expires. The member's other links stay as they were.
type LinkIssued struct {
	Member    string    `json:"member"`
	Link      int       `json:"link"`
	TokenHash string    `json:"token_hash"`
	Issued    time.Time `json:"issued"`
	Expires   time.Time `json:"expires"`
}

// LinkRevoked records that a member's link number Link no longer
// authenticates.
type LinkRevoked struct {
	Member string `json:"member"`
	Link   int    `json:"link"`
}

// The event type names.
const (
	TypeTeamCreated       = "TeamCreated"
	TypeMemberJoined      = "MemberJoined"
	TypeMemberMoved       = "MemberMoved"
	TypeMemberRoleChanged = "MemberRoleChanged"
	TypeMemberErased      = "MemberErased"
	TypeLinkIssued        = "LinkIssued"
	TypeLinkRevoked       = "LinkRevoked"
)

// EventType returns the event's type name.
func (TeamCreated) EventType() string { return TypeTeamCreated }

// EventType returns the event's type name.
func (MemberJoined) EventType() string { return TypeMemberJoined }

// EventType returns the event's type name.
func (MemberMoved) EventType() string { return TypeMemberMoved }

// EventType returns the event's type name.
func (MemberRoleChanged) EventType() string { return TypeMemberRoleChanged }

// EventType returns the event's type name.
func (MemberErased) EventType() string { return TypeMemberErased }

// EventType returns the event's type name.
func (LinkIssued) EventType() string { return TypeLinkIssued }

// EventType returns the event's type name.
func (LinkRevoked) EventType() string { return TypeLinkRevoked }

// Register registers the package's event types in r.
func Register(r *events.Registry) {
	events.Register[TeamCreated](r, TypeTeamCreated)
	events.Register[MemberJoined](r, TypeMemberJoined)
	events.Register[MemberMoved](r, TypeMemberMoved)
	events.Register[MemberRoleChanged](r, TypeMemberRoleChanged)
	events.Register[MemberErased](r, TypeMemberErased)
	events.Register[LinkIssued](r, TypeLinkIssued)
	events.Register[LinkRevoked](r, TypeLinkRevoked)
}

// NameContext is the pii context a member's name is sealed with.
func NameContext(member string) string { return "member/" + member + "/name" }

// EmailContext is the pii context a member's e-mail address is sealed with.
func EmailContext(member string) string { return "member/" + member + "/email" }
