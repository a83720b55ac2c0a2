package esdb_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/esdb"
)

// TestStore_ReplacesClosedClient stops the server until the client gives up
// on node discovery and closes itself for good, then restarts it: the next
// call must succeed on a new client instead of failing with
// ErrorCodeConnectionClosed forever.
func TestStore_ReplacesClosedClient(t *testing.T) {
	conn, srv := MustServer(t)
	replaced := newLogCounter("replacing")
	st := MustOpen(t, conn+"&maxDiscoverAttempts=2&discoveryInterval=10", esdb.Options{Logger: slog.New(replaced)})
	ctx := testContext(t, 20*time.Second)
	if _, err := st.Append(ctx, "org-1", events.NoStream(), proposed(1, "OrgCreated")...); err != nil {
		t.Fatalf("Append: %v", err)
	}

	srv.Stop()
	// The first failure makes the client rediscover; the rediscovery fails
	// and the client closes itself.
	for i := range 2 {
		_, err := st.Append(ctx, "org-1", events.Any(), proposed(1, "TeamCreated")...)
		if !errors.Is(err, events.ErrUnavailable) {
			t.Fatalf("Append %d while stopped: err=%v, want events.ErrUnavailable", i, err)
		}
	}
	if err := srv.Restart(); err != nil {
		t.Fatalf("Restart: %v", err)
	}
	res, err := st.Append(ctx, "org-1", events.Revision(0), proposed(1, "TeamCreated")...)
	if err != nil {
		t.Fatalf("Append after restart: %v", err)
	}
	if res.Revision != 1 {
		t.Fatalf("revision=%d, want 1", res.Revision)
	}
	if replaced.n.Load() != 1 {
		t.Fatalf("client replaced %d times, want 1", replaced.n.Load())
	}
}

// deadAddr returns a loopback address where nothing listens.
func deadAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestOpen_ConnectionStrings opens Stores with the connection-string forms
// the official client accepts, against the test server, and checks that
// each can write and read.
func TestOpen_ConnectionStrings(t *testing.T) {
	conn, srv := MustServer(t)
	addr, dead := srv.Addr(), deadAddr(t)
	cases := []struct{ name, conn string }{
		{"SingleHost", conn},
		{"Credentials", fmt.Sprintf("esdb://admin:changeit@%s?tls=false", addr)},
		{"GossipSeeds", fmt.Sprintf("esdb://%s,%s?tls=false&maxDiscoverAttempts=3&discoveryInterval=10", dead, addr)},
		{"Discover", fmt.Sprintf("esdb+discover://%s?tls=false", addr)},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := MustOpen(t, c.conn, esdb.Options{})
			ctx := testContext(t, 10*time.Second)
			stream := fmt.Sprintf("conn-%d", i)
			if _, err := st.Append(ctx, stream, events.NoStream(), proposed(1, "Connected")...); err != nil {
				t.Fatalf("Append: %v", err)
			}
			if evs, err := st.ReadStream(ctx, stream, events.Forwards, 0, 0); err != nil || len(evs) != 1 {
				t.Fatalf("ReadStream=%d events, %v; want 1, nil", len(evs), err)
			}
		})
	}

	t.Run("Malformed", func(t *testing.T) {
		_, err := esdb.Open(testContext(t, time.Second), "http://"+addr, esdb.Options{})
		if err == nil || !strings.Contains(err.Error(), "scheme") {
			t.Fatalf("err=%v, want a scheme error", err)
		}
	})
	t.Run("Unreachable", func(t *testing.T) {
		_, err := esdb.Open(testContext(t, 10*time.Second), "esdb://"+dead+"?tls=false&maxDiscoverAttempts=2&discoveryInterval=10", esdb.Options{})
		if !errors.Is(err, events.ErrUnavailable) {
			t.Fatalf("err=%v, want events.ErrUnavailable", err)
		}
	})
	t.Run("OpenCancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := esdb.Open(ctx, "esdb://"+dead+"?tls=false&maxDiscoverAttempts=50&discoveryInterval=20", esdb.Options{})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err=%v, want context.Canceled", err)
		}
	})
}
