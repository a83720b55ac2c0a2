package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/pebble"
	"github.com/empulse/empulse/org"
	vpebble "github.com/empulse/empulse/vault/pebble"
)

// erasureAdmin is the admin token of the erasure tests' servers.
const erasureAdmin = "erasure-admin-token"

// erasureOrg is Company > Alpha with twelve employees of Alpha, Erin among
// them, who all answered an open WHO-5 pulse of Company (k=3) with a
// comment; Erin and Max recognised each other.
type erasureOrg struct {
	data, company, alpha string
	erin, erinToken      string
	max, maxToken        string
	personal             []string // Erin's data, which must never show once she is erased
}

// members is the size of the erasureOrg: a multiple of the release step
// (3 for k=3), and at least 10, so that every answer and comment of the
// open week is shown.
const members = 12

// erasureEnv is the environment of the erasure tests' servers on data.
func erasureEnv(data string) map[string]string {
	return map[string]string{envData: data, envLogFormat: "json", envAdminToken: erasureAdmin}
}

// seedErasure serves data, writes an erasureOrg, and returns it with the
// server's address and stop function.
func seedErasure(t *testing.T, data string) (*erasureOrg, string, func() error) {
	t.Helper()
	addr, _, stop := startServe(t, []string{"--addr", "127.0.0.1:0"}, erasureEnv(data))
	o := &erasureOrg{data: data}
	type idOf struct {
		ID string `json:"id"`
	}
	var company, alpha idOf
	call(t, addr, erasureAdmin, "POST", "/api/v1/teams", `{"name":"Company"}`, 201, &company)
	call(t, addr, erasureAdmin, "POST", "/api/v1/teams", `{"name":"Alpha","parent_id":"`+company.ID+`"}`, 201, &alpha)
	o.company, o.alpha = company.ID, alpha.ID
	var sv, p idOf
	var tokens []string
	for i := range members {
		name, email := fmt.Sprintf("Member %d", i), fmt.Sprintf("member%d@example.org", i)
		if i == 0 {
			name, email = "Erin Erased", "erin.erased@example.org"
		}
		var cm struct {
			Member idOf   `json:"member"`
			Token  string `json:"token"`
		}
		call(t, addr, erasureAdmin, "POST", "/api/v1/members", `{"name":"`+name+`","email":"`+email+`","team_id":"`+o.alpha+`"}`, 201, &cm)
		tokens = append(tokens, cm.Token)
		switch i {
		case 0:
			o.erin, o.erinToken = cm.Member.ID, cm.Token
		case 1:
			o.max, o.maxToken = cm.Member.ID, cm.Token
		}
	}
	call(t, addr, erasureAdmin, "POST", "/api/v1/surveys", `{"name":"Pulse","team_id":"`+o.company+`","instruments":["who5"],"cadence":"weekly","k":3}`, 201, &sv)
	call(t, addr, erasureAdmin, "POST", "/api/v1/surveys/"+sv.ID+"/pulses", "", 201, &p)
	for i, tok := range tokens {
		v := 1 + i%5
		call(t, addr, tok, "POST", "/api/v1/surveys/"+sv.ID+"/pulses/"+p.ID+"/answers",
			fmt.Sprintf(`{"values":{"who5.cheerful":%d,"who5.calm":%d,"who5.active":%d,"who5.rested":%d,"who5.interest":%d},"comment":"comment %d"}`, v, v, v, v, v, i), 201, nil)
	}
	call(t, addr, o.erinToken, "POST", "/api/v1/recognitions", `{"receiver_id":"`+o.max+`","value":"care","message":"Erin thanks Max"}`, 201, nil)
	call(t, addr, o.maxToken, "POST", "/api/v1/recognitions", `{"receiver_id":"`+o.erin+`","value":"care","message":"Max thanks Erin"}`, 201, nil)
	o.personal = []string{"Erin Erased", "erin.erased@example.org", "comment 0", "Erin thanks Max"}
	return o, addr, stop
}

// scoresOf is a team's scores of the current week: each metric's value and
// respondents (withheld ones as their reason), and the comments.
type scoresOf struct {
	figures  map[string]string
	comments []string
}

// scores returns team's scores of the current week as the admin sees them.
func (o *erasureOrg) scores(t *testing.T, addr, team string) scoresOf {
	t.Helper()
	var ts struct {
		Weeks []struct {
			Scores map[string]struct {
				Suppressed  bool     `json:"suppressed"`
				Reason      string   `json:"reason"`
				Value       *float64 `json:"value"`
				Respondents *int     `json:"respondents"`
			} `json:"scores"`
			Comments struct {
				Items []string `json:"items"`
			} `json:"comments"`
		} `json:"weeks"`
	}
	call(t, addr, erasureAdmin, "GET", "/api/v1/teams/"+team+"/scores", "", 200, &ts)
	w := ts.Weeks[len(ts.Weeks)-1]
	out := scoresOf{figures: map[string]string{}, comments: w.Comments.Items}
	for m, s := range w.Scores {
		if s.Suppressed {
			out.figures[m] = s.Reason
		} else {
			out.figures[m] = fmt.Sprintf("%v over %d", *s.Value, *s.Respondents)
		}
	}
	return out
}

// checkErased checks every read of the server at addr for Erin's erasure:
// her record, her token, the team's comments, Max's recognitions (what he
// wrote to her stays his), the scores (the answer-based figures as in
// want) and the exports.
func (o *erasureOrg) checkErased(t *testing.T, addr string, want map[string]scoresOf) {
	t.Helper()
	if got := getBody(t, addr, erasureAdmin, "/api/v1/members/"+o.erin); got != `{"id":"`+o.erin+`","team_id":"`+o.alpha+`","role":"employee","erased":true}` {
		t.Errorf("GET the erased member=%s", got)
	}
	call(t, addr, o.erinToken, "GET", "/api/v1/me", "", 401, nil)
	call(t, addr, erasureAdmin, "DELETE", "/api/v1/members/"+o.erin, "", 204, nil)

	type recognitionJSON struct {
		GiverID string `json:"giver_id"`
		Message string `json:"message"`
		Erased  bool   `json:"message_erased"`
	}
	var mine struct {
		Received []recognitionJSON `json:"received"`
		Given    []recognitionJSON `json:"given"`
	}
	call(t, addr, o.maxToken, "GET", "/api/v1/me/recognitions", "", 200, &mine)
	if len(mine.Received) != 1 || mine.Received[0].GiverID != o.erin || !mine.Received[0].Erased || mine.Received[0].Message != "" {
		t.Errorf("Max's received recognitions=%+v, want Erin's with its message erased", mine.Received)
	}
	if len(mine.Given) != 1 || mine.Given[0].Message != "Max thanks Erin" {
		t.Errorf("Max's given recognitions=%+v, want his own message to Erin kept", mine.Given)
	}
	for team, w := range want {
		got := o.scores(t, addr, team)
		for _, m := range []string{"wellbeing", "wellbeing_low_share", "participation"} {
			if got.figures[m] != w.figures[m] {
				t.Errorf("team %s %s=%q, want %q as before the erasure", team, m, got.figures[m], w.figures[m])
			}
		}
		if len(got.comments) != len(w.comments)-1 {
			t.Errorf("team %s: %d comments, want %d: all but Erin's", team, len(got.comments), len(w.comments)-1)
		}
	}
	reads := []string{"/api/v1/members", "/api/v1/members/" + o.erin, "/api/v1/teams/" + o.alpha + "/scores",
		"/api/v1/teams/" + o.company + "/scores", "/api/v1/scores/heatmap", "/api/v1/scores/overview",
		"/api/v1/analysis/correlations?format=json&min_n=4", "/api/v1/analysis/correlations?format=csv&min_n=4",
		"/api/v1/analysis/correlations?format=ndjson&min_n=4", "/api/v1/analysis/plots/trends?metric=wellbeing&format=svg"}
	for _, path := range reads {
		body := getBody(t, addr, erasureAdmin, path)
		for _, p := range o.personal {
			if strings.Contains(body, p) {
				t.Errorf("GET %s shows %q after the erasure", path, p)
			}
		}
	}
	body := getBody(t, addr, o.maxToken, "/api/v1/me/recognitions")
	for _, p := range o.personal {
		if strings.Contains(body, p) {
			t.Errorf("Max's recognitions show %q after the erasure", p)
		}
	}
}

// TestErasure_EndToEnd erases a member who answered with a comment and
// exchanged recognition, and checks every read model and export after the
// erasure, after a restart, and after `empulse rebuild`; then that the
// vault's files no longer hold her key or pseudonym, and that the log holds
// the erasure and her answer, anonymous.
func TestErasure_EndToEnd(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	o, addr, stop := seedErasure(t, data)
	want := map[string]scoresOf{o.alpha: o.scores(t, addr, o.alpha), o.company: o.scores(t, addr, o.company)}
	if n := len(want[o.alpha].comments); n != members {
		t.Fatalf("%d comments before the erasure, want %d", n, members)
	}
	if body := getBody(t, addr, erasureAdmin, "/api/v1/members/"+o.erin); !strings.Contains(body, "Erin Erased") {
		t.Fatalf("before the erasure the member reads %s", body)
	}
	// Her secrets, to look for in the vault's files afterwards, and Max's,
	// to show that the search finds them.
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	secrets, maxSecrets := vaultSecrets(t, data, o.erin), vaultSecrets(t, data, o.max)
	addr, _, stop = startServe(t, []string{"--addr", "127.0.0.1:0"}, erasureEnv(data))

	call(t, addr, erasureAdmin, "DELETE", "/api/v1/members/"+o.erin, "", 204, nil)
	o.checkErased(t, addr, want)
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	t.Run("AfterRestart", func(t *testing.T) {
		addr, _, stop := startServe(t, []string{"--addr", "127.0.0.1:0"}, erasureEnv(data))
		o.checkErased(t, addr, want)
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("AfterRebuild", func(t *testing.T) {
		if err := run(t.Context(), []string{"rebuild", "--data", data}, envMap(nil), io.Discard, io.Discard); err != nil {
			t.Fatalf("rebuild: %v", err)
		}
		addr, _, stop := startServe(t, []string{"--addr", "127.0.0.1:0"}, erasureEnv(data))
		o.checkErased(t, addr, want)
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ExportFiles", func(t *testing.T) {
		out := t.TempDir()
		if err := run(t.Context(), []string{"export", "correlations", "--data", data, "--out", out, "--min-n", "4"}, envMap(nil), io.Discard, io.Discard); err != nil {
			t.Fatalf("export: %v", err)
		}
		if found := grepDir(t, out, append(o.personal, o.erin)); len(found) > 0 {
			t.Errorf("the export files hold %q", found)
		}
	})
	t.Run("VaultFiles", func(t *testing.T) {
		if found := grepDir(t, filepath.Join(data, "vault"), secrets); len(found) > 0 {
			t.Errorf("the vault's files still hold the erased member's key or pseudonym (%d of 3)", len(found))
		}
		if found := grepDir(t, filepath.Join(data, "vault"), maxSecrets); len(found) == 0 {
			t.Errorf("the vault's files hold nothing of another member's secrets: the search proves nothing")
		}
	})
	t.Run("Log", func(t *testing.T) {
		store, err := pebble.Open(filepath.Join(data, "events"), pebble.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		evs, err := store.ReadAll(context.Background(), events.Start, 0)
		if err != nil {
			t.Fatal(err)
		}
		erased, answers := 0, 0
		for _, ev := range evs {
			switch ev.Type {
			case org.TypeMemberErased:
				erased++
			case "AnswerSubmitted":
				answers++
			}
			for _, p := range o.personal {
				if bytes.Contains(ev.Data, []byte(p)) {
					t.Errorf("event %s holds %q in clear", ev.Type, p)
				}
			}
		}
		if erased != 1 || answers != members {
			t.Errorf("%d MemberErased and %d answers in the log, want 1 and all %d", erased, answers, members)
		}
	})
}

// vaultSecrets opens the vault in data (with the server stopped) and
// returns member's key and pseudonym as they would lie in its files.
func vaultSecrets(t *testing.T, data, member string) []string {
	t.Helper()
	v, err := vpebble.Open(filepath.Join(data, "vault"), vpebble.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	sec, err := v.Get(context.Background(), member)
	if err != nil {
		t.Fatal(err)
	}
	return []string{string(sec.Key), sec.Pseudonym, hex.EncodeToString(sec.Key)}
}

// grepDir returns the needles that some file under dir holds.
func grepDir(t *testing.T, dir string, needles []string) []string {
	t.Helper()
	found := map[string]bool{}
	files := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, n := range needles {
			if bytes.Contains(b, []byte(n)) {
				found[n] = true
			}
		}
		return nil
	})
	if err != nil || files == 0 {
		t.Fatalf("read %s: %d files, %v", dir, files, err)
	}
	var out []string
	for _, n := range needles {
		if found[n] {
			out = append(out, n)
		}
	}
	return out
}

// TestServe_CompletesInterruptedErasure deletes a member's vault entry
// with the server stopped, as a crash between the two steps of an erasure
// leaves it, and checks that the next start completes the erasure: the
// event is appended and the member's token refused.
func TestServe_CompletesInterruptedErasure(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	o, addr, stop := seedErasure(t, data)
	getBody(t, addr, o.erinToken, "/api/v1/me")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	v, err := vpebble.Open(filepath.Join(data, "vault"), vpebble.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Delete(context.Background(), o.erin); err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}

	addr, logs, stop := startServe(t, []string{"--addr", "127.0.0.1:0"}, erasureEnv(data))
	call(t, addr, o.erinToken, "GET", "/api/v1/me", "", 401, nil)
	getBody(t, addr, o.maxToken, "/api/v1/me")
	if !strings.Contains(logs.String(), "completing an interrupted erasure") {
		t.Errorf("logs do not say the erasure was completed:\n%s", logs)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	store, err := pebble.Open(filepath.Join(data, "events"), pebble.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	evs, err := store.ReadStream(context.Background(), org.Stream("default"), events.Forwards, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Type == org.TypeMemberErased {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d MemberErased events, want 1", n)
	}
}
