package projections

import (
	"bytes"
	"encoding/base64"
)

// answerRaw is an AnswerSubmitted as the fold reads it: byte slices that
// alias the event's data, so that decoding allocates nothing. The fold
// copies what it keeps.
type answerRaw struct {
	pulse, respondent, team, day, comment []byte
	values                                []rawValue
}

// rawValue is one answered question.
type rawValue struct {
	key   []byte
	value int
}

// decodeAnswer decodes AnswerSubmitted data into v, reusing v's values.
// The common shape (flat strings without escapes, whole-number values) is
// scanned directly; anything else goes through goccy/go-json, so both give
// the same result.
func decodeAnswer(data []byte, v *answerRaw) error {
	if scanAnswer(data, v) {
		return nil
	}
	var a answerSubmitted
	if err := decode(data, &a); err != nil {
		return err
	}
	*v = answerRaw{pulse: []byte(a.Pulse), respondent: []byte(a.Respondent), team: []byte(a.Team), day: []byte(a.Day),
		comment: a.Comment, values: v.values[:0]}
	for _, x := range a.Values {
		v.values = append(v.values, rawValue{key: []byte(x.Key), value: x.Value})
	}
	return nil
}

// scanAnswer scans the common shape of an AnswerSubmitted; it reports
// false when it meets anything else.
func scanAnswer(data []byte, v *answerRaw) bool {
	*v = answerRaw{values: v.values[:0]}
	s := scanner{b: data}
	if !s.lit('{') {
		return false
	}
	if s.lit('}') {
		s.ws()
		return s.i == len(s.b)
	}
	var seen uint8 // the known keys read so far: goccy/go-json keeps the last of repeated keys
	for {
		key, ok := s.str()
		if !ok || !s.lit(':') {
			return false
		}
		if bit := knownKey(key); bit != 0 {
			if seen&bit != 0 {
				return false
			}
			seen |= bit
		}
		switch string(key) {
		case "pulse":
			v.pulse, ok = s.str()
		case "respondent":
			v.respondent, ok = s.str()
		case "team":
			v.team, ok = s.str()
		case "day":
			v.day, ok = s.str()
		case "comment":
			var b64 []byte
			if b64, ok = s.str(); ok && len(b64) > 0 {
				v.comment = make([]byte, base64.StdEncoding.DecodedLen(len(b64)))
				n, err := base64.StdEncoding.Decode(v.comment, b64)
				v.comment, ok = v.comment[:n], err == nil
			}
		case "values":
			ok = s.values(v)
		default:
			// goccy/go-json matches field names without regard to case,
			// so only a lower-case name is surely not one of the above.
			ok = lowerKey(key) && s.skip()
		}
		if !ok {
			return false
		}
		if s.lit('}') {
			s.ws()
			return s.i == len(s.b)
		}
		if !s.lit(',') {
			return false
		}
	}
}

// knownKey returns the bit of an AnswerSubmitted key the fold reads, or 0.
func knownKey(key []byte) uint8 {
	switch string(key) {
	case "pulse":
		return 1
	case "respondent":
		return 2
	case "team":
		return 4
	case "day":
		return 8
	case "comment":
		return 16
	case "values":
		return 32
	}
	return 0
}

// lowerKey reports whether key has only lower-case ASCII letters, digits
// and underscores.
func lowerKey(key []byte) bool {
	for _, c := range key {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// scanner reads JSON from b at i.
type scanner struct {
	b []byte
	i int
}

// ws skips white space.
func (s *scanner) ws() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\n' || s.b[s.i] == '\t' || s.b[s.i] == '\r') {
		s.i++
	}
}

// lit consumes c (after white space) and reports whether it was there.
func (s *scanner) lit(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str reads a string without escapes or NUL bytes. (Event data is
// written by events.Marshal, which never leaves control characters
// unescaped.)
func (s *scanner) str() ([]byte, bool) {
	if !s.lit('"') {
		return nil, false
	}
	n := bytes.IndexByte(s.b[s.i:], '"')
	if n < 0 {
		return nil, false
	}
	str := s.b[s.i : s.i+n]
	if bytes.IndexByte(str, '\\') >= 0 || bytes.IndexByte(str, 0) >= 0 { // goccy/go-json refuses NUL
		return nil, false
	}
	s.i += n + 1
	return str, true
}

// int reads a whole number that fits an int32 comfortably, without
// leading zeros.
func (s *scanner) int() (int, bool) {
	s.ws()
	neg := s.i < len(s.b) && s.b[s.i] == '-'
	if neg {
		s.i++
	}
	start, n := s.i, 0
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' && s.i-start < 9 {
		n = n*10 + int(s.b[s.i]-'0')
		s.i++
	}
	if s.i == start || (s.b[start] == '0' && s.i-start > 1) || (s.i < len(s.b) && (s.b[s.i] == '.' || s.b[s.i] == 'e' || s.b[s.i] == 'E' || (s.b[s.i] >= '0' && s.b[s.i] <= '9'))) {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// values reads [{"key":"...","value":n},...] into v.values.
func (s *scanner) values(v *answerRaw) bool {
	if s.lit('n') { // null
		return s.i+3 <= len(s.b) && string(s.b[s.i:s.i+3]) == "ull" && s.adv(3)
	}
	if !s.lit('[') {
		return false
	}
	if s.lit(']') {
		return true
	}
	for {
		if !s.lit('{') {
			return false
		}
		var x rawValue
		for {
			key, ok := s.str()
			if !ok || !s.lit(':') {
				return false
			}
			switch string(key) {
			case "key":
				x.key, ok = s.str()
			case "value":
				x.value, ok = s.int()
			default:
				return false
			}
			if !ok {
				return false
			}
			if s.lit('}') {
				break
			}
			if !s.lit(',') {
				return false
			}
		}
		v.values = append(v.values, x)
		if s.lit(']') {
			return true
		}
		if !s.lit(',') {
			return false
		}
	}
}

// adv advances by n and reports true.
func (s *scanner) adv(n int) bool { s.i += n; return true }

// skip skips one value of a kind the fast path accepts elsewhere: a
// string, a whole number, true, false or null.
func (s *scanner) skip() bool {
	s.ws()
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		_, ok := s.str()
		return ok
	case c == '-' || (c >= '0' && c <= '9'):
		_, ok := s.int()
		return ok
	}
	for _, w := range []string{"true", "false", "null"} {
		if len(s.b)-s.i >= len(w) && string(s.b[s.i:s.i+len(w)]) == w {
			s.i += len(w)
			return true
		}
	}
	return false
}
