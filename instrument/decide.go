package instrument

import "github.com/empulse/empulse/apperr"

// DecideDefine returns the Defined event for a custom definition d, or an
// *apperr.Error: Invalid as Validate says, Conflict (field "id") when d's id
// is a bundled instrument's or exists already.
func DecideDefine(exists bool, d Definition) (Defined, error) {
	if err := Validate(d); err != nil {
		return Defined{}, err
	}
	if _, bundled := BundledByID(d.ID); bundled || exists {
		return Defined{}, &apperr.Error{Code: apperr.Conflict, Field: "id", Message: "an instrument with this id exists"}
	}
	d.Bundled = false
	return Defined{Definition: d}, nil
}
