package strictjson_test

import (
	"strings"
	"testing"
	"time"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/strictjson"
)

type inner struct {
	Kind string `json:"kind"`
}

type doc struct {
	Name  string         `json:"name"`
	Count *int           `json:"count"`
	At    time.Time      `json:"at"`
	Items []inner        `json:"items"`
	ByKey map[string]int `json:"by_key"`
	Skip  string         `json:"-"`
}

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		json      string
		wantField string // "" for success
	}{
		{"OK", `{"name":"a","count":2,"at":"2026-11-27T10:00:00Z","items":[{"kind":"x"}],"by_key":{"k":1}}`, ""},
		{"Malformed", `{"name":`, "body"},
		{"Trailing", `{} {}`, "body"},
		{"Empty", ``, "body"},
		{"NotObject", `[1]`, "body"},
		{"Unknown", `{"colour":"red"}`, "colour"},
		{"WrongCase", `{"Name":"a"}`, "Name"},
		{"Ignored", `{"Skip":"a"}`, "Skip"},
		{"NestedUnknown", `{"items":[{"kind":"x"},{"kind":"y","extra":1}]}`, "items[1].extra"},
		{"EmptyKey", `{"":1}`, "body"},
		{"WrongType", `{"name":1}`, "name"},
		{"NestedWrongType", `{"items":[{"kind":3}]}`, "items.kind"},
		{"Float", `{"count":1.5}`, "count"},
		{"Huge", `{"count":1e40}`, "count"},
		{"BadTime", `{"at":"soon"}`, "at"},
		{"LenientTime", `{"at":"2026-11-30T9:00:00Z"}`, "at"},
		{"LowerCaseTime", `{"at":"2026-11-30t09:00:00z"}`, "at"},
		{"NullBody", `null`, "body"},
		{"NullField", `{"name":"a","count":null}`, "count"},
		{"NullInSlice", `{"items":[null]}`, "items[0]"},
		{"NullInMap", `{"by_key":{"k":null}}`, "by_key.k"},
		{"Twice", `{"name":"a","name":"b"}`, "name"},
		{"TwiceNested", `{"items":[{"kind":"x","kind":"y"}]}`, "items[0].kind"},
		{"EmptyKeyTwice", `{"":1,"":2}`, "body"},
		{"EmptyKeyTwiceNested", `{"items":[{"":1,"":2}]}`, "items[0]"},
		{"BadUTF8", "{\"name\":\"a\xffb\"}", "name"},
		{"BadUTF8InSlice", "{\"items\":[{\"kind\":\"\xc3\"}]}", "items[0].kind"},
		{"BadUTF8Key", "{\"\xff\":1}", "body"},
		{"Deep", `{"by_key":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, "by_key" + strings.Repeat("[0]", 32)},
		{"NumberBody", `7`, "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var d doc
			err := strictjson.Decode([]byte(tt.json), &d, "body")
			if tt.wantField == "" {
				if err != nil || d.Name != "a" || *d.Count != 2 || d.Items[0].Kind != "x" || d.ByKey["k"] != 1 {
					t.Fatalf("Decode=%+v, %v", d, err)
				}
				return
			}
			if apperr.CodeOf(err) != apperr.Invalid || apperr.FieldOf(err) != tt.wantField {
				t.Fatalf("err=%v (field %q), want invalid %q", err, apperr.FieldOf(err), tt.wantField)
			}
		})
	}
}

// TestDecode_Messages checks that the message says what is wrong, where a
// field alone would leave the client guessing.
func TestDecode_Messages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		json, want string
	}{
		{`7`, "must be a JSON object, not number"},
		{`"x"`, "must be a JSON object, not string"},
		{`{} {}`, "exactly one JSON value"},
		{`{"name":`, "malformed JSON"},
		{`{"count":1.5}`, "whole number"},
		{`{"name":"a","name":"b"}`, "given twice"},
		{"{\"name\":\"\xff\"}", "valid UTF-8"},
	}
	for _, tt := range tests {
		var d doc
		err := strictjson.Decode([]byte(tt.json), &d, "body")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Decode(%q)=%v, want a message with %q", tt.json, err, tt.want)
		}
	}
}

// TestDecode_Required checks that a field tagged required must be given,
// even as its zero value, wherever its struct is.
func TestDecode_Required(t *testing.T) {
	t.Parallel()
	type scale struct {
		Min int `json:"min" strictjson:"required"`
		Max int `json:"max" strictjson:"required"`
	}
	type def struct {
		Name   string  `json:"name"`
		Scale  scale   `json:"scale"`
		Scales []scale `json:"scales"`
	}
	tests := []struct {
		json, wantField string // "" for success
	}{
		{`{"scale":{"min":0,"max":7}}`, ""},
		{`{"name":"x"}`, ""}, // a struct not given at all is not checked
		{`{"scale":{"max":7}}`, "scale.min"},
		{`{"scale":{}}`, "scale.min"},
		{`{"scale":{"min":1}}`, "scale.max"},
		{`{"scales":[{"min":1,"max":2},{"max":2}]}`, "scales[1].min"},
		{`{"scale":{"max":7,"colour":1}}`, "scale.colour"}, // unknown fields first
	}
	for _, tt := range tests {
		var d def
		err := strictjson.Decode([]byte(tt.json), &d, "body")
		if got := apperr.FieldOf(err); got != tt.wantField || (tt.wantField == "") != (err == nil) {
			t.Errorf("Decode(%s) = %v (field %q), want field %q", tt.json, err, got, tt.wantField)
		}
	}
}
