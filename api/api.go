// Package api is Empulse's HTTP API: a gin router, its middleware and its
// handlers. It decodes and validates requests, calls the layers below, and
// maps their errors to HTTP status codes in exactly one place (writeError).
package api

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/projections"
)

// Config holds what the router needs from the rest of the program.
type Config struct {
	// Store is the event store; /readyz reports its head. It must not be
	// nil.
	Store events.Store
	// Logger receives one line per request and the detail of every
	// internal error. Nil discards the logs.
	Logger *slog.Logger
	// App handles the commands and queries of /api/v1. When nil, only the
	// health endpoints are served.
	App *app.App
	// BaseURL is the externally visible URL of the server, without a
	// trailing slash, used in personal links; "http://localhost" if empty.
	BaseURL string
	// MaxBody limits request bodies, in bytes; DefaultMaxBody if 0.
	MaxBody int64
	// RateLimit limits requests per bearer token.
	RateLimit RateLimit
	// Now is the clock of the rate limiter and of the exports'
	// generated_at; time.Now if nil.
	Now func() time.Time
	// Scores is the projection runner behind the score endpoints; they
	// answer 503 when nil.
	Scores *projections.Runner
	// ProjectionWait bounds how long answers and recognitions wait for the
	// projections to fold them; DefaultProjectionWait if 0.
	ProjectionWait time.Duration
	// Backup makes the archives GET /api/v1/admin/backup streams; that
	// endpoint answers 404 when it is nil.
	Backup BackupFunc
}

// NewRouter returns the HTTP handler that serves Empulse's API:
//
//	GET /healthz  200 {"status":"ok"} while the process is up
//	GET /readyz   200 {"status":"ready","head":"<commit/prepare>"} when the
//	              event store answers, 503 with an error body when not
//	/api/v1/...   the API described by /api/v1/openapi.json (routesV1),
//	              when cfg.App is set
//
// Every error response has the body {"error":{"code","field","message"}}
// described at writeError. NewRouter panics if cfg.Store is nil, which is a
// programming error.
func NewRouter(cfg Config) http.Handler {
	if cfg.Store == nil {
		panic("api: NewRouter: nil Store")
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}

	// Release mode keeps gin from printing its debug banner and route list;
	// the setting is global to gin, so it is made before building the engine.
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// Trust no proxy headers: the client address is the peer's address
	// until a trusted-proxy setting exists.
	if err := r.SetTrustedProxies(nil); err != nil {
		panic("api: NewRouter: " + err.Error()) // cannot fail for nil
	}
	r.Use(requestLogger(logger), recoverer())
	r.Use(securityHeaders())

	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://localhost"
	}
	if cfg.ProjectionWait <= 0 {
		cfg.ProjectionWait = DefaultProjectionWait
	}
	h := &handlers{store: cfg.Store, app: cfg.App, baseURL: strings.TrimSuffix(cfg.BaseURL, "/"),
		maxBody: cfg.MaxBody, limiter: newLimiter(cfg.RateLimit, cfg.Now), scores: cfg.Scores, wait: cfg.ProjectionWait, now: cfg.Now,
		backup: cfg.Backup}
	r.GET("/healthz", h.healthz)
	r.GET("/readyz", h.readyz)
	if cfg.App != nil {
		h.routesV1(r.Group("/api/v1"))
	}
	r.NoRoute(notFound)
	return r
}

// handlers holds the dependencies of the endpoint handlers.
type handlers struct {
	store   events.Store
	app     *app.App
	baseURL string
	maxBody int64
	limiter *limiter
	scores  *projections.Runner
	wait    time.Duration
	now     func() time.Time
	backup  BackupFunc
}
