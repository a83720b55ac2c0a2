package app_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/instrument"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/pii"
	"github.com/empulse/empulse/recognition"
	"github.com/empulse/empulse/survey"
)

var updateSeeds = flag.Bool("update-fuzz-seeds", false, "rewrite testdata/fuzz/FuzzDecodeEvent from a fresh history")

// seedDir holds FuzzDecodeEvent's seed corpus.
var seedDir = filepath.Join("testdata", "fuzz", "FuzzDecodeEvent")

// FuzzDecodeEvent decodes an event of any type, with any data, as the App
// does with what it reads from a store (written by this version, an older
// or newer one, or another tool), and folds it into the states the App
// keeps. Decoding either succeeds or fails with an error, never panics; what
// it decodes survives a round trip through events.Marshal; folding it into
// an empty or a populated state neither panics nor breaks the state's
// invariants. A type name the registry does not know must fail with
// ErrUnknownType; the data is then decoded as one of the registered types,
// so that mutated type names still exercise the decoders.
func FuzzDecodeEvent(f *testing.F) {
	reg := app.Registry()
	types := reg.Types()
	base := foldBase(f, reg)
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		v, ok := decodeAny(t, reg, types, typ, data)
		if !ok {
			return
		}
		checkRoundTrip(t, reg, v, data)
		checkFolds(t, base, v)
	})
}

// decodeAny decodes data as an event of type typ (or, for an unknown type,
// of a registered type chosen by typ) and reports whether it decoded.
func decodeAny(t *testing.T, reg *events.Registry, types []string, typ string, data []byte) (any, bool) {
	t.Helper()
	v, err := reg.Decode(events.Event{Type: typ, Data: data})
	if errors.Is(err, events.ErrUnknownType) {
		if v != nil {
			t.Fatalf("Decode of unknown type %q returned %#v with its error", typ, v)
		}
		sum := 0
		for _, c := range []byte(typ) {
			sum += int(c)
		}
		typ = types[sum%len(types)]
		v, err = reg.Decode(events.Event{Type: typ, Data: data})
	}
	if err != nil {
		if v != nil {
			t.Fatalf("Decode(%s, %q) returned %#v with error %v", typ, data, v, err)
		}
		if errors.Is(err, events.ErrUnknownType) {
			t.Fatalf("Decode(%s): %v, but the type is registered", typ, err)
		}
		return nil, false
	}
	if got := v.(interface{ EventType() string }).EventType(); got != typ {
		t.Fatalf("Decode(%s) returned a %s", typ, got)
	}
	return v, true
}

// checkRoundTrip checks that v, decoded from data, marshalled and decoded
// again, is v. Strings holding invalid UTF-8, which only data that is not
// UTF-8 can give, come back with U+FFFD in their place, as JSON wants;
// then the value must come back unchanged from the second round.
func checkRoundTrip(t *testing.T, reg *events.Registry, v any, data []byte) {
	t.Helper()
	w := roundTrip(t, reg, v)
	if reflect.DeepEqual(v, w) {
		return
	}
	if utf8.Valid(data) {
		t.Fatalf("round trip of %#v:\n got %#v", v, w)
	}
	if x := roundTrip(t, reg, w); !reflect.DeepEqual(w, x) {
		t.Fatalf("second round trip of %#v:\n got %#v", w, x)
	}
}

// roundTrip returns v marshalled and decoded again.
func roundTrip(t *testing.T, reg *events.Registry, v any) any {
	t.Helper()
	typ := v.(interface{ EventType() string }).EventType()
	data, err := events.Marshal(v)
	if err != nil {
		t.Fatalf("Marshal(%#v): %v", v, err)
	}
	w, err := reg.Decode(events.Event{Type: typ, Data: data})
	if err != nil {
		t.Fatalf("Decode(%s) of its own encoding %s: %v", typ, data, err)
	}
	return w
}

// base holds the logs the fuzzed event is folded after: each state is
// rebuilt from its log for every input, as the App rebuilds it from a stream.
type base struct {
	org         []any // a real organisation's events
	survey      []any // a real survey's events, pulses opened and closed
	recognition []any
}

// foldBase returns the decoded events of a real history, by stream kind.
func foldBase(tb testing.TB, reg *events.Registry) base {
	tb.Helper()
	var b base
	for _, e := range realHistory(tb) {
		v, err := reg.Decode(e)
		if err != nil {
			tb.Fatalf("Decode(%s): %v", e.Type, err)
		}
		switch v.(type) {
		case org.TeamCreated, org.MemberJoined, org.MemberMoved, org.MemberRoleChanged, org.MemberErased,
			org.LinkIssued, org.LinkRevoked:
			b.org = append(b.org, v)
		case survey.Created, survey.KChanged, survey.PulseOpened, survey.PulseClosed:
			b.survey = append(b.survey, v)
		case recognition.Given:
			b.recognition = append(b.recognition, v)
		}
	}
	return b
}

// checkFolds folds v into empty states and into states of b's logs, and
// checks each state's invariants afterwards.
func checkFolds(t *testing.T, b base, v any) {
	t.Helper()
	for _, log := range [][]any{nil, b.org} {
		s := org.NewState()
		for _, ev := range log {
			s.Apply(ev)
		}
		checkOrg(t, s, "before")
		s.Apply(v)
		checkOrg(t, s, fmt.Sprintf("after a %T", v))
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, log := range [][]any{nil, b.survey} {
		var s survey.State
		for _, ev := range log {
			s.Apply(ev)
		}
		s.Apply(v)
		useSurvey(t, &s, now)
	}
	var r recognition.State
	for _, ev := range b.recognition {
		r.Apply(ev)
	}
	n := len(r.Given)
	r.Apply(v)
	if _, given := v.(recognition.Given); len(r.Given)-n != map[bool]int{false: 0, true: 1}[given] {
		t.Fatalf("recognition.State went from %d to %d recognitions after %#v", n, len(r.Given), v)
	}
}

// checkOrg fails t unless s is consistent: every team and member listed
// once in creation order, the hierarchy a forest (so that walking it ends),
// and every token hash naming a member with that hash who is not erased.
func checkOrg(t *testing.T, s *org.State, when string) {
	t.Helper()
	if len(s.TeamOrder) != len(s.Teams) {
		t.Fatalf("%s: %d teams in TeamOrder, %d in Teams", when, len(s.TeamOrder), len(s.Teams))
	}
	for _, id := range s.TeamOrder {
		if s.Teams[id] == nil {
			t.Fatalf("%s: TeamOrder lists unknown team %q", when, id)
		}
	}
	if len(s.MemberOrder) != len(s.Members) {
		t.Fatalf("%s: %d members in MemberOrder, %d in Members", when, len(s.MemberOrder), len(s.Members))
	}
	for _, id := range s.MemberOrder {
		if s.Members[id] == nil {
			t.Fatalf("%s: MemberOrder lists unknown member %q", when, id)
		}
	}
	// Every team is reached at most once from the top-level teams and
	// the teams whose parent is unknown: no cycle, no team twice.
	seen := map[string]bool{}
	var walk func(id string)
	walk = func(id string) {
		if seen[id] {
			t.Fatalf("%s: team %q reached twice walking the hierarchy", when, id)
		}
		seen[id] = true
		for _, c := range s.Teams[id].Children {
			walk(c)
		}
	}
	for _, id := range s.TeamOrder {
		if _, ok := s.Teams[s.Teams[id].Parent]; !ok {
			walk(id)
		}
	}
	for _, id := range s.TeamOrder {
		if !seen[id] {
			t.Fatalf("%s: team %q is in a cycle of parents", when, id)
		}
		s.Subtree(id)
		s.InSubtree(id, id)
	}
	for _, m := range s.Members {
		for _, l := range m.Links {
			got, gotL, ok := s.ByToken(l.TokenHash)
			if !ok || got == nil || got.Erased || gotL.TokenHash != l.TokenHash {
				t.Fatalf("%s: link %d of member %q authenticates %+v, link %+v", when, l.N, m.ID, got, gotL)
			}
		}
	}
}

// useSurvey runs on s what the App and its scheduler run on a survey's
// state, which must not panic whatever the state.
func useSurvey(t *testing.T, s *survey.State, now time.Time) {
	t.Helper()
	s.OpenPulse()
	s.NextDue()
	survey.Due(s, now, "00000000-0000-4000-8000-00000000beef")
	survey.DecideOpen(s, "00000000-0000-4000-8000-00000000cafe", now)
	survey.DecideChangeK(s, survey.DefaultK)
	for _, p := range s.Pulses {
		values := map[string]int{}
		for _, q := range p.Questions {
			values[q.Key] = q.Min
		}
		survey.DecideClose(s, p.ID, now)
		survey.DecideParticipation(s, p.ID, []string{"m"})
		survey.DecideAnswer(s, survey.Answer{Answer: "a", Pulse: p.ID, Respondent: "r", Team: s.Team, Values: values,
			Now: p.OpenedAt, Comment: "c", Seal: func(text, _ string) (pii.Sealed, error) { return pii.Sealed(text), nil }})
	}
}

// realHistory drives an App through every command that writes events and
// returns its log: real events, as the App marshals them.
func realHistory(tb testing.TB) []events.Event {
	tb.Helper()
	e := newEnv(tb, 5)
	ctx := context.Background()
	root := e.team(tb, "Engineering", "")
	sub := e.team(tb, "Platform", root.ID)
	leader, _ := e.member(tb, "Lee Leader", root.ID, org.RoleLeader)
	alpha, _ := e.member(tb, "Alex Alpha", sub.ID, org.RoleEmployee)
	beta, _ := e.member(tb, "Bea Beta", sub.ID, org.RoleEmployee)
	must := func(what string, err error) {
		tb.Helper()
		if err != nil {
			tb.Fatalf("%s: %v", what, err)
		}
	}
	link, err := e.app.IssueLink(ctx, e.admin, alpha.Member, nil)
	must("IssueLink", err)
	must("RevokeLink", e.app.RevokeLink(ctx, e.admin, alpha.Member, link.Link))
	_, err = e.app.MoveMember(ctx, e.admin, beta.Member, root.ID)
	must("MoveMember", err)
	_, err = e.app.ChangeRole(ctx, e.admin, beta.Member, org.RoleAnalyst)
	must("ChangeRole", err)
	def, _ := instrument.BundledByID("who5")
	def.ID = "wellbeing-custom"
	_, err = e.app.DefineInstrument(ctx, e.admin, def)
	must("DefineInstrument", err)
	s, err := e.app.CreateSurvey(ctx, e.admin, app.NewSurvey{Name: "Weekly pulse", Team: root.ID,
		Instruments: []string{"wellbeing-custom", "enps", "empowerment"}, Cadence: survey.Weekly, PerPulse: 3})
	must("CreateSurvey", err)
	_, err = e.app.ChangeK(ctx, e.admin, s.ID, 3)
	must("ChangeK", err)
	pulse, err := e.app.OpenPulse(ctx, e.admin, s.ID)
	must("OpenPulse", err)
	for i, p := range []app.Principal{leader, alpha} {
		values := map[string]int{}
		for _, q := range pulse.Questions {
			values[q.Key] = q.Min + i
		}
		_, err = e.app.Answer(ctx, p, app.NewAnswer{Survey: s.ID, Pulse: pulse.ID, Values: values, Comment: "a remark " + strconv.Itoa(i)})
		must("Answer", err)
	}
	_, err = e.app.Recognize(ctx, alpha, app.NewRecognition{Receiver: leader.Member, Value: "teamwork", Message: "Thanks"})
	must("Recognize", err)
	_, err = e.app.ClosePulse(ctx, e.admin, s.ID, pulse.ID)
	must("ClosePulse", err)
	must("EraseMember", e.app.EraseMember(ctx, e.admin, alpha.Member))
	e.clock.Set(t0.AddDate(0, 0, 8))
	_, err = e.app.Tick(ctx)
	must("Tick", err)
	_, err = e.app.CompleteErasures(ctx)
	must("CompleteErasures", err)
	return e.all(tb)
}

// TestFuzzDecodeEventSeeds checks that the committed seed corpus holds an
// event of every registered type that decodes, so that a new event type is
// fuzzed from a valid example. With -update-fuzz-seeds it first rewrites
// the corpus from a fresh history.
func TestFuzzDecodeEventSeeds(t *testing.T) {
	if *updateSeeds {
		writeSeeds(t)
	}
	reg := app.Registry()
	valid := map[string]bool{}
	entries, err := os.ReadDir(seedDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, ent := range entries {
		typ, data := readSeed(t, filepath.Join(seedDir, ent.Name()))
		if _, err := reg.Decode(events.Event{Type: typ, Data: data}); err == nil {
			valid[typ] = true
		}
	}
	for _, typ := range reg.Types() {
		if !valid[typ] {
			t.Errorf("no seed of %s decodes; run go test ./app -run TestFuzzDecodeEventSeeds -update-fuzz-seeds", typ)
		}
	}
}

// writeSeeds writes one seed of each event type of a real history, and
// malformed variants of each.
func writeSeeds(t *testing.T) {
	t.Helper()
	if err := os.RemoveAll(seedDir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(seedDir, 0o755); err != nil {
		t.Fatal(err)
	}
	first := map[string]events.Event{}
	var order []string
	for _, e := range realHistory(t) {
		if _, ok := first[e.Type]; !ok {
			first[e.Type] = e
			order = append(order, e.Type)
		}
	}
	for _, typ := range order {
		for name, data := range malformed(first[typ].Data) {
			writeSeed(t, typ+"-"+name, typ, data)
		}
	}
	writeSeed(t, "unknown-type", "TeamRenamed", []byte(`{"team":"t","name":"n"}`))
	writeSeed(t, "dollar-type", "$metadata", []byte(`{"$maxAge":1}`))
}

// malformed returns data and variants of it: cut short, emptied, null, of
// the wrong kind, padded with an unknown field, broken by invalid UTF-8,
// and with every number replaced by extreme values.
func malformed(data []byte) map[string][]byte {
	out := map[string][]byte{
		"valid":     data,
		"truncated": data[:len(data)/2],
		"empty":     {},
		"null":      []byte("null"),
		"array":     []byte("[" + string(data) + "]"),
		"unknown":   append([]byte(`{"future_field":{"x":[1,2.5e300,null]},`), data[1:]...),
		"badutf8":   append([]byte("{\"team\":\"\xff\xfe\",\"name\":\"\xc3\",\"member\":\"\xed\xa0\x80\","), data[1:]...),
		"nul":       append([]byte("{\"team\":\"a\\u0000b\",\"member\":\"a\\u0000b\",\"pulse\":\"a\\u0000b\","), data[1:]...),
	}
	for name, v := range map[string]string{"huge": "1e309", "big": "18446744073709551616", "negative": "-9223372036854775808",
		"float": "2.5", "nan": `"NaN"`, "string": `"7"`, "bool": "true"} {
		out["num-"+name] = replaceNumbers(data, v)
	}
	for name, v := range map[string]string{"far-past": "0001-01-01T00:00:00Z", "far-future": "9999-12-31T23:59:59.999999999+14:00",
		"not-time": "yesterday", "offset": "2026-11-23T09:00:00-23:59"} {
		out["time-"+name] = replaceTimes(data, v)
	}
	return out
}

// replaceNumbers returns data with every JSON number outside strings
// replaced by v.
func replaceNumbers(data []byte, v string) []byte {
	var out []byte
	inString, escaped := false, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case inString:
			inString = escaped || c != '"'
			escaped = !escaped && c == '\\'
		case c == '"':
			inString = true
		case c == '-' || (c >= '0' && c <= '9'):
			for i+1 < len(data) && (data[i+1] == '.' || data[i+1] == 'e' || data[i+1] == '+' || data[i+1] == '-' || (data[i+1] >= '0' && data[i+1] <= '9')) {
				i++
			}
			out = append(out, v...)
			continue
		}
		out = append(out, c)
	}
	return out
}

// replaceTimes returns data with every RFC 3339 time string replaced by v.
func replaceTimes(data []byte, v string) []byte {
	var out []byte
	for i := 0; i < len(data); i++ {
		if data[i] == '"' {
			end := i + 1
			for end < len(data) && data[end] != '"' {
				end++
			}
			if end < len(data) {
				if _, err := time.Parse(time.RFC3339Nano, string(data[i+1:end])); err == nil {
					out = append(out, '"')
					out = append(out, v...)
					out = append(out, '"')
					i = end
					continue
				}
			}
		}
		out = append(out, data[i])
	}
	return out
}

// writeSeed writes one corpus file for FuzzDecodeEvent.
func writeSeed(t *testing.T, name, typ string, data []byte) {
	t.Helper()
	body := fmt.Sprintf("go test fuzz v1\nstring(%q)\n[]byte(%q)\n", typ, data)
	if err := os.WriteFile(filepath.Join(seedDir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readSeed reads a corpus file written by writeSeed.
func readSeed(t *testing.T, path string) (string, []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var typ, data string
	if _, err := fmt.Sscanf(string(b), "go test fuzz v1\nstring(%q)\n[]byte(%q)\n", &typ, &data); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return typ, []byte(data)
}
