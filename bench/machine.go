package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// machine describes the computer the figures come from.
type machine struct {
	cpu    string // model name from /proc/cpuinfo
	cores  int
	memGiB float64
	kernel string // e.g. "Linux 6.8.0"
	goVer  string // the toolchain of the go test runs
}

// describeMachine reads what it can; what it cannot read stays empty.
func describeMachine(ctx context.Context) machine {
	m := machine{cores: runtime.NumCPU(), goVer: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		m.cpu = procField(b, "model name")
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if kb, err := strconv.ParseFloat(strings.TrimSuffix(procField(b, "MemTotal"), " kB"), 64); err == nil {
			m.memGiB = kb / (1 << 20)
		}
	}
	var u syscall.Utsname
	if syscall.Uname(&u) == nil {
		m.kernel = cString(u.Sysname[:]) + " " + cString(u.Release[:])
	}
	if out, err := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output(); err == nil {
		m.goVer = strings.TrimSpace(string(out))
	}
	return m
}

// procField returns the value of the first "key: value" line of a /proc
// file.
func procField(b []byte, key string) string {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return ""
}

// cString returns the NUL-terminated string in b.
func cString[T int8 | uint8](b []T) string {
	s := make([]byte, 0, len(b))
	for _, c := range b {
		if c == 0 {
			break
		}
		s = append(s, byte(c))
	}
	return string(s)
}

// loadAverage returns the 1-minute load average, or -1 when it cannot be
// read.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

// syncProbe is what one writer's write + fdatasync loop achieved.
type syncProbe struct {
	perSecond float64
	p50, p99  time.Duration
}

// probeSync writes 200 bytes and fdatasyncs them in a loop for d, in a
// file in dir, and returns the rate and latencies: the disk's sync rate
// bounds every durable append.
func probeSync(dir string, d time.Duration) (syncProbe, error) {
	f, err := os.Create(filepath.Join(dir, "sync-probe"))
	if err != nil {
		return syncProbe{}, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := make([]byte, 200)
	var lat []time.Duration
	start := time.Now()
	for time.Since(start) < d {
		t := time.Now()
		if _, err := f.Write(buf); err != nil {
			return syncProbe{}, err
		}
		if err := syscall.Fdatasync(int(f.Fd())); err != nil {
			return syncProbe{}, fmt.Errorf("fdatasync: %w", err)
		}
		lat = append(lat, time.Since(t))
	}
	slices.Sort(lat)
	return syncProbe{perSecond: float64(len(lat)) / time.Since(start).Seconds(),
		p50: percentile(lat, 0.50), p99: percentile(lat, 0.99)}, nil
}

// moduleRoot returns the directory of the go.mod of the working
// directory's module.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run bench inside the empulse module (go env GOMOD is %q)", mod)
	}
	return filepath.Dir(mod), nil
}
