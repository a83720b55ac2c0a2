package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/empulse/empulse/app"
)

// adminTokenFile is the file in the data directory that holds the admin
// token generated at first start.
const adminTokenFile = "admin-token"

// adminTokenHash returns app.HashToken of the bootstrap admin token:
// fromEnv when it is set; else the token in data/admin-token; else a new
// token from rand, written once to data/admin-token with mode 0600 (and
// never overwritten). Only the file's path is logged, never the token.
func adminTokenHash(data, fromEnv string, rand io.Reader, logger *slog.Logger) (string, error) {
	if fromEnv != "" {
		return app.HashToken(fromEnv), nil
	}
	path := filepath.Join(data, adminTokenFile)
	got, err := os.ReadFile(path)
	switch {
	case err == nil:
		token := string(bytes.TrimSpace(got))
		if token == "" {
			return "", fmt.Errorf("admin token: %s is empty; delete it to generate a new one, or set %s", path, envAdminToken)
		}
		return app.HashToken(token), nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("admin token: %w", err)
	}
	token, err := app.NewToken(rand)
	if err != nil {
		return "", fmt.Errorf("admin token: %w", err)
	}
	if err := os.MkdirAll(data, 0o750); err != nil {
		return "", fmt.Errorf("admin token: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("admin token: %w", err)
	}
	_, werr := f.WriteString(token + "\n")
	if serr := f.Sync(); werr == nil {
		werr = serr
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(path)
		return "", fmt.Errorf("admin token: write %s: %w", path, werr)
	}
	logger.Info("generated the admin token", "file", path)
	return app.HashToken(token), nil
}
