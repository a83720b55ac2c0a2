package projections_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"

	json "github.com/goccy/go-json"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/projections"
	"github.com/empulse/empulse/survey"
)

// TestDecodeAnswer checks that the fold's answer decoding reads what
// goccy/go-json reads, on answers as events.Marshal writes them (the fast
// path) and on unusual but valid JSON (the fallback).
func TestDecodeAnswer(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	check := func(t *testing.T, data []byte, wantFast bool) {
		t.Helper()
		var want survey.AnswerSubmitted
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("goccy: %v", err)
		}
		fields, values, fast, err := projections.DecodeAnswer(data)
		if err != nil {
			t.Fatalf("decode %s: %v", data, err)
		}
		if fast != wantFast {
			t.Errorf("fast=%v, want %v for %s", fast, wantFast, data)
		}
		if got, w := fields, [5]string{want.Pulse, want.Respondent, want.Team, want.Day, string(want.Comment)}; got != w {
			t.Errorf("fields=%q, want %q", got, w)
		}
		wantValues := map[string]int{}
		for _, v := range want.Values {
			wantValues[v.Key] = v.Value
		}
		if !maps.Equal(values, wantValues) {
			t.Errorf("values=%v, want %v", values, wantValues)
		}
	}
	for i := range 200 {
		a := survey.AnswerSubmitted{Answer: fmt.Sprint("a", i), Survey: "s", Pulse: fmt.Sprint("p", rng.IntN(9)),
			Respondent: fmt.Sprint("r", i), Team: fmt.Sprint("t", rng.IntN(5)), Day: "2026-11-25"}
		for j := range rng.IntN(8) {
			a.Values = append(a.Values, survey.Value{Key: fmt.Sprint("q.", j), Value: rng.IntN(2000) - 1000})
		}
		if rng.IntN(3) == 0 {
			a.Comment = []byte(fmt.Sprint("sealed comment ", i))
		}
		data, err := events.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		check(t, data, true)
	}
	for _, tc := range []struct {
		name, data string
		fast       bool
	}{
		{"Spaces", ` { "pulse" : "p" , "team":"t", "day":"2026-11-25", "values" : [ { "key" : "k" , "value" : 3 } ] } `, true},
		{"NullValues", `{"pulse":"p","team":"t","day":"2026-11-25","values":null}`, true},
		{"Escapes", `{"pulse":"p\u0031","team":"t","day":"2026-11-25","values":[{"key":"k\"x","value":1}]}`, false},
		{"FloatValue", `{"pulse":"p","team":"t","day":"2026-11-25","values":[{"key":"k","value":1.0}]}`, false},
		{"UnknownObject", `{"pulse":"p","extra":{"a":[1,2]},"team":"t","day":"d","values":[]}`, false},
		{"BigNumber", `{"pulse":"p","team":"t","day":"d","values":[{"key":"k","value":12345678901}]}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "FloatValue" || tc.name == "BigNumber" {
				// goccy refuses these for an int field too; both must fail.
				var want survey.AnswerSubmitted
				wantErr := json.Unmarshal([]byte(tc.data), &want) != nil
				_, _, fast, err := projections.DecodeAnswer([]byte(tc.data))
				if fast || (err != nil) != wantErr {
					t.Errorf("fast=%v err=%v, want slow path and error %v", fast, err, wantErr)
				}
				return
			}
			check(t, []byte(tc.data), tc.fast)
		})
	}
}
