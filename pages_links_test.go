package main

import (
	"strings"
	"testing"
)

// TestPages_RevokedLink opens revoked personal links on the pulse page in
// English and on the recognition page in Dutch: each page says, in its
// language, to ask for a new link.
func TestPages_RevokedLink(t *testing.T) {
	t.Parallel()
	browser := newBrowser(t)
	o := servePageOrg(t, 2)
	for _, m := range o.members {
		call(t, o.addr, o.admin, "DELETE", "/api/v1/members/"+m.id+"/links/1", "", 204, nil)
	}
	tests := []struct {
		name, lang, url, want string
	}{
		{"PulseInEnglish", "en", o.members[0].link, "Ask your team leader or HR for a new link."},
		{"RecognitionInDutch", "nl", strings.Replace(o.members[1].link, "/pulse#", "/recognition#", 1),
			"Vraag je leidinggevende of HR om een nieuwe link."},
	}
	for _, tt := range tests {
		tab := newTab(t, browser, tt.name)
		acceptLanguage(t, tab, tt.lang)
		openPage(t, tab, tt.url)
		waitText(t, tab, "#signin-error", tt.want)
	}
}
