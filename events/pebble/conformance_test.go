package pebble_test

import (
	"testing"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/pebble"
	"github.com/empulse/empulse/events/storetest"
)

// TestConformance runs the shared Store conformance suite against the embedded backend.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) events.Store {
		s, err := pebble.Open(tb.TempDir(), pebble.Options{})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { s.Close() })
		return s
	})
}
