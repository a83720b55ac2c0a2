package live

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"sync"
	"time"
)

// Snapshot is a group's figures as they would be pushed now.
type Snapshot struct {
	// Payload is the message pushed to the team's topic.
	Payload []byte
	// Shown are the respondents behind each figure shown in Payload;
	// withheld figures are absent. They must be the counts Payload was
	// computed from, read together with it.
	Shown Counts
	// K is the group's anonymity threshold (its surveys' k); when it is
	// larger than the feed's Gate.K, the gate decides with it instead, so
	// that the new answers a push needs grow with k.
	K int
}

// FeedConfig holds what a TeamFeed needs.
type FeedConfig struct {
	// Gate decides when a team-week's figures may be pushed.
	Gate Gate
	// Load reads team's figures of ISO week week ("2026-W48"), anonymity
	// enforced (projections' queries); required.
	Load func(ctx context.Context, team, week string) (Snapshot, error)
	// Publish pushes a payload (Hub.Publish); required.
	Publish func(t Topic, payload []byte) int
	// Now is the clock: a week whose end has passed is at its time
	// boundary; time.Now if nil.
	Now func() time.Time
	// Retain is how long a week's marks are kept after it ends; two weeks
	// if 0. A change to a week after that is treated as a first push.
	Retain time.Duration
	// Logger receives the errors of Run; nothing is logged if nil.
	Logger *slog.Logger
}

// TeamFeed pushes teams' new figures through a Gate: a projection calls
// Changed whenever a team-week changes, and Tick at least once after
// every week ends, to push what the boundary releases. It remembers, per
// team-week, the counts of the last push. It is safe for concurrent use;
// pushes of one feed are serialised, so their order matches the marks.
type TeamFeed struct {
	cfg FeedConfig

	mu    sync.Mutex
	marks map[groupKey]Counts

	// pendMu guards pending, the changes Notify queued for Run.
	pendMu  sync.Mutex
	pending map[groupKey]struct{}
	kick    chan struct{}
}

// groupKey names one team-week.
type groupKey struct{ team, week string }

// NewTeamFeed returns a TeamFeed. It panics when Load or Publish is nil.
func NewTeamFeed(cfg FeedConfig) *TeamFeed {
	if cfg.Load == nil || cfg.Publish == nil {
		panic("live: FeedConfig.Load and FeedConfig.Publish are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Retain <= 0 {
		cfg.Retain = 14 * 24 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &TeamFeed{cfg: cfg, marks: map[groupKey]Counts{}, pending: map[groupKey]struct{}{}, kick: make(chan struct{}, 1)}
}

// Notify queues a change of team's figures of week for Run, which calls
// Changed for it. It never blocks, so a projection can call it while
// folding; changes queued again before Run takes them are coalesced.
func (f *TeamFeed) Notify(team, week string) {
	f.pendMu.Lock()
	f.pending[groupKey{team, week}] = struct{}{}
	f.pendMu.Unlock()
	select {
	case f.kick <- struct{}{}:
	default: // Run has been kicked already
	}
}

// Run calls Changed for the changes Notify queues, and Tick every tick (a
// minute if 0), until ctx is done; then it returns ctx's error. Errors of
// Load are logged, not returned: one team's failure must not stop the
// others' pushes.
func (f *TeamFeed) Run(ctx context.Context, tick time.Duration) error {
	if tick <= 0 {
		tick = time.Minute
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			if err := f.Tick(ctx); err != nil && ctx.Err() == nil {
				f.cfg.Logger.Warn("live: pushing the figures of ended weeks", "err", err)
			}
		case <-f.kick:
			f.pendMu.Lock()
			batch := f.pending
			f.pending = make(map[groupKey]struct{}, len(batch))
			f.pendMu.Unlock()
			for k := range batch {
				if _, err := f.Changed(ctx, k.team, k.week); err != nil && ctx.Err() == nil {
					f.cfg.Logger.Warn("live: pushing a team's figures", "team", k.team, "week", k.week, "err", err)
				}
			}
		}
	}
}

// Changed tells the feed that team's figures of week have changed: it
// loads them and pushes them to TeamTopic(team) if the gate allows (with
// the time boundary when week has ended). It returns the gate's decision
// and Load's error, or an error for a malformed week.
func (f *TeamFeed) Changed(ctx context.Context, team, week string) (Decision, error) {
	end, ok := weekEnd(week)
	if !ok {
		return Hold, errors.New("live: malformed ISO week " + week)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.try(ctx, groupKey{team, week}, !f.cfg.Now().Before(end))
}

// Boundary pushes team's figures of week as at a time boundary (the pulse
// has closed): at least BoundaryMin new answers suffice. It returns the
// gate's decision and Load's error.
func (f *TeamFeed) Boundary(ctx context.Context, team, week string) (Decision, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.try(ctx, groupKey{team, week}, true)
}

// Tick pushes, for every team-week the feed has seen whose week has ended
// by now, what the boundary releases, and forgets weeks that ended more
// than Retain ago. It returns the errors of Load, joined.
func (f *TeamFeed) Tick(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.cfg.Now()
	var errs []error
	for k := range f.marks {
		end, _ := weekEnd(k.week)
		if now.Before(end) {
			continue
		}
		if now.Sub(end) > f.cfg.Retain {
			delete(f.marks, k)
			continue
		}
		if err := ctx.Err(); err != nil {
			return errors.Join(append(errs, err)...)
		}
		if _, err := f.try(ctx, k, true); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// try loads k's figures, asks the gate, and pushes. The caller holds f.mu.
func (f *TeamFeed) try(ctx context.Context, k groupKey, boundary bool) (Decision, error) {
	s, err := f.cfg.Load(ctx, k.team, k.week)
	if err != nil {
		return Hold, err
	}
	last, seen := f.marks[k]
	if !seen {
		// Remember the group, so that Tick visits it at the boundary.
		last = Counts{}
		f.marks[k] = last
	}
	g := f.cfg.Gate
	g.K = max(g.K, s.K)
	d := g.Decide(last, s.Shown, boundary)
	if d != Push {
		return d, nil
	}
	next := maps.Clone(last)
	maps.Copy(next, s.Shown) // withheld figures keep their last shown count
	f.marks[k] = next
	f.cfg.Publish(TeamTopic(k.team), s.Payload)
	return Push, nil
}

// weekEnd returns the end of ISO week w ("2026-W48"): the next Monday,
// 00:00 UTC.
func weekEnd(w string) (time.Time, bool) {
	var y, n int
	if len(w) != 8 || w[4:6] != "-W" {
		return time.Time{}, false
	}
	for _, c := range w[:4] {
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
		y = y*10 + int(c-'0')
	}
	for _, c := range w[6:] {
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
		n = n*10 + int(c-'0')
	}
	// January 4th is always in week 1.
	jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+(n-1)*7)
	if yy, ww := monday.ISOWeek(); yy != y || ww != n || n < 1 {
		return time.Time{}, false
	}
	return monday.AddDate(0, 0, 7), true
}
