package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// pageMember is a member of the organisation of a browser test.
type pageMember struct {
	id, token, link string
}

// pageOrg is an organisation served in-process for a browser test: one
// team and its employees.
type pageOrg struct {
	addr, admin, team string
	members           []pageMember
	// The open pulse, once openPulse has run.
	survey, pulse string
	questions     []question
}

// servePageOrg serves a new data directory and adds a team with n
// employees through the API.
func servePageOrg(t *testing.T, n int) pageOrg {
	t.Helper()
	o := pageOrg{admin: "pages-admin-token"}
	o.addr, _, _ = startServe(t, []string{"--addr", "127.0.0.1:0"},
		map[string]string{envData: t.TempDir(), envLogFormat: "json", envAdminToken: o.admin})
	var team struct {
		ID string `json:"id"`
	}
	call(t, o.addr, o.admin, "POST", "/api/v1/teams", `{"name":"Support"}`, 201, &team)
	o.team = team.ID
	for i := range n {
		var cm struct {
			Member struct {
				ID string `json:"id"`
			} `json:"member"`
			Token string `json:"token"`
			Link  string `json:"link"`
		}
		body := fmt.Sprintf(`{"name":"Member %d","email":"m%d@example.org","team_id":%q}`, i, i, o.team)
		call(t, o.addr, o.admin, "POST", "/api/v1/members", body, 201, &cm)
		o.members = append(o.members, pageMember{id: cm.Member.ID, token: cm.Token, link: cm.Link})
	}
	return o
}

// openPulse creates a weekly WHO-5 survey (k=3) of o's team and opens a
// pulse of it.
func (o *pageOrg) openPulse(t *testing.T) {
	t.Helper()
	var sv, pulse struct {
		ID        string     `json:"id"`
		Questions []question `json:"questions"`
	}
	call(t, o.addr, o.admin, "POST", "/api/v1/surveys",
		`{"name":"Weekly pulse","team_id":"`+o.team+`","instruments":["who5"],"cadence":"weekly","k":3}`, 201, &sv)
	call(t, o.addr, o.admin, "POST", "/api/v1/surveys/"+sv.ID+"/pulses", "", 201, &pulse)
	if len(pulse.Questions) == 0 {
		t.Fatal("the pulse has no questions")
	}
	o.survey, o.pulse, o.questions = sv.ID, pulse.ID, pulse.Questions
}

// answerByAPI submits member i's answer to the open pulse, every question
// at its maximum.
func (o *pageOrg) answerByAPI(t *testing.T, i int) {
	t.Helper()
	values := make([]string, len(o.questions))
	for j, q := range o.questions {
		values[j] = fmt.Sprintf("%q:%d", q.Key, q.Max)
	}
	call(t, o.addr, o.members[i].token, "POST", "/api/v1/surveys/"+o.survey+"/pulses/"+o.pulse+"/answers",
		`{"values":{`+strings.Join(values, ",")+`}}`, 201, nil)
}

// question is a question of an opened pulse.
type question struct {
	Key string `json:"key"`
	Min int    `json:"min"`
	Max int    `json:"max"`
}

// TestPages_PulseAnswered opens a member's personal link, answers every
// question by clicking, and checks the confirmation and that the scores
// count the answer.
func TestPages_PulseAnswered(t *testing.T) {
	t.Parallel()
	browser := newBrowser(t)
	o := servePageOrg(t, 3)
	o.openPulse(t)
	// Two colleagues answer through the API; the third, in the browser,
	// brings the team to k.
	o.answerByAPI(t, 1)
	o.answerByAPI(t, 2)

	// A phone's screen: the page must fit its width, with touch targets of
	// at least 44x44 CSS pixels (hidden elements have no size).
	do(t, browser, "emulate a phone", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch))
	openPage(t, browser, o.members[0].link)
	do(t, browser, "wait for the pulse form", chromedp.WaitVisible(chromedp.CSS(`[data-testid="submit-`+o.pulse+`"]`)))
	if w := get(t, browser, "measure the page", chromedp.Evaluate[int]("document.documentElement.scrollWidth")); w > 360 {
		t.Errorf("the page is %d px wide on a 360 px screen", w)
	}
	small := get(t, browser, "measure the choices", chromedp.Evaluate[[]string](`[...document.querySelectorAll('.choice label, button')]
		.map((el) => [el.dataset.testid || el.id || el.textContent, el.getBoundingClientRect()])
		.filter(([, r]) => r.width > 0 && (r.width < 44 || r.height < 44))
		.map(([name, r]) => name + ': ' + r.width + 'x' + r.height)`))
	if len(small) > 0 {
		t.Errorf("touch targets smaller than 44x44: %v", small)
	}
	if loc := get(t, browser, "read the address", chromedp.Location()); strings.Contains(loc, "token") {
		t.Errorf("the address %q still holds the token", loc)
	}
	answerOnPage(t, browser, o.pulse, o.questions)
	var scores struct {
		Weeks []struct {
			Scores map[string]struct {
				Suppressed  bool `json:"suppressed"`
				Respondents int  `json:"respondents"`
			} `json:"scores"`
		} `json:"weeks"`
	}
	call(t, o.addr, o.admin, "GET", "/api/v1/teams/"+o.team+"/scores", "", 200, &scores)
	if len(scores.Weeks) == 0 {
		t.Fatal("no weeks in the scores")
	}
	got := scores.Weeks[len(scores.Weeks)-1].Scores["participation"]
	if got.Suppressed || got.Respondents != len(o.members) {
		t.Errorf("participation this week: %+v, want %d respondents shown", got, len(o.members))
	}
}

// TestPages_RecognitionInDutch has one member, whose browser asks for
// Dutch, recognise another on the recognition page, reached from the
// personal link; the other sees it on their own recognition page.
func TestPages_RecognitionInDutch(t *testing.T) {
	t.Parallel()
	browser := newBrowser(t)
	o := servePageOrg(t, 2)
	giver, receiver := o.members[0], o.members[1]
	const message = "Dank voor je hulp bij de release!"

	acceptLanguage(t, browser, "nl-NL,nl;q=0.9,en;q=0.5")
	openPage(t, browser, giver.link)
	waitText(t, browser, "#pulses", "Er staat nu geen pulsmeting voor je open.")
	do(t, browser, "go to the recognition page", chromedp.Click(chromedp.CSS(`.site-nav a[href="/recognition"]`)))
	do(t, browser, "wait for the directory", chromedp.WaitReady(chromedp.CSS(`[data-testid="receiver-`+receiver.id+`"]`)))
	if n := get(t, browser, "count the colleagues", chromedp.Evaluate[int](`document.querySelectorAll('#receiver-select option[value]:not([value=""])').length`)); n != 1 {
		t.Errorf("the chooser offers %d colleagues, want 1 (everyone but the giver)", n)
	}
	if lang := get(t, browser, "read the page language", chromedp.Evaluate[string]("document.documentElement.lang")); lang != "nl" {
		t.Errorf("<html lang>=%q, want nl", lang)
	}
	do(t, browser, "fill in the recognition",
		chromedp.SetValue(chromedp.ID("receiver-select"), receiver.id),
		chromedp.SendKeys(chromedp.ID("value"), "teamwork"),
		chromedp.SendKeys(chromedp.ID("message"), message),
		chromedp.Click(chromedp.ID("give-submit")))
	waitText(t, browser, "#give-status", "Je waardering is verstuurd.")
	waitText(t, browser, "#given", message)

	other := newTab(t, browser, "receiver")
	acceptLanguage(t, other, "nl")
	openPage(t, other, strings.Replace(receiver.link, "/pulse#", "/recognition#", 1))
	got := waitText(t, other, "#received", message)
	if !strings.Contains(got, "Van Member 0") {
		t.Errorf("received %q, want it to name the giver, Member 0", got)
	}
}

// answerOnPage answers every question of the pulse shown on the open
// pulse page in tab by clicking, submits, and waits for the confirmation.
func answerOnPage(t *testing.T, tab context.Context, pulse string, questions []question) {
	t.Helper()
	do(t, tab, "wait for the pulse form", chromedp.WaitVisible(chromedp.CSS(`[data-testid="submit-`+pulse+`"]`)))
	for i, q := range questions {
		v := q.Min + i%(q.Max-q.Min+1)
		do(t, tab, "answer "+q.Key, chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid="choice-%s-%d"]`, q.Key, v))))
		checked := get(t, tab, "read the choice of "+q.Key,
			chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector('input[data-key=%q][value="%d"]').checked`, q.Key, v)))
		if !checked {
			t.Errorf("clicking %d for %s did not choose it", v, q.Key)
		}
	}
	do(t, tab, "submit", chromedp.Click(chromedp.CSS(`[data-testid="submit-`+pulse+`"]`)))
	waitText(t, tab, "#pulse-status", "Thank you — your answer was received.")
	do(t, tab, "wait for the form to give way", chromedp.WaitVisible(chromedp.CSS(`[data-testid="received-`+pulse+`"]`)))
}
