package api

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
)

// NewErrorTestRouter returns a router with the package's middleware and two
// routes for tests: GET /fail answers with writeError(c, err) and GET /panic
// panics.
func NewErrorTestRouter(logger *slog.Logger, err error) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(requestLogger(logger, nil), recoverer())
	r.GET("/fail", func(c *gin.Context) { writeError(c, err) })
	r.GET("/panic", func(*gin.Context) { panic("boom") })
	return r
}
