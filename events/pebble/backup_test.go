package pebble_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/pebble"
)

// TestStore_BackupWhileAppending takes backups while writers append, each to
// its own stream, and checks that every copy opens as a store holding a
// prefix of the log that ends at the reported position and includes every
// append acknowledged before the backup began.
func TestStore_BackupWhileAppending(t *testing.T) {
	const writers, backups = 8, 5
	s := mustOpen(t, t.TempDir(), pebble.Options{})
	ctx := context.Background()

	acked := make([]atomic.Int64, writers) // revisions acknowledged so far, per writer
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for rev := 0; ; rev++ {
				select {
				case <-stop:
					return
				default:
				}
				_, err := s.Append(ctx, "writer-"+strconv.Itoa(w), events.Any(),
					events.Proposed{ID: uuid.New(), Type: "Written", Data: []byte(`{"n":` + strconv.Itoa(rev) + `}`)})
				if err != nil {
					errc <- err
					return
				}
				acked[w].Store(int64(rev) + 1)
			}
		})
	}

	type copyOf struct {
		dir    string
		pos    events.Position
		before []int64 // acked per writer when the backup began
	}
	var copies []copyOf
	for i := range backups {
		before := make([]int64, writers)
		for w := range acked {
			before[w] = acked[w].Load()
		}
		dir := filepath.Join(t.TempDir(), "backup-"+strconv.Itoa(i))
		pos, err := s.Backup(ctx, dir)
		if err != nil {
			t.Fatalf("Backup %d: %v", i, err)
		}
		copies = append(copies, copyOf{dir, pos, before})
	}
	close(stop)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatalf("append: %v", err)
	}

	all, err := s.ReadAll(ctx, events.Start, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range copies {
		b := mustOpen(t, c.dir, pebble.Options{})
		head, err := b.Head(ctx)
		if err != nil || head != c.pos {
			t.Fatalf("backup %d: head %v, %v; want the reported %v", i, head, err, c.pos)
		}
		got, err := b.ReadAll(ctx, events.Start, 0)
		if err != nil {
			t.Fatal(err)
		}
		if uint64(len(got)) != c.pos.Commit {
			t.Fatalf("backup %d: %d events, want %d (up to %v)", i, len(got), c.pos.Commit, c.pos)
		}
		for j, e := range got {
			if o := all[j]; e.ID != o.ID || e.Position != o.Position || e.Stream != o.Stream || e.Revision != o.Revision {
				t.Fatalf("backup %d: event %d is %s %s@%d at %v, want %s %s@%d at %v", i, j,
					e.ID, e.Stream, e.Revision, e.Position, o.ID, o.Stream, o.Revision, o.Position)
			}
		}
		for w, n := range c.before {
			if n == 0 {
				continue
			}
			evs, err := b.ReadStream(ctx, "writer-"+strconv.Itoa(w), events.Forwards, 0, 0)
			if err != nil || int64(len(evs)) < n {
				t.Errorf("backup %d: writer %d has %d events, %v; want at least the %d acknowledged before", i, w, len(evs), err, n)
			}
		}
		// The copy is a working store: appends continue after its head.
		res, err := b.Append(ctx, "after-restore", events.NoStream(), events.Proposed{ID: uuid.New(), Type: "T", Data: []byte(`{}`)})
		if err != nil || res.Position.Commit != c.pos.Commit+1 {
			t.Fatalf("backup %d: append to the copy at %v, %v; want position %d", i, res.Position, err, c.pos.Commit+1)
		}
	}
	if last := copies[len(copies)-1].pos; last.Commit == 0 || last.Commit > uint64(len(all)) {
		t.Errorf("last backup at %v, want within the log's 1..%d", last, len(all))
	}
}

func TestStore_BackupErrors(t *testing.T) {
	ctx := context.Background()
	s, err := pebble.Open(t.TempDir(), pebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	existing := t.TempDir()
	if _, err := s.Backup(ctx, existing); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Backup into an existing directory: err=%v, want fs.ErrExist", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Backup(cancelled, filepath.Join(t.TempDir(), "b")); !errors.Is(err, context.Canceled) {
		t.Errorf("Backup with a cancelled context: err=%v, want context.Canceled", err)
	}
	s.Close()
	if _, err := s.Backup(ctx, filepath.Join(t.TempDir(), "b")); !errors.Is(err, events.ErrClosed) {
		t.Errorf("Backup after Close: err=%v, want ErrClosed", err)
	}
}

func TestStore_BackupOfEmptyStore(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, t.TempDir(), pebble.Options{})
	dir := filepath.Join(t.TempDir(), "b")
	pos, err := s.Backup(ctx, dir)
	if err != nil || pos != events.Start {
		t.Fatalf("Backup of an empty store: %v, %v; want %v", pos, err, events.Start)
	}
	b := mustOpen(t, dir, pebble.Options{})
	if head, err := b.Head(ctx); err != nil || head != events.Start {
		t.Fatalf("copy's head %v, %v; want %v", head, err, events.Start)
	}
}

// BenchmarkStore_Backup measures backups of a store of 500k answer events
// while 8 writers append, one event each: the time of a backup, and the
// appends' p99 and maximum latency during the backups, beside the same
// figures over as long a time without backups just before (base-).
func BenchmarkStore_Backup(b *testing.B) {
	const seeded, perAppend, writers = 500_000, 1000, 8
	s := mustOpen(b, b.TempDir(), pebble.Options{})
	ctx := context.Background()
	batch := make([]events.Proposed, perAppend)
	for i := 0; i < seeded; i += perAppend {
		for j := range batch {
			batch[j] = events.Proposed{ID: uuid.New(), Type: "AnswerGiven", Data: answerData}
		}
		if _, err := s.Append(ctx, "seed-"+strconv.Itoa(i), events.NoStream(), batch...); err != nil {
			b.Fatal(err)
		}
	}
	// appendFor appends from the writers until stop is closed and returns
	// the latencies, sorted.
	appendFor := func(stop <-chan struct{}) []time.Duration {
		lat := make([][]time.Duration, writers)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					t0 := time.Now()
					if _, err := s.Append(ctx, "live-"+strconv.Itoa(w)+"-"+uuid.NewString(), events.NoStream(),
						events.Proposed{ID: uuid.New(), Type: "AnswerGiven", Data: answerData}); err != nil {
						b.Error(err)
						return
					}
					lat[w] = append(lat[w], time.Since(t0))
				}
			})
		}
		wg.Wait()
		all := slices.Concat(lat...)
		slices.Sort(all)
		return all
	}
	run := func(work func()) []time.Duration {
		stop := make(chan struct{})
		done := make(chan []time.Duration)
		go func() { done <- appendFor(stop) }()
		work()
		close(stop)
		return <-done
	}

	dirs := b.TempDir()
	var elapsed time.Duration
	b.ResetTimer()
	during := run(func() {
		start := time.Now()
		for i := range b.N {
			dir := filepath.Join(dirs, strconv.Itoa(i))
			if _, err := s.Backup(ctx, dir); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			os.RemoveAll(dir)
			b.StartTimer()
		}
		elapsed = time.Since(start)
	})
	b.StopTimer()
	base := run(func() { time.Sleep(elapsed) })
	for _, r := range []struct {
		prefix string
		lat    []time.Duration
	}{{"", during}, {"base-", base}} {
		b.ReportMetric(float64(percentile(r.lat, 99).Microseconds()), r.prefix+"append-p99-µs")
		b.ReportMetric(float64(r.lat[len(r.lat)-1].Microseconds()), r.prefix+"append-max-µs")
	}
}
