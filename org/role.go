package org

// Role is what a member may do.
type Role string

// The roles.
const (
	// RoleAdmin manages teams, members, instruments and surveys.
	RoleAdmin Role = "admin"
	// RoleAnalyst sees aggregates of the whole organisation, nothing else.
	RoleAnalyst Role = "analyst"
	// RoleLeader leads their team and everything under it: they see its
	// aggregates and manage its surveys and members.
	RoleLeader Role = "leader"
	// RoleEmployee answers their own pulses and gives recognition.
	RoleEmployee Role = "employee"
)

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleAnalyst, RoleLeader, RoleEmployee:
		return true
	}
	return false
}
