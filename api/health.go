package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/empulse/empulse/apperr"
)

// healthz reports that the process is up and serving HTTP. It touches no
// dependency, so an orchestrator can use it as a liveness probe.
func (h *handlers) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz reports whether the event store answers and the projections have
// caught up with the log (so that scores are current), with the position
// of the last event of the global log, for use as a readiness probe.
func (h *handlers) readyz(c *gin.Context) {
	head, err := h.store.Head(c.Request.Context())
	if err != nil {
		writeError(c, &apperr.Error{Code: apperr.Unavailable, Message: "event store not ready", Err: err})
		return
	}
	if h.scores != nil && !h.scores.CaughtUp() {
		writeError(c, apperr.New(apperr.Unavailable, "projections are catching up with the event log"))
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "head": head.String()})
}

// notFound answers requests that match no route with the usual error body.
func notFound(c *gin.Context) {
	writeError(c, apperr.New(apperr.NotFound, "no such endpoint: %s %s", c.Request.Method, c.Request.URL.Path))
}
