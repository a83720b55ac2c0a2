// Package analysis computes statistics on team-week series with gonum: pure
// functions on slices, with their formulas, preconditions and NaN behaviour
// in their doc comments. It works on series that are already k-safe.
//
// # Input
//
// The input is one Series per team: weekly aggregates (recognitions received
// per member, engagement, wellbeing, eNPS, participation) that the
// projections compute only for groups at or above the anonymity threshold k.
// Rows are team-weeks, never persons, and no output of this package refers to
// a person. NaN marks a suppressed or missing cell; every function drops
// incomplete pairs and says so.
//
// # Statistics
//
//   - Pearson, Spearman and Kendall (tau-b) correlations of paired samples,
//     each with n, the coefficient, a 95% interval (Fisher z; for Spearman and
//     Kendall with the variances of Fieller, Hartley & Pearson 1957) and a
//     two-sided p-value (t test on n-2 degrees of freedom; z test for Kendall).
//   - RMCorr, the repeated-measures correlation of Bakdash & Marusich (2017),
//     for the association within teams, and BetweenTeams, the correlation of
//     team means; the two can differ in sign (Simpson's paradox), and the
//     pooled Pearson and Spearman mix them.
//   - LagPairs and Lagged for lags in weeks: recognition in week t against a
//     score in week t+k (k > 0) or t-k (k < 0), paired within teams.
//   - AdjustBH, the Benjamini-Hochberg adjustment across a family of tests.
//   - ICC1 and TeamICC1, the one-way random-effects ICC(1).
//   - Table, all of the above for every pair of variables and every lag,
//     adjusted together.
//
// # Conventions
//
// A test with fewer complete pairs than its minimum n (DefaultMinN, 10,
// unless the caller chooses another) reports no coefficient, only a Reason
// such as "n=7 below minimum 10"; so does a test whose coefficient is
// undefined (a constant series). Then the coefficient, interval and p-value
// are NaN. A coefficient of ±1 has p = 0 (Kendall: the z test's value) and
// the degenerate interval [r, r]. Intervals use qnorm(0.975), not 1.96.
//
// Pooled team-week pairs are not independent (the same team recurs every
// week), so the p-values and intervals of pooled Pearson, Spearman and Kendall
// are optimistic; RMCorr and BetweenTeams model the teams. Every function
// panics on caller mistakes only: slices of different lengths, weeks out of
// order, an unknown variable or method, a p-value outside [0, 1].
//
// The reference values in the tests come from R (cor.test, p.adjust,
// psych::ICC, and rmcorr's own lm/drop1/psych::r.con computation) and SciPy,
// and each names the call that produced it.
package analysis
