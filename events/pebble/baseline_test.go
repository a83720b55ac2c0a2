package pebble_test

import (
	"encoding/binary"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	pdb "github.com/cockroachdb/pebble/v2"
)

// BenchmarkBaseline measures raw pebble doing the least the store must do,
// in the same run as the store's benchmarks, so that BENCHMARKS.md can quote
// the store as a ratio of what the engine gives on the same noisy machine:
// one synced Set per event from 1 and 64 writers (pebble groups the syncs of
// concurrent writers itself), and a scan of the replay store's log keys.
func BenchmarkBaseline(b *testing.B) {
	for _, writers := range []int{1, 64} {
		b.Run(fmt.Sprintf("set-sync/writers=%d", writers), func(b *testing.B) {
			db, err := pdb.Open(b.TempDir(), &pdb.Options{Logger: quiet{}})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					key := make([]byte, 9)
					for i := w; i < b.N; i += writers {
						key[0] = 'g'
						binary.BigEndian.PutUint64(key[1:], uint64(i))
						if err := db.Set(key, answerData, pdb.Sync); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
		})
	}
	b.Run("scan", func(b *testing.B) {
		openReplayStore(b).Close()
		db, err := pdb.Open(filepath.Join(replayStore.dir, "pebble"), &pdb.Options{ReadOnly: true, Logger: quiet{}})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		b.ResetTimer()
		start := time.Now()
		for range b.N {
			it, err := db.NewIter(&pdb.IterOptions{LowerBound: []byte{'g'}, UpperBound: []byte{'h'}})
			if err != nil {
				b.Fatal(err)
			}
			n, size := 0, 0
			for valid := it.First(); valid; valid = it.Next() {
				n++
				size += len(it.Value())
			}
			if err := it.Close(); err != nil {
				b.Fatal(err)
			}
			if n != replayEvents || size == 0 {
				b.Fatalf("scanned %d events, want %d", n, replayEvents)
			}
		}
		b.ReportMetric(float64(b.N*replayEvents)/time.Since(start).Seconds(), "events/s")
	})
}

// quiet discards pebble's log messages.
type quiet struct{}

func (quiet) Infof(string, ...any)  {}
func (quiet) Errorf(string, ...any) {}
func (quiet) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}
