package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
)

// loggerKey is the gin context key under which requestLogger stores the
// logger for the handlers and writeError.
const loggerKey = "empulse.logger"

// loggerOf returns the logger requestLogger stored in c, or one that
// discards everything when there is none.
func loggerOf(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(loggerKey); ok {
		if logger, ok := l.(*slog.Logger); ok {
			return logger
		}
	}
	return slog.New(slog.DiscardHandler)
}

// probePaths are logged at debug level, since orchestrators and scrapers
// call them every few seconds.
var probePaths = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// requestLogger makes logger available to the rest of the chain and logs one
// line per request once it is done: at error level for 5xx responses, debug
// for health probes and info otherwise. It tells observe, when not nil, of
// every request.
func requestLogger(logger *slog.Logger, observe func(method, route string, status int, d time.Duration)) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Set(loggerKey, logger)
		c.Next()

		status := c.Writer.Status()
		took := time.Since(start)
		if observe != nil {
			observe(c.Request.Method, c.FullPath(), status, took)
		}
		level := slog.LevelInfo
		switch {
		case status >= 500:
			level = slog.LevelError
		case probePaths[c.Request.URL.Path]:
			level = slog.LevelDebug
		}
		logger.LogAttrs(c.Request.Context(), level, "request",
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.Int("status", status),
			slog.Int("bytes", c.Writer.Size()),
			slog.Duration("duration", took),
			slog.String("client", c.ClientIP()))
	}
}

// recoverer turns a panic in a handler into a logged internal error (with
// its stack) and a 500 response, so one bad request cannot stop the server.
// http.ErrAbortHandler is re-panicked: it is net/http's way to abort a
// response on purpose.
func recoverer() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler { //nolint:errorlint // panic values are compared, not unwrapped
				panic(v)
			}
			loggerOf(c).LogAttrs(c.Request.Context(), slog.LevelError, "panic",
				slog.String("method", c.Request.Method),
				slog.String("path", c.Request.URL.Path),
				slog.String("panic", fmt.Sprint(v)),
				slog.String("stack", string(debug.Stack())))
			if c.Writer.Written() {
				c.Abort() // too late for an error body
				return
			}
			c.AbortWithStatusJSON(http.StatusInternalServerError, errorResponse{Error: internalBody()})
		}()
		c.Next()
	}
}
