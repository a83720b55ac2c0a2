package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/pii"
	"github.com/empulse/empulse/projections"
	"github.com/empulse/empulse/vault"
)

// projectionsConfig returns the projections' configuration for cfg: their
// database in cfg.Data/projections, comments opened with the keys of the
// vault v (nil for none), changes reported to changed (nil for none).
func projectionsConfig(cfg serveConfig, store events.Store, v vault.Vault, logger *slog.Logger, changed func([]projections.Change)) projections.Config {
	pc := projections.Config{Store: store, Dir: filepath.Join(cfg.Data, "projections"), Logger: logger, Changed: changed}
	if v != nil {
		pc.OpenComment = func(ctx context.Context, pseudonym string, sealed []byte, aad string) (string, error) {
			key, err := v.KeyOf(ctx, pseudonym)
			if err != nil {
				return "", err
			}
			return pii.Open(key, sealed, aad)
		}
	}
	return pc
}

// openProjections opens the projections in cfg.Data/projections, with
// changes reported to changed, explaining the errors an operator can fix.
func openProjections(cfg serveConfig, store events.Store, v vault.Vault, logger *slog.Logger, changed func([]projections.Change)) (*projections.Runner, error) {
	r, err := projections.Open(projectionsConfig(cfg, store, v, logger, changed))
	switch {
	case errors.Is(err, projections.ErrLocked):
		return nil, fmt.Errorf("open projections: %w; is another empulse using --data %s?", err, cfg.Data)
	case errors.Is(err, projections.ErrUnknownFormat):
		return nil, fmt.Errorf("open projections: %w; the data was left untouched; if it holds projections of another Empulse version, stop the server and run empulse rebuild", err)
	case err != nil:
		return nil, fmt.Errorf("open projections: %w", err)
	}
	return r, nil
}

// runRebuild is the rebuild command: with the same flags as serve (only
// --data, --store and the log flags matter), it deletes the projections in
// <data>/projections and folds the whole event log into them again, from
// position 0 up to the head. The server must not be running.
func runRebuild(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseServeFlags(args, getenv, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := newLogger(stderr, cfg.LogLevel, cfg.LogFormat)
	store, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer store.Close()
	pos, err := projections.Rebuild(ctx, projectionsConfig(cfg, store, nil, logger, nil))
	if err != nil {
		return fmt.Errorf("rebuild projections: %w", err)
	}
	fmt.Fprintf(stdout, "projections rebuilt up to position %s\n", pos)
	return nil
}
