package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/empulse/empulse/apperr"
)

// issueLinkRequest is the body of POST /members/{member}/links; it may be
// empty.
type issueLinkRequest struct {
	TTLDays *int `json:"ttl_days"`
}

// issuedLinkResponse is the answer to POST /members/{member}/links: the
// new link's token and URL, shown only this once.
type issuedLinkResponse struct {
	Link      int       `json:"link"`
	Token     string    `json:"token"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// issueLink gives a member a new personal link: 201 with its token.
func (h *handlers) issueLink(c *gin.Context) {
	var req issueLinkRequest
	if err := decodeJSON(c, h.maxBody, &req, true); err != nil {
		writeError(c, err)
		return
	}
	l, err := h.app.IssueLink(c.Request.Context(), principalOf(c), c.Param("member"), req.TTLDays)
	if err != nil {
		writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, issuedLinkResponse{Link: l.Link, Token: l.Token, URL: h.personalLink(l.Token), ExpiresAt: l.Expires})
}

// listLinks answers {"links":[...]}, a member's links without their
// tokens.
func (h *handlers) listLinks(c *gin.Context) {
	ls, err := h.app.Links(c.Request.Context(), principalOf(c), c.Param("member"))
	respond(c, http.StatusOK, gin.H{"links": ls}, err)
}

// revokeLink revokes one of a member's links: 204, also for a link
// revoked already.
func (h *handlers) revokeLink(c *gin.Context) {
	n, err := strconv.Atoi(c.Param("link"))
	if err != nil {
		writeError(c, &apperr.Error{Code: apperr.NotFound, Field: "link", Message: "no such link: links are numbered 1, 2, 3, ..."})
		return
	}
	if err := h.app.RevokeLink(c.Request.Context(), principalOf(c), c.Param("member"), n); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// personalLink returns the personal link of token: the pulse page with the
// token in the fragment, which browsers never send to a server, so it
// stays out of access logs.
func (h *handlers) personalLink(token string) string {
	return h.baseURL + "/pulse#token=" + token
}
