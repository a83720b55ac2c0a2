package esdb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/esdb"
)

// BenchmarkAppend measures single-event appends through events/esdb, over
// gRPC on the loopback interface, to the test server on the embedded store:
// the client, the protocol and the server's store together, not a real
// EventStoreDB. One op is one appended event.
func BenchmarkAppend(b *testing.B) {
	for _, writers := range []int{1, 64} {
		b.Run(fmt.Sprintf("Writers=%d", writers), func(b *testing.B) {
			conn, _ := MustServer(b)
			st := MustOpen(b, conn, esdb.Options{})
			ctx := context.Background()
			var wg sync.WaitGroup
			errs := make(chan error, writers)
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for w := range writers {
				n := b.N / writers
				if w < b.N%writers {
					n++
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					stream := fmt.Sprintf("bench-%d", w)
					for range n {
						if _, err := st.Append(ctx, stream, events.Any(), proposed(1, "AnswerGiven")...); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			close(errs)
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
		})
	}
}

// BenchmarkSubscribe measures a replay: a subscription from Start that
// reads b.N events until CaughtUp, unfiltered and with a filter that
// selects a tenth of them. One op is one event of the log scanned.
func BenchmarkSubscribe(b *testing.B) {
	for _, c := range []struct {
		name   string
		filter events.Filter
	}{
		{"All", events.Filter{}},
		{"Tenth", events.Filter{StreamPrefixes: []string{"pulse-0"}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			conn, _ := MustServer(b)
			st := MustOpen(b, conn, esdb.Options{})
			ctx := context.Background()
			for i := 0; i < b.N; i += 500 {
				evs := proposed(min(500, b.N-i), "AnswerGiven")
				if _, err := st.Append(ctx, fmt.Sprintf("pulse-%d", (i/500)%10), events.Any(), evs...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			sub, err := st.Subscribe(ctx, events.Start, c.filter)
			if err != nil {
				b.Fatal(err)
			}
			defer sub.Close()
			delivered := 0
			for {
				m, err := sub.Recv(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if m.Kind == events.EventMessage {
					delivered++
				}
				if m.Kind == events.CaughtUpMessage {
					break
				}
			}
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
			b.ReportMetric(float64(delivered)/float64(b.N), "delivered/op")
		})
	}
}
