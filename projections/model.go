package projections

import (
	"sort"
	"time"
	"unsafe"

	"github.com/empulse/empulse/events"
	"github.com/empulse/empulse/instrument"
	"github.com/empulse/empulse/org"
	"github.com/empulse/empulse/recognition"
	"github.com/empulse/empulse/survey"
)

// Filter selects the events the projection folds: teams and members,
// surveys and pulses, answers and recognitions.
var Filter = events.Filter{TypePrefixes: []string{"Team", "Member", "Survey", "Pulse", "Answer", "Recognition"}}

// teamRec is a team as the projection knows it.
type teamRec struct {
	Name    string `json:"name"`
	Parent  string `json:"parent,omitempty"`
	Seq     int    `json:"seq"`     // creation order
	Members int64  `json:"members"` // current direct members
	// children is rebuilt from Parent and Seq; it is not saved.
	children []string
}

// surveyRec is a survey's scope and minimum group size.
type surveyRec struct {
	Team string `json:"team"`
	K    int    `json:"k"`
}

// question is what scoring needs of one question.
type question struct {
	Kind    instrument.FeedKind `json:"kind"`
	Driver  string              `json:"driver,omitempty"`
	Min     int64               `json:"min"`
	D       int64               `json:"d"`
	Reverse bool                `json:"reverse,omitempty"`
	WHO5    bool                `json:"who5,omitempty"`
}

// pulseRec is a pulse: its survey, the ISO week it opened in, and its
// questions by key.
type pulseRec struct {
	Survey    string              `json:"survey"`
	Week      Week                `json:"week"`
	Questions map[string]question `json:"questions"`

	// survey is the pulse's survey; qs are Questions in key order, for
	// lookups that need no hashing. Both are derived, not saved.
	survey *surveyRec
	qs     []keyedQuestion
}

// keyedQuestion is a question with its key.
type keyedQuestion struct {
	key string
	q   question
}

// derive fills p's derived fields from s.
func (p *pulseRec) derive(s *state) {
	p.survey = s.surveys[p.Survey]
	if p.survey == nil {
		p.survey = &surveyRec{}
	}
	p.qs = p.qs[:0]
	for _, k := range sortedKeys(p.Questions) {
		p.qs = append(p.qs, keyedQuestion{k, p.Questions[k]})
	}
}

// question returns the question with key, trying position hint first
// (answers list their values in key order), and its position.
func (p *pulseRec) question(key []byte, hint int) (question, int, bool) {
	if hint < len(p.qs) && p.qs[hint].key == string(key) {
		return p.qs[hint].q, hint, true
	}
	for i := range p.qs {
		if p.qs[i].key == string(key) {
			return p.qs[i].q, i, true
		}
	}
	return question{}, 0, false
}

// receivedRec is a recognition a member received, its message still
// sealed with the giver's key.
type receivedRec struct {
	Recognition string `json:"recognition"`
	Giver       string `json:"giver"`
	Value       string `json:"value"`
	Message     []byte `json:"message"`
	Week        string `json:"week"`
	Day         string `json:"day"`
}

// cellKey names a cell.
type cellKey struct {
	Team string
	Week Week
}

// state is the projection's fold: everything it keeps, and which parts
// changed since the last save. It is not safe for concurrent use; the
// Runner guards it.
type state struct {
	teams    map[string]*teamRec
	roots    []string // top-level teams in creation order
	members  map[string]string
	surveys  map[string]*surveyRec
	pulses   map[string]*pulseRec
	weeks    map[Week]*weekCells
	received map[string][]receivedRec
	// days caches the ISO week of each answer day met.
	days map[string]Week
	// raw is the answer being folded, reused.
	raw answerRaw
	// orgGen counts changes of teams and members, which every week's
	// view depends on.
	orgGen uint64

	dirtyTeams    map[string]bool
	dirtyMembers  map[string]bool
	dirtySurveys  map[string]bool
	dirtyPulses   map[string]bool
	dirtyCells    []cellKey      // cells whose dirty flag is set
	dirtyReceived map[string]int // receiver -> first unsaved index
	// dirtyErased are the erased receivers whose saved recognitions are
	// to be deleted, before any saved since.
	dirtyErased map[string]bool
}

// newState returns an empty state.
func newState() *state {
	s := &state{teams: map[string]*teamRec{}, members: map[string]string{}, surveys: map[string]*surveyRec{},
		pulses: map[string]*pulseRec{}, weeks: map[Week]*weekCells{}, received: map[string][]receivedRec{},
		days: map[string]Week{}}
	s.clean()
	return s
}

// clean forgets which parts changed.
func (s *state) clean() {
	s.dirtyTeams, s.dirtyMembers, s.dirtySurveys, s.dirtyPulses = map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	s.dirtyCells, s.dirtyReceived, s.dirtyErased = s.dirtyCells[:0], map[string]int{}, map[string]bool{}
}

// dirty reports how many parts changed since the last save.
func (s *state) dirty() int {
	return len(s.dirtyTeams) + len(s.dirtyMembers) + len(s.dirtySurveys) + len(s.dirtyPulses) + len(s.dirtyCells) +
		len(s.dirtyReceived) + len(s.dirtyErased)
}

// changes returns the team-weeks of the changed cells and of every team
// above them, each once, in the order met.
func (s *state) changes() []Change {
	seen := make(map[cellKey]bool, len(s.dirtyCells))
	var out []Change
	for _, k := range s.dirtyCells {
		for team := k.Team; team != ""; {
			ck := cellKey{team, k.Week}
			if seen[ck] {
				break // its ancestors are in too
			}
			seen[ck] = true
			out = append(out, Change{Team: team, Week: k.Week})
			t := s.teams[team]
			if t == nil {
				break
			}
			team = t.Parent
		}
	}
	return out
}

// link rebuilds the children lists and roots from the teams' parents, in
// creation order. As in the fold, a team whose parent was not created
// before it is a top-level team: otherwise a corrupt or foreign log could
// make a cycle of parents, which walking the hierarchy would never leave.
func (s *state) link() {
	ids := make([]string, 0, len(s.teams))
	for id, t := range s.teams {
		t.children = nil
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return s.teams[ids[i]].Seq < s.teams[ids[j]].Seq })
	for _, p := range s.pulses {
		p.derive(s)
	}
	s.roots = nil
	for _, id := range ids {
		t := s.teams[id]
		if p, ok := s.teams[t.Parent]; ok && p.Seq < t.Seq {
			p.children = append(p.children, id)
		} else {
			s.roots = append(s.roots, id)
		}
	}
}

// weekCells are the cells of one week by team, and a count of their
// changes, to invalidate cached views of the week.
type weekCells struct {
	gen   uint64
	cells map[string]*cell
}

// weekOf returns the week's cells, adding them if needed.
func (s *state) weekOf(week Week) *weekCells {
	wc := s.weeks[week]
	if wc == nil {
		wc = &weekCells{cells: map[string]*cell{}}
		s.weeks[week] = wc
	}
	return wc
}

// cell returns the cell of team in week, adding it if needed, and marks it
// changed. team may alias event data: it is copied when kept.
func (s *state) cell(team []byte, week Week) *cell {
	wc := s.weekOf(week)
	c := wc.cells[string(team)]
	if c == nil {
		c = &cell{}
		wc.cells[string(team)] = c
	}
	wc.gen++
	if !c.dirty {
		c.dirty = true
		s.dirtyCells = append(s.dirtyCells, cellKey{string(team), week})
	}
	return c
}

// cellS is cell for a team id held as a string.
func (s *state) cellS(team string, week Week) *cell { return s.cell(unsafeBytes(team), week) }

// weekOfDay returns the ISO week of an answer's day, cached.
func (s *state) weekOfDay(day []byte) (Week, bool) {
	if w, ok := s.days[string(day)]; ok {
		return w, true
	}
	w, ok := weekOfDay(string(day))
	if ok && len(s.days) < 10000 {
		s.days[string(day)] = w
	}
	return w, ok
}

// subtree returns root and every team under it, parents first.
func (s *state) subtree(root string) []string {
	if _, ok := s.teams[root]; !ok {
		return nil
	}
	out := []string{root}
	for i := 0; i < len(out); i++ {
		out = append(out, s.teams[out[i]].children...)
	}
	return out
}

// apply folds one event. Events it cannot use (unknown types, undecodable
// data, answers to unknown pulses) are skipped: a projection must not stop
// on one bad event, and skipping is deterministic, so rebuilds agree.
func (s *state) apply(e *events.Event) {
	switch e.Type {
	case org.TypeTeamCreated:
		var v teamCreated
		if decode(e.Data, &v) != nil || v.Team == "" || s.teams[v.Team] != nil {
			return
		}
		// A parent not created before (or the team itself, which only a
		// corrupt event names) leaves the team at the top, as link does.
		p, ok := s.teams[v.Parent]
		s.teams[v.Team] = &teamRec{Name: v.Name, Parent: v.Parent, Seq: len(s.teams)}
		if ok {
			p.children = append(p.children, v.Team)
		} else {
			s.roots = append(s.roots, v.Team)
		}
		s.dirtyTeams[v.Team] = true
		s.orgGen++
	case org.TypeMemberJoined:
		var v memberJoined
		if decode(e.Data, &v) != nil || v.Member == "" {
			return
		}
		s.moveMember(v.Member, v.Team)
	case org.TypeMemberMoved:
		var v memberMoved
		if decode(e.Data, &v) != nil || v.Member == "" {
			return
		}
		s.moveMember(v.Member, v.To)
	case org.TypeMemberErased:
		var v memberErased
		if decode(e.Data, &v) != nil || v.Member == "" {
			return
		}
		s.eraseMember(v.Member)
	case survey.TypeCreated:
		var v surveyCreated
		if decode(e.Data, &v) != nil || v.Survey == "" {
			return
		}
		s.surveys[v.Survey] = &surveyRec{Team: v.Team, K: v.K}
		s.dirtySurveys[v.Survey] = true
	case survey.TypeKChanged:
		var v kChanged
		if decode(e.Data, &v) != nil {
			return
		}
		if sv := s.surveys[v.Survey]; sv != nil {
			sv.K = v.K
			s.dirtySurveys[v.Survey] = true
		}
	case survey.TypePulseOpened:
		var v pulseOpened
		if decode(e.Data, &v) != nil {
			return
		}
		s.openPulse(&v)
	case survey.TypeAnswerSubmitted:
		if decodeAnswer(e.Data, &s.raw) != nil {
			return
		}
		s.answer(&s.raw)
	case recognition.TypeGiven:
		var v recognitionGiven
		if decode(e.Data, &v) != nil {
			return
		}
		s.recognise(&v)
	}
}

// moveMember puts member in team (leaving their previous team, if any).
func (s *state) moveMember(member, team string) {
	s.orgGen++
	if old, ok := s.members[member]; ok {
		if t := s.teams[old]; t != nil {
			t.Members--
			s.dirtyTeams[old] = true
		}
	}
	s.members[member] = team
	s.dirtyMembers[member] = true
	if t := s.teams[team]; t != nil {
		t.Members++
		s.dirtyTeams[team] = true
	}
}

// eraseMember takes an erased member out of their team, as a departure
// would, and forgets the recognitions they received, whose messages are
// about them. What they answered stays in the cells: answers carry a
// pseudonym, never the member, so past weeks keep their figures.
func (s *state) eraseMember(member string) {
	team, ok := s.members[member]
	if !ok {
		return
	}
	s.orgGen++
	if t := s.teams[team]; t != nil {
		t.Members--
		s.dirtyTeams[team] = true
	}
	delete(s.members, member)
	s.dirtyMembers[member] = true
	if len(s.received[member]) > 0 {
		delete(s.received, member)
		delete(s.dirtyReceived, member)
		s.dirtyErased[member] = true
	}
}

// openPulse records a pulse and invites the members of every team the
// survey covers, as they are when it opens: each team's cell of the
// pulse's week counts its direct members as invited.
func (s *state) openPulse(v *pulseOpened) {
	sv := s.surveys[v.Survey]
	if sv == nil || v.Pulse == "" {
		return
	}
	p := &pulseRec{Survey: v.Survey, Week: WeekOf(v.OpenedAt), Questions: make(map[string]question, len(v.Questions))}
	for _, q := range v.Questions {
		if q.Max <= q.Min {
			continue
		}
		p.Questions[q.Key] = question{Kind: q.Feeds.Kind, Driver: q.Feeds.Driver, Min: int64(q.Min), D: int64(q.Max - q.Min),
			Reverse: q.Reverse, WHO5: q.Instrument == instrument.WHO5ID}
	}
	p.derive(s)
	s.pulses[v.Pulse] = p
	s.dirtyPulses[v.Pulse] = true
	for _, team := range s.subtree(sv.Team) {
		if n := s.teams[team].Members; n > 0 {
			c := s.cellS(team, p.Week)
			c.Invited += n
			c.K = max(c.K, sv.K)
		}
	}
}

// answer folds one answer into its team's cell of the answer's week (by
// its day), and its participation into the cell of the pulse's week, and
// releases what those cells may show.
func (s *state) answer(v *answerRaw) {
	p := s.pulses[string(v.pulse)]
	if p == nil {
		return
	}
	week, ok := s.weekOfDay(v.day)
	if !ok || len(v.team) == 0 {
		return
	}
	k := p.survey.K
	c := s.cell(v.team, week)
	c.K = max(c.K, k)
	c.Answers++
	var eng, wb, enps bool
	var who5n, who5sum int64
	var drivers [8]string
	nd := 0
	hint := 0
	for _, val := range v.values {
		q, at, ok := p.question(val.key, hint)
		if !ok {
			continue
		}
		hint = at + 1
		x := int64(val.value) - q.Min
		if x < 0 || x > q.D {
			continue
		}
		if q.Reverse {
			x = q.D - x
		}
		switch q.Kind {
		case instrument.FeedEngagement:
			c.Engagement.add(x, q.D)
			eng = true
		case instrument.FeedWellbeing:
			c.Wellbeing.add(x, q.D)
			wb = true
			if q.WHO5 {
				who5n++
				who5sum += int64(val.value)
			}
		case instrument.FeedENPS:
			if enps {
				continue // one eNPS answer per respondent
			}
			enps = true
			c.ENPSN++
			switch {
			case x*10 >= 9*q.D:
				c.Promoters++
			case x*10 <= 6*q.D:
				c.Detractors++
			}
		case instrument.FeedDriver:
			a := c.driver(q.Driver)
			a.add(x, q.D)
			seen := false
			for _, d := range drivers[:nd] {
				seen = seen || d == q.Driver
			}
			if !seen {
				a.N++
				if nd < len(drivers) {
					drivers[nd] = q.Driver
					nd++
				}
			}
		}
	}
	if eng {
		c.Engagement.N++
	}
	if wb {
		c.Wellbeing.N++
	}
	if who5n == 5 {
		c.WHO5N++
		if who5sum*4 <= 50 {
			c.WHO5Low++
		}
	}
	if len(v.comment) > 0 {
		c.Comments = append(c.Comments, comment{Pulse: string(v.pulse), Respondent: string(v.respondent),
			Sealed: append([]byte(nil), v.comment...)})
	}
	// The pulse-week cell counts the participation. An answer whose day
	// lies after the pulse's week comes after that week has ended: the
	// cell is first settled to what the end of the week shows (see
	// release.go).
	pc := s.cell(v.team, p.Week)
	if week > p.Week {
		pc.release(boundaryMin)
	}
	pc.Respondents++
	pc.K = max(pc.K, k)
	c.release(releaseStep(c.K))
	if pc != c {
		pc.release(releaseStep(pc.K))
	}
}

// recognise counts a recognition for the giver's and the receiver's teams
// (as they are when it is given) and keeps it for the receiver, unless the
// receiver is not, or no longer, a member (erased while it was given).
func (s *state) recognise(v *recognitionGiven) {
	if !recognition.ValidWeek(v.Week) || v.Receiver == "" {
		return
	}
	week := Week(v.Week)
	if t, ok := s.members[v.Giver]; ok {
		s.cellS(t, week).Given++
	}
	t, ok := s.members[v.Receiver]
	if !ok {
		return
	}
	s.cellS(t, week).Received++
	list := s.received[v.Receiver]
	if _, dirty := s.dirtyReceived[v.Receiver]; !dirty {
		s.dirtyReceived[v.Receiver] = len(list)
	}
	s.received[v.Receiver] = append(list, receivedRec{Recognition: v.Recognition, Giver: v.Giver, Value: v.Value,
		Message: v.Message, Week: v.Week, Day: v.Day})
}

// The event data the projection reads: only the fields it needs, so that
// decoding skips the rest (sealed names, token hashes, question texts).
type (
	teamCreated struct {
		Team   string `json:"team"`
		Name   string `json:"name"`
		Parent string `json:"parent"`
	}
	memberJoined struct {
		Member string `json:"member"`
		Team   string `json:"team"`
	}
	memberMoved struct {
		Member string `json:"member"`
		To     string `json:"to"`
	}
	memberErased struct {
		Member string `json:"member"`
	}
	surveyCreated struct {
		Survey string `json:"survey"`
		Team   string `json:"team"`
		K      int    `json:"k"`
	}
	kChanged struct {
		Survey string `json:"survey"`
		K      int    `json:"k"`
	}
	pulseQuestion struct {
		Key        string          `json:"key"`
		Instrument string          `json:"instrument"`
		Min        int             `json:"min"`
		Max        int             `json:"max"`
		Reverse    bool            `json:"reverse"`
		Feeds      instrument.Feed `json:"feeds"`
	}
	pulseOpened struct {
		Survey    string          `json:"survey"`
		Pulse     string          `json:"pulse"`
		Questions []pulseQuestion `json:"questions"`
		OpenedAt  time.Time       `json:"opened_at"`
	}
	answerValue struct {
		Key   string `json:"key"`
		Value int    `json:"value"`
	}
	answerSubmitted struct {
		Pulse      string        `json:"pulse"`
		Respondent string        `json:"respondent"`
		Team       string        `json:"team"`
		Day        string        `json:"day"`
		Values     []answerValue `json:"values"`
		Comment    []byte        `json:"comment"`
	}
	recognitionGiven struct {
		Recognition string `json:"recognition"`
		Giver       string `json:"giver"`
		Receiver    string `json:"receiver"`
		Value       string `json:"value"`
		Message     []byte `json:"message"`
		Week        string `json:"week"`
		Day         string `json:"day"`
	}
)

// unsafeBytes returns s's bytes without copying; they must not be
// changed.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
