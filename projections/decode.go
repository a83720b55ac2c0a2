package projections

import (
	"fmt"

	json "github.com/goccy/go-json"
)

// decode decodes event data into one of the projection's narrow event
// structs with goccy/go-json, which skips the fields they lack. goccy
// panics on some malformed input (such as `{"Comment\`, a key cut off by
// the end of the data); decode returns that as an error, so that the fold
// skips such an event as it skips any other it cannot decode.
func decode(data []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("projections: decoding %T: goccy/go-json panicked: %v", v, r)
		}
	}()
	return json.Unmarshal(data, v)
}

// encode encodes a saved part of the state.
func encode(v any) ([]byte, error) { return json.Marshal(v) }
