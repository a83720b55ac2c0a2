package app

import (
	"context"
	"sync"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/survey"
)

// surveyCache is one survey's state folded up to a revision, so that a
// command reads only the events appended since rather than the whole
// stream: a weekly survey's stream grows by two events a week, and every
// answer loads it.
type surveyCache struct {
	mu    sync.Mutex
	state survey.State
	next  uint64                  // the next revision to read
	rev   events.ExpectedRevision // the revision state was folded at
	// read is whether state held every event of the stream when it was
	// last read: then an exclusive App, which marks the survey changed
	// after each of its appends (surveyChanged), need not read it again.
	read bool
}

// loadSurvey returns survey id's state, caught up with its stream, and the
// expected revision for the next append, or NotFound (field "survey"). The
// state is the caller's own copy. An exclusive App reads the stream only
// when the cached state may lack events.
func (a *App) loadSurvey(ctx context.Context, id string) (*survey.State, events.ExpectedRevision, error) {
	if !isID(id) {
		return nil, events.NoStream(), notFound("survey", "no such survey")
	}
	c := a.surveyCacheOf(id)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !a.exclusive || !c.read {
		if err := a.catchUpSurvey(ctx, id, c); err != nil {
			return nil, events.NoStream(), err
		}
	}
	if !c.state.Exists {
		// Ids that name no survey are not kept.
		a.surveysMu.Lock()
		if a.surveyCaches[id] == c {
			delete(a.surveyCaches, id)
		}
		a.surveysMu.Unlock()
		return nil, c.rev, notFound("survey", "no such survey")
	}
	return cloneSurvey(&c.state), c.rev, nil
}

// surveyCacheOf returns the cache of survey id, adding an empty one if
// there is none.
func (a *App) surveyCacheOf(id string) *surveyCache {
	a.surveysMu.Lock()
	defer a.surveysMu.Unlock()
	c, ok := a.surveyCaches[id]
	if !ok {
		c = &surveyCache{rev: events.NoStream()}
		a.surveyCaches[id] = c
	}
	return c
}

// catchUpSurvey folds the events of survey id's stream after c's revision
// into c. The caller holds c.mu.
func (a *App) catchUpSurvey(ctx context.Context, id string, c *surveyCache) error {
	err := a.foldFrom(ctx, survey.Stream(id), c.next, func(v any, rev uint64) error {
		c.state.Apply(v)
		c.next = rev + 1
		c.rev = events.Revision(rev)
		return nil
	})
	c.read = err == nil
	return err
}

// appendSurvey appends evs to survey id's stream, as appendTo, and then
// marks the survey changed.
func (a *App) appendSurvey(ctx context.Context, id string, rev events.ExpectedRevision, evs ...eventer) error {
	err := a.appendTo(ctx, survey.Stream(id), rev, evs...)
	a.surveyChanged(id)
	return err
}

// surveyChanged makes the next loadSurvey of survey id read its stream. It
// is called after every append to the stream, whether it succeeded or not
// (a failed append may have been stored, and a conflict means another
// writer appended), and before the command that appended returns.
func (a *App) surveyChanged(id string) {
	a.surveysMu.Lock()
	c, ok := a.surveyCaches[id]
	a.surveysMu.Unlock()
	if ok {
		c.mu.Lock()
		c.read = false
		c.mu.Unlock()
	}
}

// cloneSurvey returns a copy of s that shares nothing Apply changes: its
// pulses are copied (their questions, never changed, are shared).
func cloneSurvey(s *survey.State) *survey.State {
	c := *s
	c.Pulses = make([]*survey.Pulse, len(s.Pulses))
	for i, p := range s.Pulses {
		pc := *p
		c.Pulses[i] = &pc
	}
	return &c
}
