package esdb

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	kurrent "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/empulse/empulse/events"
)

var _ events.Store = (*Store)(nil)

// Options configures a Store. The zero Options is ready to use.
type Options struct {
	// Logger receives the client's own log lines and the Store's reconnect
	// warnings. Nil discards them.
	Logger *slog.Logger
	// RetryMin and RetryMax bound the jittered exponential backoff between
	// attempts to resume a dropped subscription. They default to 50 ms and
	// 5 s.
	RetryMin, RetryMax time.Duration
	// Rand returns a number in [0, 1) that spreads the backoff delays. Nil
	// uses math/rand/v2.
	Rand func() float64
	// After waits for a backoff delay, like time.After. Nil uses a timer.
	After func(d time.Duration) <-chan time.Time
}

// Store is an events.Store kept in EventStoreDB. It is safe for concurrent
// use. Make one with Open.
type Store struct {
	conf    kurrent.Configuration // template for every client made
	log     *slog.Logger
	backoff backoff

	mu     sync.Mutex
	client *kurrent.Client
	closed bool
	subs   map[*subscription]struct{}
}

// Open connects to the EventStoreDB named by connString and checks that it
// answers. connString is an EventStoreDB connection string: esdb:// with one
// or several hosts, or esdb+discover:// for DNS discovery, with credentials and
// TLS settings as the official client accepts them, for example
// "esdb://admin:changeit@localhost:2113?tls=true&tlsVerifyCert=false".
//
// Open returns an error for a malformed connection string, ctx's error, or an
// error wrapping events.ErrUnavailable when no node answers.
func Open(ctx context.Context, connString string, opts Options) (*Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	conf, err := kurrent.ParseConnectionString(connString)
	if err != nil {
		return nil, fmt.Errorf("esdb: open: %w", err)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	conf.Logger = clientLogger(log)
	s := &Store{
		conf:    *conf,
		log:     log,
		backoff: newBackoff(opts),
		subs:    make(map[*subscription]struct{}),
	}
	if s.client, err = s.newClient(); err != nil {
		return nil, fmt.Errorf("esdb: open: %w", err)
	}
	if err := s.ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// ping makes the client discover a node, which is its first network call.
func (s *Store) ping(ctx context.Context) error {
	done := make(chan error, 1)
	go func() {
		done <- s.call(func(c *kurrent.Client) error {
			_, err := c.GetServerVersion()
			return err
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			return s.mapErr(ctx, "open", "", err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// isClosed reports whether Close has been called.
func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Close ends every subscription with ErrClosed and closes the connection.
// Calls still in flight return ErrClosed. Close always returns nil.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	subs := s.subs
	s.subs = nil
	c := s.client
	s.mu.Unlock()

	for sub := range subs {
		sub.end()
	}
	for sub := range subs {
		<-sub.done
	}
	if c != nil {
		c.Close()
	}
	return nil
}

// track registers a running subscription; it returns ErrClosed after Close.
func (s *Store) track(sub *subscription) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return events.ErrClosed
	}
	s.subs[sub] = struct{}{}
	return nil
}

func (s *Store) forget(sub *subscription) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.subs, sub)
}
