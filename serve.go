package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/empulse/empulse/api"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/esdb"
	"github.com/empulse/empulse/events/pebble"
)

// shutdownTimeout bounds how long serve waits for requests in flight once it
// is told to stop.
const shutdownTimeout = 10 * time.Second

// runServe is the serve command: it parses args and the environment, then
// serves until ctx is done. Usage asked for with -h goes to stdout; logs go
// to stderr.
func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseServeFlags(args, getenv, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	return serve(ctx, cfg, newLogger(stderr, cfg.LogLevel, cfg.LogFormat))
}

// serve opens the event store in cfg.Data/events, listens on cfg.Addr and
// serves the API until ctx is done; then it shuts the HTTP server down
// gracefully and closes the store. Once it accepts connections it logs
// "listening" with the bound address as "addr", so that port 0 can be used.
func serve(ctx context.Context, cfg serveConfig, logger *slog.Logger) (err error) {
	store, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := store.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close event store: %w", cerr))
		}
		if err == nil {
			logger.Info("stopped")
		}
	}()

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           api.NewRouter(api.Config{Store: store, Logger: logger}),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("listening", "addr", ln.Addr().String(), "data", cfg.Data)
	return serveHTTP(ctx, srv, ln, logger)
}

// openStore opens the event store cfg names: EventStoreDB when cfg.Store is
// set, else the embedded store in cfg.Data/events. It explains the errors an
// operator can fix.
func openStore(ctx context.Context, cfg serveConfig, logger *slog.Logger) (events.Store, error) {
	if cfg.Store != "" {
		store, err := esdb.Open(ctx, cfg.Store, esdb.Options{Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("open EventStoreDB: %w", err)
		}
		logger.Info("event store", "backend", "esdb")
		return store, nil
	}
	data := cfg.Data
	dir := filepath.Join(data, "events")
	store, err := pebble.Open(dir, pebble.Options{Logger: logger})
	switch {
	case errors.Is(err, events.ErrLocked):
		return nil, fmt.Errorf("open event store: %w; is another empulse serving --data %s?", err, data)
	case errors.Is(err, events.ErrUnknownFormat):
		return nil, fmt.Errorf("open event store: %w; the data was left untouched", err)
	case err != nil:
		return nil, fmt.Errorf("open event store in %s: %w", dir, err)
	}
	return store, nil
}

// serveHTTP serves srv on ln until ctx is done, then shuts srv down, waiting
// at most shutdownTimeout for requests in flight.
func serveHTTP(ctx context.Context, srv *http.Server, ln net.Listener, logger *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}

	logger.Info("shutting down", "timeout", shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("shut down http server: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve http: %w", err)
	}
	return nil
}
