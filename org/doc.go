// Package org is the organisation's domain: teams in a hierarchy, members
// who each belong to one team, moves between teams, and roles. It defines the
// events of the org-<id> stream, folds them into a State, and decides new
// events from commands with pure functions that return an *apperr.Error
// naming the offending field. It knows nothing of HTTP or storage.
package org
