package app

import (
	"context"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/org"
)

// catchUpOrg reads the org stream's events after the cached state into it,
// deleting the vault entries of the members whose erasure it reads (see
// forgetErased). The caller holds orgMu.
func (a *App) catchUpOrg(ctx context.Context) error {
	err := a.foldFrom(ctx, org.Stream(a.org), a.orgNext, func(v any, rev uint64) error {
		if err := a.forgetErased(ctx, v); err != nil {
			return err
		}
		a.orgS.Apply(v)
		a.orgNext = rev + 1
		a.orgRev = events.Revision(rev)
		return nil
	})
	a.orgRead = err == nil
	return err
}

// viewOrg calls fn with the current organisation state, which fn must not
// keep or change. An exclusive App reads the org stream only when its
// cached state may lack events: before its first read completes, and after
// an append of its own failed (it may have been stored all the same).
func (a *App) viewOrg(ctx context.Context, fn func(s *org.State) error) error {
	a.orgMu.Lock()
	defer a.orgMu.Unlock()
	if !a.exclusive || !a.orgRead {
		if err := a.catchUpOrg(ctx); err != nil {
			return err
		}
	}
	return fn(a.orgS)
}

// changeOrg calls decide with the current organisation state and appends the
// events it returns, retrying with fresh state when another writer appended
// first. decide must not change the state; it may be called more than once.
func (a *App) changeOrg(ctx context.Context, decide func(s *org.State) ([]eventer, error)) error {
	a.orgMu.Lock()
	defer a.orgMu.Unlock()
	return retry(ctx, func() error {
		if err := a.catchUpOrg(ctx); err != nil {
			return err
		}
		evs, err := decide(a.orgS)
		if err != nil || len(evs) == 0 {
			return err
		}
		props, err := a.proposed(evs)
		if err != nil {
			return err
		}
		res, err := a.store.Append(ctx, org.Stream(a.org), a.orgRev, props...)
		if err != nil {
			// A failed append may have been stored (a timeout, say):
			// the next view reads the stream again.
			a.orgRead = false
			return err
		}
		for _, ev := range evs {
			a.orgS.Apply(ev)
		}
		a.orgNext = res.Revision + 1
		a.orgRev = events.Revision(res.Revision)
		return nil
	})
}
