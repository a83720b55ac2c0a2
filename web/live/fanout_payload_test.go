package live_test

import (
	"encoding/json"
	"testing"
)

// TestFanoutPayload checks BenchmarkFeedFanout's push: valid JSON of
// about a team's scores' size, whose change time a dashboard reads back.
func TestFanoutPayload(t *testing.T) {
	tests := []struct {
		name    string
		changed int64
		team    string
	}{
		{"Now", 1795000000123456789, "0"},
		{"Small", 7, "team-with-a-longer-name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fanoutPayload(tt.changed, tt.team, "2026-W48", 11)
			if !json.Valid(p) {
				t.Fatalf("payload %s is not JSON", p)
			}
			if len(p) != 512 {
				t.Errorf("len=%d, want 512", len(p))
			}
			got, ok := changeTime(p)
			if !ok || got != tt.changed {
				t.Errorf("changeTime=%d, %v, want %d, true", got, ok, tt.changed)
			}
		})
	}
	for _, msg := range []string{`{"type":"ready","topics":["team:0"]}`, `{"changed":12x,"team":"0"}`, `{"changed":12`} {
		if at, ok := changeTime([]byte(msg)); ok {
			t.Errorf("changeTime(%s)=%d, true, want false", msg, at)
		}
	}
}
