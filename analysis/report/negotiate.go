package report

import (
	"slices"
	"strconv"
	"strings"
)

// offer is a format that a response can take, with the media types (lower
// case, without parameters) that select it; the first is its canonical type.
type offer[F any] struct {
	format F
	types  []string
}

// negotiate returns the format of offers that accept prefers, and the first
// offer's format if accept prefers none: each offer takes the q of the most
// specific media range that matches it, the highest q wins, ties going to
// the more specific range, then to the range listed first, then to the
// earlier offer.
func negotiate[F any](accept string, offers []offer[F]) F {
	best, bestQ, bestSpec, bestPos := 0, 0.0, -1, 0
	for i, o := range offers {
		q, spec, pos := acceptQ(accept, o.types)
		if q <= 0 {
			continue
		}
		if q > bestQ || q == bestQ && (spec > bestSpec || spec == bestSpec && pos < bestPos) {
			best, bestQ, bestSpec, bestPos = i, q, spec, pos
		}
	}
	return offers[best].format
}

// acceptQ returns the q value that accept gives to a format with the given
// media types, from the most specific media range that matches it, with that
// range's specificity (2 exact, 1 type/*, 0 */*; -1 if none matches) and its
// position in the header.
func acceptQ(accept string, types []string) (q float64, spec, pos int) {
	spec = -1
	for i, r := range strings.Split(accept, ",") {
		mt, params, _ := strings.Cut(r, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
		s := -1
		switch {
		case slices.Contains(types, mt):
			s = 2
		case mt == "*/*":
			s = 0
		case strings.HasSuffix(mt, "/*") && strings.HasPrefix(types[0], mt[:len(mt)-1]):
			s = 1
		}
		if s <= spec {
			continue
		}
		q, spec, pos = parseQ(params), s, i
	}
	return q, spec, pos
}

// parseQ returns the q parameter among a media range's parameters, 1 if
// there is none and 0 if it is malformed.
func parseQ(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		k, v, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || q < 0 || q > 1 {
			return 0
		}
		return q
	}
	return 1
}
