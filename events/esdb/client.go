package esdb

import (
	"context"
	"fmt"
	"log/slog"

	kurrent "github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"github.com/empulse/empulse/events"
)

func (s *Store) newClient() (*kurrent.Client, error) {
	conf := s.conf
	return kurrent.NewClient(&conf)
}

// current returns the client in use, or ErrClosed.
func (s *Store) current() (*kurrent.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, events.ErrClosed
	}
	return s.client, nil
}

// replace swaps old, a client that has closed itself, for a new one, unless
// another call has already done so, and returns the client to use.
func (s *Store) replace(old *kurrent.Client) (*kurrent.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, events.ErrClosed
	}
	if s.client != old {
		return s.client, nil
	}
	c, err := s.newClient()
	if err != nil {
		return nil, err
	}
	s.log.Warn("esdb: client closed itself after failed node discovery; replacing it")
	s.client = c
	old.Close()
	return c, nil
}

// call runs fn with the current client. When the client turns out to have
// closed itself, call replaces it and runs fn once more. A closed client
// refuses calls before sending anything; the one case where fn may have sent
// an append first (errClientPanicked, see protect) is safe to retry too, as
// the server treats an append of the same event IDs with the same
// expectation as a retry.
func (s *Store) call(fn func(*kurrent.Client) error) error {
	c, err := s.current()
	if err != nil {
		return err
	}
	err = protect(func() error { return fn(c) })
	if !clientClosed(err) {
		return err
	}
	if c, err = s.replace(c); err != nil {
		return err
	}
	return protect(func() error { return fn(c) })
}

// clientLogger adapts log to the client's logging callback. The client logs
// every dropped subscription and failed call at error level although the
// Store handles them, so its levels are lowered by one step.
func clientLogger(log *slog.Logger) kurrent.LoggingFunc {
	return func(level kurrent.LogLevel, format string, args ...any) {
		lvl := slog.LevelDebug
		switch level {
		case kurrent.LogError:
			lvl = slog.LevelWarn
		case kurrent.LogWarn:
			lvl = slog.LevelInfo
		}
		if !log.Enabled(context.Background(), lvl) {
			return
		}
		log.Log(context.Background(), lvl, "esdb client: "+fmt.Sprintf(format, args...))
	}
}
