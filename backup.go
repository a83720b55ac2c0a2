package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/empulse/empulse/api"
	"github.com/empulse/empulse/backup"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/pebble"
	vpebble "github.com/empulse/empulse/vault/pebble"
)

// backupFunc returns what serve's GET /api/v1/admin/backup streams: an
// archive of store and v, made in data (on its file system, pebble links
// tables instead of copying them). It returns nil when the events are not
// in the embedded store, which makes no backups of EventStoreDB.
func backupFunc(store events.Store, v *vpebble.Vault, data string, logger *slog.Logger) api.BackupFunc {
	ps, ok := store.(*pebble.Store)
	if !ok {
		return nil
	}
	return func(ctx context.Context, w io.Writer, zip bool) error {
		m, err := backup.Write(ctx, w, backup.Source{Events: ps.Backup, Vault: v.Backup}, backup.Options{TempDir: data, Gzip: zip})
		if err == nil {
			logger.Info("backup made", "head", m.Head)
		}
		return err
	}
}

// backupConfig is the configuration of the backup command.
type backupConfig struct {
	// Out is the archive's file; a name ending in .gz or .tgz makes it
	// gzip-compressed.
	Out string
	// URL is a running server's base URL; empty means opening Data.
	URL string
	// Token is the admin's bearer token for URL, from EMPULSE_ADMIN_TOKEN
	// or TokenFile.
	Token, TokenFile string
	// Data is the data directory opened when URL is empty.
	Data string
}

// runBackup is the backup command: it writes an archive of the event store
// and the vault, asking the server at --url for it, or opening --data
// itself when no server runs.
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseBackupFlags(args, getenv, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	zip := strings.HasSuffix(cfg.Out, ".gz") || strings.HasSuffix(cfg.Out, ".tgz")
	fill := func(w io.Writer) error { return backupData(ctx, cfg.Data, w, zip, stderr) }
	if cfg.URL != "" {
		fill = func(w io.Writer) error { return backupURL(ctx, cfg, w, zip) }
	}
	m, err := writeArchive(ctx, cfg.Out, fill)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup of the events up to position %s written to %s\n", m.Head, cfg.Out)
	return nil
}

// parseBackupFlags returns the backup configuration given by args and the
// environment (EMPULSE_DATA, EMPULSE_ADMIN_TOKEN), flags winning. For -h it
// prints the usage to stdout and returns flag.ErrHelp.
func parseBackupFlags(args []string, getenv func(string) string, stdout io.Writer) (backupConfig, error) {
	cfg := backupConfig{Data: defaultServeConfig().Data, Token: getenv(envAdminToken)}
	if v := getenv(envData); v != "" {
		cfg.Data = v
	}
	fs := newBackupFlagSet(&cfg)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp { //nolint:errorlint // flag returns ErrHelp itself
			printBackupUsage(stdout)
			return cfg, err
		}
		return cfg, usageErrorf("backup: %v (run 'empulse help backup' for usage)", err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case fs.NArg() > 0:
		return cfg, usageErrorf("backup: unexpected argument %q (run 'empulse help backup' for usage)", fs.Arg(0))
	case cfg.Out == "":
		return cfg, usageErrorf("backup: --out names the archive to write and is required")
	case cfg.URL != "" && set["data"]:
		return cfg, usageErrorf("backup: give --url (a running server) or --data (a stopped one's directory), not both")
	case cfg.URL == "" && set["token-file"]:
		return cfg, usageErrorf("backup: --token-file is for --url")
	case cfg.URL == "" && cfg.Data == "":
		return cfg, usageErrorf("backup: the data directory (--data, %s) must not be empty", envData)
	case cfg.URL == "" && getenv(envStore) != "":
		return cfg, usageErrorf("backup: %s is set: the events are in EventStoreDB, which its own tools back up", envStore)
	}
	if cfg.URL != "" {
		u, err := url.Parse(cfg.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return cfg, usageErrorf("backup: --url %q: want the server's http:// or https:// base URL", cfg.URL)
		}
		if cfg.TokenFile != "" {
			b, err := os.ReadFile(cfg.TokenFile)
			if err != nil {
				return cfg, usageErrorf("backup: --token-file: %v", err)
			}
			cfg.Token = strings.TrimSpace(string(b))
		}
		if cfg.Token == "" {
			return cfg, usageErrorf("backup: --url needs an admin token: set %s or give --token-file", envAdminToken)
		}
	}
	return cfg, nil
}

// newBackupFlagSet returns the backup flag set, parsing into cfg.
func newBackupFlagSet(cfg *backupConfig) *flag.FlagSet {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&cfg.Out, "out", "", "archive `file` to write (required); a name ending in .gz or .tgz is gzip-compressed")
	fs.StringVar(&cfg.URL, "url", "", "base `URL` of the running server to ask, like http://127.0.0.1:8080")
	fs.StringVar(&cfg.TokenFile, "token-file", "", "`file` holding the admin token for --url, like <data>/admin-token; default "+envAdminToken)
	fs.StringVar(&cfg.Data, "data", cfg.Data, "data `directory` of a stopped server, read when --url is not given ("+envData+")")
	return fs
}

// printBackupUsage writes the backup command's usage to w.
func printBackupUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: empulse backup --out FILE [--url URL | --data DIR]

Writes a backup of the embedded event store and the vault of member keys to
FILE: a tar archive (gzip-compressed when FILE ends in .gz or .tgz) with a
manifest listing every file with its SHA-256. It holds every write that was
acknowledged before the backup began. The archive is checked whole before it
is renamed to FILE, so FILE is never a partial backup.

While empulse serves, ask it with --url and an admin token (`+envAdminToken+`,
or --token-file): the server takes the backup without stopping. A stopped
server's data directory is read with --data. Projections are not backed up;
they are rebuilt from the events when the restored server starts. Nor is the
admin token: a restored server takes `+envAdminToken+` or generates one.

The archive holds member keys: keep it as safe as the data directory, and
remember that restoring it brings back the keys of members erased since.

Flags:
`)
	var cfg backupConfig
	fs := newBackupFlagSet(&cfg)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// backupURL asks the server of cfg for an archive and copies it to w.
func backupURL(ctx context.Context, cfg backupConfig, w io.Writer, zip bool) error {
	u := strings.TrimSuffix(cfg.URL, "/") + "/api/v1/admin/backup"
	if zip {
		u += "?compress=gzip"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+cfg.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var body struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&body)
		return fmt.Errorf("backup: %s answered %s: %s", cfg.URL, resp.Status, body.Error.Message)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("backup: the transfer from %s broke off: %w", cfg.URL, err)
	}
	return nil
}

// backupData writes an archive of the data directory data, which no
// server may be using, to w.
func backupData(ctx context.Context, data string, w io.Writer, zip bool, stderr io.Writer) (err error) {
	dir := filepath.Join(data, backup.EventsDir)
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("backup: no event store in %s: %w", data, err)
	}
	logger := newLogger(stderr, slog.LevelWarn, logText)
	store, err := pebble.Open(dir, pebble.Options{Logger: logger})
	if errors.Is(err, events.ErrLocked) {
		return fmt.Errorf("backup: open event store: %w; is empulse serving? use --url", err)
	}
	if err != nil {
		return fmt.Errorf("backup: open event store: %w", err)
	}
	defer func() { err = errors.Join(err, store.Close()) }()
	v, err := openVault(serveConfig{Data: data}, logger)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer func() { err = errors.Join(err, v.Close()) }()
	_, err = backup.Write(ctx, w, backup.Source{Events: store.Backup, Vault: v.Backup}, backup.Options{TempDir: data, Gzip: zip})
	return err
}

// writeArchive writes the archive fill makes to a temporary file beside
// out, syncs and verifies it, and renames it to out. It returns the
// archive's manifest.
func writeArchive(ctx context.Context, out string, fill func(io.Writer) error) (backup.Manifest, error) {
	f, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
	if err != nil {
		return backup.Manifest{}, fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := fill(f); err != nil {
		return backup.Manifest{}, err
	}
	if err := f.Sync(); err != nil {
		return backup.Manifest{}, fmt.Errorf("backup: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return backup.Manifest{}, fmt.Errorf("backup: %w", err)
	}
	m, err := backup.Verify(ctx, f)
	if err != nil {
		return backup.Manifest{}, fmt.Errorf("backup: the archive written does not verify: %w", err)
	}
	if err := f.Close(); err != nil {
		return backup.Manifest{}, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(f.Name(), out); err != nil {
		return backup.Manifest{}, fmt.Errorf("backup: %w", err)
	}
	return m, nil
}

// restoreConfig is the configuration of the restore command.
type restoreConfig struct {
	// In is the archive to restore.
	In string
	// Data is the data directory to restore into; missing or empty.
	Data string
}

// runRestore is the restore command: it restores an archive into an empty
// data directory, after checking it whole and opening what it holds.
func runRestore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseRestoreFlags(args, getenv, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	in, err := os.Open(cfg.In)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer in.Close()
	logger := newLogger(stderr, slog.LevelWarn, logText)
	m, err := backup.Restore(ctx, in, cfg.Data, func(ctx context.Context, dir string, m backup.Manifest) error {
		return checkRestored(ctx, dir, m, logger)
	})
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(stdout, "restored the events up to position %s and the vault, backed up at %s, into %s\n",
		m.Head, m.Created.Format("2006-01-02 15:04:05Z07:00"), cfg.Data)
	fmt.Fprintf(stdout, "the projections are rebuilt when empulse serve starts; the admin token comes from %s or is generated\n", envAdminToken)
	return nil
}

// checkRestored opens the event store and the vault restored in dir, and
// checks that the store's head is the manifest's.
func checkRestored(ctx context.Context, dir string, m backup.Manifest, logger *slog.Logger) (err error) {
	store, err := pebble.Open(filepath.Join(dir, backup.EventsDir), pebble.Options{Logger: logger})
	if err != nil {
		return fmt.Errorf("open the restored event store: %w", err)
	}
	defer func() { err = errors.Join(err, store.Close()) }()
	head, err := store.Head(ctx)
	if err != nil {
		return fmt.Errorf("read the restored event store: %w", err)
	}
	if head.String() != m.Head {
		return fmt.Errorf("%w: the restored event store ends at %s, the manifest says %s", backup.ErrCorrupt, head, m.Head)
	}
	v, err := vpebble.Open(filepath.Join(dir, backup.VaultDir), vpebble.Options{Logger: logger})
	if err != nil {
		return fmt.Errorf("open the restored vault: %w", err)
	}
	return v.Close()
}

// parseRestoreFlags returns the restore configuration given by args and
// EMPULSE_DATA, the flag winning. For -h it prints the usage to stdout and
// returns flag.ErrHelp.
func parseRestoreFlags(args []string, getenv func(string) string, stdout io.Writer) (restoreConfig, error) {
	cfg := restoreConfig{Data: defaultServeConfig().Data}
	if v := getenv(envData); v != "" {
		cfg.Data = v
	}
	fs := newRestoreFlagSet(&cfg)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp { //nolint:errorlint // flag returns ErrHelp itself
			printRestoreUsage(stdout)
			return cfg, err
		}
		return cfg, usageErrorf("restore: %v (run 'empulse help restore' for usage)", err)
	}
	switch {
	case fs.NArg() > 0:
		return cfg, usageErrorf("restore: unexpected argument %q (run 'empulse help restore' for usage)", fs.Arg(0))
	case cfg.In == "":
		return cfg, usageErrorf("restore: --in names the archive to restore and is required")
	case cfg.Data == "":
		return cfg, usageErrorf("restore: the data directory (--data, %s) must not be empty", envData)
	}
	return cfg, nil
}

// newRestoreFlagSet returns the restore flag set, parsing into cfg.
func newRestoreFlagSet(cfg *restoreConfig) *flag.FlagSet {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&cfg.In, "in", "", "archive `file` written by empulse backup (required); tar or gzip")
	fs.StringVar(&cfg.Data, "data", cfg.Data, "data `directory` to restore into; it must be missing or empty ("+envData+")")
	return fs
}

// printRestoreUsage writes the restore command's usage to w.
func printRestoreUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: empulse restore --in FILE [--data DIR]

Restores a backup written by empulse backup into a data directory that is
missing or empty; it refuses one that holds anything. Every file is checked
against the archive's manifest, and the event store and the vault are opened,
in a temporary directory beside DIR, which is then renamed to DIR: the data
directory is restored whole or not at all. Start empulse serve on it: the
projections are rebuilt from the events on the first start.

Flags:
`)
	var cfg restoreConfig
	fs := newRestoreFlagSet(&cfg)
	fs.SetOutput(w)
	fs.PrintDefaults()
}
