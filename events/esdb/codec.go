package esdb

import (
	"strconv"
	"strings"

	kurrent "github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
)

// The user-metadata keys. $correlationId and $causationId are the names
// EventStoreDB's own projections understand.
const (
	keyCorrelation = "$correlationId"
	keyCausation   = "$causationId"
	keySchema      = "schemaVersion"
)

// toEventData converts proposed events for the client.
func toEventData(evs []events.Proposed) []kurrent.EventData {
	out := make([]kurrent.EventData, len(evs))
	for i, e := range evs {
		out[i] = kurrent.EventData{
			EventID:     e.ID,
			EventType:   e.Type,
			ContentType: kurrent.ContentTypeJson,
			Data:        e.Data,
			Metadata:    MarshalMetadata(e.Metadata),
		}
	}
	return out
}

// MarshalMetadata returns m in the form the Store writes as an event's user
// metadata: a JSON object with the keys "$correlationId", "$causationId"
// (UUID strings) and "schemaVersion" (a number), each left out when zero. It
// returns nil when every field is zero.
func MarshalMetadata(m events.Metadata) []byte {
	if m == (events.Metadata{}) {
		return nil
	}
	b := make([]byte, 0, 128)
	b = append(b, '{')
	sep := false
	field := func(key string) {
		if sep {
			b = append(b, ',')
		}
		sep = true
		b = strconv.AppendQuote(b, key)
		b = append(b, ':')
	}
	if m.CorrelationID != uuid.Nil {
		field(keyCorrelation)
		b = strconv.AppendQuote(b, m.CorrelationID.String())
	}
	if m.CausationID != uuid.Nil {
		field(keyCausation)
		b = strconv.AppendQuote(b, m.CausationID.String())
	}
	if m.SchemaVersion != 0 {
		field(keySchema)
		b = strconv.AppendUint(b, uint64(m.SchemaVersion), 10)
	}
	return append(b, '}')
}

// wireMetadata is the decoding side of MarshalMetadata. It tolerates metadata
// written by other tools: unknown keys are ignored, and a value of the wrong
// kind leaves its field zero.
type wireMetadata struct {
	Correlation   string `json:"$correlationId"`
	Causation     string `json:"$causationId"`
	SchemaVersion uint32 `json:"schemaVersion"`
}

// UnmarshalMetadata reads user metadata written by MarshalMetadata. It never
// fails: metadata written by other tools keeps only the fields it can read,
// and unreadable metadata gives the zero Metadata.
func UnmarshalMetadata(b []byte) events.Metadata {
	var m events.Metadata
	if len(b) == 0 {
		return m
	}
	var w wireMetadata
	if events.Unmarshal(b, &w) != nil {
		return m
	}
	m.CorrelationID, _ = uuid.Parse(w.Correlation)
	m.CausationID, _ = uuid.Parse(w.Causation)
	m.SchemaVersion = w.SchemaVersion
	return m
}

// fromRecorded converts an event read from the server.
func fromRecorded(r *kurrent.RecordedEvent) events.Event {
	return events.Event{
		ID:       r.EventID,
		Stream:   r.StreamID,
		Revision: r.EventNumber,
		Position: positionOf(r),
		Type:     r.EventType,
		Recorded: r.CreatedDate,
		Data:     r.Data,
		Metadata: UnmarshalMetadata(r.UserMetadata),
	}
}

// isSystem reports whether an event is one of EventStoreDB's own: its stream
// or its type starts with "$". Empulse's stream names never do
// (events.ValidateStream).
func isSystem(r *kurrent.RecordedEvent) bool {
	return strings.HasPrefix(r.StreamID, "$") || strings.HasPrefix(r.EventType, "$")
}

// positionOf returns r's position in the global log.
func positionOf(r *kurrent.RecordedEvent) events.Position {
	return events.Position{Commit: r.Position.Commit, Prepare: r.Position.Prepare}
}

// allPosition returns the client's form of p, where Start is its own value.
func allPosition(p events.Position) kurrent.AllPosition {
	if p == events.Start {
		return kurrent.Start{}
	}
	return kurrent.Position{Commit: p.Commit, Prepare: p.Prepare}
}

// expectedRevision returns the client's form of e.
func expectedRevision(e events.ExpectedRevision) kurrent.ExpectedRevision {
	switch {
	case e.IsNoStream():
		return kurrent.NoStream{}
	case e.IsStreamExists():
		return kurrent.StreamExists{}
	}
	if rev, ok := e.Exact(); ok {
		return kurrent.Revision(rev)
	}
	return kurrent.Any{}
}
