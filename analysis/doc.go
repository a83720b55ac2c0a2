// Package analysis computes statistics on team-week series with gonum: pure
// functions on slices, with their formulas, preconditions and NaN behaviour
// in their doc comments. It works on series that are already k-safe.
package analysis
