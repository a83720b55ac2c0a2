package instrument

// The ids of the bundled instruments.
const (
	WHO5ID        = "who5"
	ENPSID        = "enps"
	EmpowermentID = "empowerment"
	EngagementID  = "engagement"
)

// Bundled returns the instruments that ship with Empulse, in a fixed order:
// WHO-5, eNPS, the empowerment pulse and the engagement pulse. Each call
// returns fresh values.
func Bundled() []Definition {
	return []Definition{who5(), enps(), empowerment(), engagement()}
}

// BundledByID returns the bundled instrument with the given id and true, or
// false.
func BundledByID(id string) (Definition, bool) {
	for _, d := range Bundled() {
		if d.ID == id {
			return d, true
		}
	}
	return Definition{}, false
}

// who5 is the WHO-5 Well-Being Index (WHO, 1998; free to use), about the
// last two weeks, 0 "at no time" to 5 "all of the time". Score: raw sum x 4.
func who5() Definition {
	wb := Feed{Kind: FeedWellbeing}
	return Definition{
		ID: WHO5ID, Name: "WHO-5 Well-Being Index", Validated: true, Bundled: true,
		Source: "World Health Organization, 1998; free to use. Over the last two weeks. Score = raw sum x 4 (0-100).",
		Scale: Scale{Min: 0, Max: 5, Labels: map[string]ScaleLabels{
			"en": {Min: "At no time", Max: "All of the time"},
			"nl": {Min: "Nooit", Max: "De hele tijd"},
		}},
		Items: []Item{
			{ID: "cheerful", Feeds: wb, Text: map[string]string{
				"en": "I have felt cheerful and in good spirits",
				"nl": "Ik voelde me vrolijk en goedgehumeurd"}},
			{ID: "calm", Feeds: wb, Text: map[string]string{
				"en": "I have felt calm and relaxed",
				"nl": "Ik voelde me rustig en ontspannen"}},
			{ID: "active", Feeds: wb, Text: map[string]string{
				"en": "I have felt active and vigorous",
				"nl": "Ik voelde me actief en energiek"}},
			{ID: "rested", Feeds: wb, Text: map[string]string{
				"en": "I woke up feeling fresh and rested",
				"nl": "Ik voelde me fris en uitgerust toen ik wakker werd"}},
			{ID: "interest", Feeds: wb, Text: map[string]string{
				"en": "My daily life has been filled with things that interest me",
				"nl": "Mijn dagelijks leven was gevuld met dingen die mij interesseren"}},
		},
	}
}

// enps is the employee Net Promoter Score question, 0-10.
func enps() Definition {
	return Definition{
		ID: ENPSID, Name: "Employee Net Promoter Score", Validated: true, Bundled: true,
		Source: "eNPS = % promoters (9-10) - % detractors (0-6).",
		Scale: Scale{Min: 0, Max: 10, Labels: map[string]ScaleLabels{
			"en": {Min: "Not at all likely", Max: "Extremely likely"},
			"nl": {Min: "Zeer onwaarschijnlijk", Max: "Zeer waarschijnlijk"},
		}},
		Items: []Item{{ID: "recommend", Feeds: Feed{Kind: FeedENPS}, Text: map[string]string{
			"en": "How likely are you to recommend this organisation as a place to work?",
			"nl": "Hoe waarschijnlijk is het dat je deze organisatie aanbeveelt als werkgever?"}}},
	}
}

// empowerment is the project's own pulse on the themes of empowering
// leadership, in its own words. It is not validated.
func empowerment() Definition {
	driver := func(name string) Feed { return Feed{Kind: FeedDriver, Driver: name} }
	return Definition{
		ID: EmpowermentID, Name: "Empowerment pulse (not validated)", Validated: false, Bundled: true,
		Source: "Written by the Empulse project; not validated. Themes: ownership, clear frameworks, leadership by example, suitable tools, feedback and recognition, digital skills.",
		Scale: Scale{Min: 1, Max: 5, Labels: map[string]ScaleLabels{
			"en": {Min: "Strongly disagree", Max: "Strongly agree"},
			"nl": {Min: "Helemaal oneens", Max: "Helemaal eens"},
		}},
		Items: []Item{
			{ID: "ownership", Feeds: driver("ownership"), Text: map[string]string{
				"en": "I can decide for myself how I do my work",
				"nl": "Ik mag zelf bepalen hoe ik mijn werk aanpak"}},
			{ID: "frameworks", Feeds: driver("clear_frameworks"), Text: map[string]string{
				"en": "I know which goals and boundaries my decisions have to respect",
				"nl": "Ik weet binnen welke doelen en grenzen ik zelf beslissingen neem"}},
			{ID: "example", Feeds: driver("leadership_by_example"), Text: map[string]string{
				"en": "My manager does what they ask of others",
				"nl": "Mijn leidinggevende doet zelf wat hij of zij van anderen vraagt"}},
			{ID: "tools", Feeds: driver("suitable_tools"), Text: map[string]string{
				"en": "I have the tools I need to do my work well",
				"nl": "Ik heb de middelen die ik nodig heb om mijn werk goed te doen"}},
			{ID: "feedback", Feeds: driver("feedback_recognition"), Text: map[string]string{
				"en": "I regularly hear what goes well in my work and what could be better",
				"nl": "Ik hoor regelmatig wat goed gaat in mijn werk en wat beter kan"}},
			{ID: "digital", Feeds: driver("digital_skills"), Text: map[string]string{
				"en": "I feel confident using the digital tools my work requires",
				"nl": "Ik voel me zeker bij het gebruik van de digitale middelen die mijn werk vraagt"}},
		},
	}
}

// engagement is the project's own short engagement pulse, in its own words,
// on the themes the engagement literature names: looking forward to work
// (vigour), work that matters (dedication), and full effort (absorption).
// It is not validated. Validated scales such as UWES are free only for
// non-commercial research, so an administrator who has the right loads one
// as a custom instrument instead.
func engagement() Definition {
	eng := Feed{Kind: FeedEngagement}
	return Definition{
		ID: EngagementID, Name: "Engagement pulse (not validated)", Validated: false, Bundled: true,
		Source: "Written by the Empulse project; not validated. Themes: looking forward to work, work that matters, full effort. Score = mean on 0-100.",
		Scale: Scale{Min: 1, Max: 5, Labels: map[string]ScaleLabels{
			"en": {Min: "Strongly disagree", Max: "Strongly agree"},
			"nl": {Min: "Helemaal oneens", Max: "Helemaal eens"},
		}},
		Items: []Item{
			{ID: "forward", Feeds: eng, Text: map[string]string{
				"en": "I look forward to starting my working day",
				"nl": "Ik kijk ernaar uit om aan mijn werkdag te beginnen"}},
			{ID: "matters", Feeds: eng, Text: map[string]string{
				"en": "The work I do matters to me",
				"nl": "Het werk dat ik doe doet ertoe voor mij"}},
			{ID: "effort", Feeds: eng, Text: map[string]string{
				"en": "I give my work my full attention",
				"nl": "Ik geef mijn werk mijn volle aandacht"}},
		},
	}
}
