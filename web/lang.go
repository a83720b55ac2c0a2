package web

import (
	"net/http"
	"strconv"
	"strings"
)

// languages are the languages of the pages, the default first.
var languages = []string{"en", "nl"}

// langCookie remembers a language chosen with ?lang=.
const langCookie = "empulse_lang"

// langCookieMaxAge keeps the chosen language for a year.
const langCookieMaxAge = 365 * 24 * 60 * 60

// supported reports whether lang is one of languages.
func supported(lang string) bool {
	for _, l := range languages {
		if l == lang {
			return true
		}
	}
	return false
}

// errUnknownLang is the answer to a ?lang= that names no language of the
// pages.
type errUnknownLang string

func (e errUnknownLang) Error() string {
	return "lang: unknown language " + strconv.Quote(string(e)) + "; use " + strings.Join(languages, " or ")
}

// language returns the language to render r in and whether it was chosen
// with ?lang= (and so is to be remembered): ?lang= first, then the
// empulse_lang cookie, then Accept-Language, then the default. A ?lang=
// naming no supported language returns an errUnknownLang.
func language(r *http.Request) (lang string, chosen bool, err error) {
	if vs, ok := r.URL.Query()["lang"]; ok {
		v := ""
		if len(vs) > 0 {
			v = vs[0]
		}
		if l := strings.ToLower(v); supported(l) {
			return l, true, nil
		}
		return "", false, errUnknownLang(v)
	}
	if c, err := r.Cookie(langCookie); err == nil && supported(c.Value) {
		return c.Value, false, nil
	}
	return negotiate(r.Header.Get("Accept-Language")), false, nil
}

// negotiate returns the supported language that the Accept-Language header
// prefers: the one with the highest q-value, the first listed on a tie,
// matched on the primary subtag ("nl-BE" is "nl"); "*" stands for the
// default. Entries with q=0 or a malformed q are not acceptable. Without an
// acceptable supported language it returns the default.
func negotiate(header string) string {
	best, bestQ := languages[0], 0.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q, ok := qValue(params)
		if !ok || q <= bestQ {
			continue
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if primary == "*" {
			primary = languages[0]
		}
		if supported(primary) {
			best, bestQ = primary, q
		}
	}
	return best
}

// qValue returns the q parameter of an Accept-Language entry's parameters
// (1 when absent) and whether it is well formed: a number from 0 to 1.
func qValue(params string) (float64, bool) {
	for _, p := range strings.Split(params, ";") {
		name, value, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || q < 0 || q > 1 {
			return 0, false
		}
		return q, true
	}
	return 1, true
}
