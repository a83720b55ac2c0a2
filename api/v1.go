package api

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/empulse/empulse/apperr"
)

// openAPIDoc is the OpenAPI 3 document of /api/v1.
//
//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the OpenAPI 3 document that describes /api/v1.
func OpenAPI() []byte { return append([]byte(nil), openAPIDoc...) }

// instrumentMaxBody is the body limit for instrument definitions, which can
// be longer than other requests.
const instrumentMaxBody = 512 << 10

// routesV1 registers the /api/v1 endpoints on g. Every endpoint but the
// OpenAPI document needs a bearer token (the live WebSocket takes it as a
// subprotocol too).
func (h *handlers) routesV1(g *gin.RouterGroup) {
	g.GET("/openapi.json", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", openAPIDoc) })
	// The live hub authenticates the upgrade itself: a browser's WebSocket
	// cannot send an Authorization header.
	g.GET("/live", h.liveUpgrade)

	a := g.Group("", h.authenticate)
	a.POST("/teams", h.createTeam)
	a.GET("/teams", h.listTeams)
	a.GET("/teams/:team", h.getTeam)
	a.GET("/teams/:team/scores", h.teamScores)
	a.GET("/scores/heatmap", h.heatMap)
	a.GET("/scores/overview", h.overview)

	a.GET("/analysis/correlations", h.correlationTable)
	a.GET("/analysis/plots/scatter", h.scatterPlot)
	a.GET("/analysis/plots/trends", h.trendsPlot)

	a.POST("/members", h.createMember)
	a.GET("/members", h.listMembers)
	a.GET("/members/:member", h.getMember)
	a.GET("/directory", h.directory)
	a.PATCH("/members/:member", h.patchMember)
	a.DELETE("/members/:member", h.eraseMember)
	a.POST("/members/:member/links", h.issueLink)
	a.GET("/members/:member/links", h.listLinks)
	a.DELETE("/members/:member/links/:link", h.revokeLink)

	a.POST("/instruments", h.defineInstrument)
	a.GET("/instruments", h.listInstruments)
	a.GET("/instruments/:instrument", h.getInstrument)

	a.POST("/surveys", h.createSurvey)
	a.GET("/surveys", h.listSurveys)
	a.GET("/surveys/:survey", h.getSurvey)
	a.PATCH("/surveys/:survey", h.patchSurvey)
	a.POST("/surveys/:survey/pulses", h.openPulse)
	a.POST("/surveys/:survey/pulses/:pulse/close", h.closePulse)
	a.POST("/surveys/:survey/pulses/:pulse/answers", h.answer)

	a.POST("/recognitions", h.recognize)

	a.GET("/me", h.me)
	a.GET("/me/pulses", h.myPulses)
	a.GET("/me/recognitions", h.myRecognitions)

	a.GET("/admin/backup", h.adminBackup)
}

// errNoLive is returned by /live on a router without live pushes.
var errNoLive = apperr.New(apperr.Unavailable, "live pushes are not available on this server")

// liveUpgrade hands the request to the live hub, which upgrades it.
func (h *handlers) liveUpgrade(c *gin.Context) {
	if h.live == nil {
		writeError(c, errNoLive)
		return
	}
	h.live.ServeHTTP(c.Writer, c.Request)
	c.Abort()
}
