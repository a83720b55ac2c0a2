package pebble_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/events/pebble"
)

// crashChildEnv, when set to a directory, turns the test binary into the
// crash test's child: it appends to a store in that directory until killed.
const crashChildEnv = "EMPULSE_CRASH_CHILD"

// openChildEnv, when set to a directory, turns the test binary into a child
// that only opens a store there and reports the error.
const openChildEnv = "EMPULSE_OPEN_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		if err := crashChild(dir, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if dir := os.Getenv(openChildEnv); dir != "" {
		s, err := pebble.Open(dir, pebble.Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		s.Close()
		os.Exit(0)
	}
	code := m.Run()
	removeReplayStore()
	os.Exit(code)
}

// childOpen runs a child process that opens the store in dir, and returns its
// output and exit error.
func childOpen(tb testing.TB, dir string) (string, error) {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), openChildEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// crashChild appends from 8 goroutines, single events and multi-event
// appends alike, and writes one line to out for each acknowledged append:
// "stream firstRevision lastPosition id,id,...". It returns only on error.
func crashChild(dir string, out io.Writer) error {
	s, err := pebble.Open(dir, pebble.Options{})
	if err != nil {
		return err
	}
	var (
		mu   sync.Mutex
		errc = make(chan error, 8)
	)
	for w := range 8 {
		go func() {
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(w)))
			for {
				stream := fmt.Sprintf("crash-%d", rng.IntN(50))
				evs := make([]events.Proposed, 1+rng.IntN(4))
				ids := make([]string, len(evs))
				for i := range evs {
					evs[i] = events.Proposed{ID: uuid.New(), Type: "Crashed", Data: []byte(`{"w":` + strconv.Itoa(w) + `}`)}
					ids[i] = evs[i].ID.String()
				}
				res, err := s.Append(context.Background(), stream, events.Any(), evs...)
				if err != nil {
					errc <- err
					return
				}
				first := res.Revision + 1 - uint64(len(evs))
				mu.Lock()
				fmt.Fprintf(out, "%s %d %d %s\n", stream, first, res.Position.Commit, strings.Join(ids, ","))
				mu.Unlock()
			}
		}()
	}
	return <-errc
}

// ack is one append the child acknowledged.
type ack struct {
	stream   string
	first    uint64
	position uint64
	ids      []string
}

func parseAck(tb testing.TB, line string) ack {
	tb.Helper()
	f := strings.Fields(line)
	if len(f) != 4 {
		tb.Fatalf("child wrote %q", line)
	}
	first, err1 := strconv.ParseUint(f[1], 10, 64)
	p, err2 := strconv.ParseUint(f[2], 10, 64)
	if err1 != nil || err2 != nil {
		tb.Fatalf("child wrote %q", line)
	}
	return ack{stream: f[0], first: first, position: p, ids: strings.Split(f[3], ",")}
}

// TestCrash kills a writing child process with SIGKILL at random moments and
// checks after every restart that each acknowledged append is present, in
// order, and that the log reads cleanly to its end.
func TestCrash(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("EMPULSE_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (set EMPULSE_CRASH_SEED to repeat)", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	dir := t.TempDir()
	var acked []ack
	const rounds = 20
	for round := range rounds {
		acks := runAndKill(t, dir, time.Duration(5+rng.IntN(150))*time.Millisecond)
		if len(acks) == 0 {
			t.Fatalf("round %d: the child acknowledged nothing", round)
		}
		acked = append(acked, acks...)
		verifyLog(t, dir, acked)
	}
	t.Logf("%d rounds, %d acknowledged appends", rounds, len(acked))
}

// runAndKill starts the child on dir, lets it write for d after its first
// acknowledgement, kills it and returns every line it completed.
func runAndKill(t *testing.T, dir string, d time.Duration) []ack {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		r := bufio.NewReader(stdout)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return // a line cut by the kill was never acknowledged
			}
			lines <- strings.TrimSuffix(line, "\n")
		}
	}()
	var acks []ack
	first, ok := <-lines
	if !ok {
		cmd.Wait()
		t.Fatalf("child wrote nothing; stderr: %s", stderr.String())
	}
	acks = append(acks, parseAck(t, first))
	time.Sleep(d)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for line := range lines {
		acks = append(acks, parseAck(t, line))
	}
	cmd.Wait()
	return acks
}

// verifyLog opens the store in dir and checks every acknowledged append and
// the whole log.
func verifyLog(t *testing.T, dir string, acked []ack) {
	t.Helper()
	s, err := pebble.Open(dir, pebble.Options{})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, a := range acked {
		evs, err := s.ReadStream(ctx, a.stream, events.Forwards, a.first, len(a.ids))
		if err != nil {
			t.Fatalf("acknowledged append to %s lost: %v", a.stream, err)
		}
		if len(evs) != len(a.ids) {
			t.Fatalf("%s from %d: %d events, want %d", a.stream, a.first, len(evs), len(a.ids))
		}
		for i, e := range evs {
			if e.ID.String() != a.ids[i] {
				t.Fatalf("%s revision %d: id %s, want %s", a.stream, a.first+uint64(i), e.ID, a.ids[i])
			}
		}
		if got := evs[len(evs)-1].Position.Commit; got != a.position {
			t.Fatalf("%s: last position %d, want %d", a.stream, got, a.position)
		}
	}
	all, err := s.ReadAll(ctx, events.Start, 0)
	if err != nil {
		t.Fatalf("read the whole log: %v", err)
	}
	next := map[string]uint64{}
	for i, e := range all {
		if want := uint64(i + 1); e.Position.Commit != want {
			t.Fatalf("event %d at position %d, want %d", i, e.Position.Commit, want)
		}
		if e.Revision != next[e.Stream] {
			t.Fatalf("%s: revision %d at position %d, want %d", e.Stream, e.Revision, e.Position.Commit, next[e.Stream])
		}
		next[e.Stream]++
	}
	head, err := s.Head(ctx)
	if err != nil || head.Commit != uint64(len(all)) {
		t.Fatalf("head %v, %v; want %d", head, err, len(all))
	}
}
