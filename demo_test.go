package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/empulse/empulse/instrument"
)

// lockedBuffer is a bytes.Buffer safe for one writer and other readers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// demoLinks are what the demo prints.
type demoLinks struct {
	addr                                string // host:port
	employee, recognition, leader, data string
	analyst, admin                      string
}

// linkPatterns find demoLinks' fields in the demo's output.
var linkPatterns = map[string]*regexp.Regexp{
	"addr":        regexp.MustCompile(`Empulse demo: http://(\S+)/`),
	"employee":    regexp.MustCompile(`/pulse#token=(\S+)`),
	"recognition": regexp.MustCompile(`/recognition#token=(\S+)`),
	"leader":      regexp.MustCompile(`/dashboard#token=(\S+)`),
	"analyst":     regexp.MustCompile(`/analysis#token=(\S+)`),
	"admin":       regexp.MustCompile(`admin token .*\s(emp_\S+)`),
	"data":        regexp.MustCompile(`Data: (\S+), removed`),
}

// parseLinks returns the links in out, failing t if one is missing.
func parseLinks(t *testing.T, out string) demoLinks {
	t.Helper()
	found := map[string]string{}
	for name, re := range linkPatterns {
		m := re.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no %s in the demo's output:\n%s", name, out)
		}
		found[name] = m[1]
	}
	return demoLinks{addr: found["addr"], employee: found["employee"], recognition: found["recognition"],
		leader: found["leader"], analyst: found["analyst"], admin: found["admin"], data: found["data"]}
}

// score is a figure as the API shows it.
type score struct {
	Suppressed bool    `json:"suppressed"`
	Value      float64 `json:"value"`
	Reason     string  `json:"reason"`
}

// headOf returns the commit position of the event store's head.
func headOf(t *testing.T, addr string) int {
	t.Helper()
	status, body := getJSON(t, "http://"+addr+"/readyz")
	head, _ := body["head"].(string)
	commit, _, _ := strings.Cut(head, "/")
	n, err := strconv.Atoi(commit)
	if status != http.StatusOK || err != nil {
		t.Fatalf("GET /readyz: status=%d body=%v", status, body)
	}
	return n
}

// TestRun_Demo runs the demo with eight weeks of history and checks that
// each printed link works for what it is printed for, that the planted
// effect shows in the analyst's correlation table, that the simulator
// writes, and that the temporary data directory is gone afterwards.
func TestRun_Demo(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--addr", "127.0.0.1:0", "--weeks", "8", "--rate", "50"}, envMap(nil), &stdout, &stderr)
	}()
	for deadline := time.Now().Add(2 * time.Minute); !strings.Contains(stdout.String(), "Ctrl-C"); time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("demo ended before printing its links: %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no links after 2 minutes; stdout:\n%s\nstderr:\n%s", &stdout, &stderr)
		}
	}
	l := parseLinks(t, stdout.String())
	if !strings.Contains(stderr.String(), "100%") {
		t.Errorf("stderr lacks the finished progress bar:\n%s", &stderr)
	}

	t.Run("Employee", func(t *testing.T) {
		var mine struct {
			Pulses []struct {
				Answered bool `json:"answered"`
			} `json:"pulses"`
		}
		call(t, l.addr, l.employee, "GET", "/api/v1/me/pulses", "", http.StatusOK, &mine)
		answered := slices.ContainsFunc(mine.Pulses, func(p struct {
			Answered bool `json:"answered"`
		}) bool {
			return p.Answered
		})
		if want := len(instrument.Bundled()); len(mine.Pulses) != want || answered {
			t.Errorf("the employee's open pulses: %+v, want %d unanswered (one per bundled instrument)", mine.Pulses, want)
		}
		if l.recognition != l.employee {
			t.Errorf("the recognition link is not the employee's")
		}
		call(t, l.addr, l.employee, "GET", "/api/v1/me/recognitions", "", http.StatusOK, nil)
	})

	t.Run("Leader", func(t *testing.T) {
		var me struct {
			TeamID string `json:"team_id"`
		}
		call(t, l.addr, l.leader, "GET", "/api/v1/me", "", http.StatusOK, &me)
		var series struct {
			Weeks []struct {
				Week   string           `json:"week"`
				Scores map[string]score `json:"scores"`
			} `json:"weeks"`
		}
		call(t, l.addr, l.leader, "GET", "/api/v1/teams/"+me.TeamID+"/scores", "", http.StatusOK, &series)
		shown := 0
		for _, w := range series.Weeks {
			if wb := w.Scores["wellbeing"]; !wb.Suppressed && wb.Value > 0 {
				shown++
			}
		}
		if shown < 7 || len(series.Weeks) < 8 {
			t.Fatalf("wellbeing shown in %d of %d weeks, want at least 7 of 8", shown, len(series.Weeks))
		}
		lastFull := series.Weeks[len(series.Weeks)-2].Week
		var hm struct {
			Rows []struct {
				Name   string           `json:"name"`
				Scores map[string]score `json:"scores"`
			} `json:"rows"`
		}
		call(t, l.addr, l.leader, "GET", "/api/v1/scores/heatmap?week="+lastFull, "", http.StatusOK, &hm)
		var small, big []string
		for _, r := range hm.Rows {
			switch wb := r.Scores["wellbeing"]; {
			case wb.Suppressed && wb.Reason == "fewer than k responses":
				small = append(small, r.Name)
			case !wb.Suppressed:
				big = append(big, r.Name)
			}
		}
		if fmt.Sprint(small) != "[Security]" || len(big) < 4 {
			t.Errorf("week %s: wellbeing withheld below k for %v and shown for %v; want Security withheld and most teams shown", lastFull, small, big)
		}
	})

	t.Run("Analyst", func(t *testing.T) {
		var table struct {
			Rows []struct {
				Method string   `json:"method"`
				X      string   `json:"x"`
				Y      string   `json:"y"`
				Lag    int      `json:"lag"`
				N      int      `json:"n"`
				R      *float64 `json:"r"`
				CILow  *float64 `json:"ci_low"`
			} `json:"rows"`
		}
		call(t, l.addr, l.analyst, "GET", "/api/v1/analysis/correlations?format=json&lags=0", "", http.StatusOK, &table)
		// The pooled correlations of recognition with the scores, and the
		// one within teams with wellbeing (eNPS, from a few respondents per
		// team-week, is too noisy for eight weeks to show it every time).
		want := map[string]bool{"pearson engagement": true, "pearson wellbeing": true, "pearson enps": true, "rmcorr wellbeing": true}
		for _, r := range table.Rows {
			if r.X != "recognition" || r.Lag != 0 || !want[r.Method+" "+r.Y] {
				continue
			}
			delete(want, r.Method+" "+r.Y)
			if r.R == nil || r.CILow == nil || !(*r.CILow > 0) || math.IsNaN(*r.R) {
				t.Errorf("%s %s-%s: r=%v, ci_low=%v over %d team-weeks; want a positive interval", r.Method, r.X, r.Y, r.R, r.CILow, r.N)
			}
		}
		if len(want) > 0 {
			t.Errorf("the table lacks the rows %v", want)
		}
	})

	t.Run("Admin", func(t *testing.T) {
		var list struct {
			Teams []struct {
				ID string `json:"id"`
			} `json:"teams"`
		}
		call(t, l.addr, l.admin, "GET", "/api/v1/teams", "", http.StatusOK, &list)
		if len(list.Teams) != 30 {
			t.Errorf("%d teams, want 30", len(list.Teams))
		}
	})

	t.Run("Simulator", func(t *testing.T) {
		start := headOf(t, l.addr)
		for deadline := time.Now().Add(time.Minute); headOf(t, l.addr) <= start; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the log's head stayed at %d for a minute: the simulator wrote nothing", start)
			}
		}
	})

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("demo: %v\nstderr:\n%s", err, &stderr)
	}
	if _, err := os.Stat(l.data); !os.IsNotExist(err) {
		t.Errorf("temporary data directory %s after the demo: %v, want it removed", l.data, err)
	}
}

func TestRun_DemoErrors(t *testing.T) {
	t.Parallel()
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"Weeks", []string{"--weeks", "0"}, "--weeks 0"},
		{"Rate", []string{"--rate", "-1"}, "--rate -1"},
		{"Argument", []string{"now"}, `unexpected argument "now"`},
		{"Flag", []string{"--bogus"}, "flag provided but not defined: -bogus"},
		{"DataNotEmpty", []string{"--data", full}, "is not empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := run(t.Context(), append([]string{"demo"}, tt.args...), envMap(nil), io.Discard, io.Discard)
			checkUsageError(t, err, tt.want)
		})
	}
	var stdout bytes.Buffer
	if err := run(t.Context(), []string{"help", "demo"}, envMap(nil), &stdout, io.Discard); err != nil || !strings.Contains(stdout.String(), "-weeks") {
		t.Errorf("help demo: %v, stdout %q; want the demo's flags", err, &stdout)
	}
}

// TestRun_DemoStoppedWhileSeeding stops the demo during its progress bar:
// that is no error.
func TestRun_DemoStoppedWhileSeeding(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stderr lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--addr", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "new")}, envMap(nil), io.Discard, &stderr)
	}()
	for !strings.Contains(stderr.String(), "Seeding") {
		select {
		case err := <-done:
			t.Fatalf("demo ended before seeding: %v\nstderr:\n%s", err, &stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("demo stopped while seeding: %v, want nil", err)
	}
}
