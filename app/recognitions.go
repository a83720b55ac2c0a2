package app

import (
	"context"
	"errors"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/pii"
	"github.com/empulse/empulse/recognition"
	"github.com/empulse/empulse/vault"
)

// Recognition is a recognition as the API shows it to its giver.
type Recognition struct {
	ID         string `json:"id"`
	GiverID    string `json:"giver_id"`
	ReceiverID string `json:"receiver_id"`
	Value      string `json:"value"`
	Message    string `json:"message,omitempty"`
	// MessageErased is true when the giver's data has been erased, so
	// that the message can no longer be read.
	MessageErased bool   `json:"message_erased,omitempty"`
	Week          string `json:"week"`
	Day           string `json:"day"`
	// Position is where the recognition lies in the global log, for
	// waiting until the projections have folded it; it is not shown.
	Position events.Position `json:"-"`
}

// NewRecognition is what Recognize needs.
type NewRecognition struct {
	Receiver string
	Value    string
	Message  string
}

// Recognize records p's recognition of a colleague, within p's weekly
// allowance: it appends to p's stream for the current ISO week with the
// expected revision, and on a conflict reloads and decides again, so that
// parallel requests never exceed the allowance. It returns Forbidden when p
// is not a member, NotFound (field "receiver_id"), Conflict (field
// "receiver_id") for an erased receiver, or the errors of
// recognition.DecideGive (Conflict, field "allowance", when it is used up).
func (a *App) Recognize(ctx context.Context, p Principal, nr NewRecognition) (Recognition, error) {
	if err := requireMember(p); err != nil {
		return Recognition{}, err
	}
	err := a.viewOrg(ctx, func(s *org.State) error {
		m, ok := s.Members[nr.Receiver]
		switch {
		case !ok && nr.Receiver != p.Member:
			return notFound("receiver_id", "no such member")
		case ok && m.Erased:
			return &apperr.Error{Code: apperr.Conflict, Field: "receiver_id", Message: "this member's personal data has been erased"}
		}
		return nil
	})
	if err != nil {
		return Recognition{}, err
	}
	sec, err := a.secretsOf(ctx, p.Member)
	if err != nil {
		return Recognition{}, err
	}
	id, err := a.newID()
	if err != nil {
		return Recognition{}, err
	}
	var out Recognition
	err = retry(ctx, func() error {
		now := a.now()
		stream := recognition.Stream(p.Member, recognition.Week(now))
		s := &recognition.State{}
		rev, err := a.load(ctx, stream, s.Apply)
		if err != nil {
			return err
		}
		ev, err := recognition.DecideGive(s, recognition.Give{Recognition: id, Giver: p.Member, Receiver: nr.Receiver,
			Value: nr.Value, Message: nr.Message, Now: now, Allowance: a.allowance, Seal: a.sealer(sec.Key)})
		if err != nil {
			return err
		}
		res, err := a.appendAt(ctx, stream, rev, ev)
		if err != nil {
			return err
		}
		out, err = a.recognitionView(ev, sec.Key)
		out.Position = res.Position
		return err
	})
	return out, err
}

// recognitionView returns the view of g with its message opened with key.
func (a *App) recognitionView(g recognition.Given, key []byte) (Recognition, error) {
	msg, err := pii.Open(key, g.Message, recognition.MessageContext(g.Recognition))
	if err != nil && !errors.Is(err, pii.ErrUnreadable) {
		return Recognition{}, err
	}
	return Recognition{ID: g.Recognition, GiverID: g.Giver, ReceiverID: g.Receiver, Value: g.Value, Message: msg, Week: g.Week, Day: g.Day}, nil
}

// MyRecognitions is a giver's week.
type MyRecognitions struct {
	Week      string        `json:"week"`
	Allowance int           `json:"allowance"`
	Remaining int           `json:"remaining"`
	Given     []Recognition `json:"given"`
	// Received lists what the member received in the week, from the
	// projections; empty when the App has none.
	Received []Recognition `json:"received"`
}

// MyRecognitions returns what p has given in the ISO week week ("" for the
// current one), with the messages, what remains of the allowance, and what
// p received that week (from Config.Received), each message opened with
// its giver's key or marked erased. It returns Forbidden when p is not a
// member or their data has been erased, or the Received source's error.
func (a *App) MyRecognitions(ctx context.Context, p Principal, week string) (MyRecognitions, error) {
	if err := requireMember(p); err != nil {
		return MyRecognitions{}, err
	}
	if week == "" {
		week = recognition.Week(a.now())
	}
	sec, err := a.secretsOf(ctx, p.Member)
	if err != nil {
		return MyRecognitions{}, err
	}
	s := &recognition.State{}
	if _, err := a.load(ctx, recognition.Stream(p.Member, week), s.Apply); err != nil {
		return MyRecognitions{}, err
	}
	out := MyRecognitions{Week: week, Allowance: a.allowance, Remaining: max(0, a.allowance-len(s.Given)), Given: []Recognition{}}
	for _, g := range s.Given {
		v, err := a.recognitionView(g, sec.Key)
		if err != nil {
			return MyRecognitions{}, err
		}
		out.Given = append(out.Given, v)
	}
	if out.Received, err = a.received(ctx, p.Member, week); err != nil {
		return MyRecognitions{}, err
	}
	return out, nil
}

// received returns what member received in week, each message opened with
// its giver's key from the vault, or marked erased when that key is gone.
func (a *App) received(ctx context.Context, member, week string) ([]Recognition, error) {
	out := []Recognition{}
	if a.receivedOf == nil {
		return out, nil
	}
	gs, err := a.receivedOf(ctx, member, week)
	if err != nil {
		return nil, err
	}
	for _, g := range gs {
		sec, err := a.vault.Get(ctx, g.Giver)
		if errors.Is(err, vault.ErrNotFound) {
			out = append(out, Recognition{ID: g.Recognition, GiverID: g.Giver, ReceiverID: g.Receiver, Value: g.Value,
				MessageErased: true, Week: g.Week, Day: g.Day})
			continue
		}
		if err != nil {
			return nil, err
		}
		v, err := a.recognitionView(g, sec.Key)
		if err != nil {
			return nil, err
		}
		v.MessageErased = v.Message == ""
		out = append(out, v)
	}
	return out, nil
}
