package live_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/empulse/empulse/web/live"
)

// errorReply is the error reply the hub sends for topic (omitted when
// empty), field and message.
func errorReply(tb testing.TB, topic, field, message string) string {
	tb.Helper()
	b, err := json.Marshal(struct {
		Type    string `json:"type"`
		Topic   string `json:"topic,omitempty"`
		Field   string `json:"field"`
		Message string `json:"message"`
	}{"error", topic, field, message})
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestClient_Requests(t *testing.T) {
	th := MustStart(t, live.Config{})
	conn := th.MustDial(t, "leader-a", "")
	const (
		topicRule = "must be correlations or team:<team id>"
		oneOf     = `must give exactly one of "subscribe" and "unsubscribe"`
	)
	deep := strings.Repeat("[", 40) + strings.Repeat("]", 40)
	tests := []struct {
		name, req, want string
	}{
		{"Subscribe", `{"subscribe":"team:a"}`, `{"type":"subscribed","topic":"team:a"}`},
		{"EscapedKey", `{"\u0073ubscribe":"team:a"}`, `{"type":"subscribed","topic":"team:a"}`},
		{"Unsubscribe", `{"unsubscribe":"team:a"}`, `{"type":"unsubscribed","topic":"team:a"}`},
		{"UnsubscribeNotHeld", `{"unsubscribe":"correlations"}`, `{"type":"unsubscribed","topic":"correlations"}`},
		{"Forbidden", `{"subscribe":"correlations"}`, errorReply(t, "correlations", "subscribe", "topic not allowed")},
		{"EmptyTopic", `{"subscribe":""}`, errorReply(t, "", "subscribe", topicRule)},
		{"InvalidUnsubscribe", `{"unsubscribe":"team:"}`, errorReply(t, "team:", "unsubscribe", topicRule)},
		{"TeamTooLong", `{"subscribe":"team:` + strings.Repeat("a", 129) + `"}`, errorReply(t, "team:"+strings.Repeat("a", 129), "subscribe", topicRule)},
		{"Empty", ``, errorReply(t, "", "message", "malformed JSON")},
		{"Malformed", `{"subscribe":`, errorReply(t, "", "message", "malformed JSON")},
		{"Trailing", `{"subscribe":"team:a"} {}`, errorReply(t, "", "message", "must hold exactly one JSON value")},
		{"Neither", `{}`, errorReply(t, "", "message", oneOf)},
		{"Both", `{"unsubscribe":"team:a","subscribe":"team:a"}`, errorReply(t, "", "message", oneOf)},
		{"Null", `null`, errorReply(t, "", "message", "must not be null")},
		{"NullTopic", `{"subscribe":null}`, errorReply(t, "", "subscribe", "must not be null")},
		{"UnknownField", `{"subscribe":"team:a","since":1}`, errorReply(t, "", "since", "unknown field")},
		{"WrongCase", `{"Subscribe":"team:a"}`, errorReply(t, "", "Subscribe", "unknown field")},
		{"EmptyKey", `{"":"team:a"}`, errorReply(t, "", "message", "unknown field with an empty name")},
		{"Twice", `{"subscribe":"team:b","subscribe":"team:a"}`, errorReply(t, "", "subscribe", "given twice")},
		{"EmptyKeyTwice", `{"":"","":""}`, errorReply(t, "", "message", "has the empty key given twice")},
		{"NumberTopic", `{"subscribe":1}`, errorReply(t, "", "subscribe", "must be a JSON string, not number")},
		{"ArrayTopic", `{"unsubscribe":["team:a"]}`, errorReply(t, "", "unsubscribe", "must be a JSON string, not array")},
		{"ObjectTopic", `{"subscribe":{"team":"a"}}`, errorReply(t, "", "subscribe", "must be a JSON string, not object")},
		{"Array", `[{"subscribe":"team:a"}]`, errorReply(t, "", "message", "must be a JSON object, not array")},
		{"String", `"team:a"`, errorReply(t, "", "message", "must be a JSON object, not string")},
		{"InvalidUTF8", "{\"subscribe\":\"team:a\xff\"}", errorReply(t, "", "subscribe", "must be valid UTF-8")},
		{"InvalidUTF8Key", "{\"subscribe\xff\":\"team:a\"}", errorReply(t, "", "message", "has a key that is not valid UTF-8")},
		{"Deep", deep, errorReply(t, "", strings.Repeat("[0]", 33), "nested more than 32 deep")},
		{"Binary", "\x00\x01\xfe\xff", errorReply(t, "", "message", "malformed JSON")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			send(t, conn, tt.req)
			if got := read(t, conn); got != tt.want {
				t.Fatalf("reply=%s, want %s", got, tt.want)
			}
		})
	}
}

func TestClient_TopicLimit(t *testing.T) {
	allowAll := func(context.Context, live.Viewer, live.Topic) error { return nil }
	th := MustStart(t, live.Config{Authorize: allowAll})
	conn := th.MustDial(t, "leader-a", "")
	subscribe := func(t *testing.T, team, want string) {
		t.Helper()
		send(t, conn, fmt.Sprintf(`{"subscribe":"team:%s"}`, team))
		if got := read(t, conn); got != want {
			t.Fatalf("reply=%s, want %s", got, want)
		}
	}
	for i := range live.MaxTopics {
		subscribe(t, fmt.Sprint(i), fmt.Sprintf(`{"type":"subscribed","topic":"team:%d"}`, i))
	}
	over := fmt.Sprint(live.MaxTopics)
	full := errorReply(t, "team:"+over, "subscribe", fmt.Sprintf("at most %d topics", live.MaxTopics))
	steps := []struct {
		name, team, want string
	}{
		{"OverLimit", over, full},
		{"HeldTopicAgain", "0", `{"type":"subscribed","topic":"team:0"}`},
		{"StillOverLimit", over, full},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) { subscribe(t, s.team, s.want) })
	}
	t.Run("AfterUnsubscribe", func(t *testing.T) {
		send(t, conn, `{"unsubscribe":"team:0"}`)
		if got, want := read(t, conn), `{"type":"unsubscribed","topic":"team:0"}`; got != want {
			t.Fatalf("reply=%s, want %s", got, want)
		}
		subscribe(t, over, fmt.Sprintf(`{"type":"subscribed","topic":"team:%s"}`, over))
	})
}
