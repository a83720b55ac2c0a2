package instrument

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/empulse/empulse/apperr"
	"github.com/empulse/empulse/strictjson"
)

// Limits on custom instruments.
const (
	MaxItems    = 50
	MaxText     = 500
	MaxName     = 100
	MaxSource   = 500
	MinScaleMin = -100
	MaxScaleMax = 100
)

var (
	idPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)
	langPattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Z]{2})?$`)
)

// ValidID reports whether id may name an instrument, item or driver: 1 to 40
// lower-case letters, digits, '_' or '-', starting with a letter or digit.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// Parse decodes a custom instrument definition from JSON with strictjson,
// rejecting unknown fields, and validates it. It returns the definition or an Invalid
// *apperr.Error whose field names the offending part, such as
// "items[2].text.nl" or "scale.max". The JSON fields are those of
// Definition; "bundled" is refused.
func Parse(data []byte) (Definition, error) {
	var d Definition
	if err := strictjson.Decode(data, &d, "definition"); err != nil {
		return Definition{}, err
	}
	if d.Bundled {
		return Definition{}, apperr.Field("bundled", "custom instruments cannot be bundled")
	}
	return d, Validate(d)
}

// Validate checks a custom definition and returns an Invalid *apperr.Error
// naming the first offending field, or nil.
func Validate(d Definition) error {
	switch {
	case !ValidID(d.ID):
		return apperr.Field("id", "must be 1 to 40 characters: a-z, 0-9, '_' or '-'")
	case utf8.RuneCountInString(strings.TrimSpace(d.Name)) == 0 || utf8.RuneCountInString(d.Name) > MaxName:
		return apperr.Field("name", "must be 1 to %d characters", MaxName)
	case utf8.RuneCountInString(d.Source) > MaxSource:
		return apperr.Field("source", "must be at most %d characters", MaxSource)
	case d.Scale.Min < MinScaleMin:
		return apperr.Field("scale.min", "must be at least %d", MinScaleMin)
	case d.Scale.Max > MaxScaleMax:
		return apperr.Field("scale.max", "must be at most %d", MaxScaleMax)
	case d.Scale.Max <= d.Scale.Min:
		return apperr.Field("scale.max", "must be greater than scale.min")
	case len(d.Items) == 0 || len(d.Items) > MaxItems:
		return apperr.Field("items", "must hold 1 to %d items", MaxItems)
	}
	for lang, l := range d.Scale.Labels {
		if !langPattern.MatchString(lang) {
			return apperr.Field("scale.labels."+lang, "must be keyed by a language code such as en or nl")
		}
		if utf8.RuneCountInString(l.Min) > MaxText || utf8.RuneCountInString(l.Max) > MaxText {
			return apperr.Field("scale.labels."+lang, "labels must be at most %d characters", MaxText)
		}
	}
	seen := map[string]bool{}
	for i, it := range d.Items {
		f := fmt.Sprintf("items[%d]", i)
		if !ValidID(it.ID) {
			return apperr.Field(f+".id", "must be 1 to 40 characters: a-z, 0-9, '_' or '-'")
		}
		if seen[it.ID] {
			return apperr.Field(f+".id", "repeats item %q", it.ID)
		}
		seen[it.ID] = true
		if len(it.Text) == 0 {
			return apperr.Field(f+".text", "must hold the item in at least one language")
		}
		for lang, text := range it.Text {
			if !langPattern.MatchString(lang) {
				return apperr.Field(f+".text."+lang, "must be keyed by a language code such as en or nl")
			}
			if n := utf8.RuneCountInString(strings.TrimSpace(text)); n == 0 || n > MaxText {
				return apperr.Field(f+".text."+lang, "must be 1 to %d characters", MaxText)
			}
		}
		if err := validateFeed(f+".feeds", it.Feeds, d.Scale); err != nil {
			return err
		}
	}
	return nil
}

// validateFeed checks one item's feed.
func validateFeed(field string, f Feed, s Scale) error {
	switch f.Kind {
	case FeedEngagement, FeedWellbeing:
		if f.Driver != "" {
			return apperr.Field(field+".driver", "only for kind driver")
		}
	case FeedENPS:
		if s.Min != 0 || s.Max != 10 {
			return apperr.Field(field+".kind", "enps needs a 0-10 scale")
		}
	case FeedDriver:
		if !ValidID(f.Driver) {
			return apperr.Field(field+".driver", "must name the driver: 1 to 40 characters a-z, 0-9, '_' or '-'")
		}
	default:
		return apperr.Field(field+".kind", "must be engagement, wellbeing, enps or driver")
	}
	return nil
}
