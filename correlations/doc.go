// Package correlations connects the projections to the statistics: it turns
// the figures the query layer shows (projections.Figures, NaN where
// withheld) into analysis.Series, and builds from them the correlation table
// and the plots that the API serves and "empulse export correlations"
// writes.
//
// It is an adapter above two peers, projections and analysis, which do not
// import each other; api and the root command use it, and only the root
// command wires it to a running projection.
//
// The units of analysis are the leaf teams (teams without sub-teams) of the
// chosen subtree, so that no team-week is counted twice; the trend plots show
// a subtree's roll-up beside its direct sub-teams' roll-ups, as the
// dashboard does. Every value comes from the queries, after suppression:
// a group below k, or withheld to protect a smaller one, contributes NaN,
// and NaN pairs are dropped by the statistics. No output names a person;
// the tables name no team either, and the trend plots name teams by their
// display names.
package correlations
