package instrument_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/instrument"
)

// FuzzParse checks that Parse never panics, refuses with an Invalid error
// naming a field, and that what it accepts survives a JSON round trip.
func FuzzParse(f *testing.F) {
	f.Add([]byte(customJSON))
	f.Add([]byte(`{"id":"x","name":"X","scale":{"min":0,"max":10},"items":[{"id":"a","text":{"en":"A"},"feeds":{"kind":"enps"}}]}`))
	f.Add([]byte(`{"id":"x"}`))
	f.Add([]byte(`[]`))
	for _, d := range instrument.Bundled() {
		d.Bundled = false
		d.ID += "-copy"
		data, err := json.Marshal(d)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := instrument.Parse(data)
		if err != nil {
			if apperr.CodeOf(err) != apperr.Invalid || apperr.FieldOf(err) == "" {
				t.Fatalf("Parse error %v: want Invalid with a field", err)
			}
			return
		}
		again, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		back, err := instrument.Parse(again)
		if err != nil {
			t.Fatalf("accepted definition refused after a round trip: %v\n%s", err, again)
		}
		twice, err := json.Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(twice, again) {
			t.Fatalf("round trip changed the definition:\n%s\n%s", again, twice)
		}
	})
}
