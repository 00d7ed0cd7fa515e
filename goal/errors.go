package goal

import (
	"errors"
	"fmt"
)

// ErrDirection is what every *DirectionError is (errors.Is): an
// objective's direction is missing and cannot be inferred from its name,
// or is not "min" or "max".
var ErrDirection = errors.New("objective direction unknown")

// DirectionError says which objective has no usable direction.
type DirectionError struct {
	Objective string
	Direction Direction // empty when none was given
}

func (e *DirectionError) Error() string {
	if e.Direction == "" {
		return fmt.Sprintf("objective %q: cannot tell whether to minimize or maximize it", e.Objective)
	}
	return fmt.Sprintf("objective %q: direction %q must be %q or %q", e.Objective, e.Direction, Minimize, Maximize)
}

// Is reports whether target is ErrDirection.
func (e *DirectionError) Is(target error) bool { return target == ErrDirection }
