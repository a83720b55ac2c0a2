package projections

import json "github.com/goccy/go-json"

// decode decodes event data into one of the projection's narrow event
// structs with goccy/go-json, which skips the fields they lack.
func decode(data []byte, v any) error { return json.Unmarshal(data, v) }

// encode encodes a saved part of the state.
func encode(v any) ([]byte, error) { return json.Marshal(v) }
