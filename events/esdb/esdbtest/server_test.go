package esdbtest_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	kurrent "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/esdb/esdbtest"
	"github.com/empulse/empulse/events/pebble"
)

// MustClient starts a Server on a fresh embedded store and returns the
// official client connected to it, with the store.
func MustClient(tb testing.TB) (*kurrent.Client, events.Store) {
	tb.Helper()
	st, err := pebble.Open(tb.TempDir(), pebble.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	conn, _ := esdbtest.Start(tb, st)
	conf, err := kurrent.ParseConnectionString(conn)
	if err != nil {
		tb.Fatal(err)
	}
	conf.Logger = kurrent.NoopLogging()
	c, err := kurrent.NewClient(conf)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c, st
}

func eventData(n int, typ string) []kurrent.EventData {
	out := make([]kurrent.EventData, n)
	for i := range out {
		out[i] = kurrent.EventData{EventID: uuid.New(), EventType: typ, ContentType: kurrent.ContentTypeJson, Data: []byte(`{}`)}
	}
	return out
}

func codeOf(err error) kurrent.ErrorCode {
	var ke *kurrent.Error
	if errors.As(err, &ke) {
		return ke.Code()
	}
	return -1
}

// TestServer_Protocol drives the unmodified client against the Server and
// checks the behaviours of the real server that the client relies on.
func TestServer_Protocol(t *testing.T) {
	c, _ := MustClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	t.Run("Version", func(t *testing.T) {
		v, err := c.GetServerVersion()
		if err != nil || v.Major != 24 || v.Minor != 10 {
			t.Fatalf("version=%+v, %v; want 24.10.0", v, err)
		}
	})

	before := time.Now()
	res, err := c.AppendToStream(ctx, "proto-a", kurrent.AppendToStreamOptions{ExpectedRevision: kurrent.NoStream{}}, eventData(3, "Created")...)
	if err != nil {
		t.Fatalf("AppendToStream: %v", err)
	}
	if res.NextExpectedVersion != 2 || res.CommitPosition == 0 {
		t.Fatalf("append result=%+v, want revision 2 and a position", res)
	}
	if _, err := c.AppendToStream(ctx, "proto-b", kurrent.AppendToStreamOptions{}, eventData(5, "Other")...); err != nil {
		t.Fatalf("AppendToStream: %v", err)
	}

	t.Run("RecordedEvent", func(t *testing.T) {
		rs, err := c.ReadStream(ctx, "proto-a", kurrent.ReadStreamOptions{}, 10)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		for rev := uint64(0); ; rev++ {
			ev, err := rs.Recv()
			if errors.Is(err, io.EOF) {
				if rev != 3 {
					t.Fatalf("read %d events, want 3", rev)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			e := ev.OriginalEvent()
			if e.StreamID != "proto-a" || e.EventNumber != rev || e.EventType != "Created" || e.ContentType != "application/json" {
				t.Fatalf("event %d=%+v", rev, e)
			}
			if e.CreatedDate.Before(before.Add(-time.Second)) || e.CreatedDate.After(time.Now()) {
				t.Fatalf("created=%v, want about now", e.CreatedDate)
			}
		}
	})

	t.Run("StreamNotFound", func(t *testing.T) {
		rs, err := c.ReadStream(ctx, "proto-missing", kurrent.ReadStreamOptions{}, 10)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		if _, err := rs.Recv(); codeOf(err) != kurrent.ErrorCodeResourceNotFound {
			t.Fatalf("err=%v, want ErrorCodeResourceNotFound", err)
		}
	})

	t.Run("WrongExpectedVersion", func(t *testing.T) {
		_, err := c.AppendToStream(ctx, "proto-a", kurrent.AppendToStreamOptions{ExpectedRevision: kurrent.Revision(0)}, eventData(1, "X")...)
		if codeOf(err) != kurrent.ErrorCodeWrongExpectedVersion {
			t.Fatalf("err=%v, want ErrorCodeWrongExpectedVersion", err)
		}
	})

	t.Run("ExclusiveStart", func(t *testing.T) {
		sub, err := c.SubscribeToStream(ctx, "proto-a", kurrent.SubscribeToStreamOptions{From: kurrent.Revision(0)})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		for _, want := range []uint64{1, 2} {
			ev := sub.Recv()
			if ev.EventAppeared == nil || ev.EventAppeared.OriginalEvent().EventNumber != want {
				t.Fatalf("got %+v, want the event at revision %d", ev, want)
			}
		}
		if ev := sub.Recv(); ev.CaughtUp == nil {
			t.Fatalf("got %+v, want caught up", ev)
		}
	})

	t.Run("FilteredCheckpoints", func(t *testing.T) {
		// Window 2 x multiplier 2: a checkpoint every 4 scanned events, and
		// one at the end of catch-up. 8 events are in the log.
		sub, err := c.SubscribeToAll(ctx, kurrent.SubscribeToAllOptions{
			From:            kurrent.Start{},
			Filter:          &kurrent.SubscriptionFilter{Type: kurrent.StreamFilterType, Prefixes: []string{"nothing"}},
			MaxSearchWindow: 2, CheckpointInterval: 2,
		})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		var checkpoints []uint64
		for {
			ev := sub.Recv()
			switch {
			case ev.EventAppeared != nil:
				t.Fatalf("the filter let through %+v", ev.EventAppeared.OriginalEvent())
			case ev.CheckPointReached != nil:
				checkpoints = append(checkpoints, ev.CheckPointReached.Commit)
			case ev.CaughtUp != nil:
				if len(checkpoints) != 2 {
					t.Fatalf("checkpoints at %v, want 2 (after 4 and 8 events)", checkpoints)
				}
				return
			default:
				t.Fatalf("unexpected %+v", ev)
			}
		}
	})

	t.Run("Tombstone", func(t *testing.T) {
		if _, err := c.TombstoneStream(ctx, "proto-b", kurrent.TombstoneStreamOptions{ExpectedRevision: kurrent.Any{}}); err != nil {
			t.Fatal(err)
		}
		_, err := c.AppendToStream(ctx, "proto-b", kurrent.AppendToStreamOptions{}, eventData(1, "X")...)
		if codeOf(err) != kurrent.ErrorCodeStreamDeleted {
			t.Fatalf("err=%v, want ErrorCodeStreamDeleted", err)
		}
	})
}
