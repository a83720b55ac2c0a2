package demo

import (
	"math"
	"math/rand/v2"
	"strings"

	"github.com/empulse/empulse/instrument"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/recognition"
	"github.com/empulse/empulse/survey"
)

// Sizes of the default organisation and history.
const (
	// DefaultWeeks is the weeks of pulses Seed writes, the current one
	// included.
	DefaultWeeks = 26
	// members is about how many members the organisation has.
	members = 300
)

// The model's parameters. Levels of engagement are in standard deviations
// of the organisation's people.
const (
	// cultureWeight is how much a team's lasting culture adds to its
	// members' engagement.
	cultureWeight = 0.12
	// baseRate is the recognitions a member of an average team receives in
	// an ordinary week; cultureRate is how strongly the team's culture
	// raises it (as a factor exp(cultureRate x culture)).
	baseRate    = 0.45
	cultureRate = 0.3
	// rateShock is the spread of a team's weekly recognition rate around
	// its usual one, as a log-normal factor.
	rateShock = 0.5
	// recognitionEffect is the planted effect: the rise in a team's
	// engagement in a week per recognition received per member above the
	// team's usual rate.
	recognitionEffect = 0.35
	// weekNoise is the spread of a team's engagement from week to week
	// apart from recognition; personNoise a person's lasting offset;
	// answerNoise the spread of one person's answers from week to week.
	weekNoise   = 0.2
	personNoise = 0.5
	answerNoise = 0.45
	// itemSlope turns a level of engagement into a share of a question's
	// scale; itemNoise is the item-to-item spread on that share.
	itemSlope = 0.17
	itemNoise = 0.12
	// sameTeamGiver is the chance that a recognition comes from the
	// receiver's own team.
	sameTeamGiver = 0.7
	// answerAll is the chance that a member who answers a week's pulses
	// answers each one of them.
	answerAll = 0.93
	// commentChance is the chance that an answer carries a comment.
	commentChance = 0.04
)

// dayWeights are the chances of answering or recognising on Monday to
// Friday: most answers come early in the week.
var dayWeights = [5]float64{0.35, 0.25, 0.17, 0.13, 0.10}

// surveySpecs are the surveys of the organisation, in the order of their
// indices in task.survey: one weekly survey per bundled instrument, so that
// every pulse asks all of WHO-5's five items and the eNPS question.
var surveySpecs = []struct{ name, instrument string }{
	{"Weekly well-being (WHO-5)", instrument.WHO5ID},
	{"Would you recommend us? (eNPS)", instrument.ENPSID},
	{"Empowerment pulse", instrument.EmpowermentID},
	{"Engagement pulse", instrument.EngagementID},
}

// team is a team of the plan.
type team struct {
	name   string
	parent int // index of the parent team; -1 for the organisation
	// members are indices into world.people.
	members []int
	// culture is the team's lasting level of engagement.
	culture float64
	// rate is the recognitions each member receives in an ordinary week.
	rate float64
	// drivers are the team's offsets, on the share of the scale, for each
	// driver of the empowerment pulse.
	drivers map[string]float64
}

// person is a member of the plan.
type person struct {
	name, email string
	team        int
	role        org.Role
	// propensity is the chance of answering a week's pulses.
	propensity float64
	// level is the person's lasting offset of engagement.
	level float64
}

// task is one thing a member does in a week: an answer to one survey's
// pulse, or a recognition (survey -1).
type task struct {
	day    int // 0 for Monday to 4 for Friday
	person int
	survey int
	// level is the respondent's engagement this week; noise seeds the
	// spread of their item answers, so that answers do not depend on the
	// order in which tasks run.
	level   float64
	noise   uint64
	comment string
	// receiver, value and message make a recognition.
	receiver       int
	value, message string
}

// world is the plan of an organisation and the randomness that plans its
// weeks, one after another.
type world struct {
	rng    *rand.Rand
	teams  []team
	people []person
}

// seedStream is the second word of the plan's PCG state.
const seedStream = 0x656d70756c7365 // "empulse"

// newWorld plans the organisation of seed: OrgName, its departments and
// teams as in structure, with a leader in each department and team, an
// analyst, and about members people.
func newWorld(seed uint64) *world {
	rng := rand.New(rand.NewPCG(seed, seedStream))
	w := &world{rng: rng}
	names := newNamer(rng)
	add := func(name string, parent int) int {
		culture := rng.NormFloat64()
		t := team{name: name, parent: parent, culture: culture, rate: baseRate * math.Exp(cultureRate*culture),
			drivers: map[string]float64{}}
		for _, it := range mustBundled(instrument.EmpowermentID).Items {
			t.drivers[it.Feeds.Driver] = 0.06 * rng.NormFloat64()
		}
		w.teams = append(w.teams, t)
		return len(w.teams) - 1
	}
	join := func(ti int, role org.Role) {
		name, email := names.next()
		w.people = append(w.people, person{name: name, email: email, team: ti, role: role,
			propensity: 0.45 + 0.5*rng.Float64(), level: personNoise * rng.NormFloat64()})
		w.teams[ti].members = append(w.teams[ti].members, len(w.people)-1)
	}

	top := add(OrgName, -1)
	fixed, weights := 0, 0.0
	for _, d := range structure {
		fixed++ // the department's head
		for _, l := range d.teams {
			fixed += l.small
			weights += l.weight
		}
	}
	for _, d := range structure {
		di := add(d.name, top)
		join(di, org.RoleLeader)
		for _, l := range d.teams {
			ti := add(l.name, di)
			size := l.small
			if size == 0 {
				size = max(5, int(math.Round(l.weight/weights*float64(members-fixed))))
			}
			for i := range size {
				role := org.RoleEmployee
				switch {
				case i == 0:
					role = org.RoleLeader
				case i == 1 && l.name == analystTeam:
					role = org.RoleAnalyst
				}
				join(ti, role)
			}
		}
	}
	return w
}

// shown returns the members to show the demo with (see Org): the first
// employee of employeeTeam, the leader of leaderTeam, and the analyst.
func (w *world) shown() (employee, leader, analyst int) {
	employee, leader, analyst = -1, -1, -1
	for i, p := range w.people {
		team := w.teams[p.team].name
		switch {
		case employee < 0 && team == employeeTeam && p.role == org.RoleEmployee:
			employee = i
		case team == leaderTeam && p.role == org.RoleLeader:
			leader = i
		case p.role == org.RoleAnalyst:
			analyst = i
		}
	}
	return employee, leader, analyst
}

// mustBundled returns the bundled instrument id, which exists.
func mustBundled(id string) instrument.Definition {
	d, ok := instrument.BundledByID(id)
	if !ok {
		panic("demo: no bundled instrument " + id)
	}
	return d
}

// namer hands out distinct names in a shuffled order.
type namer struct {
	order []int
	used  int
}

// newNamer returns a namer shuffled by rng.
func newNamer(rng *rand.Rand) *namer {
	return &namer{order: rng.Perm(len(firstNames) * len(lastNames))}
}

// next returns the next name and its e-mail address.
func (n *namer) next() (name, email string) {
	i := n.order[n.used%len(n.order)]
	n.used++
	first, last := firstNames[i%len(firstNames)], lastNames[i/len(firstNames)]
	local := asciiFold(strings.ToLower(first) + "." + strings.ToLower(strings.ReplaceAll(last, " ", "")))
	return first + " " + last, local + "@" + EmailDomain
}

// folds spells the names' accented letters in ASCII, for e-mail addresses.
var folds = strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ü", "u")

// asciiFold returns s with its accented letters in ASCII.
func asciiFold(s string) string { return folds.Replace(s) }

// planWeek plans the next week: for every team, this week's recognition
// rate around its usual one, the recognitions its members receive, its
// engagement (raised by those recognitions: the planted effect), and the
// answers of its members, who answer or not as is their habit.
func (w *world) planWeek() []task {
	rng := w.rng
	var out []task
	given := map[int]int{} // recognitions given this week, per giver
	for ti := range w.teams {
		t := &w.teams[ti]
		n := len(t.members)
		if n == 0 {
			continue
		}
		rate := t.rate * math.Exp(rateShock*rng.NormFloat64()-rateShock*rateShock/2)
		received := poisson(rng, rate*float64(n))
		for range received {
			out = append(out, w.recognition(ti, given))
		}
		perMember := float64(received) / float64(n)
		engagement := cultureWeight*t.culture + recognitionEffect*(perMember-t.rate) + weekNoise*rng.NormFloat64()
		for _, pi := range t.members {
			p := &w.people[pi]
			if rng.Float64() >= min(0.97, max(0.05, p.propensity+0.05*engagement)) {
				continue
			}
			day := pickDay(rng)
			for s := range surveySpecs {
				if rng.Float64() >= answerAll {
					continue
				}
				level := engagement + p.level + answerNoise*rng.NormFloat64()
				out = append(out, task{day: day, person: pi, survey: s, level: level, noise: rng.Uint64(),
					comment: pickComment(rng, level)})
			}
		}
	}
	return out
}

// recognition plans a recognition received by a member of team ti: from a
// colleague of the same team mostly, else from anyone, within the givers'
// weekly allowance counted in given.
func (w *world) recognition(ti int, given map[int]int) task {
	rng := w.rng
	members := w.teams[ti].members
	receiver := members[rng.IntN(len(members))]
	giver := receiver
	for giver == receiver || given[giver] >= recognition.DefaultAllowance {
		if len(members) > 1 && rng.Float64() < sameTeamGiver {
			giver = members[rng.IntN(len(members))]
		} else {
			giver = rng.IntN(len(w.people))
		}
	}
	given[giver]++
	v := recognitionValues[rng.IntN(len(recognitionValues))]
	return task{day: rng.IntN(len(dayWeights)), person: giver, survey: -1, receiver: receiver,
		value: v.tag, message: v.messages[rng.IntN(len(v.messages))]}
}

// pickDay returns a weekday drawn by dayWeights.
func pickDay(rng *rand.Rand) int {
	u := rng.Float64()
	for d, p := range dayWeights {
		if u < p {
			return d
		}
		u -= p
	}
	return len(dayWeights) - 1
}

// pickComment returns a comment for someone at level, or "" for most
// answers.
func pickComment(rng *rand.Rand, level float64) string {
	if rng.Float64() >= commentChance {
		return ""
	}
	list := neutralComments
	switch {
	case level > 0.4:
		list = positiveComments
	case level < -0.4:
		list = negativeComments
	}
	return list[rng.IntN(len(list))]
}

// poisson returns a Poisson-distributed count with the given mean, by
// Knuth's method (fine for the small means here).
func poisson(rng *rand.Rand, mean float64) int {
	limit, p, k := math.Exp(-mean), rng.Float64(), 0
	for p > limit {
		p *= rng.Float64()
		k++
	}
	return k
}

// centre returns the share of the scale that an average person answers to
// a question of kind: WHO-5 near 62, eNPS near 0, drivers near 66.
func centre(kind instrument.FeedKind) float64 {
	switch kind {
	case instrument.FeedWellbeing:
		return 0.62
	case instrument.FeedENPS:
		return 0.76
	}
	return 0.66
}

// answer returns the values that someone at level, in a team with the given
// driver offsets, gives to questions; the item spread comes from noise.
func answer(questions []survey.Question, level float64, drivers map[string]float64, noise uint64) map[string]int {
	rng := rand.New(rand.NewPCG(noise, seedStream))
	out := make(map[string]int, len(questions))
	for _, q := range questions {
		share := centre(q.Feeds.Kind) + drivers[q.Feeds.Driver] + itemSlope*level + itemNoise*rng.NormFloat64()
		share = min(1, max(0, share))
		if q.Reverse {
			share = 1 - share
		}
		out[q.Key] = q.Min + int(math.Round(share*float64(q.Max-q.Min)))
	}
	return out
}
