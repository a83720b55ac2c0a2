package api

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/empulse/empulse/analysis"
	"github.com/empulse/empulse/analysis/report"
	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/correlations"
)

// analysisFilters reads the filters every analysis endpoint shares:
// ?from=&to= (as the score endpoints), ?team= (the subtree; by default a
// leader's own team, the whole organisation for analysts and admins),
// ?lags= and ?min_n=. Access follows app.AggregateRoot. Bad values are
// Invalid errors naming the parameter.
func (h *handlers) analysisFilters(c *gin.Context) (correlations.Filters, error) {
	var f correlations.Filters
	if h.scores == nil {
		return f, errNoProjections
	}
	var err error
	if f.From, f.To, err = h.scores.Period(c.Query("from"), c.Query("to")); err != nil {
		return f, err
	}
	if f.Lags, err = correlations.ParseLags("lags", c.Query("lags")); err != nil {
		return f, err
	}
	if f.MinN, err = correlations.ParseMinN("min_n", c.Query("min_n")); err != nil {
		return f, err
	}
	f.Team, err = h.app.AggregateRoot(c.Request.Context(), principalOf(c), c.Query("team"))
	return f, err
}

// correlationTable answers the correlation table of recognition against
// every score over the filters, as JSON, CSV or NDJSON chosen by ?format=
// or Accept (report.Negotiate), as an attachment.
func (h *handlers) correlationTable(c *gin.Context) {
	format, err := report.Negotiate(c.GetHeader("Accept"), c.Query("format"))
	if err != nil {
		writeError(c, err)
		return
	}
	f, err := h.analysisFilters(c)
	if err != nil {
		writeError(c, err)
		return
	}
	rows, err := correlations.Table(c.Request.Context(), h.scores, f)
	if err != nil {
		writeError(c, err)
		return
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, format, correlations.Meta(h.scores, f, h.now()), rows); err != nil {
		writeError(c, err)
		return
	}
	c.Header("Vary", "Accept")
	c.Header("Content-Disposition", `attachment; filename="correlations.`+string(format)+`"`)
	c.Data(http.StatusOK, format.ContentType(), buf.Bytes())
}

// scatterPlot answers the scatter of ?x= (default recognition) against ?y=
// (default engagement) at ?lag= weeks (default 0) over the team-weeks of
// the filters, as PNG or SVG.
func (h *handlers) scatterPlot(c *gin.Context) {
	img, err := imageParams(c)
	if err != nil {
		writeError(c, err)
		return
	}
	x, err := correlations.ParseVariable("x", c.Query("x"), analysis.Recognition)
	if err != nil {
		writeError(c, err)
		return
	}
	y, err := correlations.ParseVariable("y", c.Query("y"), analysis.Engagement)
	if err != nil {
		writeError(c, err)
		return
	}
	if x == y {
		writeError(c, apperr.Field("y", "must differ from x"))
		return
	}
	lag := 0
	if s, ok := c.GetQuery("lag"); ok {
		if lag, err = correlations.ParseLag("lag", s); err != nil {
			writeError(c, err)
			return
		}
	}
	f, err := h.analysisFilters(c)
	if err != nil {
		writeError(c, err)
		return
	}
	chart, err := correlations.Scatter(c.Request.Context(), h.scores, f, x, y, lag)
	name := "scatter-" + x.String() + "-" + y.String() + "-lag" + strconv.Itoa(lag)
	h.writeChart(c, chart, err, img, name)
}

// trendsPlot answers the chart of ?metric= (default engagement) per ISO
// week for the subtree of ?team= and its direct sub-teams, as PNG or SVG.
func (h *handlers) trendsPlot(c *gin.Context) {
	img, err := imageParams(c)
	if err != nil {
		writeError(c, err)
		return
	}
	v, err := correlations.ParseVariable("metric", c.Query("metric"), analysis.Engagement)
	if err != nil {
		writeError(c, err)
		return
	}
	f, err := h.analysisFilters(c)
	if err != nil {
		writeError(c, err)
		return
	}
	chart, err := correlations.Trends(c.Request.Context(), h.scores, f, v)
	h.writeChart(c, chart, err, img, "trends-"+v.String())
}

// imageParams reads the image format (?format= or Accept, as
// report.NegotiateImage) and ?width= and ?height= in pixels.
func imageParams(c *gin.Context) (report.Image, error) {
	var img report.Image
	var err error
	if img.Format, err = report.NegotiateImage(c.GetHeader("Accept"), c.Query("format")); err != nil {
		return img, err
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"width", &img.Width}, {"height", &img.Height}} {
		s := c.Query(p.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < report.MinSize || n > report.MaxSize {
			return img, apperr.Field(p.name, "%q: must be a whole number of pixels from %d to %d", s, report.MinSize, report.MaxSize)
		}
		*p.dst = n
	}
	return img, nil
}

// writeChart renders chart as img and answers it inline with a file name
// of name and img's extension, or writes err.
func (h *handlers) writeChart(c *gin.Context, chart *report.Chart, err error, img report.Image, name string) {
	if err != nil {
		writeError(c, err)
		return
	}
	var buf bytes.Buffer
	if err := chart.Render(&buf, img); err != nil {
		writeError(c, err)
		return
	}
	c.Header("Vary", "Accept")
	c.Header("Content-Disposition", `inline; filename="`+name+"."+string(img.Format)+`"`)
	c.Data(http.StatusOK, img.Format.ContentType(), buf.Bytes())
}
