package esdb_test

import (
	"testing"
	"time"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/esdb"
)

// TestStore_ScaleOut runs two Stores, as two Empulse instances would, on one
// server: what one appends, the other's subscription receives, both ways.
func TestStore_ScaleOut(t *testing.T) {
	eachServer(t, func(t *testing.T, conn string) {
		a := MustOpen(t, conn, esdb.Options{})
		b := MustOpen(t, conn, esdb.Options{})
		ctx := testContext(t, 10*time.Second)
		prefix := unique("answer") + "-"

		subscribe := func(st *esdb.Store) events.Subscription {
			head, err := st.Head(ctx)
			if err != nil {
				t.Fatalf("Head: %v", err)
			}
			sub, err := st.Subscribe(ctx, head, events.Filter{StreamPrefixes: []string{prefix}})
			if err != nil {
				t.Fatalf("Subscribe: %v", err)
			}
			t.Cleanup(func() { sub.Close() })
			return sub
		}
		next := func(sub events.Subscription) events.Event {
			for {
				m, err := sub.Recv(ctx)
				if err != nil {
					t.Fatalf("Recv: %v", err)
				}
				if m.Kind == events.EventMessage {
					return m.Event
				}
			}
		}
		onA, onB := subscribe(a), subscribe(b)

		for i, w := range []struct {
			name           string
			writer         *esdb.Store
			other, writers events.Subscription
		}{{"A", a, onB, onA}, {"B", b, onA, onB}} {
			sent := proposed(1, "AnswerGiven")
			stream := prefix + w.name
			if _, err := w.writer.Append(ctx, stream, events.NoStream(), sent...); err != nil {
				t.Fatalf("Append %d through %s: %v", i, w.name, err)
			}
			if got := next(w.other); got.ID != sent[0].ID || got.Stream != stream {
				t.Fatalf("the other instance received %v in %q, want %v in %q", got.ID, got.Stream, sent[0].ID, stream)
			}
			if got := next(w.writers); got.ID != sent[0].ID {
				t.Fatalf("%s's own subscription received %v, want %v", w.name, got.ID, sent[0].ID)
			}
		}
	})
}
