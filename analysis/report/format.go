package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/empulse/empulse/analysis"
	"github.com/empulse/empulse/apperr"
)

// Format is the file format of a table export. Its value is the name used
// in ?format= and as the file extension.
type Format string

// The table formats.
const (
	JSON   Format = "json"   // one object with metadata and rows: WriteJSON
	CSV    Format = "csv"    // a header line and one line per row: WriteCSV
	NDJSON Format = "ndjson" // one JSON object per line: WriteNDJSON
)

// tableOffers are the formats with the media types that select them, in
// order of preference when the client has none.
var tableOffers = []offer[Format]{
	{JSON, []string{"application/json"}},
	{CSV, []string{"text/csv"}},
	{NDJSON, []string{"application/x-ndjson", "application/ndjson"}},
}

// ContentType returns the media type to send with f:
// "application/json", "text/csv; charset=utf-8; header=present" or
// "application/x-ndjson". It returns "" for an unknown Format.
func (f Format) ContentType() string {
	switch f {
	case JSON:
		return "application/json"
	case CSV:
		return "text/csv; charset=utf-8; header=present"
	case NDJSON:
		return "application/x-ndjson"
	}
	return ""
}

// ParseFormat returns the Format named by s ("json", "csv" or "ndjson",
// in any case). For any other value it returns an *apperr.Error with code
// Invalid and Field "format".
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	if f.ContentType() == "" {
		return "", apperr.Field("format", "unknown format %q; want json, csv or ndjson", s)
	}
	return f, nil
}

// Negotiate chooses the format of a table export from the ?format= value
// and the Accept header of a request.
//
// A non-empty format wins and is parsed by ParseFormat: an unknown value is
// an *apperr.Error with code Invalid and Field "format", whatever accept
// says. Otherwise the Accept header decides (RFC 9110 §12.5.1):
// "application/json", "text/csv" and "application/x-ndjson" (or
// "application/ndjson") select their format, and "text/*", "application/*"
// and "*/*" the formats they cover. Each format takes the q of the most
// specific range that matches it; the format with the highest q wins, ties
// going to the more specific range, then to the range listed first, then to
// JSON, CSV, NDJSON in that order (so "*/*" and "application/*" give
// JSON). An empty header, or one that accepts none of the three, gives JSON:
// the header is then disregarded rather than answered with 406, which RFC
// 9110 allows. Negotiate never fails when format is empty.
func Negotiate(accept, format string) (Format, error) {
	if strings.TrimSpace(format) != "" {
		return ParseFormat(format)
	}
	return negotiate(accept, tableOffers), nil
}

// Write writes rows to w in format f: WriteJSON with m, WriteCSV or
// WriteNDJSON (which ignore m). It panics if f is not one of the Formats.
func Write(w io.Writer, f Format, m Meta, rows []analysis.Row) error {
	switch f {
	case JSON:
		return WriteJSON(w, m, rows)
	case CSV:
		return WriteCSV(w, rows)
	case NDJSON:
		return WriteNDJSON(w, rows)
	}
	panic(fmt.Sprintf("report: unknown format %q", string(f)))
}
