package esdb_test

import (
	"testing"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/esdb"
	"github.com/empulse/empulse/events/storetest"
)

// TestConformance runs the shared suite against events/esdb talking over
// gRPC on the loopback interface to the protocol test server, which keeps
// its events in a fresh embedded store for every Store the suite opens.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) events.Store {
		conn, _ := MustServer(tb)
		return MustOpen(tb, conn, esdb.Options{})
	})
}
