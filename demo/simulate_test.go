package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/empulse/empulse/instrument"
	"github.com/empulse/empulse/recognition"
	"github.com/empulse/empulse/survey"
)

// fakeAPI answers the three requests the Simulator makes, as the API
// would, and records what it was sent. Member i's token is "t<i>"; the
// token "refused" gets 400 on recognitions.
type fakeAPI struct {
	mu           sync.Mutex
	answered     map[string]bool // by token
	answers      []map[string]int
	recognitions []map[string]string
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	questions := survey.Questions([]instrument.Definition{mustBundled(instrument.WHO5ID)})
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/me/pulses":
		json.NewEncoder(w).Encode(map[string]any{"pulses": []myPulse{{SurveyID: "s0", PulseID: "p0", Answered: f.answered[token], Questions: questions}}})
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/surveys/s0/pulses/p0/answers":
		var body struct {
			Values map[string]int `json:"values"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Values) != len(questions) {
			http.Error(w, fmt.Sprintf("bad answer %v: %v", body.Values, err), http.StatusBadRequest)
			return
		}
		if f.answered[token] {
			http.Error(w, "answered", http.StatusConflict)
			return
		}
		f.answered[token] = true
		f.answers = append(f.answers, body.Values)
		w.WriteHeader(http.StatusCreated)
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/recognitions":
		if token == "refused" {
			http.Error(w, "refused", http.StatusBadRequest)
			return
		}
		var body map[string]string
		json.NewDecoder(r.Body).Decode(&body)
		f.recognitions = append(f.recognitions, body)
		w.WriteHeader(http.StatusCreated)
	default:
		http.NotFound(w, r)
	}
}

// fakeOrg returns an Org of the plan of seed 1 with pending left for the
// current week: its members have the ids "m<i>" and tokens "t<i>", and of
// its surveys s0, s1, ... (one per surveySpecs) only s0 has a pulse (see
// fakeAPI).
func fakeOrg(now time.Time, pending []task) *Org {
	w := newWorld(1)
	o := &Org{world: w, week: recognition.Week(now), pending: pending}
	for i := range surveySpecs {
		o.surveys = append(o.surveys, fmt.Sprintf("s%d", i))
	}
	for i := range w.people {
		o.Members = append(o.Members, Member{ID: fmt.Sprintf("m%d", i), Token: fmt.Sprintf("t%d", i)})
	}
	return o
}

func TestSimulator_Run(t *testing.T) {
	t.Parallel()
	now := time.Now()
	api := &fakeAPI{answered: map[string]bool{}}
	srv := httptest.NewServer(api)
	defer srv.Close()

	pending := []task{
		{person: 0, survey: 0, level: 0.5, noise: 1},
		{person: 0, survey: 0, level: 0.5, noise: 2}, // answered already: skipped
		{person: 1, survey: -1, receiver: 2, value: "teamwork", message: "Thanks!"},
		{person: 3, survey: -1, receiver: 2, value: "craft", message: "Nice."},
	}
	o := fakeOrg(now, pending)
	o.Members[3].Token = "refused"
	sim := Simulator{BaseURL: srv.URL + "/", Org: o, Rate: MaxRate, Client: srv.Client()}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := sim.Run(ctx)
	if statusOf(err) != http.StatusBadRequest || !strings.Contains(err.Error(), "/api/v1/recognitions") {
		t.Fatalf("Run: err=%v, want the refused recognition's 400", err)
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if len(api.answers) != 1 || len(api.recognitions) != 1 {
		t.Fatalf("%d answers and %d recognitions, want 1 and 1", len(api.answers), len(api.recognitions))
	}
	if want := map[string]string{"receiver_id": "m2", "value": "teamwork", "message": "Thanks!"}; fmt.Sprint(api.recognitions[0]) != fmt.Sprint(want) {
		t.Errorf("recognition=%v, want %v", api.recognitions[0], want)
	}
	if len(o.pending) != 0 {
		t.Errorf("%d tasks still pending, want none", len(o.pending))
	}
}

func TestSimulator_RunUntilDone(t *testing.T) {
	t.Parallel()
	now := time.Now()
	sim := Simulator{BaseURL: "http://127.0.0.1:1", Org: fakeOrg(now, nil), Rate: MaxRate, Now: func() time.Time { return now }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sim.Run(ctx) }()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after its context ended: %v, want nil", err)
	}
	for _, rate := range []float64{-1, MaxRate * 2} {
		if err := (&Simulator{Org: fakeOrg(now, nil), Rate: rate}).Run(context.Background()); err == nil {
			t.Errorf("rate %g: no error", rate)
		}
	}
}

func TestSimulator_RunPlansTheNextWeek(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	api := &fakeAPI{answered: map[string]bool{}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	o := fakeOrg(now, nil)
	o.week = "2026-W47" // Seed's week has gone by
	sim := Simulator{BaseURL: srv.URL, Org: o, Rate: MaxRate, Client: srv.Client(), Now: func() time.Time { return now }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sim.Run(ctx) }()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		api.mu.Lock()
		n, r := len(api.answers), len(api.recognitions)
		api.mu.Unlock()
		if n >= 5 && r >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d answers and %d recognitions after 20s, want at least 5 and 1", n, r)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if o.week != "2026-W48" {
		t.Errorf("the simulator is in week %s, want 2026-W48", o.week)
	}
}
