package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/empulse/empulse/api"
	"github.com/empulse/empulse/projections"
)

// privacyAdmin is the admin token of the privacy test's server.
const privacyAdmin = "privacy-admin-token"

// privacyK is the k of the privacy test's survey.
const privacyK = 3

// privacyMinComments is the least number of answers a group needs for its
// comments to be shown whatever its k (README, "Scores and anonymity").
// Every answer of the privacy test has a comment, so a shown list of
// comments holds at least this many.
const privacyMinComments = 10

// privacyExcluded are the GET operations of the OpenAPI document the crawl
// does not read, with the reason.
var privacyExcluded = map[string]string{
	"adminBackup": "the backup is the store and the vault themselves, for restore by an admin, not a view of them",
}

// privacyMember is a member of the privacy test's organisation.
type privacyMember struct {
	id, name, email, token string
	comment                string // their answer's comment; "" if they did not answer
}

// privacyOrg is the organisation the privacy test crawls: Company > Alpha
// (12 employees, so that it shows comments), Beta (a leader and 4 employees) and Small (2 employees,
// fewer than k), and a leader, an analyst and an admin member of Company;
// a WHO-5 survey of Company with k=3 whose pulse every employee answers
// with a comment of their own, and recognitions between employees.
type privacyOrg struct {
	addr                        string
	company, alpha, beta, small string
	survey, pulse               string
	members                     []privacyMember
	roles                       []privacyRole
}

// privacyRole is a token the crawl reads with.
type privacyRole struct{ name, token string }

// seedPrivacy serves data and writes a privacyOrg's teams, members, survey
// and pulse; answerAll writes the answers. It returns the organisation and
// serve's stop function.
func seedPrivacy(t *testing.T, data string) (*privacyOrg, func() error) {
	t.Helper()
	o := &privacyOrg{}
	env := map[string]string{envData: data, envLogFormat: "json", envAdminToken: privacyAdmin}
	var stop func() error
	o.addr, _, stop = startServe(t, []string{"--addr", "127.0.0.1:0"}, env)
	type idOf struct {
		ID string `json:"id"`
	}
	team := func(name, parent string) string {
		var id idOf
		call(t, o.addr, privacyAdmin, "POST", "/api/v1/teams", fmt.Sprintf(`{"name":%q,"parent_id":%q}`, name, parent), 201, &id)
		return id.ID
	}
	o.company = team("Company", "")
	o.alpha = team("Alpha", o.company)
	o.beta = team("Beta", o.company)
	o.small = team("Small", o.company)
	member := func(team, role string) string {
		i := len(o.members)
		m := privacyMember{name: fmt.Sprintf("Privacy Person %02d", i), email: fmt.Sprintf("privacy.person%02d@example.org", i)}
		var cm struct {
			Member idOf   `json:"member"`
			Token  string `json:"token"`
		}
		body := fmt.Sprintf(`{"name":%q,"email":%q,"team_id":%q,"role":%q}`, m.name, m.email, team, role)
		call(t, o.addr, privacyAdmin, "POST", "/api/v1/members", body, 201, &cm)
		m.id, m.token = cm.Member.ID, cm.Token
		if role == "employee" {
			m.comment = fmt.Sprintf("quokka-remark-%02d", i)
		}
		o.members = append(o.members, m)
		return m.token
	}
	o.roles = []privacyRole{{"admin", privacyAdmin}, {"admin member", member(o.company, "admin")},
		{"analyst", member(o.company, "analyst")}, {"leader", member(o.company, "leader")}, {"leader of Beta", member(o.beta, "leader")}}
	for _, tm := range []struct {
		id string
		n  int
	}{{o.alpha, 12}, {o.beta, 4}, {o.small, privacyK - 1}} {
		for range tm.n {
			member(tm.id, "employee")
		}
	}
	o.roles = append(o.roles, privacyRole{"employee of Small", o.members[len(o.members)-1].token})
	var sv, p idOf
	call(t, o.addr, privacyAdmin, "POST", "/api/v1/surveys",
		fmt.Sprintf(`{"name":"Pulse","team_id":%q,"instruments":["who5"],"cadence":"weekly","k":%d}`, o.company, privacyK), 201, &sv)
	call(t, o.addr, privacyAdmin, "POST", "/api/v1/surveys/"+sv.ID+"/pulses", "", 201, &p)
	o.survey, o.pulse = sv.ID, p.ID
	return o, stop
}

// answerAll has every employee answer the pulse with their comment, and
// every other one recognise the next.
func (o *privacyOrg) answerAll(t *testing.T) {
	t.Helper()
	answers := "/api/v1/surveys/" + o.survey + "/pulses/" + o.pulse + "/answers"
	var employees []privacyMember
	for i, m := range o.members {
		if m.comment == "" {
			continue
		}
		employees = append(employees, m)
		v := 1 + i%5
		call(t, o.addr, m.token, "POST", answers, fmt.Sprintf(
			`{"values":{"who5.cheerful":%d,"who5.calm":%d,"who5.active":%d,"who5.rested":%d,"who5.interest":%d},"comment":%q}`,
			v, 5-v, v, 5-v, v, m.comment), 201, nil)
	}
	for i := 0; i+1 < len(employees); i += 2 {
		call(t, o.addr, employees[i].token, "POST", "/api/v1/recognitions",
			fmt.Sprintf(`{"receiver_id":%q,"value":"help","message":"thanks %02d"}`, employees[i+1].id, i), 201, nil)
	}
}

// TestPrivacy crawls everything a member of any role can read (issue 9,
// point 5): every GET operation of the OpenAPI document, with every id its
// path parameters can take and each value of its query parameters, in
// each media type it answers, as the admin, an admin member, an analyst, a
// leader of the whole organisation, a leader of one team and an employee;
// the live pushes of every topic to each of them; and the files of
// "empulse export correlations". It asserts that no response puts a member
// (id, name or e-mail) next to answer data (figures, comments, answer
// values, analysis exports), that comments appear only as a team's
// shuffled list without author, and that no group of fewer than k
// answers shows a figure, directly or as the difference between a team
// and its shown parts.
func TestPrivacy(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	o, stop := seedPrivacy(t, data)
	c := newPrivacyCheck(o)

	// Every role watches every topic before the answers arrive; a role
	// refused a topic is refused with 403.
	type watch struct {
		role, topic string
		conn        *liveConn
	}
	var watches []watch
	for _, r := range o.roles {
		for _, topic := range []string{"correlations", "team:" + o.company, "team:" + o.alpha, "team:" + o.beta, "team:" + o.small} {
			status, lc := dialLive(t, o.addr, r.token, topic)
			switch status {
			case 0:
				watches = append(watches, watch{r.name, topic, lc})
			case http.StatusForbidden:
			default:
				t.Errorf("live %s as %s: status %d, want the upgrade or 403", topic, r.name, status)
			}
		}
	}
	o.answerAll(t)

	c.crawl(t)
	for _, p := range c.commentRemainders(map[string][]string{o.company: {o.alpha, o.beta, o.small}}) {
		t.Error(p)
	}

	// The pushes of the company's figures have caught up with what its
	// scores show.
	var shown struct {
		Weeks []struct {
			Week   string `json:"week"`
			Scores map[string]struct {
				Respondents int `json:"respondents"`
			} `json:"scores"`
		} `json:"weeks"`
	}
	if err := json.Unmarshal([]byte(getBody(t, o.addr, privacyAdmin, "/api/v1/teams/"+o.company+"/scores")), &shown); err != nil || len(shown.Weeks) == 0 {
		t.Fatalf("company scores: %v, %d weeks", err, len(shown.Weeks))
	}
	last := shown.Weeks[len(shown.Weeks)-1]
	pushes := 0
	for _, w := range watches {
		if w.topic == "team:"+o.company {
			w.conn.waitFor(t, "the company's figures as shown", func(m push) bool {
				return m.Type == "scores" && m.Week == last.Week && m.Scores["wellbeing"].Respondents == last.Scores["wellbeing"].Respondents
			})
		}
		for i, m := range w.conn.rawMessages() {
			c.inspect(t, fmt.Sprintf("push %d of %s to %s", i, w.topic, w.role), "application/json", m, nil)
			pushes++
		}
	}

	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	files := 0
	for _, team := range []string{"", o.small} {
		out := t.TempDir()
		args := []string{"export", "correlations", "--data", data, "--out", out}
		q := url.Values{}
		if team != "" {
			args = append(args, "--team", team)
			q.Set("team", team)
		}
		var stderr bytes.Buffer
		if err := run(t.Context(), args, envMap(nil), io.Discard, &stderr); err != nil {
			t.Fatalf("export %v: %v\n%s", args, err, stderr.String())
		}
		entries, err := os.ReadDir(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(out, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			ctype, _, _ := mime.ParseMediaType(mime.TypeByExtension(filepath.Ext(e.Name())))
			if filepath.Ext(e.Name()) == ".ndjson" {
				ctype = "application/x-ndjson"
			}
			c.inspect(t, "export "+strings.Join(args[2:], " ")+": "+e.Name(), ctype, b, q)
			files++
		}
	}
	t.Logf("read %d responses (%d opaque images), %d pushes on %d WebSockets, %d export files; comments shown by %d team-weeks",
		c.responses, c.opaque, pushes, len(watches), files, len(c.shownComments))
}

// privacyCheck holds what the privacy test looks for and counts what it
// read.
type privacyCheck struct {
	o        *privacyOrg
	members  []string        // every member's id, name and e-mail address
	comments map[string]bool // every answer's comment

	mu                sync.Mutex
	responses, opaque int
	shownComments     map[[2]string][]string // the comments shown, by team and week
}

func newPrivacyCheck(o *privacyOrg) *privacyCheck {
	c := &privacyCheck{o: o, comments: map[string]bool{}, shownComments: map[[2]string][]string{}}
	for _, m := range o.members {
		for _, s := range []string{m.id, m.name, m.email} {
			if s != "" {
				c.members = append(c.members, s)
			}
		}
		if m.comment != "" {
			c.comments[m.comment] = true
		}
	}
	return c
}

// openAPIOp is what the crawl reads of an OpenAPI operation.
type openAPIOp struct {
	OperationID string `json:"operationId"`
	Parameters  []struct {
		Name     string `json:"name"`
		In       string `json:"in"`
		Required bool   `json:"required"`
		Example  any    `json:"example"`
		Schema   struct {
			Enum    []string `json:"enum"`
			Example any      `json:"example"`
		} `json:"schema"`
	} `json:"parameters"`
	Responses map[string]struct {
		Content map[string]json.RawMessage `json:"content"`
	} `json:"responses"`
}

// privacyRequest is one GET of the crawl.
type privacyRequest struct {
	op, path, accept string
	query            url.Values
}

// requests returns every GET the crawl makes: each GET operation of the
// OpenAPI document but the WebSocket (which answers 101; the test watches
// it) and privacyExcluded, with each combination of its path parameters'
// ids, then once with only the required query parameters and once per
// value of each query parameter (its enum and example, or the ids of its
// name), in each media type of its 200 answer. It fails t when a
// parameter cannot be filled in.
func (c *privacyCheck) requests(t *testing.T) []privacyRequest {
	t.Helper()
	o := c.o
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatalf("OpenAPI document: %v", err)
	}
	var instruments struct {
		Instruments []struct {
			ID string `json:"id"`
		} `json:"instruments"`
	}
	if err := json.Unmarshal([]byte(getBody(t, o.addr, privacyAdmin, "/api/v1/instruments")), &instruments); err != nil || len(instruments.Instruments) == 0 {
		t.Fatalf("instruments: %v, %d of them", err, len(instruments.Instruments))
	}
	ids := map[string][]string{
		"team":   {o.company, o.alpha, o.beta, o.small},
		"survey": {o.survey},
		"pulse":  {o.pulse},
	}
	for _, m := range o.members {
		ids["member"] = append(ids["member"], m.id)
	}
	for _, in := range instruments.Instruments {
		ids["instrument"] = append(ids["instrument"], in.ID)
	}

	excluded := map[string]bool{}
	var reqs []privacyRequest
	for path, methods := range doc.Paths {
		raw, ok := methods["get"]
		if !ok {
			continue
		}
		var op openAPIOp
		if err := json.Unmarshal(raw, &op); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		if _, ok := op.Responses["101"]; ok {
			continue
		}
		if _, ok := privacyExcluded[op.OperationID]; ok {
			excluded[op.OperationID] = true
			continue
		}
		paths := []string{"/api/v1" + path}
		base := url.Values{}
		var variants []url.Values
		for _, p := range op.Parameters {
			values := slices.Clone(p.Schema.Enum)
			for _, ex := range []any{p.Example, p.Schema.Example} {
				if ex != nil {
					values = append(values, fmt.Sprint(ex))
				}
			}
			values = append(values, ids[p.Name]...)
			switch {
			case len(values) == 0 && (p.In == "path" || p.Required):
				t.Errorf("GET %s: no value for the %s parameter %q; give privacyCheck.requests its ids", path, p.In, p.Name)
			case p.In == "path":
				var next []string
				for _, prefix := range paths {
					for _, v := range values {
						next = append(next, strings.ReplaceAll(prefix, "{"+p.Name+"}", url.PathEscape(v)))
					}
				}
				paths = next
			case p.In == "query":
				if p.Required {
					base.Set(p.Name, values[0])
				}
				for _, v := range values {
					variants = append(variants, url.Values{p.Name: {v}})
				}
			default:
				t.Errorf("GET %s: %s parameter %q: the crawl fills only path and query parameters", path, p.In, p.Name)
			}
		}
		accepts := slices.Sorted(func(yield func(string) bool) {
			for ct := range op.Responses["200"].Content {
				if !yield(ct) {
					return
				}
			}
		})
		if len(accepts) == 0 {
			accepts = []string{""}
		}
		for _, p := range paths {
			if strings.Contains(p, "{") {
				t.Errorf("GET %s: path parameters left unfilled in %s", path, p)
				continue
			}
			for _, accept := range accepts {
				reqs = append(reqs, privacyRequest{op.OperationID, p, accept, base})
				for _, v := range variants {
					q := url.Values{}
					for k, vs := range base {
						q[k] = vs
					}
					for k, vs := range v {
						q[k] = vs
					}
					reqs = append(reqs, privacyRequest{op.OperationID, p, accept, q})
				}
			}
		}
	}
	for id := range privacyExcluded {
		if !excluded[id] {
			t.Errorf("privacyExcluded names %q, which is no GET operation of the OpenAPI document", id)
		}
	}
	return reqs
}

// crawl makes every request as every role, the roles in parallel, and
// inspects each 200 answer. Any other status than 200, 403 and 404 fails
// t, and so does an operation no role could read.
func (c *privacyCheck) crawl(t *testing.T) {
	t.Helper()
	reqs := c.requests(t)
	read := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, r := range c.o.roles {
		wg.Go(func() {
			client := &http.Client{Timeout: 30 * time.Second}
			for _, req := range reqs {
				target := req.path
				if len(req.query) > 0 {
					target += "?" + req.query.Encode()
				}
				status, ctype, body, err := request(t, client, c.o.addr, r.token, "GET", target, "", req.accept, true)
				where := fmt.Sprintf("GET %s (Accept %q) as %s", target, req.accept, r.name)
				switch {
				case err != nil:
					t.Errorf("%s: %v", where, err)
				case status == http.StatusOK:
					mu.Lock()
					read[req.op] = true
					mu.Unlock()
					c.inspect(t, where, ctype, body, req.query)
				case status != http.StatusForbidden && status != http.StatusNotFound:
					t.Errorf("%s: status %d, want 200, 403 or 404; body %s", where, status, body)
				}
			}
		})
	}
	wg.Wait()
	for _, req := range reqs {
		if !read[req.op] {
			t.Errorf("%s: no role read it, so the crawl checked nothing of it", req.op)
			read[req.op] = true
		}
	}
}

// inspect checks one response, push or file, named where, of media type
// ctype, read with query (the filters of an analysis export), reporting
// each breach of the privacy rules on t.
func (c *privacyCheck) inspect(t *testing.T, where, ctype string, body []byte, query url.Values) {
	t.Helper()
	c.mu.Lock()
	c.responses++
	if ctype == "image/png" {
		c.opaque++
	}
	c.mu.Unlock()
	for _, p := range c.problems(ctype, body, query) {
		t.Errorf("%s: %s; body %.2000s", where, p, body)
	}
}

// problems returns the breaches of the privacy rules in body, of media
// type ctype, read with query. A PNG is not read: it draws what the SVG of
// the same request does, which is.
func (c *privacyCheck) problems(ctype string, body []byte, query url.Values) []string {
	if ctype == "image/png" {
		return nil
	}
	text := string(body)
	r := &privacyReport{c: c, shownComments: map[string]bool{}}
	answerData := false
	switch ctype {
	case "application/json":
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return []string{fmt.Sprintf("undecodable JSON: %v", err)}
		}
		r.walk(v, "", "")
		answerData = r.figures
	case "application/x-ndjson":
		for line := range strings.Lines(text) {
			var v any
			if err := json.Unmarshal([]byte(line), &v); err != nil {
				return []string{fmt.Sprintf("undecodable line %q: %v", line, err)}
			}
			r.walk(v, "", "")
			r.row(v, query)
		}
		answerData = true
	case "text/csv":
		recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
		if err != nil || len(recs) == 0 {
			return []string{fmt.Sprintf("undecodable CSV (%d records): %v", len(recs), err)}
		}
		for _, rec := range recs[1:] {
			row := map[string]any{}
			for i, col := range recs[0] {
				if n, err := strconv.ParseFloat(rec[i], 64); err == nil {
					row[col] = n
				}
			}
			r.row(row, query)
		}
		answerData = true
	case "image/svg+xml":
		answerData = true
	default:
		return []string{fmt.Sprintf("media type %q, which the crawl cannot read", ctype)}
	}
	for comment := range c.comments {
		if strings.Contains(text, comment) && !r.shownComments[comment] {
			r.problems = append(r.problems, fmt.Sprintf("comment %q appears outside a team's list of comments", comment))
		}
	}
	if answerData || len(r.shownComments) > 0 {
		for _, m := range c.members {
			if strings.Contains(text, m) {
				r.problems = append(r.problems, fmt.Sprintf("member %q appears beside answer data", m))
				break
			}
		}
	}
	return r.problems
}

// privacyReport is what inspecting one response found.
type privacyReport struct {
	c             *privacyCheck
	figures       bool            // it holds figures, comments or answer values
	shownComments map[string]bool // the comments shown in a team's list
	problems      []string
}

// named reports whether metric counts named acts (recognitions), which
// have no minimum group.
func named(metric string) bool {
	return metric == string(projections.MetricGivenPerMember) || metric == string(projections.MetricRecvPerMember)
}

// walk inspects v, found under key, within the figures of team when it
// is not "".
func (r *privacyReport) walk(v any, key, team string) {
	switch v := v.(type) {
	case []any:
		r.remainders(v)
		for _, e := range v {
			r.walk(e, key, team)
		}
	case map[string]any:
		for _, k := range []string{"team_id", "team"} {
			if id, ok := v[k].(string); ok {
				team = id
			}
		}
		small := team == r.c.o.small
		if cm, ok := v["comments"].(map[string]any); ok && cm["suppressed"] == false {
			week, _ := v["week"].(string)
			var texts []string
			items, _ := cm["items"].([]any)
			for _, it := range items {
				s, _ := it.(string)
				texts = append(texts, s)
			}
			r.c.mu.Lock()
			r.c.shownComments[[2]string{team, week}] = texts
			r.c.mu.Unlock()
		}
		if _, ok := v["values"]; ok {
			r.figures = true
		}
		if s, ok := v["suppressed"].(bool); ok {
			r.figures = true
			if !s {
				r.figure(v, key, small)
			}
		}
		if points, ok := v["points"].(float64); ok && points > 0 && small && !named(key) {
			r.problems = append(r.problems, fmt.Sprintf("the team below k has a trend of %s over %v weeks", key, points))
		}
		for k, e := range v {
			if k == "items" && key == "comments" {
				continue // figure has read them
			}
			r.walk(e, k, team)
		}
	}
}

// commentRemainders checks the comments shown of each team of children
// (team id -> its child teams' ids) against its children's in the same
// week: the comments a team shows beyond those its shown children show
// come from the rest of its answers, and must be none or at least
// max(k, privacyMinComments), else subtraction shows the comments of a
// smaller group.
func (c *privacyCheck) commentRemainders(children map[string][]string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var problems []string
	for key, texts := range c.shownComments {
		kids, ok := children[key[0]]
		if !ok {
			continue
		}
		rest := map[string]bool{}
		for _, s := range texts {
			rest[s] = true
		}
		for _, kid := range kids {
			for _, s := range c.shownComments[[2]string{kid, key[1]}] {
				delete(rest, s)
			}
		}
		if len(rest) > 0 && len(rest) < max(privacyK, privacyMinComments) {
			problems = append(problems, fmt.Sprintf("team %s shows %d comments in %s, %d of them beyond its child teams': fewer than max(k, %d)",
				key[0], len(texts), key[1], len(rest), privacyMinComments))
		}
	}
	return problems
}

// figure inspects a shown figure (or list of comments) v of metric.
func (r *privacyReport) figure(v map[string]any, metric string, small bool) {
	if metric == "comments" {
		items, _ := v["items"].([]any)
		if len(items) < max(privacyK, privacyMinComments) {
			r.problems = append(r.problems, fmt.Sprintf("%d comments shown, fewer than max(k, %d)", len(items), privacyMinComments))
		}
		if small {
			r.problems = append(r.problems, "the team below k shows comments")
		}
		for _, it := range items {
			s, _ := it.(string)
			if !r.c.comments[s] {
				r.problems = append(r.problems, fmt.Sprintf("a comment is not a bare answer comment: %v", it))
			}
			r.shownComments[s] = true
		}
		return
	}
	if named(metric) {
		return
	}
	if n, _ := v["respondents"].(float64); n < privacyK {
		r.problems = append(r.problems, fmt.Sprintf("%s shown with %v < k=%d respondents", metric, n, privacyK))
	}
	if small {
		r.problems = append(r.problems, fmt.Sprintf("the team below k shows %s", metric))
	}
}

// remainders checks rows of teams with their scores (a heat map): where a
// team and its child teams are shown, the answers that the shown children
// leave over (its hidden children's and its own members') must be none or
// at least k, else subtraction shows a group of fewer than k.
func (r *privacyReport) remainders(rows []any) {
	type row struct {
		parent string
		scores map[string]any
	}
	byID := map[string]row{}
	for _, e := range rows {
		m, _ := e.(map[string]any)
		id, _ := m["team_id"].(string)
		scores, _ := m["scores"].(map[string]any)
		if id == "" || scores == nil {
			return
		}
		parent, _ := m["parent_id"].(string)
		byID[id] = row{parent, scores}
	}
	shown := func(scores map[string]any, metric string) (float64, bool) {
		f, _ := scores[metric].(map[string]any)
		n, ok := f["respondents"].(float64)
		return n, ok && f["suppressed"] == false
	}
	for id, p := range byID {
		for metric := range p.scores {
			n, ok := shown(p.scores, metric)
			if !ok || named(metric) {
				continue
			}
			rest := n
			for _, child := range byID {
				if child.parent != id {
					continue
				}
				if cn, ok := shown(child.scores, metric); ok {
					rest -= cn
				}
			}
			if rest > 0 && rest < privacyK {
				r.problems = append(r.problems, fmt.Sprintf("team %s shows %s of %v respondents, its shown child teams %v: the %v left over are fewer than k=%d",
					id, metric, n, n-rest, rest, privacyK))
			}
		}
	}
}

// row checks a row of a correlation table read with query: one of the
// small team's subtree has no team-week in it.
func (r *privacyReport) row(v any, query url.Values) {
	m, _ := v.(map[string]any)
	if query.Get("team") != r.c.o.small || m == nil {
		return
	}
	if n, _ := m["n"].(float64); n != 0 {
		r.problems = append(r.problems, fmt.Sprintf("a correlation row of the team below k counts n=%v team-weeks", n))
	}
}

// TestPrivacyCheck shows that the privacy test's rules catch each kind of
// breach, on made-up responses.
func TestPrivacyCheck(t *testing.T) {
	t.Parallel()
	o := &privacyOrg{small: "team-small", members: []privacyMember{
		{id: "member-1", name: "Ann Example", email: "ann@example.org"},
		{id: "member-2", name: "Bob Example", email: "bob@example.org", comment: "comment-02"},
	}}
	var ten []string
	for i := range privacyMinComments {
		comment := fmt.Sprintf("comment-%02d", 10+i)
		o.members = append(o.members, privacyMember{id: fmt.Sprintf("member-%d", 10+i), comment: comment})
		ten = append(ten, strconv.Quote(comment))
	}
	c := newPrivacyCheck(o)
	fig := func(n int) string { return fmt.Sprintf(`{"suppressed":false,"value":50,"respondents":%d}`, n) }
	comments := `{"suppressed":false,"items":[` + strings.Join(ten, ",") + `]}`
	small := url.Values{"team": {o.small}}
	tests := []struct {
		name, ctype, body string
		query             url.Values
		want              string // part of the first problem; "" for none
	}{
		{"Figures", "application/json", `{"team_id":"team-a","scores":{"wellbeing":` + fig(3) + `},"comments":` + comments + `}`, nil, ""},
		{"Directory", "application/json", `{"members":[{"id":"member-1","name":"Ann Example","team_id":"team-small"}]}`, nil, ""},
		{"MemberBesideFigure", "application/json", `{"id":"member-1","scores":{"wellbeing":` + fig(5) + `}}`, nil, `member "member-1"`},
		{"NameBesideSuppressed", "application/json", `{"who":"Ann Example","wellbeing":{"suppressed":true,"reason":"r"}}`, nil, `member "Ann Example"`},
		{"MemberBesideValues", "application/json", `{"member":"member-1","values":{"who5.calm":3}}`, nil, `member "member-1"`},
		{"MemberBesideComments", "application/json", `{"email":"ann@example.org","comments":` + comments + `}`, nil, `member "ann@example.org"`},
		{"CommentWithAuthor", "application/json", `{"answers":[{"comment":"comment-02"}]}`, nil, `comment "comment-02" appears outside`},
		{"TooFewComments", "application/json", `{"comments":{"suppressed":false,"items":["comment-10"]}}`, nil, "1 comments shown"},
		{"AlteredComment", "application/json", `{"comments":{"suppressed":false,"items":[` + strings.Join(ten[1:], ",") + `,"Bob: comment-02"]}}`, nil, "not a bare answer comment"},
		{"FewerThanK", "application/json", `{"scores":{"wellbeing":` + fig(privacyK-1) + `}}`, nil, "2 < k=3 respondents"},
		{"SmallTeamFigure", "application/json", `{"team_id":"team-small","scores":{"wellbeing":` + fig(privacyK) + `}}`, nil, "the team below k shows wellbeing"},
		{"SmallTeamPush", "application/json", `{"type":"scores","team":"team-small","scores":{"enps":` + fig(privacyK) + `}}`, nil, "the team below k shows enps"},
		{"SmallTeamRecognitions", "application/json", `{"team_id":"team-small","scores":{"recognitions_given_per_member":` + fig(1) + `}}`, nil, ""},
		{"SmallTeamTrend", "application/json", `{"team_id":"team-small","trend":{"wellbeing":{"points":1,"mean":50}}}`, nil, "has a trend of wellbeing"},
		{"Remainder", "application/json", `{"rows":[{"team_id":"p","scores":{"wellbeing":` + fig(7) + `}},{"team_id":"a","parent_id":"p","scores":{"wellbeing":` + fig(5) + `}},{"team_id":"b","parent_id":"p","scores":{"wellbeing":{"suppressed":true}}}]}`, nil, "the 2 left over"},
		{"RemainderOfK", "application/json", `{"rows":[{"team_id":"p","scores":{"wellbeing":` + fig(8) + `}},{"team_id":"a","parent_id":"p","scores":{"wellbeing":` + fig(5) + `}}]}`, nil, ""},
		{"SmallTeamRow", "application/x-ndjson", `{"method":"pearson","n":4}` + "\n", small, "n=4 team-weeks"},
		{"SmallTeamCSV", "text/csv", "method,n\npearson,0\nspearman,2\n", small, "n=2 team-weeks"},
		{"OtherTeamRow", "text/csv", "method,n\npearson,12\n", nil, ""},
		{"NameInExport", "text/csv", "method,n,who\npearson,0,Ann Example\n", nil, `member "Ann Example"`},
		{"NameInPlot", "image/svg+xml", "<svg><text>member-2</text></svg>", nil, `member "member-2"`},
		{"PNG", "image/png", "Ann Example", nil, ""},
		{"Unknown", "text/html", "<p>", nil, "cannot read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.problems(tt.ctype, []byte(tt.body), tt.query)
			switch {
			case tt.want == "" && len(got) > 0:
				t.Errorf("problems=%q, want none", got)
			case tt.want != "" && (len(got) == 0 || !strings.Contains(got[0], tt.want)):
				t.Errorf("problems=%q, want the first to hold %q", got, tt.want)
			}
		})
	}
}

// TestPrivacyCheck_CommentRemainders shows that the privacy test catches a
// team whose comments, less its child teams', are a smaller group's.
func TestPrivacyCheck_CommentRemainders(t *testing.T) {
	t.Parallel()
	o := &privacyOrg{small: "team-small"}
	var all []string
	for i := range 2 * privacyMinComments {
		comment := fmt.Sprintf("comment-%02d", i)
		o.members = append(o.members, privacyMember{id: fmt.Sprintf("member-%d", i), comment: comment})
		all = append(all, strconv.Quote(comment))
	}
	scores := func(team string, comments []string) []byte {
		return []byte(`{"team_id":"` + team + `","weeks":[{"week":"2026-W48","comments":{"suppressed":false,"items":[` + strings.Join(comments, ",") + `]}}]}`)
	}
	tests := []struct {
		name   string
		parent []string // the parent's comments; the child shows the first privacyMinComments
		want   bool     // a problem
	}{
		{"AsChild", all[:privacyMinComments], false},
		{"TwoMore", all[:privacyMinComments+2], true},
		{"GroupMore", all, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newPrivacyCheck(o)
			for _, body := range [][]byte{scores("parent", tt.parent), scores("child", all[:privacyMinComments])} {
				if got := c.problems("application/json", body, nil); len(got) > 0 {
					t.Fatalf("problems of %s: %q", body, got)
				}
			}
			got := c.commentRemainders(map[string][]string{"parent": {"child"}})
			if (len(got) > 0) != tt.want {
				t.Errorf("commentRemainders=%q, want a problem: %t", got, tt.want)
			}
		})
	}
}
