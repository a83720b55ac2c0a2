package esdb_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/esdb"
	"github.com/empulse/empulse/events/storetest"
)

// realServerEnv names the variable that points the tests at a real
// EventStoreDB or KurrentDB server, for example
// "esdb://localhost:2113?tls=false". Unset, the real-server tests are skipped.
const realServerEnv = "EMPULSE_ESDB_URL"

// TestConformance_RealServer runs the shared suite against a real server
// when EMPULSE_ESDB_URL is set. The suite wants a new, empty store for each
// test, which a shared server cannot give, so each test gets an isolated
// view: its streams get a prefix unique to the test, and reads of the
// global log, Head and subscriptions show only those streams.
//
// Known differences the view cannot hide (see the package report): the
// Large tests need the server's maximum append size raised to 16 MiB
// (EVENTSTORE_MAX_APPEND_SIZE=16777216), and a real server places checkpoints
// by its own scanning of a log that also holds its system events, so the
// suite's exact last-checkpoint check may fail there.
func TestConformance_RealServer(t *testing.T) {
	url := os.Getenv(realServerEnv)
	if url == "" {
		t.Skipf("%s not set; no real EventStoreDB to test against", realServerEnv)
	}
	storetest.Run(t, func(tb testing.TB) events.Store {
		return newIsolated(tb, MustOpen(tb, url, esdb.Options{}))
	})
}

// isolated is a view of a shared Store that shows only its own streams.
//
// It learns the positions of its own events by scanning the shared log
// (sync), so that Head, ReadAll and the positions of checkpoints can be told
// in terms of its own events, and it only ever hands the shared Store
// positions of real events.
type isolated struct {
	inner  events.Store
	prefix string
	base   events.Position // the shared log's head when the view was made

	mu     sync.Mutex
	names  map[string]string // inner name -> name
	cursor events.Position   // the shared log is scanned up to here
	own    []events.Position // positions of the view's events, in order
}

func newIsolated(tb testing.TB, inner events.Store) *isolated {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	base, err := inner.Head(ctx)
	if err != nil {
		tb.Fatalf("Head: %v", err)
	}
	return &isolated{
		inner:  inner,
		prefix: "t" + strings.ReplaceAll(uuid.NewString(), "-", "")[:12] + "-",
		base:   base,
		cursor: base,
		names:  make(map[string]string),
	}
}

// in returns the shared name of stream: the prefix and the name, or a hash
// of it when that would be too long.
func (v *isolated) in(stream string) string {
	name := v.prefix + stream
	if len(name) > events.MaxStreamLen {
		sum := sha256.Sum256([]byte(stream))
		name = v.prefix + hex.EncodeToString(sum[:])
	}
	v.mu.Lock()
	v.names[name] = stream
	v.mu.Unlock()
	return name
}

// out returns e as the view shows it, and whether the view shows it.
func (v *isolated) out(e events.Event) (events.Event, bool) {
	if !strings.HasPrefix(e.Stream, v.prefix) {
		return e, false
	}
	v.mu.Lock()
	name, ok := v.names[e.Stream]
	v.mu.Unlock()
	if !ok {
		name = strings.TrimPrefix(e.Stream, v.prefix)
	}
	e.Stream = name
	return e, true
}

// sync scans the shared log written since the last sync for the view's
// events and returns their positions so far.
func (v *isolated) sync(ctx context.Context) ([]events.Position, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for {
		page, err := v.inner.ReadAll(ctx, v.cursor, 1024)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			if v.cursor != events.Start && !v.cursor.Less(e.Position) {
				continue
			}
			v.cursor = e.Position
			if strings.HasPrefix(e.Stream, v.prefix) {
				v.own = append(v.own, e.Position)
			}
		}
		if len(page) < 1024 {
			return v.own, nil
		}
	}
}

// clamp returns the position of the view's last event at or before p, or
// Start.
func (v *isolated) clamp(ctx context.Context, p events.Position) (events.Position, error) {
	own, err := v.sync(ctx)
	if err != nil {
		return p, err
	}
	i := sort.Search(len(own), func(i int) bool { return p.Less(own[i]) })
	if i == 0 {
		return events.Start, nil
	}
	return own[i-1], nil
}

func (v *isolated) Append(ctx context.Context, stream string, expected events.ExpectedRevision, evs ...events.Proposed) (events.AppendResult, error) {
	if err := events.ValidateAppend(stream, evs); err != nil {
		return events.AppendResult{}, err
	}
	res, err := v.inner.Append(ctx, v.in(stream), expected, evs...)
	var ce *events.ConflictError
	if errors.As(err, &ce) {
		return res, &events.ConflictError{Stream: stream, Expected: ce.Expected, Actual: ce.Actual}
	}
	return res, err
}

func (v *isolated) ReadStream(ctx context.Context, stream string, dir events.Direction, from uint64, limit int) ([]events.Event, error) {
	if err := events.ValidateStream(stream); err != nil {
		return nil, err
	}
	evs, err := v.inner.ReadStream(ctx, v.in(stream), dir, from, limit)
	for i := range evs {
		evs[i], _ = v.out(evs[i])
	}
	return evs, err
}

// ReadAll reads the shared log from the view's first event at or after
// from, keeping the view's events.
func (v *isolated) ReadAll(ctx context.Context, from events.Position, limit int) ([]events.Event, error) {
	own, err := v.sync(ctx)
	if err != nil {
		return nil, err
	}
	i := sort.Search(len(own), func(i int) bool { return !own[i].Less(from) })
	if i == len(own) {
		return nil, nil
	}
	evs, err := v.inner.ReadAll(ctx, own[i], 0)
	if err != nil {
		return nil, err
	}
	var out []events.Event
	for _, e := range evs {
		if e, ok := v.out(e); ok {
			out = append(out, e)
			if len(out) == limit {
				break
			}
		}
	}
	return out, nil
}

// Head returns the position of the view's last event.
func (v *isolated) Head(ctx context.Context) (events.Position, error) {
	own, err := v.sync(ctx)
	if err != nil || len(own) == 0 {
		return events.Start, err
	}
	return own[len(own)-1], nil
}

func (v *isolated) Subscribe(ctx context.Context, from events.Position, f events.Filter) (events.Subscription, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	inner := f
	switch {
	case len(f.StreamPrefixes) > 0:
		inner.StreamPrefixes = make([]string, len(f.StreamPrefixes))
		for i, p := range f.StreamPrefixes {
			inner.StreamPrefixes[i] = v.prefix + p
		}
	case len(f.TypePrefixes) == 0:
		inner.StreamPrefixes = []string{v.prefix}
	}
	if !v.base.Less(from) {
		from = v.base
	}
	sub, err := v.inner.Subscribe(ctx, from, inner)
	if err != nil {
		return nil, err
	}
	return &isolatedSub{Subscription: sub, v: v}, nil
}

func (v *isolated) Close() error { return v.inner.Close() }

// isolatedSub hides the events of other views. Checkpoints and CaughtUp
// lie at positions of the shared log; the view moves them back to its own
// last event at or before them, which is still true ("scanned up to here").
type isolatedSub struct {
	events.Subscription
	v *isolated
}

func (s *isolatedSub) Recv(ctx context.Context) (events.Message, error) {
	for {
		m, err := s.Subscription.Recv(ctx)
		if err != nil {
			return m, err
		}
		if m.Kind != events.EventMessage {
			m.Position, err = s.v.clamp(ctx, m.Position)
			return m, err
		}
		if e, ok := s.v.out(m.Event); ok {
			m.Event = e
			return m, nil
		}
	}
}
