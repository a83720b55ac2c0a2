package live

import "strings"

// Topic names what a viewer subscribes to: a team's scores or the
// correlation table.
type Topic string

// CorrelationsTopic is the analysts' correlation table.
const CorrelationsTopic Topic = "correlations"

// teamPrefix starts every team topic.
const teamPrefix = "team:"

// TeamTopic returns the topic of team's scores.
func TeamTopic(team string) Topic { return Topic(teamPrefix + team) }

// Team returns the team of a team topic and true, or "" and false for
// any other topic.
func (t Topic) Team() (string, bool) {
	team, ok := strings.CutPrefix(string(t), teamPrefix)
	if !ok || team == "" {
		return "", false
	}
	return team, true
}

// topicRule says which topics are valid, for error messages.
const topicRule = "must be correlations or team:<team id>"

// Valid reports whether t is CorrelationsTopic or a team topic with a
// non-empty team of at most 128 bytes.
func (t Topic) Valid() bool {
	if t == CorrelationsTopic {
		return true
	}
	team, ok := t.Team()
	return ok && len(team) <= 128
}
