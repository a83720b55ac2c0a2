package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The browser tests drive Debian's chromium headless through chromedp.
// newBrowser starts a browser for one test and returns its first tab;
// newTab opens another tab, with its own sessionStorage, as a second
// person would have; openPage, do, get and waitText drive a tab with
// bounded waits. When a test fails, each of its tabs is saved as a
// full-page screenshot (see artifactPath) and what its pages wrote to the
// console is logged. A page that throws an uncaught exception or breaks the
// Content-Security-Policy fails the test.

// defaultChromium is where Debian's chromium package installs the browser.
const defaultChromium = "/usr/bin/chromium"

// browserStep bounds each step of a browser test.
const browserStep = 20 * time.Second

// chromiumPath returns the browser to drive: $EMPULSE_CHROMIUM, else
// /usr/bin/chromium. When it is missing, the test fails if CI=true, so
// that CI never skips the browser tests silently, and is skipped
// otherwise.
func chromiumPath(t *testing.T) string {
	t.Helper()
	path := os.Getenv("EMPULSE_CHROMIUM")
	if path == "" {
		path = defaultChromium
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser test: no chromium at %s (%v); CI must install it (apt-get install chromium)", path, err)
		}
		t.Skipf("browser test skipped: no chromium at %s (set EMPULSE_CHROMIUM, or apt-get install chromium)", path)
	}
	return path
}

// artifactPath returns where the screenshot of t's tab named tab goes:
// $EMPULSE_ARTIFACTS, else testdata/artifacts (ignored by git), in a file
// named after the test and the tab.
func artifactPath(t *testing.T, tab string) string {
	dir := os.Getenv("EMPULSE_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	name := regexp.MustCompile(`[^A-Za-z0-9._-]+`).ReplaceAllString(t.Name(), "_")
	return filepath.Join(dir, name+"-"+tab+".png")
}

// pageLog collects what a tab's pages write to the console and the
// browser log, and the problems among it: uncaught exceptions and
// Content-Security-Policy violations.
type pageLog struct {
	mu       sync.Mutex
	lines    []string
	problems []string
}

// watch starts collecting the console of tab ctx in a new pageLog, until
// ctx ends.
func watch(ctx context.Context) *pageLog {
	l := &pageLog{}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			line := fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line+1)
			l.mu.Lock()
			l.lines = append(l.lines, line)
			if m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
				l.problems = append(l.problems, line)
			}
			l.mu.Unlock()
		}
	}()
	return l
}

// report returns what l collected so far.
func (l *pageLog) report() (lines, problems []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines), slices.Clone(l.problems)
}

// watchTab collects the console of tab ctx, named tab in reports, and
// registers the cleanup that fails t on the page's problems and, when t
// failed, logs the console and saves a full-page screenshot of the tab.
// It is called after the tab's own cleanup is registered, so that it runs
// while the tab is still open.
func watchTab(t *testing.T, ctx context.Context, tab string) {
	t.Helper()
	l := watch(ctx)
	t.Cleanup(func() {
		lines, problems := l.report()
		for _, p := range problems {
			t.Errorf("page problem in tab %q: %s", tab, p)
		}
		if !t.Failed() {
			return
		}
		t.Logf("console of tab %q:\n\t%s", tab, strings.Join(lines, "\n\t"))
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Logf("no screenshot of tab %q: %v", tab, err)
			return
		}
		path := artifactPath(t, tab)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Logf("no screenshot of tab %q: %v", tab, err)
			return
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Logf("no screenshot of tab %q: %v", tab, err)
			return
		}
		t.Logf("screenshot of tab %q: %s", tab, path)
	})
}

// newBrowser starts a headless chromium for t and returns the context of
// its first tab, named "main" in reports. The browser is closed when t
// ends.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.WindowSize(1024, 900),
	)
	// The browser outlives t.Context(), which ends before the cleanups
	// that take the screenshots run.
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first action starts the browser; it must not have a deadline, or
	// the browser would end with it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	watchTab(t, ctx, "main")
	return ctx
}

// newTab opens a tab named name in the browser of tab ctx. It shares the
// browser's cookies but has its own sessionStorage.
func newTab(t *testing.T, browser context.Context, name string) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open tab %q: %v", name, err)
	}
	watchTab(t, ctx, name)
	return ctx
}

// do runs steps in tab ctx, failing t with what when they fail or take
// longer than browserStep.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserStep)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		t.Fatalf("browser: %s: %v", what, err)
	}
}

// get runs action in tab ctx and returns its value, failing t with what
// when it fails or takes longer than browserStep.
func get[T any](t *testing.T, ctx context.Context, what string, action chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserStep)
	defer cancel()
	v, err := chromedp.Run(sctx, action)
	if err != nil {
		t.Fatalf("browser: %s: %v", what, err)
	}
	return v
}

// acceptLanguage makes tab ctx send Accept-Language: lang with every
// request.
func acceptLanguage(t *testing.T, ctx context.Context, lang string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserStep)
	defer cancel()
	_, err := chromedp.Call(sctx, network.SetExtraHTTPHeaders,
		network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}})
	if err != nil {
		t.Fatalf("browser: set Accept-Language: %v", err)
	}
}

// openPage navigates tab ctx to url and waits until its body is visible.
func openPage(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	do(t, ctx, "open "+url, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("body")))
}

// waitText waits until the text of the element sel (a CSS selector)
// contains want, and returns that text.
func waitText(t *testing.T, ctx context.Context, sel, want string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, browserStep)
	defer cancel()
	last, lastErr := "", error(nil)
	for {
		got, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
		if err == nil && strings.Contains(got, want) {
			return got
		}
		if err == nil || sctx.Err() == nil {
			last, lastErr = got, err
		}
		select {
		case <-sctx.Done():
			t.Fatalf("browser: %s never held %q; its text was %q (error %v)", sel, want, last, lastErr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
