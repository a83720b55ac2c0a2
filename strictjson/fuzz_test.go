package strictjson_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/strictjson"
)

// fuzzRequest is a representative request body: the shapes of the API's
// bodies (strings, pointers to numbers and times, a named string type,
// slices of strings and of objects, maps of raw values and of objects).
type fuzzRequest struct {
	Name              string                     `json:"name"`
	TeamID            string                     `json:"team_id"`
	Instruments       []string                   `json:"instruments"`
	Cadence           fuzzCadence                `json:"cadence"`
	K                 *int                       `json:"k"`
	QuestionsPerPulse *int                       `json:"questions_per_pulse"`
	StartsAt          *time.Time                 `json:"starts_at"`
	Values            map[string]json.RawMessage `json:"values"`
	Comment           string                     `json:"comment,omitempty"`
	Items             []fuzzItem                 `json:"items"`
	Labels            map[string]fuzzItem        `json:"labels"`
	Reverse           bool                       `json:"reverse"`
	Ignored           string                     `json:"-"`
}

// fuzzCadence stands for a named string type such as survey.Cadence.
type fuzzCadence string

// fuzzItem is a nested object.
type fuzzItem struct {
	ID    string            `json:"id"`
	Text  map[string]string `json:"text"`
	Min   int8              `json:"min"`
	Score *float64          `json:"score"`
}

// FuzzDecode checks that Decode never panics on an arbitrary body and
// either succeeds or returns an Invalid *apperr.Error naming a field.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"name":"Pulse","team_id":"t1","instruments":["enps","wellbeing"],"cadence":"weekly","k":5,"questions_per_pulse":3,"starts_at":"2026-11-30T09:00:00Z"}`,
		`{"values":{"enps.1":9,"q":"x"},"comment":"great week"}`,
		`{"items":[{"id":"a","text":{"en":"A"},"min":-128,"score":1.5}],"labels":{"x":{"id":"b"}},"reverse":true}`,
		`{"items":[{"id":"a","extra":1}]}`,
		`{"labels":{"":{"bad":1}}}`,
		`{"Name":"wrong case"}`,
		`{"":1}`,
		`{"k":1e40}`,
		`{"k":"5"}`,
		`{"items":[{"min":300}]}`,
		`{"starts_at":"soon"}`,
		`{"name":"a","name":"b"}`,
		`{} {}`,
		`[]`,
		`null`,
		`"body"`,
		``,
		`{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var req fuzzRequest
		err := strictjson.Decode(data, &req, "body")
		if err == nil {
			return
		}
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != apperr.Invalid || ae.Field == "" {
			t.Fatalf("Decode(%q) = %#v: want an Invalid *apperr.Error naming a field", data, err)
		}
	})
}
