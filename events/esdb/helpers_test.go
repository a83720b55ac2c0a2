package esdb_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/esdb"
	"github.com/empulse/empulse/events/esdb/esdbtest"
	"github.com/empulse/empulse/events/pebble"
)

// MustBacking opens a fresh embedded store for a test server to keep its
// events in, closed when the test ends.
func MustBacking(tb testing.TB) events.Store {
	tb.Helper()
	st, err := pebble.Open(tb.TempDir(), pebble.Options{})
	if err != nil {
		tb.Fatalf("pebble.Open: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// MustServer starts a test server on a fresh embedded store.
func MustServer(tb testing.TB) (string, *esdbtest.Server) {
	tb.Helper()
	return esdbtest.Start(tb, MustBacking(tb))
}

// MustOpen opens an esdb Store on connString, closed when the test ends.
func MustOpen(tb testing.TB, connString string, opts esdb.Options) *esdb.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := esdb.Open(ctx, connString, opts)
	if err != nil {
		tb.Fatalf("esdb.Open(%q): %v", connString, err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// eachServer runs fn as a subtest against a fresh test server and, when
// EMPULSE_ESDB_URL is set, against that real server too. fn must name its
// streams with unique, since a real server keeps them from run to run.
func eachServer(t *testing.T, fn func(t *testing.T, conn string)) {
	t.Run("TestServer", func(t *testing.T) {
		conn, _ := MustServer(t)
		fn(t, conn)
	})
	if url := os.Getenv(realServerEnv); url != "" {
		t.Run("RealServer", func(t *testing.T) { fn(t, url) })
	}
}

// unique returns name with a random suffix.
func unique(name string) string { return name + "-" + uuid.NewString()[:8] }

// proposed returns n events of type typ with fresh IDs.
func proposed(n int, typ string) []events.Proposed {
	evs := make([]events.Proposed, n)
	for i := range evs {
		evs[i] = events.Proposed{ID: uuid.New(), Type: typ, Data: []byte(`{"n":1}`)}
	}
	return evs
}

// testContext returns a context that ends with the test or after d.
func testContext(tb testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	tb.Cleanup(cancel)
	return ctx
}
