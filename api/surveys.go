package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/instrument"
	"github.com/empulse/empulse/survey"
)

// defineInstrument stores a custom instrument: 201 with its definition.
func (h *handlers) defineInstrument(c *gin.Context) {
	var d instrument.Definition
	if err := decodeJSON(c, instrumentMaxBody, &d, false); err != nil {
		writeError(c, err)
		return
	}
	if d.Bundled {
		writeError(c, apperr.Field("bundled", "custom instruments cannot be bundled"))
		return
	}
	def, err := h.app.DefineInstrument(c.Request.Context(), principalOf(c), d)
	respond(c, http.StatusCreated, def, err)
}

// listInstruments answers {"instruments":[...]}: bundled, then custom.
func (h *handlers) listInstruments(c *gin.Context) {
	ds, err := h.app.Instruments(c.Request.Context())
	respond(c, http.StatusOK, gin.H{"instruments": ds}, err)
}

// getInstrument answers one instrument.
func (h *handlers) getInstrument(c *gin.Context) {
	d, err := h.app.Instrument(c.Request.Context(), c.Param("instrument"))
	respond(c, http.StatusOK, d, err)
}

// createSurveyRequest is the body of POST /surveys.
type createSurveyRequest struct {
	Name              string         `json:"name"`
	TeamID            string         `json:"team_id"`
	Instruments       []string       `json:"instruments"`
	Cadence           survey.Cadence `json:"cadence"`
	K                 *int           `json:"k"`
	QuestionsPerPulse *int           `json:"questions_per_pulse"`
	StartsAt          *time.Time     `json:"starts_at"`
}

// createSurvey creates a survey: 201 with the survey.
func (h *handlers) createSurvey(c *gin.Context) {
	var req createSurveyRequest
	if err := decodeJSON(c, h.maxBody, &req, false); err != nil {
		writeError(c, err)
		return
	}
	ns := app.NewSurvey{Name: req.Name, Team: req.TeamID, Instruments: req.Instruments, Cadence: req.Cadence}
	if req.K != nil {
		if *req.K == 0 {
			writeError(c, apperr.Field("k", "must be %d to %d", survey.MinK, survey.MaxK))
			return
		}
		ns.K = *req.K
	}
	if req.QuestionsPerPulse != nil {
		if *req.QuestionsPerPulse == 0 {
			writeError(c, apperr.Field("questions_per_pulse", "must be 1 to %d", survey.MaxPerPulse))
			return
		}
		ns.PerPulse = *req.QuestionsPerPulse
	}
	if req.StartsAt != nil {
		if req.StartsAt.IsZero() { // the zero time would mean "now" below
			writeError(c, apperr.Field("starts_at", "must be within a year of now"))
			return
		}
		ns.StartsAt = *req.StartsAt
	}
	s, err := h.app.CreateSurvey(c.Request.Context(), principalOf(c), ns)
	respond(c, http.StatusCreated, s, err)
}

// listSurveys answers {"surveys":[...]}, the surveys the caller may see.
func (h *handlers) listSurveys(c *gin.Context) {
	ss, err := h.app.Surveys(c.Request.Context(), principalOf(c))
	respond(c, http.StatusOK, gin.H{"surveys": ss}, err)
}

// getSurvey answers one survey with its pulses.
func (h *handlers) getSurvey(c *gin.Context) {
	s, err := h.app.Survey(c.Request.Context(), principalOf(c), c.Param("survey"))
	respond(c, http.StatusOK, s, err)
}

// patchSurveyRequest is the body of PATCH /surveys/{survey}.
type patchSurveyRequest struct {
	K *int `json:"k"`
}

// patchSurvey changes a survey's k before its first pulse.
func (h *handlers) patchSurvey(c *gin.Context) {
	var req patchSurveyRequest
	if err := decodeJSON(c, h.maxBody, &req, false); err != nil {
		writeError(c, err)
		return
	}
	if req.K == nil {
		writeError(c, apperr.Field("k", "is required"))
		return
	}
	s, err := h.app.ChangeK(c.Request.Context(), principalOf(c), c.Param("survey"), *req.K)
	respond(c, http.StatusOK, s, err)
}

// emptyRequest is the body of the actions that take no input: nothing or
// {}.
type emptyRequest struct{}

// openPulse opens the survey's next pulse: 201 with the pulse.
func (h *handlers) openPulse(c *gin.Context) {
	if err := decodeJSON(c, h.maxBody, &emptyRequest{}, true); err != nil {
		writeError(c, err)
		return
	}
	p, err := h.app.OpenPulse(c.Request.Context(), principalOf(c), c.Param("survey"))
	respond(c, http.StatusCreated, p, err)
}

// closePulse closes a pulse: 200 with the pulse.
func (h *handlers) closePulse(c *gin.Context) {
	if err := decodeJSON(c, h.maxBody, &emptyRequest{}, true); err != nil {
		writeError(c, err)
		return
	}
	p, err := h.app.ClosePulse(c.Request.Context(), principalOf(c), c.Param("survey"), c.Param("pulse"))
	respond(c, http.StatusOK, p, err)
}

// answerRequest is the body of POST .../answers. Values are decoded one by
// one, so that an error names the question.
type answerRequest struct {
	Values  map[string]json.RawMessage `json:"values"`
	Comment string                     `json:"comment"`
}

// answerValues returns raw's values as whole numbers, or an Invalid
// *apperr.Error naming "values.<key>".
func answerValues(raw map[string]json.RawMessage) (map[string]int, error) {
	out := make(map[string]int, len(raw))
	for k, v := range raw {
		var n int
		if err := json.Unmarshal(v, &n); err != nil {
			return nil, apperr.Field("values."+k, "must be a whole number on the question's scale")
		}
		out[k] = n
	}
	return out, nil
}

// answer records the caller's answer: 201 with the receipt. A request
// with the Idempotency-Key of an earlier one gets that one's receipt.
func (h *handlers) answer(c *gin.Context) {
	key := c.GetHeader("Idempotency-Key")
	if _, set := c.Request.Header["Idempotency-Key"]; set && !app.ValidIdempotencyKey(key) {
		writeError(c, apperr.Field("Idempotency-Key", "must be 1 to %d printable ASCII characters", app.MaxIdempotencyKey))
		return
	}
	var req answerRequest
	if err := decodeJSON(c, h.maxBody, &req, false); err != nil {
		writeError(c, err)
		return
	}
	values, err := answerValues(req.Values)
	if err != nil {
		writeError(c, err)
		return
	}
	r, err := h.app.Answer(c.Request.Context(), principalOf(c), app.NewAnswer{Survey: c.Param("survey"), Pulse: c.Param("pulse"),
		Values: values, Comment: req.Comment, IdempotencyKey: key})
	if err == nil {
		h.waitProjected(c, r.Position)
	}
	respond(c, http.StatusCreated, r, err)
}

// myPulses answers {"pulses":[...]}, the caller's open pulses.
func (h *handlers) myPulses(c *gin.Context) {
	ps, err := h.app.MyPulses(c.Request.Context(), principalOf(c))
	respond(c, http.StatusOK, gin.H{"pulses": ps}, err)
}
