// Package esdbtest is test support for events/esdb: a small gRPC server that
// speaks the part of the EventStoreDB protocol the official Go client (v4.2.0)
// uses, keeping its events in an events.Store given by the test.
//
// It is NOT a database and is never offered to users as one. It exists so
// that events/esdb can be tested, over real gRPC on the loopback interface,
// without an EventStoreDB server; every behaviour it has is there because the
// real server has it and the client depends on it:
//
//   - ServerFeatures answers with version 24.10.0; Gossip names the server
//     itself as the only, leader, node (for esdb+discover:// and multi-host
//     connection strings).
//   - Append takes the options message and then one message per event;
//     expected revisions, wrong_expected_version details (current and
//     expected), idempotent retries (left to the store), success with the
//     current revision and the commit/prepare position.
//   - Reads send only event and stream_not_found messages and end by closing
//     the stream. Every recorded event carries the type, content-type and
//     created (.NET ticks since the Unix epoch) metadata, the stream name,
//     revision and positions. Reads of $all from a position include it.
//   - Subscriptions (to $all and to one stream) send the confirmation first;
//     start positions are exclusive; filtered $all subscriptions send a
//     checkpoint every window x multiplier scanned events and one at the end
//     of catch-up; caught_up is sent once history is done.
//   - A deleted or tombstoned stream is reported as gRPC FailedPrecondition
//     with the trailers exception=stream-deleted and stream-name=<name>.
//
// Simplifications, all acceptable for tests: Delete and Tombstone are kept in
// the Server's memory (a restarted Server, or another Server on the same
// store, has forgotten them) and write no system events to the log; system
// streams ("$...") cannot be written; backwards reads of $all load the log;
// user metadata is kept as the fields of events.Metadata only (see
// esdb.MarshalMetadata); there is no authentication and no TLS; BatchAppend,
// persistent subscriptions and projections are not implemented.
package esdbtest
