// Package report turns the results of package analysis into the files that
// analysts download: the correlation table as JSON, CSV or NDJSON, and plots
// (a scatter with its least-squares line, score trends over ISO weeks) as SVG
// or PNG, drawn with gonum.org/v1/plot.
//
// # Tables
//
// WriteJSON, WriteCSV and WriteNDJSON write a []analysis.Row; Write chooses
// among them by Format, and Negotiate picks the Format from a request's
// ?format= value and Accept header. Every row has exactly the fields named by
// Columns, in that order: the method, the two variables, the lag, n, the
// number of teams, r, its 95% interval, p and the Benjamini-Hochberg adjusted
// p, and the reason when there is no coefficient. A row describes an
// association between team-week aggregates; no export names a team or a
// person.
//
// Numbers are written in the shortest form that reads back as the same
// float64 (strconv.FormatFloat(x, 'g', -1, 64)), so nothing is lost to
// rounding: 0.41237, 1.2e-07. Missing values (NaN, such as r below the
// minimum n) are null in JSON and empty cells in CSV.
//
// CSV text cells that begin with '=', '+', '-', '@', a tab or a carriage
// return are prefixed with a single quote (see SafeCell), so that a
// spreadsheet shows them as text instead of evaluating a formula. Numeric
// cells are written by strconv and are never prefixed: a negative r such as
// -0.25 stays a number.
//
// # Plots
//
// NewScatter and NewTrends build a Chart from plain slices; Chart.Render
// draws it as SVG or PNG of a given pixel size into an io.Writer. The output
// is a pure function of the input: rendering the same data twice gives the
// same bytes. Text is set in Liberation Sans, which gonum/plot embeds, so no
// font is read from the system or the network; SVG files name Arial,
// Helvetica and sans-serif as fallbacks (Liberation Sans has Arial's metrics)
// instead of embedding the font.
package report
