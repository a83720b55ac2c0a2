package report_test

import (
	"testing"

	"github.com/empulse/empulse/analysis/report"
)

func TestNegotiate(t *testing.T) {
	for _, tt := range []struct {
		name, accept, format string
		want                 report.Format
	}{
		{"Nothing", "", "", report.JSON},
		{"FormatCSV", "", "csv", report.CSV},
		{"FormatNDJSON", "", "ndjson", report.NDJSON},
		{"FormatJSON", "", "json", report.JSON},
		{"FormatCase", "", " CSV ", report.CSV},
		{"FormatWinsOverAccept", "text/csv", "ndjson", report.NDJSON},
		{"AcceptJSON", "application/json", "", report.JSON},
		{"AcceptCSV", "text/csv", "", report.CSV},
		{"AcceptCSVParams", "text/csv; charset=utf-8; header=present", "", report.CSV},
		{"AcceptNDJSON", "application/x-ndjson", "", report.NDJSON},
		{"AcceptNDJSONAlias", "application/ndjson", "", report.NDJSON},
		{"AcceptCase", "Text/CSV", "", report.CSV},
		{"AcceptAny", "*/*", "", report.JSON},
		{"AcceptTextAny", "text/*", "", report.CSV},
		{"AcceptApplicationAny", "application/*", "", report.JSON},
		{"Browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "", report.JSON},
		{"QualityWins", "application/json;q=0.5, text/csv;q=0.9", "", report.CSV},
		{"FirstOfEqual", "application/x-ndjson, text/csv", "", report.NDJSON},
		{"SpecificBeatsWildcard", "*/*, text/csv", "", report.CSV},
		{"ExcludedByQ0", "text/csv;q=0, text/*", "", report.JSON},
		{"WildcardExceptJSON", "application/json;q=0, */*", "", report.CSV},
		{"UnsupportedOnly", "text/html", "", report.JSON},
		{"MalformedQ", "text/csv;q=abc, application/x-ndjson;q=0.1", "", report.NDJSON},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := report.Negotiate(tt.accept, tt.format)
			if err != nil {
				t.Fatalf("Negotiate(%q, %q): %v", tt.accept, tt.format, err)
			}
			if got != tt.want {
				t.Fatalf("Negotiate(%q, %q)=%q, want %q", tt.accept, tt.format, got, tt.want)
			}
		})
	}
	for _, format := range []string{"xml", "xlsx", "application/json", "json;"} {
		t.Run("Unknown/"+format, func(t *testing.T) {
			_, err := report.Negotiate("application/json", format)
			wantFieldErr(t, err, "format")
		})
	}
}

func TestFormat_ContentType(t *testing.T) {
	for _, tt := range []struct {
		f    report.Format
		want string
	}{
		{report.JSON, "application/json"},
		{report.CSV, "text/csv; charset=utf-8; header=present"},
		{report.NDJSON, "application/x-ndjson"},
		{"xml", ""},
	} {
		if got := tt.f.ContentType(); got != tt.want {
			t.Errorf("%q.ContentType()=%q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestNegotiateImage(t *testing.T) {
	for _, tt := range []struct {
		name, accept, format string
		want                 report.ImageFormat
	}{
		{"Nothing", "", "", report.PNG},
		{"FormatSVG", "", "svg", report.SVG},
		{"FormatWinsOverAccept", "image/svg+xml", "png", report.PNG},
		{"AcceptPNG", "image/png", "", report.PNG},
		{"AcceptSVG", "image/svg+xml", "", report.SVG},
		{"AcceptImageAny", "image/*", "", report.PNG},
		{"AcceptAny", "*/*", "", report.PNG},
		{"BrowserImg", "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", "", report.SVG},
		{"QualityWins", "image/png;q=0.4, image/svg+xml;q=0.6", "", report.SVG},
		{"UnsupportedOnly", "image/gif", "", report.PNG},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := report.NegotiateImage(tt.accept, tt.format)
			if err != nil {
				t.Fatalf("NegotiateImage(%q, %q): %v", tt.accept, tt.format, err)
			}
			if got != tt.want {
				t.Fatalf("NegotiateImage(%q, %q)=%q, want %q", tt.accept, tt.format, got, tt.want)
			}
		})
	}
	for _, format := range []string{"gif", "csv", "image/png"} {
		t.Run("Unknown/"+format, func(t *testing.T) {
			_, err := report.NegotiateImage("image/png", format)
			wantFieldErr(t, err, "format")
		})
	}
}
