package storetest

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
)

// testValidate checks that Append and ReadStream refuse bad input with the
// documented errors and that a refused append writes nothing.
func testValidate(t *testing.T, open opener) {
	t.Run("BadStream", func(t *testing.T) { testBadStream(t, open(t)) })
	t.Run("GoodStream", func(t *testing.T) { testGoodStream(t, open(t)) })
	t.Run("EmptyAppend", func(t *testing.T) { testEmptyAppend(t, open(t)) })
	t.Run("BadEvent", func(t *testing.T) { testBadEvent(t, open(t)) })
}

// testBadStream checks that stream names the store refuses give
// ErrInvalidStream from Append and ReadStream and write nothing.
func testBadStream(t *testing.T, s events.Store) {
	ctx := testContext(t)
	names := []struct{ name, stream string }{
		{"Empty", ""},
		{"LeadingSpace", " x"},
		{"Space", "a b"},
		{"Tab", "a\tb"},
		{"Newline", "a\n"},
		{"NUL", "a\x00b"},
		{"Reserved", "$system"},
		{"TooLong", strings.Repeat("s", events.MaxStreamLen+1)},
		{"InvalidUTF8", "survey-\xff"},
		{"NonBreakingSpace", "a\u00a0b"},
	}
	for _, n := range names {
		t.Run(n.name, func(t *testing.T) {
			_, err := s.Append(ctx, n.stream, events.Any(), proposals(1, "Refused")...)
			requireErrorIs(t, err, events.ErrInvalidStream, "Append")
			_, err = s.ReadStream(ctx, n.stream, events.Forwards, 0, 0)
			requireErrorIs(t, err, events.ErrInvalidStream, "ReadStream")
		})
	}
	if head := mustHead(t, ctx, s); head != events.Start {
		t.Fatalf("Head=%v after refused appends only, want Start", head)
	}
	if all := readAll(t, ctx, s); len(all) != 0 {
		t.Fatalf("ReadAll returned %d events after refused appends only, want 0", len(all))
	}
}

// testGoodStream checks that names at the edges of what is allowed are
// accepted and read back.
func testGoodStream(t *testing.T, s events.Store) {
	ctx := testContext(t)
	names := []struct{ name, stream string }{
		{"MaxLength", strings.Repeat("s", events.MaxStreamLen)},
		{"OneByte", "x"},
		{"Unicode", "umfrage-größe-😀"},
		{"Punctuation", "answer-1_2.3:4/5@6#7"},
		{"DollarInside", "a$b"},
	}
	for _, n := range names {
		t.Run(n.name, func(t *testing.T) {
			ps := proposals(1, "Accepted")
			mustAppend(t, ctx, s, n.stream, events.NoStream(), ps...)
			requireEvents(t, "ReadStream", readStream(t, ctx, s, n.stream), expect(n.stream, 0, ps))
		})
	}
}

// testEmptyAppend checks that an append of no events gives ErrEmptyAppend.
func testEmptyAppend(t *testing.T, s events.Store) {
	ctx := testContext(t)
	for _, exp := range []events.ExpectedRevision{events.Any(), events.NoStream()} {
		_, err := s.Append(ctx, "empty-append", exp)
		requireErrorIs(t, err, events.ErrEmptyAppend, "Append of no events")
		_, err = s.Append(ctx, "empty-append", exp, []events.Proposed{}...)
		requireErrorIs(t, err, events.ErrEmptyAppend, "Append of an empty slice")
	}
	if all := readAll(t, ctx, s); len(all) != 0 {
		t.Fatalf("ReadAll returned %d events after empty appends, want 0", len(all))
	}
}

// testBadEvent checks that an append holding an invalid event, even after
// valid ones, gives ErrInvalidEvent and writes none of its events.
func testBadEvent(t *testing.T, s events.Store) {
	ctx := testContext(t)
	mustAppend(t, ctx, s, "bad-event", events.NoStream(), proposals(1, "Before")...)
	cases := []struct {
		name  string
		spoil func(ps []events.Proposed)
	}{
		{"NilID", func(ps []events.Proposed) { ps[1].ID = uuid.Nil }},
		{"EmptyType", func(ps []events.Proposed) { ps[1].Type = "" }},
		{"LongType", func(ps []events.Proposed) { ps[1].Type = strings.Repeat("T", events.MaxTypeLen+1) }},
		{"InvalidUTF8Type", func(ps []events.Proposed) { ps[1].Type = "Type\xff" }},
		{"ReservedType", func(ps []events.Proposed) { ps[1].Type = "$metadata" }},
		{"DuplicateID", func(ps []events.Proposed) { ps[2].ID = ps[0].ID }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sn := takeSnapshot(t, ctx, s)
			ps := proposals(3, "Spoiled")
			c.spoil(ps)
			_, err := s.Append(ctx, "bad-event", events.Any(), ps...)
			requireErrorIs(t, err, events.ErrInvalidEvent, "Append")
			sn.requireUnchanged(t, ctx, s, "a refused append")
		})
	}
}
