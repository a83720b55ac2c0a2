// Package esdb is the EventStoreDB (KurrentDB) backend of events.Store, built
// on the official gRPC client (github.com/EventStore/EventStore-Client-Go/v4).
//
// It lets several Empulse instances share one event store: every instance
// appends through it and follows the global log ($all) with a server-side
// filtered subscription, so an event written through one instance reaches the
// projections of all of them.
//
// # Mapping
//
// Streams, revisions and expected revisions map one to one. An event's ID is
// the EventStoreDB event ID, its Type the event type, its Data the JSON body
// (content type application/json). Metadata is stored as JSON user metadata:
//
//	{"$correlationId":"<uuid>","$causationId":"<uuid>","schemaVersion":<n>}
//
// with zero fields left out. Recorded is the server's created time and
// Position the server's commit and prepare positions.
//
// EventStoreDB writes its own system events into the global log (stream
// metadata, statistics, tombstones, links). They are never returned: ReadAll,
// Head and Subscribe skip every event whose stream or type starts with "$",
// and a subscription without prefixes asks the server to leave out event
// types starting with "$".
//
// Reading and subscribing to $all needs a user allowed to read it: on a
// secure server, by default a member of $admins (or a user granted read on
// $all in $settings), named in the connection string.
//
// # Subscriptions
//
// Subscribe opens a catch-up subscription to $all, always with a server-side
// filter so that the server sends checkpoints; the checkpoint interval is sent
// as a search window and a multiplier whose product is filter.Interval(). The
// server's caught-up signal (ReadResp.caught_up, surfaced by client v4.2.0 as
// SubscriptionEvent.CaughtUp) becomes the single CaughtUpMessage; its Position
// is the last event or checkpoint position received before it (the server
// sends a checkpoint just before it). When the connection drops, the
// subscription resubscribes from the last position it passed on, after a
// jittered exponential backoff, so the consumer sees neither a gap nor a
// duplicate.
//
// # Client quirks handled here
//
// Client v4.2.0 closes itself for good when node discovery fails (every later
// call fails with ErrorCodeConnectionClosed); the Store then replaces it with
// a new client and retries the call once. Replacing a client closes the old
// one, and the old client can then panic with "send on closed channel" in a
// call that was still in flight; such panics are recovered and reported as
// events.ErrUnavailable. Node discovery itself does not watch the caller's context:
// a call made while the server is unreachable can take up to
// maxDiscoverAttempts x discoveryInterval (1 s by default) before it fails.
//
// Not handled: each time a v4.2.0 client reconnects after losing its
// connection, its connection goroutine overwrites the old gRPC connection
// without closing it (esdb/impl.go, connectionStateMachine), so one idle gRPC
// connection leaks per reconnection; the Store cannot reach it.
package esdb
