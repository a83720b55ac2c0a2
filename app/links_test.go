package app_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/empulse/empulse/app"
	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/org"
)

// disconnects records the calls of Config.Disconnect.
type disconnects struct {
	mu    sync.Mutex
	calls [][]string
}

func (d *disconnects) record(hashes []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls = append(d.calls, slices.Clone(hashes))
}

// take returns the calls so far and forgets them.
func (d *disconnects) take() [][]string {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.calls
	d.calls = nil
	return c
}

// linkOrg is an organisation for the link tests: Company > Alpha, Beta;
// a leader of Alpha, employees of Alpha and Beta, an analyst and a
// leader of Beta.
type linkOrg struct {
	*env
	hooks               *disconnects
	leaderA, leaderB    app.Principal
	empA, empB, analyst app.Principal
	empAToken           string
	beta                string
}

func newLinkOrg(tb testing.TB, edit func(*app.Config)) *linkOrg {
	tb.Helper()
	d := &disconnects{}
	e := newEnvWith(tb, 0, func(c *app.Config) {
		c.Disconnect = d.record
		if edit != nil {
			edit(c)
		}
	})
	o := &linkOrg{env: e, hooks: d}
	root := e.team(tb, "Company", "")
	a := e.team(tb, "Alpha", root.ID)
	b := e.team(tb, "Beta", root.ID)
	o.beta = b.ID
	o.leaderA, _ = e.member(tb, "lea", a.ID, org.RoleLeader)
	o.leaderB, _ = e.member(tb, "leo", b.ID, org.RoleLeader)
	o.empA, o.empAToken = e.member(tb, "emil", a.ID, org.RoleEmployee)
	o.empB, _ = e.member(tb, "otto", b.ID, org.RoleEmployee)
	o.analyst, _ = e.member(tb, "ana", root.ID, org.RoleAnalyst)
	return o
}

// days returns &n.
func days(n int) *int { return &n }

func TestApp_LinkExpiry(t *testing.T) {
	t.Parallel()
	o := newLinkOrg(t, nil)
	expires := t0.Add(app.DefaultLinkTTL)
	tests := []struct {
		name    string
		at      time.Time
		wantErr error
	}{
		{"JustIssued", t0, nil},
		{"JustBefore", expires.Add(-time.Nanosecond), nil},
		{"AtExpiry", expires, app.ErrLinkExpired},
		{"Later", expires.AddDate(1, 0, 0), app.ErrLinkExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o.clock.Set(tt.at)
			p, err := o.app.Authenticate(t.Context(), o.empAToken)
			if !errors.Is(err, tt.wantErr) || (err == nil && p.Member != o.empA.Member) {
				t.Fatalf("Authenticate at %v=%+v, %v; want %v", tt.at, p, err, tt.wantErr)
			}
			if err == nil && !p.Expires.Equal(expires) {
				t.Errorf("Principal.Expires=%v, want %v", p.Expires, expires)
			}
			if err != nil && apperr.CodeOf(err) != apperr.Unauthenticated {
				t.Errorf("code=%q, want unauthenticated", apperr.CodeOf(err))
			}
		})
	}
}

func TestApp_LinkTTLConfig(t *testing.T) {
	t.Parallel()
	o := newLinkOrg(t, func(c *app.Config) { c.LinkTTL = time.Hour })
	links, err := o.app.Links(t.Context(), o.admin, o.empA.Member)
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 1 || links[0].ExpiresAt == nil || !links[0].ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("links=%+v, want link 1 expiring at %v", links, t0.Add(time.Hour))
	}
	got, err := o.app.IssueLink(t.Context(), o.admin, o.empA.Member, nil)
	if err != nil || !got.Expires.Equal(t0.Add(time.Hour)) {
		t.Fatalf("IssueLink without ttl=%+v, %v; want expiry %v", got, err, t0.Add(time.Hour))
	}
	if _, err := app.New(app.Config{Store: o.store, Vault: o.vault, AdminTokenHash: "x", Rand: strings.NewReader(""), LinkTTL: -time.Hour}); err == nil {
		t.Errorf("app.New with a negative LinkTTL: nil error")
	}
}

func TestApp_IssueAndRevokeLinks(t *testing.T) {
	t.Parallel()
	o := newLinkOrg(t, nil)
	ctx := t.Context()
	o.clock.Set(t0.Add(time.Hour))
	second, err := o.app.IssueLink(ctx, o.leaderA, o.empA.Member, days(7))
	if err != nil {
		t.Fatalf("IssueLink: %v", err)
	}
	if want := t0.Add(time.Hour + 7*24*time.Hour); second.Link != 2 || !second.Expires.Equal(want) || second.Token == o.empAToken {
		t.Fatalf("IssueLink=%+v, want link 2 with a new token expiring at %v", second, want)
	}
	if got := o.hooks.take(); got != nil {
		t.Errorf("Disconnect calls after issuing=%v, want none", got)
	}
	// Both links authenticate the same member.
	for _, tok := range []string{o.empAToken, second.Token} {
		if p, err := o.app.Authenticate(ctx, tok); err != nil || p.Member != o.empA.Member {
			t.Fatalf("Authenticate=%+v, %v; want %s", p, err, o.empA.Member)
		}
	}
	if err := o.app.RevokeLink(ctx, o.empA, o.empA.Member, 1); err != nil {
		t.Fatalf("RevokeLink(1) by the member: %v", err)
	}
	if _, err := o.app.Authenticate(ctx, o.empAToken); !errors.Is(err, app.ErrLinkRevoked) {
		t.Errorf("Authenticate(revoked link 1) err=%v, want %v", err, app.ErrLinkRevoked)
	}
	if p, err := o.app.Authenticate(ctx, second.Token); err != nil || p.Member != o.empA.Member {
		t.Errorf("Authenticate(link 2) after revoking link 1=%+v, %v; want the member", p, err)
	}
	if got, want := o.hooks.take(), [][]string{{app.HashToken(o.empAToken)}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("Disconnect calls=%v, want %v", got, want)
	}
	// Revoking again is fine and changes nothing.
	before := len(o.all(t))
	if err := o.app.RevokeLink(ctx, o.admin, o.empA.Member, 1); err != nil {
		t.Errorf("RevokeLink(1) again: %v", err)
	}
	if got := len(o.all(t)); got != before {
		t.Errorf("events after revoking again=%d, want %d", got, before)
	}
	if got := o.hooks.take(); got != nil {
		t.Errorf("Disconnect calls after revoking again=%v, want none", got)
	}
	o.clock.Set(second.Expires)
	links, err := o.app.Links(ctx, o.empA, o.empA.Member)
	if err != nil {
		t.Fatal(err)
	}
	want := []app.Link{
		{Link: 1, IssuedAt: ptr(t0), ExpiresAt: ptr(t0.Add(app.DefaultLinkTTL)), Revoked: true},
		{Link: 2, IssuedAt: ptr(t0.Add(time.Hour)), ExpiresAt: ptr(second.Expires), Expired: true},
	}
	if !slices.EqualFunc(links, want, sameLink) {
		t.Errorf("Links=%+v, want %+v", links, want)
	}
	if _, err := o.app.Authenticate(ctx, second.Token); !errors.Is(err, app.ErrLinkExpired) {
		t.Errorf("Authenticate(link 2) at its expiry err=%v, want %v", err, app.ErrLinkExpired)
	}
	third, err := o.app.IssueLink(ctx, o.admin, o.empA.Member, nil)
	if err != nil || third.Link != 3 {
		t.Fatalf("IssueLink=%+v, %v; want link 3", third, err)
	}
	if p, err := o.app.Authenticate(ctx, third.Token); err != nil || p.Member != o.empA.Member {
		t.Errorf("Authenticate(reissued link 3)=%+v, %v; want the member", p, err)
	}
}

// ptr returns &t.
func ptr(t time.Time) *time.Time { return &t }

// sameLink reports whether a and b are equal, times compared by instant.
func sameLink(a, b app.Link) bool {
	eq := func(x, y *time.Time) bool { return (x == nil) == (y == nil) && (x == nil || x.Equal(*y)) }
	return a.Link == b.Link && eq(a.IssuedAt, b.IssuedAt) && eq(a.ExpiresAt, b.ExpiresAt) &&
		a.Revoked == b.Revoked && a.Expired == b.Expired
}

func TestApp_LinkErrors(t *testing.T) {
	t.Parallel()
	o := newLinkOrg(t, nil)
	ctx := t.Context()
	tests := []struct {
		name      string
		do        func() error
		wantCode  apperr.Code
		wantField string
	}{
		{"TTLZero", func() error { _, err := o.app.IssueLink(ctx, o.admin, o.empA.Member, days(0)); return err }, apperr.Invalid, "ttl_days"},
		{"TTLNegative", func() error { _, err := o.app.IssueLink(ctx, o.admin, o.empA.Member, days(-1)); return err }, apperr.Invalid, "ttl_days"},
		{"TTL366", func() error { _, err := o.app.IssueLink(ctx, o.admin, o.empA.Member, days(366)); return err }, apperr.Invalid, "ttl_days"},
		{"TTL1", func() error { _, err := o.app.IssueLink(ctx, o.admin, o.empA.Member, days(1)); return err }, "", ""},
		{"TTL365", func() error { _, err := o.app.IssueLink(ctx, o.admin, o.empA.Member, days(365)); return err }, "", ""},
		{"IssueUnknownMember", func() error { _, err := o.app.IssueLink(ctx, o.admin, "nope", nil); return err }, apperr.NotFound, "member"},
		{"ListUnknownMember", func() error { _, err := o.app.Links(ctx, o.admin, "nope"); return err }, apperr.NotFound, "member"},
		{"RevokeUnknownMember", func() error { return o.app.RevokeLink(ctx, o.admin, "nope", 1) }, apperr.NotFound, "member"},
		{"RevokeUnknownLink", func() error { return o.app.RevokeLink(ctx, o.admin, o.empB.Member, 2) }, apperr.NotFound, "link"},
		{"RevokeLinkZero", func() error { return o.app.RevokeLink(ctx, o.admin, o.empB.Member, 0) }, apperr.NotFound, "link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if apperr.CodeOf(err) != tt.wantCode && !(tt.wantCode == "" && err == nil) || apperr.FieldOf(err) != tt.wantField {
				t.Fatalf("err=%v (code %q field %q), want code %q field %q", err, apperr.CodeOf(err), apperr.FieldOf(err), tt.wantCode, tt.wantField)
			}
		})
	}
}

func TestApp_LinkPermissions(t *testing.T) {
	t.Parallel()
	o := newLinkOrg(t, nil)
	ctx := t.Context()
	tests := []struct {
		name                string
		p                   app.Principal
		member              string
		wantIssue, wantList bool // revoking is allowed where listing is
	}{
		{"AdminAnyone", o.admin, o.leaderB.Member, true, true},
		{"LeaderOwnEmployee", o.leaderA, o.empA.Member, true, true},
		{"LeaderOtherEmployee", o.leaderA, o.empB.Member, false, false},
		{"LeaderOtherLeader", o.leaderA, o.leaderB.Member, false, false},
		{"LeaderThemself", o.leaderA, o.leaderA.Member, false, true},
		{"EmployeeThemself", o.empA, o.empA.Member, false, true},
		{"EmployeeColleague", o.empA, o.empB.Member, false, false},
		{"AnalystEmployee", o.analyst, o.empA.Member, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := o.app.IssueLink(ctx, tt.p, tt.member, nil)
			checkAllowed(t, "IssueLink", err, tt.wantIssue)
			_, err = o.app.Links(ctx, tt.p, tt.member)
			checkAllowed(t, "Links", err, tt.wantList)
			// A fresh link is revoked, so that the member keeps link 1.
			fresh, ierr := o.app.IssueLink(ctx, o.admin, tt.member, nil)
			if ierr != nil {
				t.Fatal(ierr)
			}
			checkAllowed(t, "RevokeLink", o.app.RevokeLink(ctx, tt.p, tt.member, fresh.Link), tt.wantList)
		})
	}
}

// checkAllowed fails unless err is nil when allowed and Forbidden (field
// "member") otherwise.
func checkAllowed(tb testing.TB, op string, err error, allowed bool) {
	tb.Helper()
	if allowed && err != nil {
		tb.Errorf("%s err=%v, want nil", op, err)
	}
	if !allowed && (apperr.CodeOf(err) != apperr.Forbidden || apperr.FieldOf(err) != "member") {
		tb.Errorf("%s err=%v, want Forbidden naming member", op, err)
	}
}

func TestApp_ErasedMemberLinks(t *testing.T) {
	t.Parallel()
	o := newLinkOrg(t, nil)
	ctx := t.Context()
	second, err := o.app.IssueLink(ctx, o.admin, o.empA.Member, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.app.EraseMember(ctx, o.admin, o.empA.Member); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{o.empAToken, second.Token} {
		if _, err := o.app.Authenticate(ctx, tok); apperr.CodeOf(err) != apperr.Unauthenticated {
			t.Errorf("Authenticate(erased member's link) err=%v, want unauthenticated", err)
		}
	}
	want := [][]string{{app.HashToken(o.empAToken), app.HashToken(second.Token)}}
	if got := o.hooks.take(); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("Disconnect calls=%v, want %v", got, want)
	}
	if links, err := o.app.Links(ctx, o.admin, o.empA.Member); err != nil || len(links) != 0 {
		t.Errorf("Links(erased)=%+v, %v; want none", links, err)
	}
	if _, err := o.app.IssueLink(ctx, o.admin, o.empA.Member, nil); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("IssueLink(erased) err=%v, want conflict", err)
	}
	if err := o.app.RevokeLink(ctx, o.admin, o.empA.Member, 1); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("RevokeLink(erased) err=%v, want conflict", err)
	}
	// Erasing again appends nothing and disconnects nobody.
	if err := o.app.EraseMember(ctx, o.admin, o.empA.Member); err != nil {
		t.Fatal(err)
	}
	if got := o.hooks.take(); got != nil {
		t.Errorf("Disconnect calls after erasing again=%v, want none", got)
	}
}

func TestApp_RoleAndTeamChangeDisconnect(t *testing.T) {
	t.Parallel()
	o := newLinkOrg(t, nil)
	ctx := context.Background()
	second, err := o.app.IssueLink(ctx, o.admin, o.empA.Member, nil)
	if err != nil {
		t.Fatal(err)
	}
	both := []string{app.HashToken(o.empAToken), app.HashToken(second.Token)}
	tests := []struct {
		name   string
		change func() error
		want   [][]string
	}{
		{"Role", func() error { _, err := o.app.ChangeRole(ctx, o.admin, o.empA.Member, org.RoleLeader); return err }, [][]string{both}},
		{"SameRole", func() error { _, err := o.app.ChangeRole(ctx, o.admin, o.empA.Member, org.RoleLeader); return err }, nil},
		{"Team", func() error { _, err := o.app.MoveMember(ctx, o.admin, o.empA.Member, o.beta); return err }, [][]string{both}},
	}
	for _, tt := range tests {
		_ = tt.change()
		if got := o.hooks.take(); !slices.EqualFunc(got, tt.want, slices.Equal) {
			t.Errorf("%s: Disconnect calls=%v, want %v", tt.name, got, tt.want)
		}
	}
}
