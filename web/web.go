package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
)

// files holds the pages' templates, dictionaries and static files.
//
//go:embed templates i18n static
var files embed.FS

// page is one page of the site.
type page struct {
	path   string // URL path
	name   string // template file templates/<name>.html
	nav    string // dictionary key of its navigation label
	script string // its module under /static/js/, "" for none
}

// pages are the site's pages, in navigation order.
var pages = []page{
	{"/", "index", "nav.home", ""},
	{"/pulse", "pulse", "nav.pulse", "pulse.js"},
	{"/recognition", "recognition", "nav.recognition", "recognition.js"},
	{"/dashboard", "dashboard", "nav.dashboard", "dashboard.js"},
	{"/analysis", "analysis", "nav.analysis", "analysis.js"},
}

// site is the handler Handler returns. Every page is rendered in every
// language when it is built, since a page depends only on its language.
type site struct {
	rendered map[string]map[string][]byte // by page path, then language
	assets   map[string]asset             // by URL path
}

// Handler returns the handler of the pages and their static files:
//
//	GET, HEAD /, /pulse, /recognition, /dashboard, /analysis
//	    the page in Dutch or English (see below), Cache-Control: no-store
//	GET, HEAD /static/...
//	    the embedded file with its ETag, Cache-Control: no-cache
//
// Other paths get 404 and other methods 405. A page's language is the one
// named by ?lang=nl or ?lang=en, which is then remembered in the cookie
// empulse_lang (SameSite=Strict); else the cookie's; else the preferred
// one of the request's Accept-Language; else English. ?lang= naming another
// language gets 400 with a message naming lang.
//
// Handler panics if the embedded files are inconsistent (a template that
// does not parse or uses a word missing from a dictionary, a dictionary
// that is not JSON, a static file of unknown type), which the package's
// tests rule out.
func Handler() http.Handler {
	s, err := newSite(files)
	if err != nil {
		panic(err)
	}
	return s
}

// newSite renders the pages of fsys in every language and loads its
// static files.
func newSite(fsys fs.FS) (*site, error) {
	dicts := make(map[string]map[string]string)
	for _, lang := range languages {
		data, err := fs.ReadFile(fsys, "i18n/"+lang+".json")
		if err != nil {
			return nil, fmt.Errorf("web: dictionary: %w", err)
		}
		var dict map[string]string
		if err := json.Unmarshal(data, &dict); err != nil {
			return nil, fmt.Errorf("web: dictionary %s: %w", lang, err)
		}
		dicts[lang] = dict
	}
	s := &site{rendered: make(map[string]map[string][]byte)}
	for _, p := range pages {
		t, err := template.ParseFS(fsys, "templates/layout.html", "templates/"+p.name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: templates: %w", err)
		}
		s.rendered[p.path] = make(map[string][]byte)
		for _, lang := range languages {
			var buf bytes.Buffer
			if err := t.ExecuteTemplate(&buf, "layout.html", newView(p, lang, dicts[lang])); err != nil {
				return nil, fmt.Errorf("web: render %s in %s: %w", p.path, lang, err)
			}
			s.rendered[p.path][lang] = buf.Bytes()
		}
	}
	assets, err := loadAssets(fsys, "static", "/static/")
	if err != nil {
		return nil, err
	}
	s.assets = assets
	return s, nil
}

// ServeHTTP serves a page or a static file; see Handler.
func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if a, ok := s.assets[r.URL.Path]; ok {
		a.serve(w, r)
		return
	}
	if byLang, ok := s.rendered[r.URL.Path]; ok {
		servePage(w, r, byLang)
		return
	}
	http.NotFound(w, r)
}

// servePage writes the page of byLang in the request's language.
func servePage(w http.ResponseWriter, r *http.Request, byLang map[string][]byte) {
	lang, chosen, err := language(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	body := byLang[lang]
	h := w.Header()
	if chosen {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: langCookieMaxAge,
			HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", lang)
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Accept-Language, Cookie")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
