// Package survey is the domain of surveys, their pulses and the answers to
// them. A survey (stream survey-<id>) asks a team's subtree a rotating set of
// at most five questions per pulse from its instruments, on a cadence, with
// a minimum group size k that locks when the first pulse opens. Each answer
// is its own stream, answer-<pulse>-<pseudonym>, appended with "no stream"
// so that a second answer conflicts; it carries a pseudonymous respondent,
// the team at answer time and the day, never the member or the exact time.
// Who answered is recorded apart, in participation-<pulse>, in one event
// written after the pulse closes, so that nothing in the log places a
// member's id next to their answer.
//
// Functions here are pure: they take state and a command and return events
// or an *apperr.Error naming the offending field.
package survey
