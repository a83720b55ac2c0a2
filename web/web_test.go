package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/empulse/empulse/analysis"
	"github.com/empulse/empulse/projections"
	"github.com/empulse/empulse/web"
)

// pagePaths are the pages the handler serves.
var pagePaths = []string{"/", "/pulse", "/recognition", "/dashboard", "/analysis"}

// langs are the pages' languages.
var langs = []string{"en", "nl"}

// serve makes the request r on h and returns the response.
func serve(t *testing.T, h http.Handler, r *http.Request) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec.Result()
}

// body reads the body of resp.
func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// htmlLang returns the lang attribute of a page's <html> element.
func htmlLang(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`<html lang="([^"]*)">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no <html lang> in %.200q", page)
	}
	return m[1]
}

func TestHandler_Language(t *testing.T) {
	t.Parallel()
	h := web.Handler()
	tests := []struct {
		name       string
		query      string // ?lang=
		accept     string // Accept-Language
		cookie     string // empulse_lang
		wantStatus int
		wantLang   string
		wantCookie string // the empulse_lang value set, "" for none
	}{
		{"NoPreference", "", "", "", 200, "en", ""},
		{"Dutch", "", "nl", "", 200, "nl", ""},
		{"DutchBelgium", "", "nl-BE", "", 200, "nl", ""},
		{"CaseInsensitive", "", "NL-be", "", 200, "nl", ""},
		{"EnglishFirst", "", "en-GB,nl;q=0.9", "", 200, "en", ""},
		{"UnsupportedThenDutch", "", "fr-FR, fr;q=0.9, nl;q=0.5", "", 200, "nl", ""},
		{"OnlyUnsupported", "", "fr, de", "", 200, "en", ""},
		{"HigherQWins", "", "en;q=0.5, nl;q=0.8", "", 200, "nl", ""},
		{"TieKeepsOrder", "", "nl;q=0.8, en;q=0.8", "", 200, "nl", ""},
		{"ZeroQNotAcceptable", "", "nl;q=0, en;q=0.1", "", 200, "en", ""},
		{"MalformedQIgnored", "", "nl;q=abc, en;q=0.1", "", 200, "en", ""},
		{"QAboveOneIgnored", "", "nl;q=1.5", "", 200, "en", ""},
		{"WildcardIsDefault", "", "de, *;q=0.5, nl;q=0.4", "", 200, "en", ""},
		{"Garbage", "", ";;,,=q", "", 200, "en", ""},
		{"CookieBeatsHeader", "", "en", "nl", 200, "nl", ""},
		{"BadCookieIgnored", "", "nl", "fr", 200, "nl", ""},
		{"QueryBeatsAll", "lang=nl", "en", "en", 200, "nl", "nl"},
		{"QueryEnglish", "lang=en", "nl", "", 200, "en", "en"},
		{"QueryAnyCase", "lang=NL", "", "", 200, "nl", "nl"},
		{"QueryUnknown", "lang=fr", "nl", "", 400, "", ""},
		{"QueryEmpty", "lang=", "nl", "", 400, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", "/pulse?"+tt.query, nil)
			if tt.accept != "" {
				r.Header.Set("Accept-Language", tt.accept)
			}
			if tt.cookie != "" {
				r.AddCookie(&http.Cookie{Name: "empulse_lang", Value: tt.cookie})
			}
			resp := serve(t, h, r)
			page := body(t, resp)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status=%d, want %d; body %.200q", resp.StatusCode, tt.wantStatus, page)
			}
			if tt.wantStatus == 400 {
				if !strings.HasPrefix(page, "lang: ") {
					t.Errorf("body %q does not name lang", page)
				}
				if len(resp.Cookies()) != 0 {
					t.Errorf("cookies %v set on a refused language", resp.Cookies())
				}
				return
			}
			if got := htmlLang(t, page); got != tt.wantLang {
				t.Errorf("<html lang>=%q, want %q", got, tt.wantLang)
			}
			if got := resp.Header.Get("Content-Language"); got != tt.wantLang {
				t.Errorf("Content-Language=%q, want %q", got, tt.wantLang)
			}
			var got *http.Cookie
			for _, c := range resp.Cookies() {
				if c.Name == "empulse_lang" {
					got = c
				}
			}
			switch {
			case tt.wantCookie == "" && got != nil:
				t.Errorf("cookie %v set, want none", got)
			case tt.wantCookie != "" && got == nil:
				t.Errorf("no empulse_lang cookie, want %q", tt.wantCookie)
			case got != nil && (got.Value != tt.wantCookie || got.SameSite != http.SameSiteStrictMode || got.Path != "/" || !got.HttpOnly || got.MaxAge <= 0):
				t.Errorf("cookie %+v, want value %q, SameSite=Strict, Path=/, HttpOnly, lasting", got, tt.wantCookie)
			}
		})
	}
}

// dictionary returns the dictionary a rendered page hands its scripts.
func dictionary(t *testing.T, page string) map[string]string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script type="application/json" id="i18n">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no i18n block in the page")
	}
	var dict map[string]string
	if err := json.Unmarshal([]byte(m[1]), &dict); err != nil {
		t.Fatalf("i18n block: %v", err)
	}
	return dict
}

// TestHandler_Pages renders every page in every language and checks the
// headers, the language, the navigation and language switch, and that
// both dictionaries have the same keys.
func TestHandler_Pages(t *testing.T) {
	t.Parallel()
	h := web.Handler()
	keys := make(map[string][]string)
	for _, p := range pagePaths {
		for _, lang := range langs {
			resp := serve(t, h, httptest.NewRequest("GET", p+"?lang="+lang, nil))
			page := body(t, resp)
			if resp.StatusCode != 200 {
				t.Fatalf("GET %s in %s: status=%d", p, lang, resp.StatusCode)
			}
			for name, want := range map[string]string{
				"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "Vary": "Accept-Language, Cookie",
			} {
				if got := resp.Header.Get(name); got != want {
					t.Errorf("GET %s in %s: %s=%q, want %q", p, lang, name, got, want)
				}
			}
			if got := htmlLang(t, page); got != lang {
				t.Errorf("GET %s in %s: <html lang>=%q", p, lang, got)
			}
			if !strings.Contains(page, `href="`+p+`" aria-current="page"`) {
				t.Errorf("GET %s in %s: the navigation does not mark the page as current", p, lang)
			}
			for _, other := range langs {
				if !strings.Contains(page, `href="?lang=`+other+`"`) {
					t.Errorf("GET %s in %s: no switch to %s", p, lang, other)
				}
			}
			dict := dictionary(t, page)
			ks := make([]string, 0, len(dict))
			for k, v := range dict {
				ks = append(ks, k)
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s dictionary: %q is empty", lang, k)
				}
			}
			slices.Sort(ks)
			keys[lang] = ks
		}
	}
	for _, k := range keys["en"] {
		if !slices.Contains(keys["nl"], k) {
			t.Errorf("%q is in the English dictionary only", k)
		}
	}
	for _, k := range keys["nl"] {
		if !slices.Contains(keys["en"], k) {
			t.Errorf("%q is in the Dutch dictionary only", k)
		}
	}
}

// TestHandler_ScriptKeys checks that every text the scripts ask for, and
// every metric, variable and method name they show, is in both
// dictionaries.
func TestHandler_ScriptKeys(t *testing.T) {
	t.Parallel()
	h := web.Handler()
	var want []string
	scripts, err := os.ReadDir("static/js")
	if err != nil {
		t.Fatal(err)
	}
	literal := regexp.MustCompile(`\bt\(\s*'([^']+)'\s*[,)]`)
	for _, f := range scripts {
		src, err := os.ReadFile(path.Join("static/js", f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			want = append(want, m[1])
		}
	}
	if len(want) == 0 {
		t.Fatal("found no t('...') calls in the scripts")
	}
	for _, m := range projections.BaseMetrics {
		want = append(want, "metric."+string(m))
	}
	for v := analysis.Variable(0); v < analysis.NumVariables; v++ {
		want = append(want, "metric."+v.String())
	}
	for m := analysis.MethodPearson; m <= analysis.MethodBetweenTeams; m++ {
		want = append(want, "an.method."+m.String())
	}
	for _, lang := range langs {
		dict := dictionary(t, body(t, serve(t, h, httptest.NewRequest("GET", "/?lang="+lang, nil))))
		for _, k := range want {
			if _, ok := dict[k]; !ok {
				t.Errorf("%s dictionary lacks %q", lang, k)
			}
		}
	}
}

// TestHandler_NoInlineCode checks that no served page has an inline
// script, a style element or attribute, an event-handler attribute or a
// javascript: URL, so that the Content-Security-Policy (no
// 'unsafe-inline') holds; and that no script writes HTML or styles.
func TestHandler_NoInlineCode(t *testing.T) {
	t.Parallel()
	h := web.Handler()
	for _, p := range pagePaths {
		for _, lang := range langs {
			page := body(t, serve(t, h, httptest.NewRequest("GET", p+"?lang="+lang, nil)))
			z := html.NewTokenizer(strings.NewReader(page))
			for {
				tt := z.Next()
				if tt == html.ErrorToken {
					if z.Err() != io.EOF {
						t.Fatalf("%s in %s: %v", p, lang, z.Err())
					}
					break
				}
				if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
					continue
				}
				tok := z.Token()
				attrs := make(map[string]string)
				for _, a := range tok.Attr {
					attrs[a.Key] = a.Val
					if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
						t.Errorf("%s in %s: <%s %s=...> is inline code or style", p, lang, tok.Data, a.Key)
					}
					if strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
						t.Errorf("%s in %s: <%s %s=%q>", p, lang, tok.Data, a.Key, a.Val)
					}
				}
				switch tok.Data {
				case "style":
					t.Errorf("%s in %s: a <style> element", p, lang)
				case "script":
					if attrs["src"] == "" && attrs["type"] != "application/json" {
						t.Errorf("%s in %s: an inline script %v", p, lang, tok.Attr)
					}
				}
			}
		}
	}
	forbidden := regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|\.style\b|['"]style['"]|\bstyle\s*:`)
	scripts, err := os.ReadDir("static/js")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range scripts {
		src, err := os.ReadFile(path.Join("static/js", f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if m := forbidden.FindString(line); m != "" {
				t.Errorf("%s:%d uses %s", f.Name(), i+1, m)
			}
		}
	}
}

// TestHandler_Assets checks every static file: its content type, ETag and
// revalidation, and that the files the pages and modules refer to exist.
func TestHandler_Assets(t *testing.T) {
	t.Parallel()
	h := web.Handler()
	types := map[string]string{
		".css": "text/css; charset=utf-8",
		".js":  "text/javascript; charset=utf-8",
		".svg": "image/svg+xml",
	}
	var files []string
	for _, dir := range []string{"static", "static/css", "static/js"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !e.IsDir() {
				files = append(files, "/"+dir+"/"+e.Name())
			}
		}
	}
	for _, f := range files {
		resp := serve(t, h, httptest.NewRequest("GET", f, nil))
		data := body(t, resp)
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: status=%d", f, resp.StatusCode)
			continue
		}
		want, ok := types[path.Ext(f)]
		if !ok {
			t.Errorf("GET %s: no expected type for %s", f, path.Ext(f))
		}
		if got := resp.Header.Get("Content-Type"); got != want {
			t.Errorf("GET %s: Content-Type=%q, want %q", f, got, want)
		}
		if got := resp.Header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("GET %s: Cache-Control=%q, want no-cache", f, got)
		}
		etag := resp.Header.Get("ETag")
		if !regexp.MustCompile(`^"[0-9a-f]{32}"$`).MatchString(etag) {
			t.Errorf("GET %s: ETag=%q, want a quoted content hash", f, etag)
		}
		onDisk, err := os.ReadFile(strings.TrimPrefix(f, "/"))
		if err != nil {
			t.Fatal(err)
		}
		if data != string(onDisk) {
			t.Errorf("GET %s: body differs from the file", f)
		}
		r := httptest.NewRequest("GET", f, nil)
		r.Header.Set("If-None-Match", etag)
		if got := serve(t, h, r).StatusCode; got != http.StatusNotModified {
			t.Errorf("GET %s with its ETag: status=%d, want 304", f, got)
		}
		if path.Ext(f) == ".js" {
			for _, m := range regexp.MustCompile(`from '\./([^']+)'`).FindAllStringSubmatch(data, -1) {
				if !slices.Contains(files, "/static/js/"+m[1]) {
					t.Errorf("%s imports %s, which is not served", f, m[1])
				}
			}
		}
	}
	for _, p := range pagePaths {
		page := body(t, serve(t, h, httptest.NewRequest("GET", p, nil)))
		for _, m := range regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`).FindAllStringSubmatch(page, -1) {
			if !slices.Contains(files, m[1]) {
				t.Errorf("%s refers to %s, which is not served", p, m[1])
			}
		}
	}
}

func TestHandler_Methods(t *testing.T) {
	t.Parallel()
	h := web.Handler()
	tests := []struct {
		method, path string
		wantStatus   int
		wantBody     bool
	}{
		{"GET", "/dashboard", 200, true},
		{"HEAD", "/dashboard", 200, false},
		{"HEAD", "/static/css/app.css", 200, false},
		{"POST", "/pulse", 405, true},
		{"DELETE", "/static/css/app.css", 405, true},
		{"GET", "/nope", 404, true},
		{"GET", "/static/nope.js", 404, true},
		{"GET", "/static/../i18n/en.json", 404, true},
		{"GET", "/static/js", 404, true},
		{"GET", "/templates/layout.html", 404, true},
	}
	for _, tt := range tests {
		resp := serve(t, h, httptest.NewRequest(tt.method, tt.path, nil))
		if resp.StatusCode != tt.wantStatus {
			t.Errorf("%s %s: status=%d, want %d", tt.method, tt.path, resp.StatusCode, tt.wantStatus)
		}
		if tt.wantStatus == 405 && resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s %s: Allow=%q, want GET, HEAD", tt.method, tt.path, resp.Header.Get("Allow"))
		}
		if got := body(t, resp) != ""; got != tt.wantBody {
			t.Errorf("%s %s: has body %v, want %v", tt.method, tt.path, got, tt.wantBody)
		}
	}
}
