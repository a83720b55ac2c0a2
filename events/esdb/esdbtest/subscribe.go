package esdbtest

import (
	"context"
	"math"

	api "github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
)

// everything is the store filter the Server follows the log with: every
// event, and (nearly) no store checkpoints, since the Server counts scanned
// events itself.
var everything = events.Filter{CheckpointInterval: math.MaxInt32}

func confirmation() *api.ReadResp {
	return &api.ReadResp{Content: &api.ReadResp_Confirmation{Confirmation: &api.ReadResp_SubscriptionConfirmation{
		SubscriptionId: uuid.NewString(),
	}}}
}

func caughtUp() *api.ReadResp {
	return &api.ReadResp{Content: &api.ReadResp_CaughtUp_{CaughtUp: &api.ReadResp_CaughtUp{}}}
}

// subscribeAll serves a subscription to $all: the confirmation, then events
// after the start position (exclusive) that pass the filter, a checkpoint
// every filter interval of scanned events and one when catch-up ends, then
// caught_up, then live events and checkpoints, until the client leaves.
func (s *Server) subscribeAll(ctx context.Context, w *sender, o *api.ReadReq_Options_AllOptions, f *filter) error {
	fail := func(err error) error { return storeError(ctx, w.out.SetTrailer, "$all", err) }
	if err := w.send(confirmation()); err != nil {
		return err
	}
	var from events.Position
	switch p := o.GetAllOption().(type) {
	case *api.ReadReq_Options_AllOptions_Position:
		from = events.Position{Commit: p.Position.GetCommitPosition(), Prepare: p.Position.GetPreparePosition()}
	case *api.ReadReq_Options_AllOptions_End:
		head, err := s.store.Head(ctx)
		if err != nil {
			return fail(err)
		}
		from = head
	}
	sub, err := s.store.Subscribe(ctx, from, everything)
	if err != nil {
		return fail(err)
	}
	defer sub.Close()

	scanned := 0
	var last, lastCP events.Position
	live := false
	for {
		m, err := sub.Recv(ctx)
		if err != nil {
			return fail(err)
		}
		switch m.Kind {
		case events.EventMessage:
			if !from.Less(m.Position) {
				continue // the store's business, but the protocol says exclusive
			}
			scanned++
			last = m.Position
			if f.match(m.Event) {
				if err := w.event(m.Event); err != nil {
					return err
				}
			}
			if f != nil && scanned%f.interval == 0 {
				if err := w.send(checkpoint(last)); err != nil {
					return err
				}
				lastCP = last
			}
		case events.CaughtUpMessage:
			if live {
				continue
			}
			live = true
			cp := last
			if cp.Less(m.Position) {
				cp = m.Position
			}
			if f != nil && cp != events.Start && lastCP.Less(cp) {
				if err := w.send(checkpoint(cp)); err != nil {
					return err
				}
				lastCP = cp
			}
			if err := w.send(caughtUp()); err != nil {
				return err
			}
		}
	}
}

// subscribeStream serves a subscription to one stream: events after the
// start revision (exclusive), caught_up, then live events. Stream
// subscriptions get no checkpoints.
func (s *Server) subscribeStream(ctx context.Context, w *sender, o *api.ReadReq_Options_StreamOptions) error {
	name := string(o.GetStreamIdentifier().GetStreamName())
	fail := func(err error) error { return storeError(ctx, w.out.SetTrailer, name, err) }
	if err := w.send(confirmation()); err != nil {
		return err
	}
	if d, _ := s.deletionOf(name); d.tombstoned {
		return streamDeleted(w.out.SetTrailer, name)
	}
	from := events.Start
	after := int64(-1) // deliver revisions above it
	switch r := o.GetRevisionOption().(type) {
	case *api.ReadReq_Options_StreamOptions_Revision:
		after = int64(r.Revision)
	case *api.ReadReq_Options_StreamOptions_End:
		last, exists, err := s.lastVisible(ctx, name)
		if err != nil {
			return fail(err)
		}
		if exists {
			after = int64(last)
		}
		if from, err = s.store.Head(ctx); err != nil {
			return fail(err)
		}
	}
	sub, err := s.store.Subscribe(ctx, from, everything)
	if err != nil {
		return fail(err)
	}
	defer sub.Close()
	live := false
	for {
		m, err := sub.Recv(ctx)
		if err != nil {
			return fail(err)
		}
		switch {
		case m.Kind == events.EventMessage && m.Event.Stream == name && int64(m.Event.Revision) > after:
			if d, _ := s.deletionOf(name); m.Event.Revision < d.before {
				continue
			}
			if err := w.event(m.Event); err != nil {
				return err
			}
		case m.Kind == events.CaughtUpMessage && !live:
			live = true
			if err := w.send(caughtUp()); err != nil {
				return err
			}
		}
	}
}
