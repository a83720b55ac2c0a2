package esdbtest

import (
	"context"
	"errors"
	"regexp"
	"sort"
	"strings"

	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/empulse/empulse/events"
)

// readPage is the number of events read from the store at a time.
const readPage = 1024

// Read serves reads and subscriptions of one stream or of $all.
func (x *streams) Read(req *api.ReadReq, out api.Streams_ReadServer) error {
	o := req.GetOptions()
	if o == nil {
		return status.Error(codes.InvalidArgument, "read: no options")
	}
	f, err := newFilter(o.GetFilter())
	if err != nil {
		return err
	}
	w := &sender{out: out, structured: o.GetUuidOption().GetString_() == nil}
	ctx := out.Context()
	backwards := o.GetReadDirection() == api.ReadReq_Options_Backwards
	subscribe := o.GetSubscription() != nil
	switch {
	case o.GetAll() != nil && subscribe:
		return x.s.subscribeAll(ctx, w, o.GetAll(), f)
	case o.GetStream() != nil && subscribe:
		return x.s.subscribeStream(ctx, w, o.GetStream())
	case o.GetAll() != nil && backwards:
		return x.s.readAllBackwards(ctx, w, o.GetAll(), o.GetCount(), f)
	case o.GetAll() != nil:
		return x.s.readAll(ctx, w, o.GetAll(), o.GetCount(), f)
	case o.GetStream() != nil:
		return x.s.readStream(ctx, w, o.GetStream(), backwards, o.GetCount())
	}
	return status.Error(codes.InvalidArgument, "read: neither a stream nor $all")
}

// sender writes read responses, encoding event ids as the client asked.
type sender struct {
	out        api.Streams_ReadServer
	structured bool
}

func (w *sender) event(e events.Event) error { return w.out.Send(readEvent(e, w.structured)) }

func (w *sender) send(m *api.ReadResp) error { return w.out.Send(m) }

// readStream serves a read of one stream: its events, or stream_not_found.
func (s *Server) readStream(ctx context.Context, w *sender, o *api.ReadReq_Options_StreamOptions, backwards bool, count uint64) error {
	name := string(o.GetStreamIdentifier().GetStreamName())
	if strings.HasPrefix(name, "$") {
		return w.send(streamNotFound(name)) // no system stream is ever stored
	}
	d, deleted := s.deletionOf(name)
	if d.tombstoned {
		return streamDeleted(w.out.SetTrailer, name)
	}
	_, isEnd := o.GetRevisionOption().(*api.ReadReq_Options_StreamOptions_End)
	if deleted || (isEnd && !backwards) {
		// Whether the stream exists must be known before reading.
		_, exists, err := s.lastVisible(ctx, name)
		if err != nil {
			return storeError(ctx, w.out.SetTrailer, name, err)
		}
		if !exists {
			return w.send(streamNotFound(name))
		}
	}
	dir, from := events.Forwards, uint64(0)
	if backwards {
		dir = events.Backwards
	}
	switch r := o.GetRevisionOption().(type) {
	case *api.ReadReq_Options_StreamOptions_Revision:
		from = r.Revision
	case *api.ReadReq_Options_StreamOptions_End:
		if !backwards {
			return nil // nothing lies after the end
		}
		from = events.EndRevision
	}
	if !backwards && from < d.before {
		from = d.before
	}
	if count == 0 {
		return nil
	}
	evs, err := s.store.ReadStream(ctx, name, dir, from, limitOf(count))
	if errors.Is(err, events.ErrStreamNotFound) {
		return w.send(streamNotFound(name))
	}
	if err != nil {
		return storeError(ctx, w.out.SetTrailer, name, err)
	}
	for _, e := range evs {
		if e.Revision < d.before {
			continue
		}
		if err := w.event(e); err != nil {
			return err
		}
	}
	return nil
}

// readAll serves a forwards read of $all, from a position inclusive, a page
// at a time.
func (s *Server) readAll(ctx context.Context, w *sender, o *api.ReadReq_Options_AllOptions, count uint64, f *filter) error {
	var pos events.Position
	switch p := o.GetAllOption().(type) {
	case *api.ReadReq_Options_AllOptions_Position:
		pos = events.Position{Commit: p.Position.GetCommitPosition(), Prepare: p.Position.GetPreparePosition()}
	case *api.ReadReq_Options_AllOptions_End:
		return nil
	}
	var sent uint64
	again := false // pos is the last event of the previous page
	for sent < count {
		evs, err := s.store.ReadAll(ctx, pos, readPage)
		if err != nil {
			return storeError(ctx, w.out.SetTrailer, "$all", err)
		}
		for _, e := range evs {
			if e.Position.Less(pos) || (again && e.Position == pos) || !f.match(e) {
				continue
			}
			if err := w.event(e); err != nil {
				return err
			}
			if sent++; sent == count {
				return nil
			}
		}
		if len(evs) < readPage {
			return nil
		}
		pos, again = evs[len(evs)-1].Position, true
	}
	return nil
}

// readAllBackwards serves a backwards read of $all: from the end, or from
// before a position. Reading one event from the end is cheap; anything else
// loads the whole log, which is fine for tests.
func (s *Server) readAllBackwards(ctx context.Context, w *sender, o *api.ReadReq_Options_AllOptions, count uint64, f *filter) error {
	fail := func(err error) error { return storeError(ctx, w.out.SetTrailer, "$all", err) }
	var bound events.Position // events before it are read
	switch p := o.GetAllOption().(type) {
	case *api.ReadReq_Options_AllOptions_Start:
		return nil
	case *api.ReadReq_Options_AllOptions_Position:
		bound = events.Position{Commit: p.Position.GetCommitPosition(), Prepare: p.Position.GetPreparePosition()}
	default:
		head, err := s.store.Head(ctx)
		if err != nil {
			return fail(err)
		}
		if head == events.Start || count == 0 {
			return nil
		}
		last, err := s.store.ReadAll(ctx, head, 1)
		if err != nil {
			return fail(err)
		}
		if len(last) == 1 && f.match(last[0]) {
			if err := w.event(last[0]); err != nil {
				return err
			}
			count--
		}
		bound = head
	}
	if count == 0 {
		return nil
	}
	all, err := s.store.ReadAll(ctx, events.Start, 0)
	if err != nil {
		return fail(err)
	}
	i := sort.Search(len(all), func(i int) bool { return !all[i].Position.Less(bound) })
	for j := i - 1; j >= 0 && count > 0; j-- {
		if !f.match(all[j]) {
			continue
		}
		if err := w.event(all[j]); err != nil {
			return err
		}
		count--
	}
	return nil
}

// limitOf turns a read count into a store limit (0 for no limit).
func limitOf(count uint64) int {
	if count >= 1<<31 {
		return 0
	}
	return int(count)
}

// filter is a server-side filter of $all: by stream name or event type,
// with prefixes or a regular expression, and a checkpoint interval of
// window x multiplier scanned events.
type filter struct {
	onStream bool
	prefixes []string
	re       *regexp.Regexp
	interval int
}

func newFilter(o *api.ReadReq_Options_FilterOptions) (*filter, error) {
	if o == nil {
		return nil, nil
	}
	f := &filter{}
	var expr *api.ReadReq_Options_FilterOptions_Expression
	switch {
	case o.GetStreamIdentifier() != nil:
		f.onStream, expr = true, o.GetStreamIdentifier()
	case o.GetEventType() != nil:
		expr = o.GetEventType()
	default:
		return nil, status.Error(codes.InvalidArgument, "filter: neither stream nor event type")
	}
	f.prefixes = expr.GetPrefix()
	if expr.GetRegex() != "" {
		re, err := regexp.Compile(expr.GetRegex())
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "filter: %v", err)
		}
		f.re = re
	}
	window := 32 // the server's default search window
	if m := o.GetMax(); m > 0 {
		window = int(m)
	}
	multiplier := max(int(o.GetCheckpointIntervalMultiplier()), 1)
	f.interval = window * multiplier
	return f, nil
}

// match reports whether f selects e; a nil filter selects every event.
func (f *filter) match(e events.Event) bool {
	if f == nil {
		return true
	}
	s := e.Type
	if f.onStream {
		s = e.Stream
	}
	if f.re != nil && !f.re.MatchString(s) {
		return false
	}
	if len(f.prefixes) == 0 {
		return true
	}
	for _, p := range f.prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
