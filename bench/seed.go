package main

import (
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/events/pebble"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/survey"
	vpebble "github.com/empulse/empulse/vault/pebble"
)

// orgSize is the size of the seeded organisation: every member answers
// every survey's open pulse once, so members x surveys answers can be
// posted.
type orgSize struct {
	teams, members, surveys int
}

// seededOrg is an organisation written into a data directory.
type seededOrg struct {
	// admin is the bootstrap admin's token.
	admin string
	// root is the top team; teams are the teams under it, where the
	// members are.
	root  string
	teams []string
	// members are the members' bearer tokens.
	members []string
	// pulses are the open pulses, one per survey of the whole
	// organisation.
	pulses []openPulse
}

// openPulse is a pulse members can answer.
type openPulse struct {
	survey, pulse string
	questions     []survey.Question
}

// pairs returns how many distinct answers the organisation can take.
func (o seededOrg) pairs() int { return len(o.members) * len(o.pulses) }

// seed writes an organisation of size into the data directory dir through
// the app package, as the API would (the API's per-token rate limit
// would make seeding thousands of members through it take minutes): a
// root team with size.teams teams under it, size.members employees spread
// over them, and size.surveys weekly WHO-5 surveys of the whole
// organisation, each with its first pulse open. The server must not be
// running on dir.
func seed(ctx context.Context, dir string, size orgSize) (o seededOrg, err error) {
	quiet := slog.New(slog.DiscardHandler)
	store, err := pebble.Open(filepath.Join(dir, "events"), pebble.Options{Logger: quiet})
	if err != nil {
		return o, err
	}
	defer func() { err = errors.Join(err, store.Close()) }()
	vlt, err := vpebble.Open(filepath.Join(dir, "vault"), vpebble.Options{Logger: quiet})
	if err != nil {
		return o, err
	}
	defer func() { err = errors.Join(err, vlt.Close()) }()
	if o.admin, err = app.NewToken(crand.Reader); err != nil {
		return o, err
	}
	a, err := app.New(app.Config{Store: store, Vault: vlt, AdminTokenHash: app.HashToken(o.admin), Rand: crand.Reader})
	if err != nil {
		return o, err
	}
	admin := app.Principal{Role: org.RoleAdmin}

	root, err := a.CreateTeam(ctx, admin, "Company", "")
	if err != nil {
		return o, fmt.Errorf("seed: %w", err)
	}
	o.root = root.ID
	for i := range size.teams {
		t, err := a.CreateTeam(ctx, admin, fmt.Sprintf("Team %d", i+1), root.ID)
		if err != nil {
			return o, fmt.Errorf("seed: %w", err)
		}
		o.teams = append(o.teams, t.ID)
	}
	for i := range size.members {
		m, err := a.CreateMember(ctx, admin, app.NewMember{Name: fmt.Sprintf("Member %d", i+1),
			Email: fmt.Sprintf("member%d@example.org", i+1), Team: o.teams[i%len(o.teams)], Role: org.RoleEmployee})
		if err != nil {
			return o, fmt.Errorf("seed: %w", err)
		}
		o.members = append(o.members, m.Token)
	}
	for i := range size.surveys {
		s, err := a.CreateSurvey(ctx, admin, app.NewSurvey{Name: fmt.Sprintf("Pulse %d", i+1), Team: root.ID,
			Instruments: []string{"who5"}, Cadence: survey.Weekly})
		if err != nil {
			return o, fmt.Errorf("seed: %w", err)
		}
		p, err := a.OpenPulse(ctx, admin, s.ID)
		if err != nil {
			return o, fmt.Errorf("seed: %w", err)
		}
		o.pulses = append(o.pulses, openPulse{survey: s.ID, pulse: p.ID, questions: p.Questions})
	}
	return o, nil
}

// answerRequest is the i-th answer of the load: member i mod the members
// answers pulse i div the members, so that consecutive requests come from
// different members (each token's rate limit is 20/s) and no pair repeats.
// The values vary with i; one answer in four has a comment.
func (o seededOrg) answerRequest(i int) (path, token string, body []byte) {
	m, p := i%len(o.members), o.pulses[i/len(o.members)]
	var b strings.Builder
	b.WriteString(`{"values":{`)
	for j, q := range p.questions {
		if j > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%d", q.Key, q.Min+(i+j)%(q.Max-q.Min+1))
	}
	b.WriteByte('}')
	if i%4 == 0 {
		b.WriteString(`,"comment":"A calm week; the new rota helps."`)
	}
	b.WriteByte('}')
	return "/api/v1/surveys/" + p.survey + "/pulses/" + p.pulse + "/answers", o.members[m], []byte(b.String())
}
