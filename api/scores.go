package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/projections"
)

// DefaultProjectionWait bounds how long a write waits for the projections
// to fold it before answering.
const DefaultProjectionWait = 2 * time.Second

// errNoProjections is returned by the score endpoints of a router without
// projections.
var errNoProjections = apperr.New(apperr.Unavailable, "scores are not available on this server")

// waitProjected waits, at most h.wait, until the projections have folded
// the log through pos, so that the write's answer is reflected by every
// score read after it. It sets the headers Empulse-Position (pos) and
// Empulse-Projected ("true", or "false" when the wait ran out; the write
// itself has succeeded either way).
func (h *handlers) waitProjected(c *gin.Context, pos events.Position) {
	c.Header("Empulse-Position", pos.String())
	if h.scores == nil {
		c.Header("Empulse-Projected", "false")
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), h.wait)
	defer cancel()
	c.Header("Empulse-Projected", strconv.FormatBool(h.scores.WaitFor(ctx, pos) == nil))
}

// teamScores answers a team's figures per ISO week over ?from=&to=
// (default: the 12 weeks up to this one), with the trend over ?window=
// weeks.
func (h *handlers) teamScores(c *gin.Context) {
	if h.scores == nil {
		writeError(c, errNoProjections)
		return
	}
	ctx := c.Request.Context()
	team := c.Param("team")
	window, err := windowParam(c)
	if err != nil {
		writeError(c, err)
		return
	}
	from, to, err := h.scores.Period(c.Query("from"), c.Query("to"))
	if err != nil {
		writeError(c, err)
		return
	}
	if _, err := h.app.AggregateRoot(ctx, principalOf(c), team); err != nil {
		writeError(c, err)
		return
	}
	s, err := h.scores.TeamSeries(ctx, team, from, to, window)
	respond(c, http.StatusOK, s, err)
}

// windowParam returns ?window=, 0 when absent, or an Invalid error naming
// "window".
func windowParam(c *gin.Context) (int, error) {
	w := c.Query("window")
	if w == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(w)
	if err != nil || n < 1 || n > projections.MaxWeeks {
		return 0, apperr.Field("window", "must be a whole number of weeks from 1 to %d", projections.MaxWeeks)
	}
	return n, nil
}

// heatMap answers teams × metrics for ?week= (default this week): the
// subtree of ?team= (default: a leader's own team, the whole organisation
// for admins and analysts), with ?metrics= a comma-separated list (default
// all).
func (h *handlers) heatMap(c *gin.Context) {
	if h.scores == nil {
		writeError(c, errNoProjections)
		return
	}
	ctx := c.Request.Context()
	_, week, err := h.scores.Period("", c.Query("week"))
	if err != nil {
		writeError(c, apperr.Field("week", "must be an ISO week like 2026-W48"))
		return
	}
	var metrics []projections.Metric
	if m, set := c.GetQuery("metrics"); set {
		if metrics, err = projections.ParseMetrics(m); err != nil {
			writeError(c, apperr.Field("metrics", "%v; known: engagement, wellbeing, wellbeing_low_share, enps, participation, recognitions_given_per_member, recognitions_received_per_member, driver:<name>", err))
			return
		}
	}
	root, err := h.app.AggregateRoot(ctx, principalOf(c), c.Query("team"))
	if err != nil {
		writeError(c, err)
		return
	}
	hm, err := h.scores.HeatMap(ctx, root, week, metrics)
	respond(c, http.StatusOK, hm, err)
}

// overview answers the whole organisation's figures per week over
// ?from=&to=, for admins and analysts.
func (h *handlers) overview(c *gin.Context) {
	if h.scores == nil {
		writeError(c, errNoProjections)
		return
	}
	if err := h.app.CanOverview(principalOf(c)); err != nil {
		writeError(c, err)
		return
	}
	window, err := windowParam(c)
	if err != nil {
		writeError(c, err)
		return
	}
	from, to, err := h.scores.Period(c.Query("from"), c.Query("to"))
	if err != nil {
		writeError(c, err)
		return
	}
	o, err := h.scores.Overview(c.Request.Context(), from, to, window)
	respond(c, http.StatusOK, o, err)
}
