package api_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/empulse/empulse/app"
)

// issuedLink is the answer to POST /members/{member}/links.
type issuedLink struct {
	Link      int       `json:"link"`
	Token     string    `json:"token"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// linkList is the answer to GET /members/{member}/links.
type linkList struct {
	Links []struct {
		Link      int        `json:"link"`
		IssuedAt  *time.Time `json:"issued_at"`
		ExpiresAt *time.Time `json:"expires_at"`
		Revoked   bool       `json:"revoked"`
		Expired   bool       `json:"expired"`
	} `json:"links"`
}

// setNow moves the server's clock to t.
func (s *server) setNow(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = t
}

// wantError fails unless rec is status with an error naming field.
func wantError(tb testing.TB, rec *httptest.ResponseRecorder, status int, field string) {
	tb.Helper()
	var e errorJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
		tb.Fatalf("error body %s: %v", rec.Body, err)
	}
	got := ""
	if e.Error.Field != nil {
		got = *e.Error.Field
	}
	if rec.Code != status || got != field {
		tb.Fatalf("status=%d field=%q (body %s), want %d naming %q", rec.Code, got, rec.Body, status, field)
	}
}

func TestLinks_IssueListRevoke(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.s
	links := "/api/v1/members/" + f.empAID + "/links"

	var l linkList
	s.ok(t, req{method: "GET", path: links, token: f.empA}, 200, &l)
	if len(l.Links) != 1 || l.Links[0].Link != 1 || l.Links[0].ExpiresAt == nil || !l.Links[0].ExpiresAt.Equal(t0.Add(app.DefaultLinkTTL)) {
		t.Fatalf("links=%+v, want link 1 expiring at %v", l, t0.Add(app.DefaultLinkTTL))
	}

	s.setNow(t0.Add(time.Hour))
	var def, week issuedLink
	rec := s.ok(t, req{method: "POST", path: links, token: f.leaderA}, 201, &def)
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control=%q, want no-store", got)
	}
	if def.Link != 2 || !def.ExpiresAt.Equal(t0.Add(time.Hour+app.DefaultLinkTTL)) || def.URL != "http://empulse.test/pulse#token="+def.Token {
		t.Errorf("POST without a body=%+v, want link 2 with the default expiry and its URL", def)
	}
	s.ok(t, req{method: "POST", path: links, token: adminToken, body: `{"ttl_days":7}`}, 201, &week)
	if week.Link != 3 || !week.ExpiresAt.Equal(t0.Add(time.Hour+7*24*time.Hour)) {
		t.Errorf("POST ttl_days 7=%+v, want link 3 expiring a week on", week)
	}
	s.ok(t, req{method: "GET", path: "/api/v1/me", token: week.Token}, 200, nil)

	s.ok(t, req{method: "DELETE", path: links + "/1", token: f.empA}, 204, nil)
	rec, _ = s.do(t, req{method: "GET", path: "/api/v1/me", token: f.empA})
	wantError(t, rec, 401, "token")
	if !strings.Contains(rec.Body.String(), "ask for a new one") {
		t.Errorf("revoked link's 401=%s, want it to say to ask for a new one", rec.Body)
	}
	s.ok(t, req{method: "DELETE", path: links + "/1", token: adminToken}, 204, nil) // again: fine

	s.setNow(week.ExpiresAt)
	rec, _ = s.do(t, req{method: "GET", path: "/api/v1/me", token: week.Token})
	wantError(t, rec, 401, "token")
	if !strings.Contains(rec.Body.String(), "expired") {
		t.Errorf("expired link's 401=%s, want it to say so", rec.Body)
	}
	s.ok(t, req{method: "GET", path: links, token: def.Token}, 200, &l)
	got := []string{}
	for _, x := range l.Links {
		got = append(got, map[bool]string{true: "revoked", false: "live"}[x.Revoked]+map[bool]string{true: "+expired", false: ""}[x.Expired])
	}
	if want := []string{"revoked", "live", "live+expired"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("links=%v, want %v", got, want)
	}
}

func TestCreateMember_ShowsExpiry(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var cm struct {
		Link      string    `json:"link"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	f.s.ok(t, req{method: "POST", path: "/api/v1/members", token: adminToken,
		body: `{"name":"Nina","email":"nina@example.org","team_id":"` + f.alpha + `"}`}, 201, &cm)
	if want := t0.Add(app.DefaultLinkTTL); !cm.ExpiresAt.Equal(want) {
		t.Errorf("expires_at=%v, want %v", cm.ExpiresAt, want)
	}
}

func TestLinks_BadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	links := "/api/v1/members/" + f.empAID + "/links"
	tests := []struct {
		name, method, path, body string
		wantStatus               int
		wantField                string
	}{
		{"TTLZero", "POST", links, `{"ttl_days":0}`, 400, "ttl_days"},
		{"TTL366", "POST", links, `{"ttl_days":366}`, 400, "ttl_days"},
		{"TTLNegative", "POST", links, `{"ttl_days":-3}`, 400, "ttl_days"},
		{"TTLString", "POST", links, `{"ttl_days":"30"}`, 400, "ttl_days"},
		{"TTLFraction", "POST", links, `{"ttl_days":1.5}`, 400, "ttl_days"},
		{"UnknownField", "POST", links, `{"ttl":30}`, 400, "ttl"},
		{"NotJSON", "POST", links, `ttl_days=30`, 400, "body"},
		{"IssueUnknownMember", "POST", "/api/v1/members/nope/links", `{}`, 404, "member"},
		{"ListUnknownMember", "GET", "/api/v1/members/nope/links", "", 404, "member"},
		{"RevokeUnknownLink", "DELETE", links + "/2", "", 404, "link"},
		{"RevokeLinkZero", "DELETE", links + "/0", "", 404, "link"},
		{"RevokeNotANumber", "DELETE", links + "/first", "", 404, "link"},
		{"RevokeUnknownMember", "DELETE", "/api/v1/members/nope/links/1", "", 404, "member"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.s.head(t)
			rec, _ := f.s.do(t, req{method: tt.method, path: tt.path, token: adminToken, body: tt.body})
			wantError(t, rec, tt.wantStatus, tt.wantField)
			if after := f.s.head(t); after != before {
				t.Errorf("head=%v after a refused request, want %v: nothing appended", after, before)
			}
		})
	}
	// The employee's link 1 still works: nothing above touched it.
	f.s.ok(t, req{method: "GET", path: "/api/v1/me", token: f.empA}, 200, nil)
}
