package pebble_test

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/pebble"
)

// mustOpen opens a store in dir and closes it when the test ends.
func mustOpen(tb testing.TB, dir string, opts pebble.Options) *pebble.Store {
	tb.Helper()
	s, err := pebble.Open(dir, opts)
	if err != nil {
		tb.Fatalf("Open(%s): %v", dir, err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestOpen_Locked(t *testing.T) {
	dir := t.TempDir()
	mustOpen(t, dir, pebble.Options{})
	_, err := pebble.Open(dir, pebble.Options{})
	if !errors.Is(err, events.ErrLocked) {
		t.Fatalf("second Open: err=%v, want ErrLocked", err)
	}
}

func TestOpen_LockedByOtherProcess(t *testing.T) {
	dir := t.TempDir()
	mustOpen(t, dir, pebble.Options{})
	// A child process (this test binary, run as the crash child) must be
	// refused while this process holds the directory.
	out, err := childOpen(t, dir)
	if err == nil {
		t.Fatalf("child opened a directory in use; output: %s", out)
	}
	if want := events.ErrLocked.Error(); !strings.Contains(out, want) {
		t.Fatalf("child said %q, want a message containing %q", out, want)
	}
}

func TestOpen_Format(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
	}{
		{"FutureVersion", map[string]string{"FORMAT": "empulse-events 2\n"}},
		{"ForeignFormat", map[string]string{"FORMAT": "something else\n"}},
		{"NotAStore", map[string]string{"notes.txt": "hello"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := pebble.Open(dir, pebble.Options{})
			if !errors.Is(err, events.ErrUnknownFormat) {
				t.Fatalf("Open: err=%v, want ErrUnknownFormat", err)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if _, ours := tt.files[e.Name()]; !ours && e.Name() != "LOCK" {
					t.Errorf("Open wrote %s into a refused directory", e.Name())
				}
			}
			for name, content := range tt.files {
				got, _ := os.ReadFile(filepath.Join(dir, name))
				if string(got) != content {
					t.Errorf("%s = %q, want it untouched (%q)", name, got, content)
				}
			}
		})
	}
}

func TestOpen_Reopen(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)
	s, err := pebble.Open(dir, pebble.Options{Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	id := uuid.New()
	if _, err := s.Append(ctx, "team-1", events.NoStream(), events.Proposed{ID: id, Type: "TeamCreated", Data: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = mustOpen(t, dir, pebble.Options{})
	evs, err := s.ReadStream(ctx, "team-1", events.Forwards, 0, 0)
	if err != nil || len(evs) != 1 {
		t.Fatalf("after reopen: %d events, %v; want 1", len(evs), err)
	}
	if evs[0].ID != id || !evs[0].Recorded.Equal(at) {
		t.Fatalf("after reopen: id %s recorded %v, want %s %v", evs[0].ID, evs[0].Recorded, id, at)
	}
	res, err := s.Append(ctx, "team-2", events.NoStream(), events.Proposed{ID: uuid.New(), Type: "TeamCreated", Data: []byte(`{}`)})
	if err != nil || res.Position.Commit != 2 {
		t.Fatalf("append after reopen: position %v, %v; want 2", res.Position, err)
	}
}

func TestStore_Compact(t *testing.T) {
	dir := t.TempDir()
	s, err := pebble.Open(dir, pebble.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 50 {
		if _, err := s.Append(ctx, "compact-"+strconv.Itoa(i%5), events.Any(),
			events.Proposed{ID: uuid.New(), Type: "Compacted", Data: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Compact(ctx); err != nil {
		t.Fatalf("Compact: %v", err)
	}
	all, err := s.ReadAll(ctx, events.Start, 0)
	if err != nil || len(all) != 50 {
		t.Fatalf("after Compact: %d events, %v; want 50", len(all), err)
	}
	s.Close()
	if err := s.Compact(ctx); !errors.Is(err, events.ErrClosed) {
		t.Fatalf("Compact after Close: err=%v, want ErrClosed", err)
	}
}

func TestAppend_RevisionMaxIsNoRetry(t *testing.T) {
	s := mustOpen(t, t.TempDir(), pebble.Options{})
	ctx := context.Background()
	e := events.Proposed{ID: uuid.New(), Type: "T", Data: []byte(`{}`)}
	if _, err := s.Append(ctx, "s", events.NoStream(), e); err != nil {
		t.Fatal(err)
	}
	// Revision(max)+1 wraps to 0, where e was written; it must not pass
	// for a retry of the NoStream append.
	if _, err := s.Append(ctx, "s", events.Revision(math.MaxUint64), e); !errors.Is(err, events.ErrWrongRevision) {
		t.Fatalf("Append with Revision(MaxUint64): err=%v, want a conflict", err)
	}
}

// TestAppend_OwnsDataAfterCtxError checks that an append the caller gave up
// on (ctx error) but the committer still writes stores the data as it was
// passed, even if the caller reuses its buffer at once.
func TestAppend_OwnsDataAfterCtxError(t *testing.T) {
	release := make(chan struct{})
	var first atomic.Bool
	s := mustOpen(t, t.TempDir(), pebble.Options{Now: func() time.Time {
		if first.CompareAndSwap(false, true) {
			<-release // hold the committer on the first group
		}
		return time.Now()
	}})
	ctx := context.Background()
	go s.Append(ctx, "first", events.NoStream(), events.Proposed{ID: uuid.New(), Type: "T", Data: []byte(`{}`)})

	buf := []byte(`{"v":"original"}`)
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err := s.Append(short, "second", events.NoStream(), events.Proposed{ID: uuid.New(), Type: "T", Data: buf})
	if !errors.Is(err, context.DeadlineExceeded) {
		close(release)
		t.Fatalf("Append behind a held committer: err=%v, want DeadlineExceeded", err)
	}
	copy(buf, `{"v":"REUSED!!!"}`)
	close(release)

	deadline := time.Now().Add(10 * time.Second)
	for {
		evs, err := s.ReadStream(ctx, "second", events.Forwards, 0, 0)
		if err == nil {
			if got := string(evs[0].Data); got != `{"v":"original"}` {
				t.Fatalf("stored data %s, want the bytes as passed", got)
			}
			return
		}
		if !errors.Is(err, events.ErrStreamNotFound) || time.Now().After(deadline) {
			t.Fatalf("ReadStream: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestAppend_RetryOfIDReusedInAnotherStream checks that an Any retry is
// recognised even after the same event ID was written to another stream.
func TestAppend_RetryOfIDReusedInAnotherStream(t *testing.T) {
	s := mustOpen(t, t.TempDir(), pebble.Options{})
	ctx := context.Background()
	e := events.Proposed{ID: uuid.New(), Type: "T", Data: []byte(`{}`)}
	first, err := s.Append(ctx, "s1", events.Any(), e)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, "s2", events.Any(), e); err != nil {
		t.Fatal(err)
	}
	retry, err := s.Append(ctx, "s1", events.Any(), e)
	if err != nil || retry != first {
		t.Fatalf("retry in s1: %+v, %v; want the first result %+v", retry, err, first)
	}
	if evs, _ := s.ReadStream(ctx, "s1", events.Forwards, 0, 0); len(evs) != 1 {
		t.Fatalf("s1 has %d events after the retry, want 1", len(evs))
	}
}
