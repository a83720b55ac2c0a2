//go:build unix

package api_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/empulse/empulse/api"
	"github.com/empulse/empulse/app"
)

// benchMembers is the number of members who answer in BenchmarkAnswer.
const benchMembers = 256

// answerLoad is an organisation seeded for BenchmarkAnswer: members in
// four teams and surveys of the whole company, each with an open pulse.
type answerLoad struct {
	members []string // tokens
	pulses  []benchPulse
}

// benchPulse is an open pulse and its questions.
type benchPulse struct {
	path      string // its answers' path
	Questions []struct {
		Key string `json:"key"`
		Min int    `json:"min"`
		Max int    `json:"max"`
	}
}

// seedAnswerLoad seeds s through the API with benchMembers members and
// enough surveys for n answers.
func seedAnswerLoad(tb testing.TB, s *server, n int) answerLoad {
	tb.Helper()
	var company idOf
	s.ok(tb, req{method: "POST", path: "/api/v1/teams", token: adminToken, body: `{"name":"Company"}`}, 201, &company)
	var teams []string
	for i := range 4 {
		var t idOf
		s.ok(tb, req{method: "POST", path: "/api/v1/teams", token: adminToken,
			body: fmt.Sprintf(`{"name":"Team %d","parent_id":%q}`, i, company.ID)}, 201, &t)
		teams = append(teams, t.ID)
	}
	var l answerLoad
	for i := range benchMembers {
		var cm struct {
			Token string `json:"token"`
		}
		s.ok(tb, req{method: "POST", path: "/api/v1/members", token: adminToken,
			body: fmt.Sprintf(`{"name":"m%d","email":"m%d@example.org","team_id":%q,"role":"employee"}`, i, i, teams[i%len(teams)])}, 201, &cm)
		l.members = append(l.members, cm.Token)
	}
	for range (n + benchMembers - 1) / benchMembers {
		var sv idOf
		s.ok(tb, req{method: "POST", path: "/api/v1/surveys", token: adminToken,
			body: `{"name":"Pulse","team_id":"` + company.ID + `","instruments":["who5","enps"],"cadence":"weekly"}`}, 201, &sv)
		var p struct {
			ID string `json:"id"`
			benchPulse
		}
		s.ok(tb, req{method: "POST", path: "/api/v1/surveys/" + sv.ID + "/pulses", token: adminToken}, 201, &p)
		p.path = "/api/v1/surveys/" + sv.ID + "/pulses/" + p.ID + "/answers"
		l.pulses = append(l.pulses, p.benchPulse)
	}
	return l
}

// request returns the i-th answer: member i mod benchMembers answers pulse
// i div benchMembers, so that no pair repeats; one answer in four has a
// comment.
func (l answerLoad) request(i int) *http.Request {
	p := l.pulses[i/benchMembers]
	var b strings.Builder
	b.WriteString(`{"values":{`)
	for j, q := range p.Questions {
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
	r := httptest.NewRequest("POST", "http://empulse.test"+p.path, strings.NewReader(b.String()))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+l.members[i%benchMembers])
	return r
}

// BenchmarkAnswer posts answers through the router into the embedded
// store, with the projections running, from 16 goroutines per CPU, as
// keep-alive clients would: the hot path of answer ingest, to profile. The
// App is its store's only writer (Config.Exclusive), as `empulse serve`
// makes it on the embedded store, or shares it, as on EventStoreDB. It
// reports the process's CPU time per answer, projections and store
// included.
func BenchmarkAnswer(b *testing.B) {
	for _, exclusive := range []bool{true, false} {
		b.Run(fmt.Sprintf("exclusive=%t", exclusive), func(b *testing.B) {
			s := newServerWith(b, api.RateLimit{}, func(s *server, c *api.Config) {
				a, err := app.New(app.Config{Store: s.store, Vault: s.vault, AdminTokenHash: app.HashToken(adminToken), Now: s.Now,
					Rand: rand.NewChaCha8([32]byte{7}), Received: s.scores.Received, Exclusive: exclusive})
				if err != nil {
					b.Fatal(err)
				}
				s.app, c.App = a, a
			})
			l := seedAnswerLoad(b, s, b.N)
			var next atomic.Int64
			b.SetParallelism(16)
			cpu0 := cpuTime(b)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					rec := httptest.NewRecorder()
					s.h.ServeHTTP(rec, l.request(int(next.Add(1)-1)))
					if rec.Code != http.StatusCreated {
						b.Errorf("status=%d, want 201; body %s", rec.Code, rec.Body)
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(time.Microsecond)/float64(b.N), "cpu-µs/op")
		})
	}
}

// cpuTime returns the CPU time, user and system, this process has used: on
// a shared machine a steadier measure of the work than the wall clock.
func cpuTime(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
