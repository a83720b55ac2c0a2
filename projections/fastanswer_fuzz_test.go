package projections

import (
	"bytes"
	"testing"
)

// FuzzDecodeAnswer checks that the fold's answer decoding never panics on
// arbitrary bytes, and that whenever the fast scanner accepts an input,
// goccy/go-json (the fallback) accepts it too and reads the same answer.
func FuzzDecodeAnswer(f *testing.F) {
	for _, s := range []string{
		`{"answer":"a1","survey":"s","pulse":"p1","respondent":"r1","team":"t1","day":"2026-11-25","values":[{"key":"q.0","value":-3},{"key":"q.1","value":999}],"comment":"c2VhbGVk"}`,
		` { "pulse" : "p" , "team":"t", "day":"2026-11-25", "values" : [ { "key" : "k" , "value" : 3 } ] } `,
		`{"pulse":"p","team":"t","day":"2026-11-25","values":null}`,
		`{"pulse":"p\u0031","team":"t","day":"2026-11-25","values":[{"key":"k\"x","value":1}]}`,
		`{"pulse":"p","team":"t","day":"2026-11-25","values":[{"key":"k","value":1.0}]}`,
		`{"pulse":"p","extra":{"a":[1,2]},"team":"t","day":"d","values":[]}`,
		`{"pulse":"p","team":"t","day":"d","values":[{"key":"k","value":12345678901}]}`,
		`{"pulse":"p","x":true,"y":false,"z":null,"n":-12,"comment":""}`,
		`{"comment":"not base64!"}`,
		`{}`,
		`{"values":[]}`,
		``,
		`null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(checkFastAnswer)
}

// TestScanAnswerAgreesWithGoccy holds inputs on which the fast scanner
// once read something other than goccy/go-json: it must now decline them or
// read the same.
func TestScanAnswerAgreesWithGoccy(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		`{}0`,           // trailing data after an empty object
		`{} `,           // (white space is fine)
		`{"Pulse":"p"}`, // goccy/go-json matches names without regard to case
		`{"pulse":"p","TEAM":"t","Values":[{"key":"k","value":1}]}`,
		`{"values":[{"key":"a","value":1}],"values":[{"key":"b","value":2}]}`, // repeated keys: the last counts
		`{"values":[{"key":"a","value":1}],"values":null}`,
		`{"comment":"YQ==","comment":""}`,
		`{"pulse":"p","pulse":"q"}`,
		`{"values":[{"key":"a","value":01}]}`, // leading zeros are not JSON
		`{"values":[{"key":"a","value":-01}]}`,
		`{"values":[{"key":"a","value":0},{"key":"b","value":-0}]}`,
		`{"x":00}`,
		"{\"\":\"\x00\"}", // goccy/go-json takes a NUL for the end of the input
		"{\"pulse\":\"p\x00\"}",
	} {
		checkFastAnswer(t, []byte(s))
	}
	for _, s := range []string{`{}0`, `{"Pulse":"p"}`, `{"values":[],"values":[]}`, `{"values":[{"key":"a","value":01}]}`} {
		var v answerRaw
		if scanAnswer([]byte(s), &v) {
			t.Errorf("fast scanner accepted %s", s)
		}
	}
}

// checkFastAnswer fails t unless decodeAnswer survives data and, when the
// fast scanner accepts data, goccy/go-json reads the same from it.
func checkFastAnswer(t *testing.T, data []byte) {
	// A value left over from an earlier answer must not leak in.
	v := answerRaw{values: []rawValue{{key: []byte("stale"), value: 1}}}
	if !scanAnswer(data, &v) {
		v = answerRaw{values: []rawValue{{key: []byte("stale"), value: 1}}}
		_ = decodeAnswer(data, &v) // must only not panic
		return
	}
	var want answerSubmitted
	if err := decode(data, &want); err != nil {
		t.Fatalf("fast scanner accepted %q, which goccy/go-json refuses: %v", data, err)
	}
	if !bytes.Equal(v.pulse, []byte(want.Pulse)) || !bytes.Equal(v.respondent, []byte(want.Respondent)) ||
		!bytes.Equal(v.team, []byte(want.Team)) || !bytes.Equal(v.day, []byte(want.Day)) || !bytes.Equal(v.comment, want.Comment) {
		t.Fatalf("fast scanner read pulse=%q respondent=%q team=%q day=%q comment=%q; goccy/go-json %+v",
			v.pulse, v.respondent, v.team, v.day, v.comment, want)
	}
	if len(v.values) != len(want.Values) {
		t.Fatalf("fast scanner read %d values, goccy/go-json %d: %+v", len(v.values), len(want.Values), want.Values)
	}
	for i, x := range v.values {
		if string(x.key) != want.Values[i].Key || x.value != want.Values[i].Value {
			t.Fatalf("value %d: fast scanner read %q=%d, goccy/go-json %+v", i, x.key, x.value, want.Values[i])
		}
	}
	// decodeAnswer takes the fast path here, with the same result.
	var w answerRaw
	if err := decodeAnswer(data, &w); err != nil || len(w.values) != len(v.values) || !bytes.Equal(w.pulse, v.pulse) {
		t.Fatalf("decodeAnswer=%+v, %v; want the scanner's %+v", w, err, v)
	}
}

// TestDecodeGoccyPanic checks that input on which goccy/go-json panics
// (found by FuzzDecodeAnswer) is an error, so that the fold skips the event
// instead of crashing.
func TestDecodeGoccyPanic(t *testing.T) {
	t.Parallel()
	for _, s := range []string{`{"Comment\`, `{"Pulse\`} {
		var a answerSubmitted
		if err := decode([]byte(s), &a); err == nil {
			t.Errorf("decode(%s) succeeded, want an error", s)
		}
		var v answerRaw
		if err := decodeAnswer([]byte(s), &v); err == nil {
			t.Errorf("decodeAnswer(%s) succeeded, want an error", s)
		}
	}
}
