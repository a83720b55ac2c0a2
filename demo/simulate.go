package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/empulse/empulse/recognition"
	"github.com/empulse/empulse/survey"
)

// The Simulator's pace, in answers and recognitions per second:
// DefaultRate when Simulator.Rate is 0, and at most MaxRate.
const (
	DefaultRate = 2.0
	MaxRate     = 1000.0
)

// Simulator carries on an organisation that Seed wrote, through the HTTP
// API with its members' tokens, as the members themselves would: it answers
// the open pulses and gives recognition, one task at a time at Rate tasks a
// second. It starts with what Seed left of the current week; when that is
// done it waits for the next week, plans it as Seed planned the past ones
// (the planted effect included), and goes on once the week's pulses have
// opened.
type Simulator struct {
	// BaseURL is the server's URL, such as http://127.0.0.1:8080; required.
	BaseURL string
	// Org is what Seed returned; required. Run takes it over.
	Org *Org
	// Rate is the tasks per second; DefaultRate if 0.
	Rate float64
	// Client makes the requests; http.DefaultClient if nil.
	Client *http.Client
	// Now is the clock; time.Now if nil.
	Now func() time.Time
	// Logger receives the requests that failed; nothing is logged if nil.
	Logger *slog.Logger
}

// Run simulates until ctx is done, then returns nil. A request the server
// refuses with a 4xx status other than 409 and 429 (the simulation has a
// bug) ends Run with an error; conflicts (a pulse answered or
// closed, an allowance used up) and rate limits skip the task; network and
// server errors are logged and the task skipped.
func (s *Simulator) Run(ctx context.Context) error {
	rate := s.Rate
	if rate == 0 {
		rate = DefaultRate
	}
	if !(rate > 0 && rate <= MaxRate) {
		return fmt.Errorf("demo: simulator rate %g: want more than 0 and at most %g", rate, MaxRate)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	o := s.Org
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if len(o.pending) == 0 {
			t := now()
			week := recognition.Week(t)
			// The scheduler opens the week's pulses within a minute or so
			// of their time.
			if week == o.week || t.Before(pulseTime(mondayOf(t), 0).Add(2*time.Minute)) {
				continue
			}
			o.week, o.pending = week, o.world.planWeek()
		}
		t := o.pending[0]
		o.pending = o.pending[1:]
		err := s.do(ctx, t)
		switch status := statusOf(err); {
		case err == nil || ctx.Err() != nil || status == http.StatusConflict || status == http.StatusTooManyRequests:
		case status >= 400 && status < 500:
			return err
		default:
			log.Warn("demo simulator: request failed", "err", err)
		}
	}
}

// statusError is an answer of the API with an error status.
type statusError struct {
	method, path string
	status       int
	body         string
}

// Error returns the request, the status and the body.
func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s: status %d: %s", e.method, e.path, e.status, strings.TrimSpace(e.body))
}

// statusOf returns the status of err, a *statusError, or 0.
func statusOf(err error) int {
	var se *statusError
	if errors.As(err, &se) {
		return se.status
	}
	return 0
}

// myPulse is what the simulator reads of GET /me/pulses.
type myPulse struct {
	SurveyID  string            `json:"survey_id"`
	PulseID   string            `json:"pulse_id"`
	Answered  bool              `json:"answered"`
	Questions []survey.Question `json:"questions"`
}

// do carries out one task as its member. A conflict (answered already, the
// allowance used up) is a *statusError with status 409.
func (s *Simulator) do(ctx context.Context, t task) error {
	o := s.Org
	m := o.Members[t.person]
	if t.survey < 0 {
		body := map[string]string{"receiver_id": o.Members[t.receiver].ID, "value": t.value, "message": t.message}
		return s.call(ctx, m.Token, http.MethodPost, "/api/v1/recognitions", body, http.StatusCreated, nil)
	}
	var mine struct {
		Pulses []myPulse `json:"pulses"`
	}
	if err := s.call(ctx, m.Token, http.MethodGet, "/api/v1/me/pulses", nil, http.StatusOK, &mine); err != nil {
		return err
	}
	for _, p := range mine.Pulses {
		if p.SurveyID != o.surveys[t.survey] || p.Answered {
			continue
		}
		drivers := o.world.teams[o.world.people[t.person].team].drivers
		body := struct {
			Values  map[string]int `json:"values"`
			Comment string         `json:"comment,omitempty"`
		}{answer(p.Questions, t.level, drivers, t.noise), t.comment}
		return s.call(ctx, m.Token, http.MethodPost, "/api/v1/surveys/"+p.SurveyID+"/pulses/"+p.PulseID+"/answers",
			body, http.StatusCreated, nil)
	}
	return nil
}

// call makes a request with token and body (JSON, none if nil), and
// decodes the answer into v (if not nil) when the status is want; another
// status is a *statusError.
func (s *Simulator) call(ctx context.Context, token, method, path string, body any, want int, v any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(s.BaseURL, "/")+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != want {
		return &statusError{method: method, path: path, status: resp.StatusCode, body: string(data)}
	}
	if v == nil {
		return nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s %s: decode: %w", method, path, err)
	}
	return nil
}
