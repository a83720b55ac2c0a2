package instrument

import "github.com/empulse/empulse/events"

// FeedKind names the kind of score an item feeds.
type FeedKind string

// The kinds of score.
const (
	FeedEngagement FeedKind = "engagement"
	FeedWellbeing  FeedKind = "wellbeing"
	FeedENPS       FeedKind = "enps"
	FeedDriver     FeedKind = "driver"
)

// Feed is the score an item feeds. Driver names the driver when Kind is
// FeedDriver and is empty otherwise.
type Feed struct {
	Kind   FeedKind `json:"kind"`
	Driver string   `json:"driver,omitempty"`
}

// Scale is the range of whole-number answers an instrument's items take.
type Scale struct {
	Min int `json:"min" strictjson:"required"`
	Max int `json:"max" strictjson:"required"`
	// Labels, optional, name the ends of the scale per language.
	Labels map[string]ScaleLabels `json:"labels,omitempty"`
}

// ScaleLabels name the two ends of a scale in one language.
type ScaleLabels struct {
	Min string `json:"min"`
	Max string `json:"max"`
}

// Item is one question or statement.
type Item struct {
	// ID is unique within its instrument.
	ID string `json:"id"`
	// Text holds the item's wording per language code ("en", "nl", ...).
	Text map[string]string `json:"text"`
	// Reverse marks a reverse-scored item: a high answer means a low score.
	Reverse bool `json:"reverse,omitempty"`
	// Feeds is the score the item counts towards.
	Feeds Feed `json:"feeds"`
}

// Definition is an instrument.
type Definition struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Validated is true only for instruments validated in the literature.
	// The UI labels others "not validated".
	Validated bool `json:"validated"`
	// Source says where the instrument comes from or what its licence is.
	Source string `json:"source,omitempty"`
	Scale  Scale  `json:"scale"`
	Items  []Item `json:"items"`
	// Bundled is true for the instruments that ship with Empulse.
	Bundled bool `json:"bundled,omitempty"`
}

// Item returns the item with the given id and true, or false.
func (d Definition) Item(id string) (Item, bool) {
	for _, it := range d.Items {
		if it.ID == id {
			return it, true
		}
	}
	return Item{}, false
}

// Rescale returns answer v to item it on d's scale as a score from 0 to 100,
// reversed for a reverse-scored item. For WHO-5 (0-5) the mean of the five
// rescaled items equals the official raw sum x 4.
func (d Definition) Rescale(it Item, v int) float64 {
	x := float64(v-d.Scale.Min) / float64(d.Scale.Max-d.Scale.Min) * 100
	if it.Reverse {
		x = 100 - x
	}
	return x
}

// ENPSCategory is the eNPS group of an answer on 0-10.
type ENPSCategory string

// The eNPS groups.
const (
	Promoter  ENPSCategory = "promoter"
	Passive   ENPSCategory = "passive"
	Detractor ENPSCategory = "detractor"
)

// CategoryENPS returns the eNPS group of an answer v on 0-10: promoters
// answer 9-10, passives 7-8, detractors 0-6.
func CategoryENPS(v int) ENPSCategory {
	switch {
	case v >= 9:
		return Promoter
	case v >= 7:
		return Passive
	}
	return Detractor
}

// ENPS returns the eNPS of answers on 0-10: the percentage of promoters minus
// the percentage of detractors, from -100 to 100. It returns 0 for no answers.
func ENPS(answers []int) float64 {
	if len(answers) == 0 {
		return 0
	}
	var pro, det int
	for _, v := range answers {
		switch CategoryENPS(v) {
		case Promoter:
			pro++
		case Detractor:
			det++
		}
	}
	return float64(pro-det) * 100 / float64(len(answers))
}

// WHO5 returns the WHO-5 Well-Being Index of the five raw answers on 0-5:
// their sum times 4, from 0 to 100 (not (sum-5) x 4).
func WHO5(raw [5]int) int {
	sum := 0
	for _, v := range raw {
		sum += v
	}
	return sum * 4
}

// Stream returns the name of the stream that defines custom instrument id.
func Stream(id string) string { return "instrument-" + id }

// Defined records a custom instrument.
type Defined struct {
	Definition Definition `json:"definition"`
}

// CatalogStream returns the name of the stream that lists organisation
// org's custom instruments.
func CatalogStream(org string) string { return "instruments-" + org }

// Listed records a custom instrument in its organisation's catalog stream.
type Listed struct {
	ID string `json:"id"`
}

// The event type names.
const (
	TypeDefined = "InstrumentDefined"
	TypeListed  = "InstrumentListed"
)

// EventType returns the event's type name.
func (Defined) EventType() string { return TypeDefined }

// EventType returns the event's type name.
func (Listed) EventType() string { return TypeListed }

// Register registers the package's event types in r.
func Register(r *events.Registry) {
	events.Register[Defined](r, TypeDefined)
	events.Register[Listed](r, TypeListed)
}
