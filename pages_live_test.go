package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// livePageOrg is a pageOrg with an open pulse, and a leader and an analyst
// of the team.
type livePageOrg struct {
	pageOrg
	leader, analyst string // tokens
	base            string // http://addr
}

// serveLivePageOrg serves a team of n employees, its leader and an
// analyst, and opens a pulse.
func serveLivePageOrg(t *testing.T, n int) livePageOrg {
	t.Helper()
	o := livePageOrg{pageOrg: servePageOrg(t, n)}
	o.base = "http://" + o.addr
	member := func(role string) string {
		var cm struct {
			Token string `json:"token"`
		}
		body := fmt.Sprintf(`{"name":"The %s","email":"%s@example.org","team_id":%q,"role":%q}`, role, role, o.team, role)
		call(t, o.addr, o.admin, "POST", "/api/v1/members", body, 201, &cm)
		return cm.Token
	}
	o.leader, o.analyst = member("leader"), member("analyst")
	o.openPulse(t)
	return o
}

// TestPages_DashboardLive has a leader's dashboard open while an employee
// answers on the pulse page, bringing the team to k: the dashboard shows
// the new wellbeing score without a reload.
func TestPages_DashboardLive(t *testing.T) {
	t.Parallel()
	o := serveLivePageOrg(t, 3)
	browser := newBrowser(t) // after the server, so its screenshots come before the server stops
	o.answerByAPI(t, 1)
	o.answerByAPI(t, 2)

	openPage(t, browser, o.base+"/dashboard#token="+o.leader)
	waitText(t, browser, "#live-status", "Live updates: on")
	waitText(t, browser, `[data-testid="value-wellbeing"]`, "")
	if !get(t, browser, "check the score is hidden", chromedp.Evaluate[bool](
		`document.querySelector('[data-testid="value-wellbeing"]').hasAttribute('data-hidden')`)) {
		t.Fatal("wellbeing is shown with 2 answers and k=3")
	}
	do(t, browser, "mark the page", chromedp.Evaluate[chromedp.Void](`window.empulseTestMark = true`))

	employee := newTab(t, browser, "employee")
	openPage(t, employee, o.members[0].link)
	answerOnPage(t, employee, o.pulse, o.questions)

	const updated = `[data-testid="card-wellbeing"][data-updated="true"] [data-testid="value-wellbeing"]:not([data-hidden])`
	do(t, browser, "wait for the pushed score", chromedp.WaitVisible(chromedp.CSS(updated)))
	value := get(t, browser, "read the score", chromedp.Text(chromedp.CSS(updated)))
	if value == "" || strings.Contains(value, "Hidden") {
		t.Errorf("wellbeing after the third answer: %q, want a score", value)
	}
	if !get(t, browser, "check the page was not reloaded", chromedp.Evaluate[bool](`window.empulseTestMark === true`)) {
		t.Error("the dashboard was reloaded to show the push")
	}
}

// TestPages_AnalysisLive has an analyst's page open while answers arrive:
// the correlation table is replaced by a pushed, recomputed one.
func TestPages_AnalysisLive(t *testing.T) {
	t.Parallel()
	o := serveLivePageOrg(t, 3)
	browser := newBrowser(t) // after the server, so its screenshots come before the server stops

	openPage(t, browser, o.base+"/analysis#token="+o.analyst)
	waitText(t, browser, "#live-status", "Live updates: on")
	// The first table drawn: its rows get a mark that a redrawn table lacks.
	do(t, browser, "wait for the table", chromedp.WaitVisible(chromedp.CSS(`#correlations-body tr`)))
	do(t, browser, "mark the page and the table", chromedp.Evaluate[chromedp.Void](
		`window.empulseTestMark = true; document.querySelectorAll('#correlations-body tr').forEach((tr) => tr.dataset.old = '1')`))
	for i := range o.members {
		o.answerByAPI(t, i)
	}
	// Recomputed at most every 5 s: the push comes within that.
	waitText(t, browser, "#corr-note", "The table was updated.")
	if old := get(t, browser, "count the first table's rows", chromedp.Evaluate[int](
		`document.querySelectorAll('#correlations-body tr[data-old]').length`)); old != 0 {
		t.Errorf("%d rows of the first table are still shown after the push", old)
	}
	if !get(t, browser, "check the page was not reloaded", chromedp.Evaluate[bool](`window.empulseTestMark === true`)) {
		t.Error("the analysis page was reloaded to show the push")
	}
}
