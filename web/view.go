package web

import "fmt"

// langNames names each language in itself, for the language switch.
var langNames = map[string]string{"en": "English", "nl": "Nederlands"}

// view is what the templates render: one page in one language.
type view struct {
	// Lang is the page's language, for <html lang>.
	Lang string
	// Page is the page's template name, and Script its module, if any.
	Page, Script string
	// Nav is the site navigation, Langs the language switch.
	Nav   []link
	Langs []link
	// Dict is the dictionary of Lang, handed to the scripts as JSON.
	Dict map[string]string
}

// link is one entry of the navigation (labelled by the dictionary's Key)
// or of the language switch (labelled by Label, in the language Lang).
type link struct {
	Href, Key, Label, Lang string
	Current                bool
}

// newView returns the view of p in lang with its dictionary dict.
func newView(p page, lang string, dict map[string]string) view {
	v := view{Lang: lang, Page: p.name, Script: p.script, Dict: dict}
	for _, q := range pages {
		v.Nav = append(v.Nav, link{Href: q.path, Key: q.nav, Current: q.path == p.path})
	}
	for _, l := range languages {
		v.Langs = append(v.Langs, link{Href: "?lang=" + l, Label: langNames[l], Lang: l, Current: l == lang})
	}
	return v
}

// T returns the text of key in the view's language, or an error if the
// dictionary lacks it, which stops the rendering.
func (v view) T(key string) (string, error) {
	s, ok := v.Dict[key]
	if !ok {
		return "", fmt.Errorf("no %q in the %s dictionary", key, v.Lang)
	}
	return s, nil
}
