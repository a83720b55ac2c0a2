package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/org"
)

// createTeamRequest is the body of POST /teams.
type createTeamRequest struct {
	Name     string `json:"name"`
	ParentID string `json:"parent_id"`
}

// createTeam creates a team: 201 with the team.
func (h *handlers) createTeam(c *gin.Context) {
	var req createTeamRequest
	if err := decodeJSON(c, h.maxBody, &req, false); err != nil {
		writeError(c, err)
		return
	}
	t, err := h.app.CreateTeam(c.Request.Context(), principalOf(c), req.Name, req.ParentID)
	respond(c, http.StatusCreated, t, err)
}

// listTeams answers {"teams":[...]}, the teams the caller may see.
func (h *handlers) listTeams(c *gin.Context) {
	ts, err := h.app.Teams(c.Request.Context(), principalOf(c))
	respond(c, http.StatusOK, gin.H{"teams": ts}, err)
}

// getTeam answers one team.
func (h *handlers) getTeam(c *gin.Context) {
	t, err := h.app.Team(c.Request.Context(), principalOf(c), c.Param("team"))
	respond(c, http.StatusOK, t, err)
}

// createMemberRequest is the body of POST /members.
type createMemberRequest struct {
	Name   string    `json:"name"`
	Email  string    `json:"email"`
	TeamID string    `json:"team_id"`
	Role   *org.Role `json:"role"`
}

// createdMemberResponse is the answer to POST /members: the member's token
// and personal link (link 1), shown only this once, and when it expires.
type createdMemberResponse struct {
	Member    app.Member `json:"member"`
	Token     string     `json:"token"`
	Link      string     `json:"link"`
	ExpiresAt time.Time  `json:"expires_at"`
}

// createMember adds a member: 201 with the member, their token and link.
func (h *handlers) createMember(c *gin.Context) {
	var req createMemberRequest
	if err := decodeJSON(c, h.maxBody, &req, false); err != nil {
		writeError(c, err)
		return
	}
	role := org.RoleEmployee // when the body gives none; "" is invalid
	if req.Role != nil {
		role = *req.Role
	}
	cm, err := h.app.CreateMember(c.Request.Context(), principalOf(c),
		app.NewMember{Name: req.Name, Email: req.Email, Team: req.TeamID, Role: role})
	if err != nil {
		writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, createdMemberResponse{Member: cm.Member, Token: cm.Token, Link: h.personalLink(cm.Token), ExpiresAt: cm.Expires})
}

// listMembers answers {"members":[...]}, the members the caller manages.
func (h *handlers) listMembers(c *gin.Context) {
	ms, err := h.app.Members(c.Request.Context(), principalOf(c))
	respond(c, http.StatusOK, gin.H{"members": ms}, err)
}

// directory answers {"members":[...]}, every colleague's name and team.
func (h *handlers) directory(c *gin.Context) {
	cs, err := h.app.Directory(c.Request.Context())
	respond(c, http.StatusOK, gin.H{"members": cs}, err)
}

// getMember answers one member with their name and e-mail.
func (h *handlers) getMember(c *gin.Context) {
	m, err := h.app.Member(c.Request.Context(), principalOf(c), c.Param("member"))
	respond(c, http.StatusOK, m, err)
}

// patchMemberRequest is the body of PATCH /members/{member}.
type patchMemberRequest struct {
	TeamID *string   `json:"team_id"`
	Role   *org.Role `json:"role"`
}

// patchMember moves a member to another team or changes their role: one
// change per request, so that a request is applied entirely or not at all.
func (h *handlers) patchMember(c *gin.Context) {
	var req patchMemberRequest
	if err := decodeJSON(c, h.maxBody, &req, false); err != nil {
		writeError(c, err)
		return
	}
	if (req.TeamID == nil) == (req.Role == nil) {
		writeError(c, apperr.Field("body", "set exactly one of team_id and role"))
		return
	}
	ctx, p, id := c.Request.Context(), principalOf(c), c.Param("member")
	var m app.Member
	var err error
	if req.TeamID != nil {
		m, err = h.app.MoveMember(ctx, p, id, *req.TeamID)
	} else {
		m, err = h.app.ChangeRole(ctx, p, id, *req.Role)
	}
	respond(c, http.StatusOK, m, err)
}

// eraseMember erases a member's personal data (admins only): 204, also
// for a member erased already, so that a retry is safe.
func (h *handlers) eraseMember(c *gin.Context) {
	if err := h.app.EraseMember(c.Request.Context(), principalOf(c), c.Param("member")); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// me answers the caller's own member record.
func (h *handlers) me(c *gin.Context) {
	m, err := h.app.Me(c.Request.Context(), principalOf(c))
	respond(c, http.StatusOK, m, err)
}

// respond answers status with body as JSON, or the error response for err.
func respond(c *gin.Context, status int, body any, err error) {
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(status, body)
}
