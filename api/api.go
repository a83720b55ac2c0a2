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
	// Metrics serves GET /metrics (the Prometheus scrape); not routed when
	// nil.
	Metrics http.Handler
	// Observe, when set, is told of every request answered: its method,
	// route template ("" when no route matched), status and duration.
	Observe func(method, route string, status int, d time.Duration)
	// Live upgrades GET /api/v1/live to the WebSocket of live pushes (the
	// live hub, which authenticates the upgrade itself); the endpoint
	// answers 503 when nil.
	Live http.Handler
	// ProjectionWait bounds how long answers and recognitions wait for the
	// projections to fold them; DefaultProjectionWait if 0.
	ProjectionWait time.Duration
	// Pages serves the web pages: GET and HEAD of /, /pulse,
	// /recognition, /dashboard, /analysis and of everything under /static/
	// go to it, behind the same middleware as the API. When nil, no pages
	// are served.
	Pages http.Handler
	// Backup makes the archives GET /api/v1/admin/backup streams; that
	// endpoint answers 404 when it is nil.
	Backup BackupFunc
}

// pagePaths are the paths of the pages that Config.Pages serves.
var pagePaths = []string{"/", "/pulse", "/recognition", "/dashboard", "/analysis"}

// NewRouter returns the HTTP handler that serves Empulse's API:
//
//	GET /healthz  200 {"status":"ok"} while the process is up
//	GET /readyz   200 {"status":"ready","head":"<commit/prepare>"} when the
//	              event store answers and the projections (if any) have
//	              caught up with the log, 503 with an error body when not
//	GET /metrics  the Prometheus scrape, when cfg.Metrics is set
//	/api/v1/...   the API described by /api/v1/openapi.json (routesV1),
//	              when cfg.App is set
//	GET, HEAD /, /pulse, /recognition, /dashboard, /analysis, /static/...
//	              cfg.Pages, when it is set
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
	r.Use(requestLogger(logger, cfg.Observe), recoverer())
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
		maxBody: cfg.MaxBody, limiter: newLimiter(cfg.RateLimit, cfg.Now), scores: cfg.Scores, wait: cfg.ProjectionWait, now: cfg.Now, live: cfg.Live,
		backup: cfg.Backup}
	r.GET("/healthz", h.healthz)
	r.GET("/readyz", h.readyz)
	if cfg.Metrics != nil {
		r.GET("/metrics", gin.WrapH(cfg.Metrics))
	}
	if cfg.App != nil {
		h.routesV1(r.Group("/api/v1"))
	}
	if cfg.Pages != nil {
		pages := gin.WrapH(cfg.Pages)
		for _, p := range append(pagePaths, "/static/*file") {
			r.GET(p, pages)
			r.HEAD(p, pages)
		}
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
	live    http.Handler
	backup  BackupFunc
}
