package pebble_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/pebble"
)

// answerData is a typical AnswerGiven payload (five items and no comment).
var answerData = []byte(`{"pulse":"p-2026-w48-01","survey":"s-8f3a2c","respondent":"r-6d1b0f4e9a2c47b3","team":"t-0042","day":"2026-11-27","values":[{"item":"who5-1","value":3},{"item":"who5-2","value":4},{"item":"enps","value":9},{"item":"emp-own","value":5},{"item":"emp-fb","value":2}]}`)

// answer is the typed form of answerData.
type answer struct {
	Pulse      string `json:"pulse"`
	Survey     string `json:"survey"`
	Respondent string `json:"respondent"`
	Team       string `json:"team"`
	Day        string `json:"day"`
	Values     []struct {
		Item  string `json:"item"`
		Value int    `json:"value"`
	} `json:"values"`
	Comment string `json:"comment,omitempty"`
}

// BenchmarkAppend measures durable appends of one event each, every append
// to a new stream with NoStream, from 1 and from 64 concurrent writers. It
// reports events/s and the latency percentiles of single appends.
func BenchmarkAppend(b *testing.B) {
	for _, writers := range []int{1, 64} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			s := mustOpen(b, b.TempDir(), pebble.Options{})
			ctx := context.Background()
			lat := make([][]time.Duration, writers)
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < b.N; i += writers {
						t0 := time.Now()
						_, err := s.Append(ctx, fmt.Sprintf("answer-%d-%d", w, i), events.NoStream(),
							events.Proposed{ID: uuid.New(), Type: "AnswerGiven", Data: answerData})
						if err != nil {
							b.Error(err)
							return
						}
						lat[w] = append(lat[w], time.Since(t0))
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			all := slices.Concat(lat...)
			slices.Sort(all)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
			b.ReportMetric(float64(percentile(all, 50).Microseconds()), "p50-µs")
			b.ReportMetric(float64(percentile(all, 99).Microseconds()), "p99-µs")
		})
	}
}

func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[(len(sorted)-1)*p/100]
}

// replayEvents is the size of the replay benchmarks' log; the flag lets
// `go run ./bench -quick` run them on a small one.
var replayEvents = 1_000_000

func init() {
	flag.IntVar(&replayEvents, "pebble.replay-events", replayEvents, "events in the log of BenchmarkReplay and BenchmarkBaseline/scan")
}

var replayStore struct {
	once sync.Once
	dir  string
	err  error
}

// openReplayStore returns a store holding replayEvents answer events,
// written once per benchmark run.
func openReplayStore(b *testing.B) *pebble.Store {
	b.Helper()
	replayStore.once.Do(func() {
		dir, err := mkdirTemp()
		if err != nil {
			replayStore.err = err
			return
		}
		replayStore.dir = dir
		replayStore.err = writeReplayLog(dir)
	})
	if replayStore.err != nil {
		b.Fatal(replayStore.err)
	}
	return mustOpen(b, replayStore.dir, pebble.Options{})
}

// writeReplayLog writes replayEvents answer events into a store in dir, then
// compacts it, so that replays read a settled store rather
// than compete with the compactions that follow a bulk write.
func writeReplayLog(dir string) error {
	s, err := pebble.Open(dir, pebble.Options{})
	if err != nil {
		return err
	}
	batch := make([]events.Proposed, 1000)
	for i := 0; i < replayEvents; i += len(batch) {
		for j := range batch {
			batch[j] = events.Proposed{ID: uuid.New(), Type: "AnswerGiven", Data: answerData}
		}
		if _, err := s.Append(context.Background(), fmt.Sprintf("answer-%d", i), events.NoStream(), batch...); err != nil {
			s.Close()
			return err
		}
	}
	if err := s.Compact(context.Background()); err != nil {
		s.Close()
		return err
	}
	return s.Close()
}

// BenchmarkReplay measures a subscription from the start of a log of 1M
// events until it is caught up: delivered to a consumer that does nothing,
// and decoded into typed Go values through an events.Registry.
func BenchmarkReplay(b *testing.B) {
	reg := events.NewRegistry()
	events.Register[answer](reg, "AnswerGiven")
	consumers := []struct {
		name    string
		consume func(events.Event) error
	}{
		{"noop", func(events.Event) error { return nil }},
		{"typed", func(e events.Event) error { _, err := reg.Decode(e); return err }},
	}
	for _, c := range consumers {
		b.Run(c.name, func(b *testing.B) {
			s := openReplayStore(b)
			ctx := context.Background()
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				n, err := replay(ctx, s, c.consume)
				if err != nil {
					b.Fatal(err)
				}
				if n != replayEvents {
					b.Fatalf("replayed %d events, want %d", n, replayEvents)
				}
			}
			b.ReportMetric(float64(b.N*replayEvents)/time.Since(start).Seconds(), "events/s")
		})
	}
}

// replay subscribes from the start and consumes every event until caught up.
func replay(ctx context.Context, s events.Store, consume func(events.Event) error) (int, error) {
	sub, err := s.Subscribe(ctx, events.Start, events.Filter{})
	if err != nil {
		return 0, err
	}
	defer sub.Close()
	n := 0
	for {
		m, err := sub.Recv(ctx)
		if err != nil {
			return n, err
		}
		switch m.Kind {
		case events.EventMessage:
			if err := consume(m.Event); err != nil {
				return n, err
			}
			n++
		case events.CaughtUpMessage:
			return n, nil
		}
	}
}

// mkdirTemp makes the directory of the replay store, which the benchmarks
// share; TestMain removes it.
func mkdirTemp() (string, error) { return os.MkdirTemp("", "empulse-replay-*") }

func removeReplayStore() {
	if replayStore.dir != "" {
		os.RemoveAll(replayStore.dir)
	}
}
