package esdb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	kurrent "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/esdb"
)

// mustClient returns the official client on connString, for what the Store
// does not offer (deleting streams).
func mustClient(tb testing.TB, connString string) *kurrent.Client {
	tb.Helper()
	conf, err := kurrent.ParseConnectionString(connString)
	if err != nil {
		tb.Fatal(err)
	}
	conf.Logger = kurrent.NoopLogging()
	c, err := kurrent.NewClient(conf)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// TestStore_DeletedStream checks the mapping of deleted streams: a
// tombstoned stream is events.ErrStreamDeleted for appends and reads, a
// soft-deleted one reads as not found and continues its revisions when it is
// written again.
func TestStore_DeletedStream(t *testing.T) {
	eachServer(t, func(t *testing.T, conn string) {
		st := MustOpen(t, conn, esdb.Options{})
		client := mustClient(t, conn)
		ctx := testContext(t, 10*time.Second)
		tomb, soft := unique("org-tomb"), unique("org-soft")
		for _, s := range []string{tomb, soft} {
			if _, err := st.Append(ctx, s, events.NoStream(), proposed(3, "TeamCreated")...); err != nil {
				t.Fatalf("Append(%q): %v", s, err)
			}
		}

		t.Run("Tombstoned", func(t *testing.T) {
			if _, err := client.TombstoneStream(ctx, tomb, kurrent.TombstoneStreamOptions{ExpectedRevision: kurrent.Revision(2)}); err != nil {
				t.Fatalf("TombstoneStream: %v", err)
			}
			_, err := st.Append(ctx, tomb, events.Any(), proposed(1, "TeamCreated")...)
			if !errors.Is(err, events.ErrStreamDeleted) {
				t.Fatalf("Append: err=%v, want events.ErrStreamDeleted", err)
			}
			_, err = st.ReadStream(ctx, tomb, events.Forwards, 0, 0)
			if !errors.Is(err, events.ErrStreamDeleted) {
				t.Fatalf("ReadStream: err=%v, want events.ErrStreamDeleted", err)
			}
		})

		t.Run("SoftDeleted", func(t *testing.T) {
			if _, err := client.DeleteStream(ctx, soft, kurrent.DeleteStreamOptions{ExpectedRevision: kurrent.StreamExists{}}); err != nil {
				t.Fatalf("DeleteStream: %v", err)
			}
			_, err := st.ReadStream(ctx, soft, events.Forwards, 0, 0)
			if !errors.Is(err, events.ErrStreamNotFound) {
				t.Fatalf("ReadStream: err=%v, want events.ErrStreamNotFound", err)
			}
			res, err := st.Append(ctx, soft, events.NoStream(), proposed(1, "TeamCreated")...)
			if err != nil {
				t.Fatalf("Append after delete: %v", err)
			}
			if res.Revision != 3 {
				t.Fatalf("revision=%d, want 3 (continuing where the stream left off)", res.Revision)
			}
			evs, err := st.ReadStream(ctx, soft, events.Forwards, 0, 0)
			if err != nil || len(evs) != 1 || evs[0].Revision != 3 {
				t.Fatalf("ReadStream=%d events, %v; want only revision 3", len(evs), err)
			}
		})

		t.Run("RecreatedAtDeletedRevision", func(t *testing.T) {
			s := unique("org-again")
			if _, err := st.Append(ctx, s, events.NoStream(), proposed(2, "TeamCreated")...); err != nil {
				t.Fatalf("Append: %v", err)
			}
			if _, err := client.DeleteStream(ctx, s, kurrent.DeleteStreamOptions{ExpectedRevision: kurrent.Revision(1)}); err != nil {
				t.Fatalf("DeleteStream: %v", err)
			}
			res, err := st.Append(ctx, s, events.Revision(1), proposed(1, "TeamCreated")...)
			if err != nil || res.Revision != 2 {
				t.Fatalf("Append after delete=%+v, %v; want revision 2", res, err)
			}
		})

		t.Run("DeleteWrongRevision", func(t *testing.T) {
			_, err := client.DeleteStream(ctx, soft, kurrent.DeleteStreamOptions{ExpectedRevision: kurrent.Revision(0)})
			if err == nil {
				t.Fatal("DeleteStream with a wrong expected revision succeeded")
			}
		})

		t.Run("Cancelled", func(t *testing.T) {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := st.ReadStream(cctx, soft, events.Forwards, 0, 0); !errors.Is(err, context.Canceled) {
				t.Fatalf("err=%v, want context.Canceled", err)
			}
		})
	})
}
