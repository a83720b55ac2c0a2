// Package app handles Empulse's commands: for each request it loads the
// state of the stream concerned (ReadStream and a fold), lets the domain
// packages (org, instrument, survey, recognition) decide the new events,
// seals personal data with the member's key from the vault, and appends the
// events with the expected revision, retrying when another writer got there
// first. It also answers the queries the write side can answer from its own
// streams, and checks who may do what.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/instrument"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/recognition"
	"github.com/empulse/empulse/survey"
	"github.com/empulse/empulse/vault"
)

// Config holds what an App needs.
type Config struct {
	// Store is the event store; required.
	Store events.Store
	// Vault holds member keys and pseudonyms; required.
	Vault vault.Vault
	// Org is the organisation's id; "default" if empty.
	Org string
	// AdminTokenHash is HashToken of the bootstrap admin token; required.
	AdminTokenHash string
	// Now is the clock; time.Now if nil.
	Now func() time.Time
	// Rand supplies ids, keys, pseudonyms, tokens and nonces; required
	// (crypto/rand.Reader in production).
	Rand io.Reader
	// Allowance is each giver's weekly recognition allowance;
	// recognition.DefaultAllowance if 0.
	Allowance int
	// Logger receives the scheduler's errors; nothing is logged if nil.
	Logger *slog.Logger
	// Received returns the recognitions member received in an ISO week
	// (from the projections), messages still sealed; /me/recognitions
	// lists none when nil.
	Received func(ctx context.Context, member, week string) ([]recognition.Given, error)
	// LinkTTL is how long a personal link authenticates when no other
	// time is asked for: the link a member joins with and IssueLink's
	// default; DefaultLinkTTL if 0.
	LinkTTL time.Duration
	// Disconnect, if set, is called after a change is appended with the
	// token hashes (HashToken) of the links whose holders may no longer
	// do what they could: the links revoked, every link of an erased
	// member, and every link of a member whose role or team changed. main
	// closes their live WebSockets with it, so that a connection opened
	// before cannot outlive the change. It must not block or call the
	// App. It hears only of changes made through this App, not of those
	// other nodes append to a shared store.
	Disconnect func(tokenHashes []string)
	// Exclusive reports that this App is the only writer of Store, as
	// with the embedded store, which one process opens at a time. The App
	// then reads the organisation stream once, and again only after an
	// append to it failed, rather than before every query. It must be
	// false when other processes or Apps may append to Store
	// (EventStoreDB), or their changes would go unseen.
	Exclusive bool
}

// App handles commands and queries. It is safe for concurrent use.
type App struct {
	store     events.Store
	vault     vault.Vault
	org       string
	adminHash string
	now       func() time.Time
	allowance int
	log       *slog.Logger
	reg       *events.Registry

	receivedOf func(ctx context.Context, member, week string) ([]recognition.Given, error)
	linkTTL    time.Duration
	disconnect func(tokenHashes []string)

	randMu sync.Mutex
	rand   io.Reader

	// orgMu guards the cached organisation state and serialises commands on
	// the org stream within this process.
	orgMu   sync.Mutex
	orgS    *org.State
	orgNext uint64 // the next revision to read
	orgRev  events.ExpectedRevision
	// orgRead is whether orgS held every event of the org stream when it
	// was last read or appended to: then an exclusive App, the stream's
	// only writer, need not read it again.
	orgRead   bool
	exclusive bool

	// surveysMu guards surveyCaches, each survey's folded state.
	surveysMu    sync.Mutex
	surveyCaches map[string]*surveyCache
}

// New returns an App for cfg. It returns an error when a required field is
// missing.
func New(cfg Config) (*App, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("app: Config.Store is nil")
	case cfg.Vault == nil:
		return nil, errors.New("app: Config.Vault is nil")
	case cfg.Rand == nil:
		return nil, errors.New("app: Config.Rand is nil")
	case cfg.AdminTokenHash == "":
		return nil, errors.New("app: Config.AdminTokenHash is empty")
	case cfg.LinkTTL < 0:
		return nil, fmt.Errorf("app: Config.LinkTTL is %v: want a positive duration, or 0 for the default", cfg.LinkTTL)
	}
	if cfg.LinkTTL == 0 {
		cfg.LinkTTL = DefaultLinkTTL
	}
	if cfg.Disconnect == nil {
		cfg.Disconnect = func([]string) {}
	}
	if cfg.Org == "" {
		cfg.Org = "default"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Allowance == 0 {
		cfg.Allowance = recognition.DefaultAllowance
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &App{
		store: cfg.Store, vault: cfg.Vault, org: cfg.Org, adminHash: cfg.AdminTokenHash,
		now: cfg.Now, rand: cfg.Rand, allowance: cfg.Allowance, log: cfg.Logger, reg: Registry(),
		orgS: org.NewState(), orgRev: events.NoStream(), receivedOf: cfg.Received,
		surveyCaches: map[string]*surveyCache{}, linkTTL: cfg.LinkTTL, disconnect: cfg.Disconnect,
		exclusive: cfg.Exclusive,
	}, nil
}

// Registry returns a registry of every event type the domain packages
// define, for decoding any event of the log.
func Registry() *events.Registry {
	r := events.NewRegistry()
	org.Register(r)
	instrument.Register(r)
	survey.Register(r)
	recognition.Register(r)
	return r
}

// Allowance returns the weekly recognition allowance.
func (a *App) Allowance() int { return a.allowance }

// read reads n random bytes.
func (a *App) read(n int) ([]byte, error) {
	b := make([]byte, n)
	a.randMu.Lock()
	defer a.randMu.Unlock()
	if _, err := io.ReadFull(a.rand, b); err != nil {
		return nil, fmt.Errorf("app: randomness: %w", err)
	}
	return b, nil
}

// randReader is an io.Reader over the App's randomness, safe for concurrent
// use.
type randReader struct{ a *App }

// Read fills p from the App's randomness.
func (r randReader) Read(p []byte) (int, error) {
	r.a.randMu.Lock()
	defer r.a.randMu.Unlock()
	return io.ReadFull(r.a.rand, p)
}

// newID returns a random UUID as a string.
func (a *App) newID() (string, error) {
	id, err := a.newUUID()
	return id.String(), err
}

// newUUID returns a random UUID.
func (a *App) newUUID() (uuid.UUID, error) {
	a.randMu.Lock()
	defer a.randMu.Unlock()
	id, err := uuid.NewRandomFromReader(a.rand)
	if err != nil {
		return uuid.Nil, fmt.Errorf("app: randomness: %w", err)
	}
	return id, nil
}

// isID reports whether s is an id as the App makes them: a UUID in its
// canonical 36-character form. Ids from requests are checked before they go
// into a stream name.
func isID(s string) bool {
	id, err := uuid.Parse(s)
	return err == nil && id.String() == s
}

// eventer is a domain event.
type eventer interface{ EventType() string }

// proposed returns the events to append, with the given IDs (random ones
// where ids is shorter).
func (a *App) proposed(evs []eventer, ids ...uuid.UUID) ([]events.Proposed, error) {
	corr, err := a.newUUID()
	if err != nil {
		return nil, err
	}
	out := make([]events.Proposed, len(evs))
	for i, ev := range evs {
		data, err := events.Marshal(ev)
		if err != nil {
			return nil, fmt.Errorf("app: encode %s: %w", ev.EventType(), err)
		}
		id := uuid.Nil
		if i < len(ids) {
			id = ids[i]
		}
		if id == uuid.Nil {
			if id, err = a.newUUID(); err != nil {
				return nil, err
			}
		}
		out[i] = events.Proposed{ID: id, Type: ev.EventType(), Data: data,
			Metadata: events.Metadata{CorrelationID: corr, CausationID: corr, SchemaVersion: 1}}
	}
	return out, nil
}

// load folds stream into apply and returns the expected revision for the
// next append: NoStream when the stream has no events.
func (a *App) load(ctx context.Context, stream string, apply func(any)) (events.ExpectedRevision, error) {
	rev := events.NoStream()
	err := a.foldFrom(ctx, stream, 0, func(v any, r uint64) error {
		apply(v)
		rev = events.Revision(r)
		return nil
	})
	if err != nil {
		return events.NoStream(), err
	}
	return rev, nil
}

// foldFrom reads stream's events from revision from on and passes each,
// decoded, with its revision to apply, stopping at apply's first error. A
// stream without events is no error.
func (a *App) foldFrom(ctx context.Context, stream string, from uint64, apply func(v any, rev uint64) error) error {
	evs, err := a.store.ReadStream(ctx, stream, events.Forwards, from, 0)
	if errors.Is(err, events.ErrStreamNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", stream, err)
	}
	for _, e := range evs {
		v, err := a.reg.Decode(e)
		if err != nil {
			return err
		}
		if err := apply(v, e.Revision); err != nil {
			return err
		}
	}
	return nil
}

// maxRetries bounds the attempts of a command that meets conflicts.
const maxRetries = 8

// retry runs attempt until it succeeds, fails with anything but a conflict
// on the expected revision, or has run maxRetries times.
func retry(ctx context.Context, attempt func() error) error {
	var err error
	for range maxRetries {
		if err = attempt(); !errors.Is(err, events.ErrWrongRevision) {
			return err
		}
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
	}
	return apperr.New(apperr.Unavailable, "too many concurrent changes, try again")
}
