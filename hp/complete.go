package hp

import (
	"fmt"
	"maps"
	"slices"
)

// Complete checks user-given values against the space and returns them
// whole: each value in its canonical type (an int given for a float, a
// float on a grid step rounded onto it), and every active hyperparameter
// left out set to its default. A name the space does not hold is an error
// wrapping ErrUnknown; a value out of range, off the choices, or given to a
// hyperparameter its conditions make inactive, one wrapping ErrInvalid.
// Errors name the hyperparameter. v is not changed.
func (s *Space) Complete(v Values) (Values, error) {
	for _, name := range slices.Sorted(maps.Keys(v)) {
		if _, ok := s.Param(name); !ok {
			return nil, fmt.Errorf("hyperparameter %q: %w (the space has %s)", name, ErrUnknown, s.names())
		}
	}
	out := make(Values, len(s.params))
	for i := range s.params {
		p := &s.params[i]
		x, given := v[p.Name]
		active := s.conditionsHold(p.Conditions, out)
		switch {
		case !active && given:
			return nil, p.errorf("has a value but is inactive under the other values")
		case !active:
		case !given:
			out[p.Name] = p.Default
		default:
			c, err := p.canonical(x)
			if err != nil {
				return nil, p.errorf("%v", err)
			}
			out[p.Name] = c
		}
	}
	return out, nil
}

// names lists the space's hyperparameter names for an error message.
func (s *Space) names() string {
	if len(s.params) == 0 {
		return "none yet"
	}
	names := make([]string, len(s.params))
	for i, p := range s.params {
		names[i] = p.Name
	}
	return fmt.Sprintf("%q", names)
}
