package projections

import "sort"

// The reasons a figure is withheld. A withheld figure has no value and no
// count, only its reason.
const (
	// ReasonFewerThanK withholds a group with fewer than k respondents
	// (none at all included, so that an empty group looks like a small one).
	ReasonFewerThanK = "fewer than k responses"
	// ReasonComplementary withholds a group that is large enough but
	// whose figure, with its parent's and its siblings', would reveal a
	// smaller group's (complementary suppression).
	ReasonComplementary = "withheld to protect a smaller group"
	// ReasonNoMembers withholds a per-member figure of a team without
	// members.
	ReasonNoMembers = "no members"
	// ReasonNoneInvited withholds the participation of a group whose
	// answers came to no pulse that invited its members (they moved in
	// after it opened).
	ReasonNoneInvited = "no members invited"
	// ReasonFewerThanComments withholds comments of a group with fewer
	// than max(k, 10) respondents.
	ReasonFewerThanComments = "fewer than max(k, 10) responses"
)

// orgNode is the id of the virtual node above the top-level teams: the
// whole organisation. It is node 0 of every tree.
const orgNode = ""

// group is what suppression needs of one node for one figure: the
// respondents of its roll-up and of its own members (direct), and the
// thresholds that apply to each.
type group struct {
	n, k             int64
	directN, directK int64
}

// suppress decides which nodes of a week's tree withhold a figure. Nodes
// are numbered parents first, node 0 being the organisation; groups and
// children are indexed by node, and ids name the nodes (for ties). It
// returns each node's reason to withhold, "" for a shown node.
//
// The rules, applied until nothing changes:
//  1. A node with fewer than k respondents is withheld.
//  2. A shown node's figure is the sum of its parts: its children and its
//     own members' answers (never shown on their own). When exactly one
//     part is unknown and that part is a small group (a withheld child or
//     fewer than k own answers), subtracting the shown parts from the node
//     would reveal it; so the smallest shown child is withheld too, or the
//     node itself when no child is shown.
//  3. A node withheld by rule 2 whose parts are all shown could be summed
//     back from them; so its smallest shown child is withheld as well.
func suppress(groups []group, children [][]int, ids []string) []string {
	out := make([]string, len(groups))
	for i, g := range groups {
		if g.n < max(g.k, 1) {
			out[i] = ReasonFewerThanK
		}
	}
	smallestShown := func(kids []int) int {
		best := -1
		for _, c := range kids {
			if out[c] != "" {
				continue
			}
			if best < 0 || groups[c].n < groups[best].n || (groups[c].n == groups[best].n && ids[c] < ids[best]) {
				best = c
			}
		}
		return best
	}
	for changed := true; changed; {
		changed = false
		for id, g := range groups {
			kids := children[id]
			unknown, sensitive := 0, false
			for _, c := range kids {
				if out[c] != "" && groups[c].n > 0 {
					unknown++
					sensitive = true
				}
			}
			if g.directN > 0 {
				unknown++
				if g.directN < max(g.directK, 1) {
					sensitive = true
				}
			}
			switch {
			case out[id] == "" && unknown == 1 && sensitive:
				if c := smallestShown(kids); c >= 0 {
					out[c] = ReasonComplementary
				} else {
					out[id] = ReasonComplementary
				}
				changed = true
			case out[id] == ReasonComplementary && unknown == 0:
				if c := smallestShown(kids); c >= 0 {
					out[c] = ReasonComplementary
					changed = true
				}
			}
		}
	}
	return out
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sortStrings sorts ss in place and returns it.
func sortStrings(ss []string) []string { sort.Strings(ss); return ss }
