package app_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/org"
)

// storedButFailedStore is a store whose appends, while fail is set, are
// stored and then reported failed, as when a timeout comes after the
// write.
type storedButFailedStore struct {
	events.Store
	fail *atomic.Bool
}

var errAfterWrite = errors.New("simulated timeout after the write")

func (s storedButFailedStore) Append(ctx context.Context, stream string, expected events.ExpectedRevision, evs ...events.Proposed) (events.AppendResult, error) {
	res, err := s.Store.Append(ctx, stream, expected, evs...)
	if err == nil && s.fail.Load() {
		return events.AppendResult{}, errAfterWrite
	}
	return res, err
}

// TestApp_Exclusive revokes a member's link through an App that is its
// store's only writer and checks that the link stops authenticating at
// once, also when the revocation's append was stored but reported failed.
func TestApp_Exclusive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fail    bool
		wantErr error // of RevokeLink
	}{
		{"Revoked", false, nil},
		{"RevokedButReportedFailed", true, errAfterWrite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := newEnvWith(t, 0, func(c *app.Config) { c.Exclusive = true })
			team := e.team(t, "Engineering", "")
			p, _ := e.member(t, "Ada Lovelace", team.ID, org.RoleEmployee)
			// A second App, as after a restart, is from now on the
			// store's only writer.
			fail := &atomic.Bool{}
			a := e.newApp(t, storedButFailedStore{Store: e.store, fail: fail}, 0, 2)
			link, err := a.IssueLink(ctx, e.admin, p.Member, nil)
			if err != nil {
				t.Fatalf("IssueLink: %v", err)
			}
			if _, err := a.Authenticate(ctx, link.Token); err != nil {
				t.Fatalf("Authenticate before the revocation: %v", err)
			}
			fail.Store(tt.fail)
			if err := a.RevokeLink(ctx, e.admin, p.Member, link.Link); !errors.Is(err, tt.wantErr) {
				t.Fatalf("RevokeLink: %v, want %v", err, tt.wantErr)
			}
			fail.Store(false)
			if _, err := a.Authenticate(ctx, link.Token); !errors.Is(err, app.ErrLinkRevoked) {
				t.Fatalf("Authenticate after the revocation: %v, want %v", err, app.ErrLinkRevoked)
			}
		})
	}
}
