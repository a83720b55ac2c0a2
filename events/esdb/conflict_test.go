package esdb_test

import (
	"errors"
	"testing"
	"time"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/esdb"
)

// TestStore_Append_Conflict checks that the server's wrong_expected_version
// answer becomes a *events.ConflictError with the stream's actual revision,
// for every kind of expectation.
func TestStore_Append_Conflict(t *testing.T) {
	eachServer(t, func(t *testing.T, conn string) {
		st := MustOpen(t, conn, esdb.Options{})
		ctx := testContext(t, 10*time.Second)
		existing, missing := unique("survey"), unique("survey")
		if _, err := st.Append(ctx, existing, events.NoStream(), proposed(3, "SurveyDefined")...); err != nil {
			t.Fatalf("Append: %v", err)
		}
		cases := []struct {
			name     string
			stream   string
			expected events.ExpectedRevision
			actual   events.ExpectedRevision
		}{
			{"NoStream", existing, events.NoStream(), events.Revision(2)},
			{"RevisionTooLow", existing, events.Revision(1), events.Revision(2)},
			{"RevisionTooHigh", existing, events.Revision(7), events.Revision(2)},
			{"StreamExistsOnMissing", missing, events.StreamExists(), events.NoStream()},
			{"RevisionOnMissing", missing, events.Revision(0), events.NoStream()},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := st.Append(ctx, c.stream, c.expected, proposed(1, "X")...)
				if !errors.Is(err, events.ErrWrongRevision) {
					t.Fatalf("err=%v, want events.ErrWrongRevision", err)
				}
				var ce *events.ConflictError
				if !errors.As(err, &ce) {
					t.Fatalf("err=%T, want *events.ConflictError", err)
				}
				if ce.Stream != c.stream || ce.Expected != c.expected || ce.Actual != c.actual {
					t.Fatalf("conflict=%+v, want stream %q expected %v actual %v", *ce, c.stream, c.expected, c.actual)
				}
			})
		}
	})
}
