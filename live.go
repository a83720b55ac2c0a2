package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/empulse/empulse/analysis/report"
	"github.com/empulse/empulse/api"
	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/correlations"
	"github.com/empulse/empulse/projections"
	"github.com/empulse/empulse/survey"
	"github.com/empulse/empulse/web/live"
)

// feedTick is how often the live feed pushes what the end of a week
// releases.
const feedTick = time.Minute

// liveUpdates pushes the projections' changes to dashboards: a team's new
// figures, through the anonymity gate, to the leaders watching it, and
// the recomputed correlation table, debounced, to the analysts.
type liveUpdates struct {
	hub    *live.Hub
	feed   *live.TeamFeed
	corr   *live.Debouncer
	runner *projections.Runner
	now    func() time.Time
	log    *slog.Logger
}

// newLiveUpdates returns the live updates of runner's figures, with
// viewers authenticated and authorised by a. Origins other than the
// request's own host that may open a WebSocket are those of publicURL.
func newLiveUpdates(a *app.App, runner *projections.Runner, publicURL string, logger *slog.Logger) *liveUpdates {
	l := &liveUpdates{runner: runner, now: time.Now, log: logger}
	var origins []string
	if u, err := url.Parse(publicURL); err == nil && u.Host != "" {
		origins = append(origins, u.Scheme+"://"+u.Host)
	}
	l.hub = live.New(live.Config{
		Authenticate: func(r *http.Request) (live.Viewer, error) {
			token := live.Token(r)
			p, err := a.Authenticate(r.Context(), token)
			if err != nil {
				return live.Viewer{}, err
			}
			return live.Viewer{Key: app.HashToken(token), Principal: p, Expires: p.Expires}, nil
		},
		Authorize:      func(ctx context.Context, v live.Viewer, t live.Topic) error { return authorizeTopic(ctx, a, v, t) },
		Refuse:         api.ErrorWriter(logger),
		AllowedOrigins: origins,
		Logger:         logger,
	})
	l.feed = live.NewTeamFeed(live.FeedConfig{Gate: live.Gate{K: survey.MinK}, Load: l.loadTeam,
		Publish: l.hub.Publish, Logger: logger})
	l.corr = live.NewDebouncer(live.DebounceConfig{Fn: l.publishCorrelations})
	return l
}

// reasonSignedOut is the reason of the close frame of a connection whose
// link was revoked, or whose member was erased or given another role or
// team.
const reasonSignedOut = "your access changed: the link was revoked, or your role or team changed; sign in again"

// disconnect is the App's Disconnect hook: it closes the live connections
// of the links hashes names. Until the hub exists there are none.
func (l *liveUpdates) disconnect(hashes []string) {
	if l == nil {
		return
	}
	for _, h := range hashes {
		l.hub.Disconnect(h, reasonSignedOut)
	}
}

// authorizeTopic allows a team's topic to whoever may read the team's
// aggregates (app.AggregateRoot) and the correlation table to those who
// may read the organisation's overview.
func authorizeTopic(ctx context.Context, a *app.App, v live.Viewer, t live.Topic) error {
	p, ok := v.Principal.(app.Principal)
	if !ok {
		return apperr.New(apperr.Unauthenticated, "no principal")
	}
	if team, ok := t.Team(); ok {
		_, err := a.AggregateRoot(ctx, p, team)
		return withField(err, "topic")
	}
	return withField(a.CanOverview(p), "topic")
}

// withField names field in err when it names none.
func withField(err error, field string) error {
	var e *apperr.Error
	if errors.As(err, &e) && e.Field == "" {
		c := *e
		c.Field = field
		return &c
	}
	return err
}

// changed is the projections' Changed hook: it queues the team-weeks for
// the feed and asks for a new correlation table. It never blocks.
func (l *liveUpdates) changed(changes []projections.Change) {
	for _, c := range changes {
		l.feed.Notify(c.Team, string(c.Week))
	}
	l.corr.Trigger()
}

// run runs the hub, the feed and the debouncer until ctx is done, and
// returns once every one has stopped (the hub has closed its clients).
func (l *liveUpdates) run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { _ = l.hub.Run(ctx) })
	wg.Go(func() { _ = l.feed.Run(ctx, feedTick) })
	wg.Go(func() { _ = l.corr.Run(ctx) })
	wg.Wait()
}

// scoresMessage is the push of a team's figures of one week: the Score of
// every metric, shown or withheld as in GET /teams/{team}/scores.
type scoresMessage struct {
	Type   string                                   `json:"type"`
	Team   string                                   `json:"team"`
	Week   projections.Week                         `json:"week"`
	K      int                                      `json:"k"`
	Scores map[projections.Metric]projections.Score `json:"scores"`
}

// loadTeam reads team's figures of week for the feed, without the
// comments a push never carries (opening them costs a vault read and a
// decryption each). The gate counts the
// respondents behind every answer-based figure; recognition figures count
// named acts, not anonymous answers, and ride along with them.
func (l *liveUpdates) loadTeam(ctx context.Context, team, week string) (live.Snapshot, error) {
	w, err := l.runner.TeamWeekScores(ctx, team, projections.Week(week))
	if err != nil {
		return live.Snapshot{}, err
	}
	shown := live.Counts{}
	for m, sc := range w.Scores {
		if m == projections.MetricGivenPerMember || m == projections.MetricRecvPerMember {
			continue
		}
		if n, ok := sc.Respondents(); ok {
			shown[string(m)] = int(n)
		}
	}
	payload, err := json.Marshal(scoresMessage{Type: "scores", Team: team, Week: w.Week, K: w.K, Scores: w.Scores})
	return live.Snapshot{Payload: payload, Shown: shown, K: w.K}, err
}

// publishCorrelations recomputes the correlation table with the default
// filters of GET /analysis/correlations (the whole organisation, the last
// 12 weeks) and pushes it, as that endpoint's JSON document, to the
// analysts.
func (l *liveUpdates) publishCorrelations(ctx context.Context) {
	payload, err := l.correlations(ctx)
	if err != nil {
		if ctx.Err() == nil {
			l.log.Warn("live: recomputing the correlation table", "err", err)
		}
		return
	}
	l.hub.Publish(live.CorrelationsTopic, payload)
}

// correlations returns the push of the default correlation table.
func (l *liveUpdates) correlations(ctx context.Context) ([]byte, error) {
	var f correlations.Filters
	var err error
	if f.From, f.To, err = l.runner.Period("", ""); err != nil {
		return nil, err
	}
	if f.Lags, err = correlations.ParseLags("lags", ""); err != nil {
		return nil, err
	}
	if f.MinN, err = correlations.ParseMinN("min_n", ""); err != nil {
		return nil, err
	}
	rows, err := correlations.Table(ctx, l.runner, f)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString(`{"type":"correlations","table":`)
	if err := report.Write(&buf, report.JSON, correlations.Meta(l.runner, f, l.now()), rows); err != nil {
		return nil, err
	}
	buf.WriteString("}")
	return buf.Bytes(), nil
}
