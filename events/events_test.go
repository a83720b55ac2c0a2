package events_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/events"
)

func TestExpectedRevision_Allows(t *testing.T) {
	tests := []struct {
		expected events.ExpectedRevision
		last     uint64
		exists   bool
		want     bool
	}{
		{events.Any(), 0, false, true},
		{events.Any(), 7, true, true},
		{events.ExpectedRevision{}, 7, true, true},
		{events.NoStream(), 0, false, true},
		{events.NoStream(), 0, true, false},
		{events.StreamExists(), 0, false, false},
		{events.StreamExists(), 0, true, true},
		{events.Revision(0), 0, false, false},
		{events.Revision(0), 0, true, true},
		{events.Revision(3), 2, true, false},
		{events.Revision(3), 3, true, true},
	}
	for _, tt := range tests {
		if got := tt.expected.Allows(tt.last, tt.exists); got != tt.want {
			t.Errorf("%v.Allows(%d, %v)=%v, want %v", tt.expected, tt.last, tt.exists, got, tt.want)
		}
	}
}

func TestPosition_Compare(t *testing.T) {
	tests := []struct {
		p, q events.Position
		want int
	}{
		{events.Start, events.Start, 0},
		{events.Start, events.Position{Commit: 1, Prepare: 1}, -1},
		{events.Position{Commit: 2, Prepare: 2}, events.Position{Commit: 1, Prepare: 9}, 1},
		{events.Position{Commit: 5, Prepare: 3}, events.Position{Commit: 5, Prepare: 4}, -1},
	}
	for _, tt := range tests {
		if got := tt.p.Compare(tt.q); got != tt.want {
			t.Errorf("%v.Compare(%v)=%d, want %d", tt.p, tt.q, got, tt.want)
		}
		if got := tt.p.Less(tt.q); got != (tt.want < 0) {
			t.Errorf("%v.Less(%v)=%v, want %v", tt.p, tt.q, got, tt.want < 0)
		}
	}
}

func TestConflictError(t *testing.T) {
	err := error(events.NewConflict("team-1", events.NoStream(), 4, true))
	if !errors.Is(err, events.ErrWrongRevision) {
		t.Fatalf("errors.Is(%v, ErrWrongRevision)=false", err)
	}
	if got := apperr.CodeOf(err); got != apperr.Conflict {
		t.Errorf("CodeOf=%q, want %q", got, apperr.Conflict)
	}
	var ce *events.ConflictError
	if !errors.As(err, &ce) || ce.Actual != events.Revision(4) {
		t.Fatalf("Actual=%v, want revision 4", ce)
	}
	if missing := events.NewConflict("x", events.StreamExists(), 0, false); missing.Actual != events.NoStream() {
		t.Errorf("Actual for a missing stream=%v, want no stream", missing.Actual)
	}
}

func TestFilter(t *testing.T) {
	tests := []struct {
		name        string
		filter      events.Filter
		stream, typ string
		want        bool
	}{
		{"Everything", events.Filter{}, "answer-1", "AnswerGiven", true},
		{"StreamPrefix", events.Filter{StreamPrefixes: []string{"org-", "survey-"}}, "survey-2", "PulseOpened", true},
		{"StreamPrefixMiss", events.Filter{StreamPrefixes: []string{"org-"}}, "answer-1", "AnswerGiven", false},
		{"TypePrefix", events.Filter{TypePrefixes: []string{"Answer"}}, "answer-1", "AnswerGiven", true},
		{"TypePrefixMiss", events.Filter{TypePrefixes: []string{"Team"}}, "answer-1", "AnswerGiven", false},
	}
	for _, tt := range tests {
		if got := tt.filter.Matches(tt.stream, tt.typ); got != tt.want {
			t.Errorf("%s: Matches(%q, %q)=%v, want %v", tt.name, tt.stream, tt.typ, got, tt.want)
		}
	}
	both := events.Filter{StreamPrefixes: []string{"a"}, TypePrefixes: []string{"b"}}
	if err := both.Validate(); !errors.Is(err, events.ErrInvalidFilter) {
		t.Errorf("Validate with both prefixes: err=%v, want ErrInvalidFilter", err)
	}
	if got := (events.Filter{}).Interval(); got != events.DefaultCheckpointInterval {
		t.Errorf("default Interval=%d, want %d", got, events.DefaultCheckpointInterval)
	}
}

func TestValidateStream_Field(t *testing.T) {
	err := events.ValidateStream("a b")
	if got := apperr.FieldOf(err); got != "stream" {
		t.Errorf("FieldOf=%q, want stream", got)
	}
	if got := apperr.CodeOf(err); got != apperr.Invalid {
		t.Errorf("CodeOf=%q, want %q", got, apperr.Invalid)
	}
}

type teamCreated struct {
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"`
}

func TestRegistry(t *testing.T) {
	reg := events.NewRegistry()
	events.Register[teamCreated](reg, "TeamCreated")

	data, err := events.Marshal(teamCreated{Name: "Sales", Parent: "t-1"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := reg.Decode(events.Event{Type: "TeamCreated", Data: data})
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if want := (teamCreated{Name: "Sales", Parent: "t-1"}); got != want {
		t.Errorf("Decode=%+v, want %+v", got, want)
	}
	events.Register[teamCreated](reg, "MemberJoined")
	if got, want := reg.Types(), []string{"MemberJoined", "TeamCreated"}; !slices.Equal(got, want) {
		t.Errorf("Types()=%v, want %v", got, want)
	}
	if _, err := reg.Decode(events.Event{Type: "Unknown", Data: data}); !errors.Is(err, events.ErrUnknownType) {
		t.Errorf("Decode of an unknown type: err=%v, want ErrUnknownType", err)
	}
	if _, err := reg.Decode(events.Event{Type: "TeamCreated", Data: []byte(`{"name":`)}); err == nil {
		t.Error("Decode of truncated JSON: err=nil, want an error")
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a type twice did not panic")
		}
	}()
	events.Register[teamCreated](reg, "TeamCreated")
}

// answerLike has the shape of an answer event. goccy/go-json v0.10.5
// panicked on the truncated inputs below when decoding projections' answer
// type (found by FuzzDecodeAnswer); Unmarshal recovers from such panics, and
// malformed data must always come back as an error.
type answerLike struct {
	Pulse      string `json:"pulse"`
	Respondent string `json:"respondent"`
	Team       string `json:"team"`
	Day        string `json:"day"`
	Values     []struct {
		Key   string `json:"key"`
		Value int    `json:"value"`
	} `json:"values"`
	Comment []byte `json:"comment"`
}

func TestUnmarshal_Malformed(t *testing.T) {
	for _, in := range []string{`{"Comment\`, `{"Pulse\`} {
		var v answerLike
		if err := events.Unmarshal([]byte(in), &v); err == nil {
			t.Errorf("Unmarshal(%s): err=nil, want an error", in)
		}
	}
	reg := events.NewRegistry()
	events.Register[answerLike](reg, "AnswerSubmitted")
	if _, err := reg.Decode(events.Event{Type: "AnswerSubmitted", Data: []byte(`{"Comment\`)}); err == nil {
		t.Fatal("Decode of a truncated document: err=nil, want an error")
	}
}
