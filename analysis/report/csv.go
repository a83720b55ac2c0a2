package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/empulse/empulse/analysis"
)

// SafeCell returns s neutralised for a spreadsheet: if s begins with '=',
// '+', '-', '@', a tab or a carriage return, which a spreadsheet may take as
// the start of a formula, it returns s prefixed with a single quote ('),
// which makes the cell text; otherwise it returns s unchanged. So the
// original is always SafeCell(s) or SafeCell(s)[1:].
//
// This follows OWASP's advice on CSV injection. The quoting that WriteCSV
// adds also keeps a separator inside a cell from starting a new cell there
// (see WriteCSV).
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// WriteCSV writes rows to w as CSV (RFC 4180, with LF line ends): a header
// line with Columns, then one line per row. Missing numbers are empty cells.
// Text cells (method, x, y, reason) pass through SafeCell; a cell is quoted
// when it contains a comma, a semicolon (a separator in many spreadsheet
// locales), a double quote, a CR or LF, or begins with a space.
//
// The error is the first error from w.
func WriteCSV(w io.Writer, rows []analysis.Row) error {
	bw := bufio.NewWriter(w)
	line := make([]byte, 0, 256)
	for i, c := range Columns {
		line = appendCSVField(line, i, c)
	}
	line = append(line, '\n')
	if _, err := bw.Write(line); err != nil {
		return fmt.Errorf("report: write csv: %w", err)
	}
	for i := range rows {
		line = line[:0]
		for j, c := range cells(&rows[i]) {
			if textColumn[j] {
				c = SafeCell(c)
			}
			line = appendCSVField(line, j, c)
		}
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("report: write csv: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: write csv: %w", err)
	}
	return nil
}

// appendCSVField appends the i-th field of a line, preceded by a comma unless
// it is the first, and quoted if needed.
func appendCSVField(dst []byte, i int, s string) []byte {
	if i > 0 {
		dst = append(dst, ',')
	}
	if !needsQuotes(s) {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	dst = append(dst, strings.ReplaceAll(s, `"`, `""`)...)
	return append(dst, '"')
}

func needsQuotes(s string) bool {
	return s != "" && (strings.ContainsAny(s, ",;\"\r\n") || s[0] == ' ')
}
