package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/empulse/empulse/app"
)

// The environment variables that set serve's flags. A flag given on the
// command line wins over its variable; an empty variable counts as unset.
const (
	envAddr      = "EMPULSE_ADDR"
	envData      = "EMPULSE_DATA"
	envLogLevel  = "EMPULSE_LOG_LEVEL"
	envLogFormat = "EMPULSE_LOG_FORMAT"
	envStore     = "EMPULSE_STORE"
	envPublicURL = "EMPULSE_PUBLIC_URL"
	// envAdminToken sets the bootstrap admin token. Its flag takes a file,
	// so that the token never shows in a process list.
	envAdminToken     = "EMPULSE_ADMIN_TOKEN"
	envAdminTokenFile = "EMPULSE_ADMIN_TOKEN_FILE"
	envLinkTTL        = "EMPULSE_LINK_TTL"
)

// serveConfig is the configuration of the serve command.
type serveConfig struct {
	// Addr is the TCP address to listen on; port 0 picks a free port.
	Addr string
	// Data is the data directory; the embedded event store lives in
	// Data/events.
	Data string
	// Store is an EventStoreDB/KurrentDB connection string (esdb:// or
	// esdb+discover://); empty means the embedded store in Data.
	Store string
	// LogLevel is the least severe level logged.
	LogLevel slog.Level
	// LogFormat is how log records are written: text or json.
	LogFormat logFormat
	// PublicURL is the server's URL as users reach it, for personal links;
	// empty means http://<bound address>.
	PublicURL string
	// AdminToken is the bootstrap admin token from the environment or
	// AdminTokenFile; empty means the one in Data/admin-token, generated
	// at first start.
	AdminToken string
	// AdminTokenFile names a file holding the admin token (a mounted
	// secret, say); when set, the token is read from it and wins over the
	// environment's.
	AdminTokenFile string
	// LinkTTL is how long a new member's personal link, and a link issued
	// without ttl_days, authenticates; 0 means app.DefaultLinkTTL.
	LinkTTL linkTTL
}

// defaultServeConfig returns the configuration used when neither flags nor
// environment variables say otherwise.
func defaultServeConfig() serveConfig {
	return serveConfig{
		Addr:      "127.0.0.1:8080",
		Data:      "empulse-data",
		LogLevel:  slog.LevelInfo,
		LogFormat: logText,
	}
}

// parseServeFlags returns the serve configuration given by args and the
// environment read through getenv, flags winning over variables over
// defaults. For -h it prints the usage to stdout and returns flag.ErrHelp;
// every other error is a one-line usageError.
func parseServeFlags(args []string, getenv func(string) string, stdout io.Writer) (serveConfig, error) {
	cfg := defaultServeConfig()
	if err := cfg.applyEnv(getenv); err != nil {
		return cfg, usageError{fmt.Errorf("serve: %w", err)}
	}
	fs := newServeFlagSet(&cfg)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp { //nolint:errorlint // flag returns ErrHelp itself
			printServeUsage(stdout)
			return cfg, err
		}
		return cfg, usageErrorf("serve: %v (run 'empulse help serve' for usage)", err)
	}
	if fs.NArg() > 0 {
		return cfg, usageErrorf("serve: unexpected argument %q (run 'empulse help serve' for usage)", fs.Arg(0))
	}
	if cfg.AdminTokenFile != "" {
		b, err := os.ReadFile(cfg.AdminTokenFile)
		if err != nil {
			return cfg, usageErrorf("serve: --admin-token-file (%s): %v", envAdminTokenFile, err)
		}
		if cfg.AdminToken = strings.TrimSpace(string(b)); cfg.AdminToken == "" {
			return cfg, usageErrorf("serve: --admin-token-file (%s): %s is empty", envAdminTokenFile, cfg.AdminTokenFile)
		}
	}
	if cfg.Store != "" && !isESDB(cfg.Store) {
		return cfg, usageErrorf("serve: --store (%s) %q: want an esdb:// or esdb+discover:// connection string, or empty for the embedded store", envStore, cfg.Store)
	}
	if cfg.Data == "" {
		return cfg, usageErrorf("serve: the data directory (--data, %s) must not be empty", envData)
	}
	return cfg, nil
}

// applyEnv overrides cfg's fields with the environment variables that are
// set. It returns an error naming the variable whose value is invalid.
func (cfg *serveConfig) applyEnv(getenv func(string) string) error {
	if v := getenv(envAddr); v != "" {
		cfg.Addr = v
	}
	if v := getenv(envData); v != "" {
		cfg.Data = v
	}
	if v := getenv(envPublicURL); v != "" {
		cfg.PublicURL = v
	}
	cfg.AdminToken = getenv(envAdminToken)
	if v := getenv(envAdminTokenFile); v != "" {
		cfg.AdminTokenFile = v
	}
	if v := getenv(envStore); v != "" {
		cfg.Store = v
	}
	if v := getenv(envLogLevel); v != "" {
		if err := cfg.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return fmt.Errorf("%s=%q: %w", envLogLevel, v, err)
		}
	}
	if v := getenv(envLogFormat); v != "" {
		if err := cfg.LogFormat.Set(v); err != nil {
			return fmt.Errorf("%s=%q: %w", envLogFormat, v, err)
		}
	}
	if v := getenv(envLinkTTL); v != "" {
		if err := cfg.LinkTTL.Set(v); err != nil {
			return fmt.Errorf("%s=%q: %w", envLinkTTL, v, err)
		}
	}
	return nil
}

// newServeFlagSet returns serve's flag set, which parses into cfg and takes
// cfg's current values as defaults. It prints nothing: the caller reports
// errors and usage.
func newServeFlagSet(cfg *serveConfig) *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "TCP `address` to listen on, host:port; port 0 picks a free port ("+envAddr+")")
	fs.StringVar(&cfg.Data, "data", cfg.Data, "data `directory`; the event store lives in its events/ folder ("+envData+")")
	fs.StringVar(&cfg.Store, "store", cfg.Store, "EventStoreDB/KurrentDB connection `string` (esdb://host:2113?tls=false, esdb+discover://...); empty uses the embedded store ("+envStore+")")
	fs.StringVar(&cfg.PublicURL, "public-url", cfg.PublicURL, "the server's `URL` as users reach it, for personal links; empty means http://<addr> ("+envPublicURL+")")
	fs.StringVar(&cfg.AdminTokenFile, "admin-token-file", cfg.AdminTokenFile, "`file` holding the bootstrap admin token, which wins over "+envAdminToken+" ("+envAdminTokenFile+")")
	fs.TextVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "least severe log `level`: debug, info, warn or error ("+envLogLevel+")")
	fs.Var(&cfg.LogFormat, "log-format", "log `format`: text or json ("+envLogFormat+")")
	fs.Var(&cfg.LinkTTL, "link-ttl", "how long new personal links authenticate: `days` like 90d (the default) or a Go duration like 36h, from 1d to 365d ("+envLinkTTL+")")
	return fs
}

// printServeUsage writes serve's usage, with the built-in defaults, to w.
func printServeUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: empulse serve [flags]

Serves Empulse's HTTP API until SIGINT or SIGTERM, then shuts down gracefully.
By default the events live in the embedded store in the data directory, which
only one process at a time can use; with --store they live in EventStoreDB or
KurrentDB, and any number of empulse nodes can share it.

The bootstrap admin token comes from --admin-token-file or `+envAdminToken+`
(never a flag of its own, so that it does not show in a process list); when
neither is set, it is generated at first start and written once to <data>/admin-token (mode
0600). Member keys and pseudonyms live in <data>/vault.

Flags (each also set by the environment variable in brackets; a flag wins):
`)
	cfg := defaultServeConfig()
	fs := newServeFlagSet(&cfg)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// logFormat is the format of log records; it implements flag.Value.
type logFormat string

// The log formats.
const (
	logText logFormat = "text"
	logJSON logFormat = "json"
)

// String returns the format's name.
func (f *logFormat) String() string { return string(*f) }

// Set sets the format from its name, text or json.
func (f *logFormat) Set(s string) error {
	switch logFormat(s) {
	case logText, logJSON:
		*f = logFormat(s)
		return nil
	}
	return fmt.Errorf("unknown log format %q: want text or json", s)
}

// linkTTL is the life of new personal links; it implements flag.Value. The
// zero value means app.DefaultLinkTTL.
type linkTTL time.Duration

// day is a day as link lives count it.
const day = 24 * time.Hour

// String returns the life in days ("90d") when it is whole days, else as a
// Go duration; "" for the zero value.
func (l *linkTTL) String() string {
	d := time.Duration(*l)
	switch {
	case d == 0:
		return ""
	case d%day == 0:
		return fmt.Sprintf("%dd", d/day)
	}
	return d.String()
}

// Set sets the life from days ("90d") or a Go duration ("36h"); it must be
// from app.MinLinkTTLDays to app.MaxLinkTTLDays days.
func (l *linkTTL) Set(s string) error {
	var d time.Duration
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return fmt.Errorf("link life %q: want days like 90d or a duration like 36h", s)
		}
		d = time.Duration(days) * day
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return fmt.Errorf("link life %q: want days like 90d or a duration like 36h", s)
		}
	}
	if d < app.MinLinkTTLDays*day || d > app.MaxLinkTTLDays*day {
		return fmt.Errorf("link life %q: want from %dd to %dd", s, app.MinLinkTTLDays, app.MaxLinkTTLDays)
	}
	*l = linkTTL(d)
	return nil
}

// newLogger returns a logger that writes records of level and above to w in
// format.
func newLogger(w io.Writer, level slog.Level, format logFormat) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == logJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// isESDB reports whether s is an EventStoreDB connection string.
func isESDB(s string) bool {
	return strings.HasPrefix(s, "esdb://") || strings.HasPrefix(s, "esdb+discover://")
}
