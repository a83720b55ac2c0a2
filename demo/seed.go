package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/recognition"
	"github.com/empulse/empulse/survey"
	"github.com/empulse/empulse/vault"
)

// Times of the history, in UTC.
const (
	// pulseHour is the hour on Mondays at which the week's pulses open.
	pulseHour = 6
	// taskHour is the hour at which Seed answers and recognises on a day.
	taskHour = 12
	// reserveShare is the least share of the current week's answers and
	// recognitions that Seed leaves to the Simulator, so that a dashboard
	// moves even late in the week.
	reserveShare = 0.3
	// workers is how many commands Seed runs at once: the event store
	// commits concurrent appends with one sync.
	workers = 16
)

// Clock is the time that Seed moves through the past weeks. Give its Now to
// whatever else should record the same time, such as the event store. It is
// safe for concurrent use.
type Clock struct{ ns atomic.Int64 }

// NewClock returns a Clock at t.
func NewClock(t time.Time) *Clock {
	c := &Clock{}
	c.set(t)
	return c
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return time.Unix(0, c.ns.Load()).UTC() }

// set moves the clock to t.
func (c *Clock) set(t time.Time) { c.ns.Store(t.UnixNano()) }

// Options choose the organisation and the length of its history.
type Options struct {
	// Seed makes the plan: the same seed plans the same organisation and
	// history.
	Seed uint64
	// Weeks is the number of weeks of pulses, the current one included;
	// DefaultWeeks if 0.
	Weeks int
}

// Config is what Seed needs.
type Config struct {
	// Store is a fresh event store; required.
	Store events.Store
	// Vault is a fresh vault; required.
	Vault vault.Vault
	// AdminTokenHash is app.HashToken of the admin token; required.
	AdminTokenHash string
	// Clock is the clock Seed moves; required.
	Clock *Clock
	// Rand supplies the ids, keys, pseudonyms and tokens; required
	// (crypto/rand.Reader).
	Rand io.Reader
	// Now is the real time, where the history ends; time.Now if nil.
	Now func() time.Time
	// Options choose the organisation and its history.
	Options Options
	// Progress, if set, is called after each command with how many are
	// done of the total, from one goroutine at a time.
	Progress func(done, total int)
}

// Member is a member of the seeded organisation with their bearer token.
type Member struct {
	ID     string
	Name   string
	Email  string
	Team   string // the team's name
	TeamID string
	Role   org.Role
	Token  string
}

// Org is a seeded organisation: who is in it, and what a Simulator needs to
// carry on.
type Org struct {
	// Teams is the number of teams.
	Teams int
	// Members are the members in the order they joined.
	Members []Member
	// Weeks is the number of weeks of pulses.
	Weeks int
	// Commands is the number of commands Seed carried out.
	Commands int
	// Employee, Leader and Analyst are members to show the demo with: an
	// employee of a team of ordinary size, who has not answered this
	// week's pulses (and whom the Simulator leaves them to), the head of a
	// department that holds a team too small to be shown, and the analyst.
	Employee, Leader, Analyst Member

	world   *world
	surveys []string // ids, in the order of surveySpecs
	// week is the ISO week of pending, the current week's answers and
	// recognitions that Seed left to the Simulator.
	week    string
	pending []task
}

// seeder carries out a plan.
type seeder struct {
	app     *app.App
	clock   *Clock
	world   *world
	admin   app.Principal
	members []Member // by person index
	teamIDs []string // by team index
	surveys []string

	progressMu sync.Mutex
	progress   func(done, total int)
	done       int
	total      int
}

// openPulse is a survey's open pulse.
type openPulse struct {
	id        string
	questions []survey.Question
}

// Seed plans an organisation and its history from cfg.Options and writes
// it through an app.App whose clock is cfg.Clock: the teams and members a
// few days before the first week; three weekly surveys of the whole
// organisation (one per bundled instrument), whose pulses the App's
// scheduler (Tick) opens and closes week by week; and each week's answers
// and recognitions on their days. Of the current week, only what is planned
// before Config.Now is written, and at most 1-reserveShare of it: the rest
// is left to a Simulator. The members' personal links authenticate for
// app.DefaultLinkTTL from Config.Now, although they were issued with the
// organisation, weeks before. It returns the organisation, or the first error of
// a command (the store then holds part of the history).
func Seed(ctx context.Context, cfg Config) (*Org, error) {
	if cfg.Clock == nil {
		return nil, errors.New("demo: Config.Clock is nil")
	}
	now := time.Now
	if cfg.Now != nil {
		now = cfg.Now
	}
	weeks := cfg.Options.Weeks
	if weeks == 0 {
		weeks = DefaultWeeks
	}
	if weeks < 1 {
		return nil, fmt.Errorf("demo: %d weeks: want at least 1", weeks)
	}
	end := now().UTC()
	first := mondayOf(end).AddDate(0, 0, -7*(weeks-1))
	current := first.AddDate(0, 0, 7*(weeks-1))
	start := first.AddDate(0, 0, -3).Add(9 * time.Hour) // the Friday before
	// The members join at start, weeks ago; their links authenticate for
	// app.DefaultLinkTTL from end, as if issued now.
	a, err := app.New(app.Config{Store: cfg.Store, Vault: cfg.Vault, AdminTokenHash: cfg.AdminTokenHash,
		Now: cfg.Clock.Now, Rand: cfg.Rand, LinkTTL: end.Sub(start) + app.DefaultLinkTTL})
	if err != nil {
		return nil, err
	}

	w := newWorld(cfg.Options.Seed)
	plans := make([][]task, weeks)
	for i := range plans {
		plans[i] = w.planWeek()
	}
	employee, leader, analyst := w.shown()
	// The employee shown leaves this week's pulses to whoever follows
	// their link.
	plans[weeks-1] = slices.DeleteFunc(plans[weeks-1], func(t task) bool { return t.person == employee && t.survey >= 0 })
	var pending []task
	plans[weeks-1], pending = splitCurrent(plans[weeks-1], current, end)

	s := &seeder{app: a, clock: cfg.Clock, world: w, admin: app.Principal{Role: org.RoleAdmin},
		progress: cfg.Progress}
	s.total = len(w.teams) + len(w.people) + len(surveySpecs)
	for i, p := range plans {
		if !pulseTime(first, i).After(end) {
			s.total++ // the week's Tick
		}
		s.total += len(p)
	}

	s.clock.set(start)
	if err := s.createOrg(ctx); err != nil {
		return nil, err
	}
	if err := s.createSurveys(ctx, pulseTime(first, 0)); err != nil {
		return nil, err
	}
	for i, p := range plans {
		if err := s.week(ctx, first.AddDate(0, 0, 7*i), p, end); err != nil {
			return nil, fmt.Errorf("demo: week %s: %w", recognition.Week(first.AddDate(0, 0, 7*i)), err)
		}
	}

	return &Org{Teams: len(w.teams), Members: s.members, Weeks: weeks, Commands: s.done,
		Employee: s.members[employee], Leader: s.members[leader], Analyst: s.members[analyst],
		world: w, surveys: s.surveys, week: recognition.Week(current), pending: pending}, nil
}

// mondayOf returns the start of t's ISO week: Monday 00:00 UTC.
func mondayOf(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return day.AddDate(0, 0, -(int(day.Weekday())+6)%7)
}

// pulseTime returns when the pulses of week i open, counting from the week
// that starts on Monday first.
func pulseTime(first time.Time, i int) time.Time {
	return first.AddDate(0, 0, 7*i).Add(pulseHour * time.Hour)
}

// taskTime returns when Seed carries out a task of day d of the week that
// starts on Monday monday.
func taskTime(monday time.Time, d int) time.Time {
	return monday.AddDate(0, 0, d).Add(taskHour * time.Hour)
}

// splitCurrent splits the tasks of the current week, which starts on
// Monday monday, at now: it returns those to seed (planned before now, on
// or before today) and those left for later, at least reserveShare of them
// (the latest days' first), in the order of their days.
func splitCurrent(tasks []task, monday, now time.Time) (seed, later []task) {
	tasks = slices.Clone(tasks)
	slices.SortStableFunc(tasks, func(a, b task) int { return a.day - b.day })
	cut := len(tasks)
	for cut > 0 && (taskTime(monday, tasks[cut-1].day).After(now) || pulseTime(monday, 0).After(now)) {
		cut--
	}
	cut = min(cut, int(float64(len(tasks))*(1-reserveShare)))
	return tasks[:cut], tasks[cut:]
}

// step counts one command done and reports progress.
func (s *seeder) step() {
	s.progressMu.Lock()
	defer s.progressMu.Unlock()
	s.done++
	if s.progress != nil {
		s.progress(s.done, s.total)
	}
}

// createOrg creates the teams, parents first, and the members.
func (s *seeder) createOrg(ctx context.Context) error {
	w := s.world
	s.teamIDs = make([]string, len(w.teams))
	for i, t := range w.teams {
		parent := ""
		if t.parent >= 0 {
			parent = s.teamIDs[t.parent]
		}
		created, err := s.app.CreateTeam(ctx, s.admin, t.name, parent)
		if err != nil {
			return fmt.Errorf("demo: create team %s: %w", t.name, err)
		}
		s.teamIDs[i] = created.ID
		s.step()
	}
	s.members = make([]Member, len(w.people))
	for i, p := range w.people {
		cm, err := s.app.CreateMember(ctx, s.admin, app.NewMember{Name: p.name, Email: p.email, Team: s.teamIDs[p.team], Role: p.role})
		if err != nil {
			return fmt.Errorf("demo: create member %s: %w", p.name, err)
		}
		s.members[i] = Member{ID: cm.Member.ID, Name: p.name, Email: p.email, Team: w.teams[p.team].name,
			TeamID: cm.Member.TeamID, Role: p.role, Token: cm.Token}
		s.step()
	}
	return nil
}

// createSurveys creates the weekly surveys of the whole organisation,
// starting at start.
func (s *seeder) createSurveys(ctx context.Context, start time.Time) error {
	for _, spec := range surveySpecs {
		sv, err := s.app.CreateSurvey(ctx, s.admin, app.NewSurvey{Name: spec.name, Team: s.teamIDs[0],
			Instruments: []string{spec.instrument}, Cadence: survey.Weekly, StartsAt: start})
		if err != nil {
			return fmt.Errorf("demo: create survey %s: %w", spec.name, err)
		}
		s.surveys = append(s.surveys, sv.ID)
		s.step()
	}
	return nil
}

// week runs the scheduler at the week's pulse time, unless that is after
// end, then carries out tasks day by day.
func (s *seeder) week(ctx context.Context, monday time.Time, tasks []task, end time.Time) error {
	if at := pulseTime(monday, 0); !at.After(end) {
		s.clock.set(at)
		if _, err := s.app.Tick(ctx); err != nil {
			return fmt.Errorf("tick: %w", err)
		}
		s.step()
	}
	pulses, err := s.openPulses(ctx)
	if err != nil {
		return err
	}
	byDay := make([][]task, len(dayWeights))
	for _, t := range tasks {
		byDay[t.day] = append(byDay[t.day], t)
	}
	for d, ts := range byDay {
		if len(ts) == 0 {
			continue
		}
		s.clock.set(taskTime(monday, d)) // not after end: see splitCurrent
		if err := s.run(ctx, ts, pulses); err != nil {
			return err
		}
	}
	return nil
}

// openPulses returns the open pulse of each survey; a survey without one
// has a zero openPulse.
func (s *seeder) openPulses(ctx context.Context) ([]openPulse, error) {
	out := make([]openPulse, len(s.surveys))
	for i, id := range s.surveys {
		sv, err := s.app.Survey(ctx, s.admin, id)
		if err != nil {
			return nil, err
		}
		if n := len(sv.Pulses); n > 0 && sv.Pulses[n-1].Status == "open" {
			out[i] = openPulse{id: sv.Pulses[n-1].ID, questions: sv.Pulses[n-1].Questions}
		}
	}
	return out, nil
}

// run carries out tasks with up to workers at once. It returns the first
// error.
func (s *seeder) run(ctx context.Context, tasks []task, pulses []openPulse) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, len(tasks)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(tasks) || ctx.Err() != nil {
					return
				}
				if err := s.do(ctx, tasks[i], pulses); err != nil {
					cancel(err)
					return
				}
				s.step()
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// do carries out one task as its member.
func (s *seeder) do(ctx context.Context, t task, pulses []openPulse) error {
	m := s.members[t.person]
	p := app.Principal{Member: m.ID, Role: m.Role, Team: m.TeamID}
	if t.survey < 0 {
		_, err := s.app.Recognize(ctx, p, app.NewRecognition{Receiver: s.members[t.receiver].ID, Value: t.value, Message: t.message})
		if err != nil {
			return fmt.Errorf("recognition by %s: %w", m.Name, err)
		}
		return nil
	}
	pl := pulses[t.survey]
	if pl.id == "" {
		return fmt.Errorf("survey %s has no open pulse", surveySpecs[t.survey].name)
	}
	values := answer(pl.questions, t.level, s.world.teams[s.world.people[t.person].team].drivers, t.noise)
	_, err := s.app.Answer(ctx, p, app.NewAnswer{Survey: s.surveys[t.survey], Pulse: pl.id, Values: values, Comment: t.comment})
	if err != nil {
		return fmt.Errorf("answer by %s: %w", m.Name, err)
	}
	return nil
}
