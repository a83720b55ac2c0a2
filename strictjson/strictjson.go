// Package strictjson decodes JSON input strictly: one value, no unknown
// fields (names must match exactly, where encoding/json alone would accept
// "Name" for "name"), no key given twice, no null, only valid UTF-8, every
// field tagged `strictjson:"required"` present, and
// errors that name the offending field by its path, such as
// "items[2].feeds.kind", as an Invalid *apperr.Error.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/empulse/empulse/apperr"
)

// maxDepth bounds how deeply a value may nest objects and arrays: far
// deeper than any request of the API, far shallower than would cost much.
const maxDepth = 32

// Decode decodes data, which must hold exactly one JSON value, into v (a
// pointer). It returns an Invalid *apperr.Error: for malformed JSON or
// trailing data with field whole (such as "body"); for invalid UTF-8 in a
// string, a key given twice, nesting deeper than 32, a field v's type does
// not have, or a null anywhere, named by its path (whole for the top); for
// a value of the wrong type or out of range, named by its path when
// encoding/json says which.
func Decode(data []byte, v any, whole string) error {
	if !json.Valid(data) {
		if len(bytes.TrimSpace(data)) > 0 && json.Valid(firstValue(data)) {
			return apperr.Field(whole, "must hold exactly one JSON value")
		}
		return apperr.Field(whole, "malformed JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	generic, err := parse(dec, data, "", whole, 0)
	if err != nil {
		return err
	}
	if err := checkFields(generic, reflect.TypeOf(v), "", whole); err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return typeError(err, whole)
	}
	return nil
}

// firstValue returns the first JSON value of data, or data when it holds
// none.
func firstValue(data []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw json.RawMessage
	if dec.Decode(&raw) != nil {
		return data
	}
	return raw
}

// parse reads the next value of dec, which reads valid JSON data, in the
// form encoding/json decodes into an any (numbers as json.Number). It
// refuses a string that is not valid UTF-8 (encoding/json would replace
// its bytes with U+FFFD), an object that gives a key twice (encoding/json
// would keep the last) and nesting deeper than maxDepth, naming path.
func parse(dec *json.Decoder, data []byte, path, whole string, depth int) (any, error) {
	if depth > maxDepth {
		return nil, apperr.Field(orWhole(path, whole), "nested more than %d deep", maxDepth)
	}
	from := dec.InputOffset()
	tok, err := dec.Token()
	if err != nil {
		return nil, apperr.Field(whole, "malformed JSON")
	}
	switch t := tok.(type) {
	case string:
		if !utf8.Valid(data[from:dec.InputOffset()]) {
			return nil, apperr.Field(orWhole(path, whole), "must be valid UTF-8")
		}
		return t, nil
	case json.Delim:
		if t == '[' {
			arr := []any{}
			for dec.More() {
				v, err := parse(dec, data, fmt.Sprintf("%s[%d]", path, len(arr)), whole, depth+1)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err = dec.Token()
			return arr, err
		}
		obj := map[string]any{}
		for dec.More() {
			from := dec.InputOffset()
			tok, err := dec.Token()
			if err != nil {
				return nil, apperr.Field(whole, "malformed JSON")
			}
			k, _ := tok.(string)
			if !utf8.Valid(data[from:dec.InputOffset()]) {
				return nil, apperr.Field(orWhole(path, whole), "has a key that is not valid UTF-8")
			}
			if _, dup := obj[k]; dup {
				if k == "" { // join would name no field at the top
					return nil, apperr.Field(orWhole(path, whole), "has the empty key given twice")
				}
				return nil, apperr.Field(join(path, k), "given twice")
			}
			if obj[k], err = parse(dec, data, join(path, k), whole, depth+1); err != nil {
				return nil, err
			}
		}
		_, err = dec.Token()
		return obj, err
	}
	return tok, nil
}

// timeType is decoded from a string, not an object.
var timeType = reflect.TypeOf(time.Time{})

// rfc3339 is RFC 3339's date-time, which encoding/json's time.Time is more
// lenient than (it takes "T9:00:00", an hour of one digit).
var rfc3339 = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$`)

// checkFields returns an error naming the first object key, in value, that
// type t has no field for, or the first null: encoding/json would decode a
// null as the zero value (an answer of 0, an unset optional field) where
// the input's schema allows no null.
func checkFields(value any, t reflect.Type, path, whole string) error {
	if value == nil {
		return apperr.Field(orWhole(path, whole), "must not be null")
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if str, ok := value.(string); ok && t == timeType && !rfc3339.MatchString(str) {
			return apperr.Field(orWhole(path, whole), "must be an RFC 3339 date-time, such as 2026-11-30T09:00:00Z")
		}
		obj, ok := value.(map[string]any)
		if !ok || t == timeType {
			return nil // a type error, reported by json.Unmarshal
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ft, ok := fields[k]
			if !ok {
				if k == "" {
					return apperr.Field(orWhole(path, whole), "unknown field with an empty name")
				}
				return apperr.Field(join(path, k), "unknown field")
			}
			if err := checkFields(obj[k], ft, join(path, k), whole); err != nil {
				return err
			}
		}
		for _, name := range requiredFields(t) {
			if _, ok := obj[name]; !ok {
				return apperr.Field(join(path, name), "is required")
			}
		}
	case reflect.Map:
		obj, ok := value.(map[string]any)
		if !ok {
			return nil
		}
		for k, v := range obj {
			if err := checkFields(v, t.Elem(), join(path, k), whole); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		arr, ok := value.([]any)
		if !ok {
			return nil
		}
		for i, v := range arr {
			if err := checkFields(v, t.Elem(), fmt.Sprintf("%s[%d]", path, i), whole); err != nil {
				return err
			}
		}
	}
	return nil
}

// requiredFields returns the JSON names of t's fields tagged
// `strictjson:"required"`, in order: fields whose zero value would be a
// valid but different input, so that leaving them out must not pass for
// giving it.
func requiredFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Tag.Get("strictjson") == "required" {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			out = append(out, name)
		}
	}
	return out
}

// jsonFields returns the JSON names of t's fields and their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := make(map[string]reflect.Type, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// join returns path.key, or key at the top.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// orWhole returns path, or whole when path is the top.
func orWhole(path, whole string) string {
	if path == "" {
		return whole
	}
	return path
}

// typeError describes an encoding/json error as an Invalid *apperr.Error.
func typeError(err error, whole string) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := orWhole(typeErr.Field, whole)
		if jsonKind(typeErr.Type) == "number" && (typeErr.Value == "number" || strings.HasPrefix(typeErr.Value, "number ")) {
			return apperr.Field(field, "must be a whole number within range")
		}
		return apperr.Field(field, "must be a JSON %s, not %s", jsonKind(typeErr.Type), typeErr.Value)
	}
	return apperr.Field(whole, "malformed JSON: %v", err)
}

// jsonKind names the JSON type that values of t are decoded from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	}
	return "object"
}
