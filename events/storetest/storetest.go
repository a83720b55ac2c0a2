// Package storetest is the conformance suite for events.Store: every backend's
// test hands a constructor to Run, and the suite checks that the backend keeps
// the promises the Store interface documents.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(tb testing.TB) events.Store {
//			s, err := pebble.Open(tb.TempDir(), pebble.Options{})
//			if err != nil {
//				tb.Fatal(err)
//			}
//			tb.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// The suite makes no timing assertions. Every wait is bounded by a generous
// timeout only so that a broken backend fails instead of hanging.
package storetest

import (
	"testing"

	"github.com/empulse/empulse/events"
)

// opener returns a new, empty Store for one test and registers its Close
// with tb.Cleanup. Each call returns a store of its own.
type opener func(tb testing.TB) events.Store

// Run runs the whole conformance suite against the stores that open returns,
// as subtests of t named by concern, for example "Append/ExpectedRevision".
func Run(t *testing.T, open func(tb testing.TB) events.Store) {
	o := opener(open)
	t.Run("Append", func(t *testing.T) { testAppend(t, o) })
	t.Run("Validate", func(t *testing.T) { testValidate(t, o) })
	t.Run("Read", func(t *testing.T) { testRead(t, o) })
	t.Run("Large", func(t *testing.T) { testLarge(t, o) })
	t.Run("Subscribe", func(t *testing.T) { testSubscribe(t, o) })
	t.Run("Filter", func(t *testing.T) { testFilter(t, o) })
	t.Run("Cancel", func(t *testing.T) { testCancel(t, o) })
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, o) })
	t.Run("Close", func(t *testing.T) { testClose(t, o) })
}
