package main

import (
	"context"
	"crypto/rand"
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
	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/esdb"
	"github.com/empulse/empulse/events/pebble"
	"github.com/empulse/empulse/metrics"
	"github.com/empulse/empulse/projections"
	"github.com/empulse/empulse/vault"
	vpebble "github.com/empulse/empulse/vault/pebble"
	"github.com/empulse/empulse/web"
)

// shutdownTimeout bounds how long serve waits for requests in flight once it
// is told to stop.
const shutdownTimeout = 10 * time.Second

// schedulerInterval is how often the scheduler opens and closes the pulses
// that are due.
const schedulerInterval = time.Minute

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

// serve opens the event store in cfg.Data/events (or EventStoreDB) and the
// vault in cfg.Data/vault, listens on cfg.Addr and serves the API, with the
// pulse scheduler running, until ctx is done; then it shuts the HTTP server
// down gracefully, stops the scheduler and closes the vault and the store.
// Once it accepts connections it logs "listening" with the bound address as
// "addr", so that port 0 can be used.
func serve(ctx context.Context, cfg serveConfig, logger *slog.Logger) (err error) {
	store, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	m := metrics.New()
	rawStore := store // the embedded store's own methods (Backup) stay reachable
	store = m.Store(store)
	defer func() {
		if cerr := store.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close event store: %w", cerr))
		}
		if err == nil {
			logger.Info("stopped")
		}
	}()
	vlt, err := openVault(cfg, logger)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := vlt.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close vault: %w", cerr))
		}
	}()
	adminHash, err := adminTokenHash(cfg.Data, cfg.AdminToken, rand.Reader, logger)
	if err != nil {
		return err
	}
	// The projections tell the live updates what changed; those are made
	// once the app and the address are known, before the runner starts.
	var updates *liveUpdates
	runner, err := openProjections(cfg, store, vlt, logger, func(c []projections.Change) { updates.changed(c) })
	if err != nil {
		return err
	}
	defer func() {
		if cerr := runner.Stop(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("stop projections: %w", cerr))
		}
	}()
	// The app tells the live updates whose connections to close once they
	// exist.
	a, err := app.New(app.Config{Store: store, Vault: vlt, AdminTokenHash: adminHash, Rand: rand.Reader, Logger: logger,
		Received: runner.Received, LinkTTL: time.Duration(cfg.LinkTTL), Disconnect: func(hashes []string) { updates.disconnect(hashes) },
		// The embedded store is this process's alone; EventStoreDB is
		// shared with other nodes.
		Exclusive: cfg.Store == ""})
	if err != nil {
		return err
	}
	// An erasure interrupted between deleting the vault entry and appending
	// its event (a crash) is completed before anything is served. Beside
	// EventStoreDB each node keeps its own vault, which lacks the entries of
	// members added through other nodes, so there it is left to a retry.
	if cfg.Store == "" {
		if _, err := a.CompleteErasures(ctx); err != nil {
			return fmt.Errorf("complete interrupted erasures: %w", err)
		}
	}

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	publicURL := cfg.PublicURL
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String()
	}

	updates = newLiveUpdates(a, runner, publicURL, logger)
	registerMetrics(m, store, runner, updates.hub)
	liveCtx, stopLive := context.WithCancel(ctx)
	liveDone := make(chan struct{})
	go func() {
		defer close(liveDone)
		updates.run(liveCtx)
	}()
	// The runner follows the log before anything is served and is stopped
	// (its state saved) after the live updates and before the stores close.
	runner.Start(ctx)
	defer func() { stopLive(); <-liveDone }()

	schedCtx, stopSched := context.WithCancel(ctx)
	schedDone := make(chan struct{})
	go func() {
		defer close(schedDone)
		_ = a.RunScheduler(schedCtx, schedulerInterval)
	}()
	defer func() { stopSched(); <-schedDone }()

	srv := &http.Server{
		Handler: api.NewRouter(api.Config{Store: store, Logger: logger, App: a, BaseURL: publicURL, Scores: runner,
			Live: updates.hub, Metrics: m.Handler(), Observe: m.ObserveRequest, Pages: web.Handler(),
			Backup: backupFunc(rawStore, vlt, cfg.Data, logger)}),
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

// openVault opens the vault of member keys and pseudonyms in
// cfg.Data/vault, explaining the errors an operator can fix.
func openVault(cfg serveConfig, logger *slog.Logger) (*vpebble.Vault, error) {
	if cfg.Store != "" {
		// The vault is not yet in EventStoreDB: each node keeps its own.
		logger.Warn("the vault of member keys is local to this node's data directory", "dir", filepath.Join(cfg.Data, "vault"))
	}
	dir := filepath.Join(cfg.Data, "vault")
	v, err := vpebble.Open(dir, vpebble.Options{Logger: logger})
	switch {
	case errors.Is(err, vault.ErrLocked):
		return nil, fmt.Errorf("open vault: %w; is another empulse serving --data %s?", err, cfg.Data)
	case errors.Is(err, vault.ErrUnknownFormat):
		return nil, fmt.Errorf("open vault: %w; the data was left untouched", err)
	case err != nil:
		return nil, fmt.Errorf("open vault in %s: %w", dir, err)
	}
	return v, nil
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
