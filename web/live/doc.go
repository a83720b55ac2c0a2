// Package live pushes privacy-safe live updates to dashboards over
// WebSockets.
//
// A Hub follows gorilla/websocket's chat example: every connection has one
// reader and one writer goroutine and a bounded send buffer; a client whose
// buffer is full is dropped and counted, never waited for; pings, pong
// deadlines and a read limit keep dead peers from holding resources. The
// upgrade checks the origin, authenticates the request through an injected
// function and limits the connections per credential, all before upgrading.
// Run's context ends the hub: every connection gets a close frame and every
// goroutine exits.
//
// Viewers subscribe to topics: a team's scores (TeamTopic), which the
// caller's Authorize function must allow, or the analysts' correlation
// table (CorrelationsTopic). Publish fans a payload out to the subscribers
// of one topic.
//
// A client changes its topics with messages, {"subscribe":topic} or
// {"unsubscribe":topic}, decoded as strictly as the API's request bodies
// (package strictjson): exactly one of the two keys, nothing else, no
// null, valid UTF-8. Each message gets exactly one reply:
// {"type":"subscribed","topic":...}, {"type":"unsubscribed","topic":...},
// or {"type":"error","field":...,"message":...} naming what is wrong
// ("message" for the message as a whole), with the topic when one was
// read. A client holds at most 256 topics; a message beyond the read
// limit closes the connection (code 1009).
//
// What is published must not defeat anonymity. A Gate decides when a
// group's new figures may be pushed: never below k, and only once enough
// new answers have arrived since the last push (or enough at a time
// boundary) that no push reveals a single answer. TeamFeed drives a Hub
// through a Gate. A Debouncer coalesces recomputations of the correlation
// table to at most one per interval.
package live
