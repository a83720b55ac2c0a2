package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/recognition"
)

// recognizeRequest is the body of POST /recognitions.
type recognizeRequest struct {
	ReceiverID string `json:"receiver_id"`
	Value      string `json:"value"`
	Message    string `json:"message"`
}

// recognize records the caller's recognition of a colleague: 201 with it.
func (h *handlers) recognize(c *gin.Context) {
	var req recognizeRequest
	if err := decodeJSON(c, h.maxBody, &req, false); err != nil {
		writeError(c, err)
		return
	}
	r, err := h.app.Recognize(c.Request.Context(), principalOf(c),
		app.NewRecognition{Receiver: req.ReceiverID, Value: req.Value, Message: req.Message})
	if err == nil {
		h.waitProjected(c, r.Position)
	}
	respond(c, http.StatusCreated, r, err)
}

// myRecognitions answers what the caller gave in ?week= (default: this
// ISO week) and what remains of their allowance.
func (h *handlers) myRecognitions(c *gin.Context) {
	week := c.Query("week")
	if week != "" && !recognition.ValidWeek(week) {
		writeError(c, apperr.Field("week", "must be an ISO week like 2026-W48"))
		return
	}
	r, err := h.app.MyRecognitions(c.Request.Context(), principalOf(c), week)
	respond(c, http.StatusOK, r, err)
}
