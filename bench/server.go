package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// child is a server running as a child process.
type child struct {
	cmd  *exec.Cmd
	addr string
	// exited is closed once the process has exited.
	exited chan struct{}
	// log holds the process's output.
	log *os.File
}

// startChild starts cmd and waits, at most a minute, until addrOf finds
// the listening address in a line of its output (stderr for empulse,
// stdout for the bare server). All output goes to the file logPath.
func startChild(cmd *exec.Cmd, fromStderr bool, logPath string, addrOf func(line string) (string, bool)) (*child, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	var pipe io.ReadCloser
	if fromStderr {
		cmd.Stdout = logf
		pipe, err = cmd.StderrPipe()
	} else {
		cmd.Stderr = logf
		pipe, err = cmd.StdoutPipe()
	}
	if err != nil {
		logf.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	c := &child{cmd: cmd, exited: make(chan struct{}), log: logf}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if addr, ok := addrOf(line); ok {
				select {
				case found <- addr:
				default:
				}
			}
			fmt.Fprintln(logf, line)
		}
		_ = cmd.Wait()
		close(c.exited)
	}()
	select {
	case c.addr = <-found:
		return c, nil
	case <-c.exited:
		return nil, fmt.Errorf("%s exited before listening: %s", filepath.Base(cmd.Path), tail(logPath))
	case <-time.After(time.Minute):
		c.stop()
		return nil, fmt.Errorf("%s did not listen within a minute: %s", filepath.Base(cmd.Path), tail(logPath))
	}
}

// stop sends SIGTERM and waits for the process to exit, killing it after
// 15 seconds.
func (c *child) stop() {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
	c.log.Close()
}

// cpu returns the CPU time the process has used so far, read from
// /proc/<pid>/stat (user and system time, in clock ticks of 1/100 s).
func (c *child) cpu() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces; the fields after
	// it start with the state (field 3), so utime and stime (14, 15) are
	// the 12th and 13th.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	k, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(u+k) * 10 * time.Millisecond, nil
}

// tail returns the last lines of the file at path, on one line.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return oneLine(strings.Join(lines, " / "))
}

// buildEmpulse builds the empulse command and returns its path. It builds
// into the user's cache directory rather than a fresh one, because go
// build leaves a binary that is up to date alone: relinking the 60 MB
// binary every run takes longer than the test of this command may.
func (e *env) buildEmpulse(ctx context.Context) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = e.tmp
	}
	dir := filepath.Join(cache, "empulse-bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "empulse")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = e.root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w: %s", err, oneLine(string(out)))
	}
	return bin, nil
}

// startEmpulse runs `empulse serve` on a free loopback port and the data
// directory data, with the admin token admin, logging as configured by
// default (info level, one record per request) in JSON to a file, and
// waits until /readyz answers 200 (the projections have caught up).
func startEmpulse(ctx context.Context, bin, data, admin, logPath string) (*child, error) {
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", "127.0.0.1:0", "--data", data, "--log-format", "json")
	cmd.Env = append(os.Environ(), "EMPULSE_ADMIN_TOKEN="+admin)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	c, err := startChild(cmd, true, logPath, func(line string) (string, bool) {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &rec) != nil || rec.Msg != "listening" {
			return "", false
		}
		return rec.Addr, rec.Addr != ""
	})
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get("http://" + c.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c, nil
			}
		}
		if time.Now().After(deadline) {
			c.stop()
			return nil, fmt.Errorf("empulse was not ready within a minute: %s", tail(logPath))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startBare runs this program as the bare baseline server.
func startBare(ctx context.Context, logPath string) (*child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(os.Environ(), bareEnv+"=1")
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	return startChild(cmd, false, logPath, func(line string) (string, bool) {
		addr, ok := strings.CutPrefix(line, "listening ")
		return addr, ok
	})
}
