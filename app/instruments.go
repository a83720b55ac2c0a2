package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/instrument"
	"github.com/empulse/empulse/org"
)

// catalogNamespace derives the IDs of catalog and participation events, so
// that appending the same entry again is recognised as a retry and writes
// nothing.
var catalogNamespace = uuid.MustParse("6f1c2f0e-8c5e-4d8e-9a59-2f6e1f0c7a11")

// derivedID returns the event ID for the entry named by parts.
func derivedID(parts ...string) uuid.UUID {
	name := ""
	for _, p := range parts {
		name += p + "\x00"
	}
	return uuid.NewSHA1(catalogNamespace, []byte(name))
}

// DefineInstrument stores a custom instrument definition (already parsed
// with instrument.Parse) and returns it. Only admins may. It returns
// Forbidden, or the errors of instrument.DecideDefine: Invalid, or Conflict
// (field "id") for an id in use.
func (a *App) DefineInstrument(ctx context.Context, p Principal, d instrument.Definition) (instrument.Definition, error) {
	if p.Role != org.RoleAdmin {
		return instrument.Definition{}, forbidden("", "only admins define instruments")
	}
	if err := instrument.Validate(d); err != nil {
		return instrument.Definition{}, err
	}
	exists := false
	if _, err := a.load(ctx, instrument.Stream(d.ID), func(any) { exists = true }); err != nil {
		return instrument.Definition{}, err
	}
	ev, err := instrument.DecideDefine(exists, d)
	if err != nil {
		return instrument.Definition{}, err
	}
	props, err := a.proposed([]eventer{ev})
	if err != nil {
		return instrument.Definition{}, err
	}
	_, err = a.store.Append(ctx, instrument.Stream(d.ID), events.NoStream(), props...)
	if errors.Is(err, events.ErrWrongRevision) {
		return instrument.Definition{}, &apperr.Error{Code: apperr.Conflict, Field: "id", Message: "an instrument with this id exists"}
	}
	if err != nil {
		return instrument.Definition{}, err
	}
	if err := a.list(ctx, instrument.CatalogStream(a.org), instrument.Listed{ID: d.ID}, "instrument", d.ID); err != nil {
		return instrument.Definition{}, err
	}
	return ev.Definition, nil
}

// list appends entry to catalog with an ID derived from kind and id, so a
// repeated listing writes nothing.
func (a *App) list(ctx context.Context, catalog string, entry eventer, kind, id string) error {
	props, err := a.proposed([]eventer{entry}, derivedID(kind, id))
	if err != nil {
		return err
	}
	if _, err := a.store.Append(ctx, catalog, events.Any(), props...); err != nil {
		return fmt.Errorf("list %s %s: %w", kind, id, err)
	}
	return nil
}

// Instrument returns the bundled or custom instrument id, or NotFound
// (field "instrument").
func (a *App) Instrument(ctx context.Context, id string) (instrument.Definition, error) {
	if d, ok := instrument.BundledByID(id); ok {
		return d, nil
	}
	var d instrument.Definition
	found := false
	if instrument.ValidID(id) {
		_, err := a.load(ctx, instrument.Stream(id), func(ev any) {
			if e, ok := ev.(instrument.Defined); ok {
				d, found = e.Definition, true
			}
		})
		if err != nil {
			return instrument.Definition{}, err
		}
	}
	if !found {
		return instrument.Definition{}, notFound("instrument", "no such instrument")
	}
	return d, nil
}

// Instruments returns the bundled instruments, then the custom ones in the
// order they were defined.
func (a *App) Instruments(ctx context.Context) ([]instrument.Definition, error) {
	out := instrument.Bundled()
	var ids []string
	if _, err := a.load(ctx, instrument.CatalogStream(a.org), func(ev any) {
		if e, ok := ev.(instrument.Listed); ok {
			ids = append(ids, e.ID)
		}
	}); err != nil {
		return nil, err
	}
	for _, id := range ids {
		d, err := a.Instrument(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
