package hp

import "errors"

var (
	// ErrInvalid is wrapped by every error about a bad hyperparameter
	// definition or value.
	ErrInvalid = errors.New("invalid hyperparameter")

	// ErrConflict is returned when a name is registered again with a
	// different definition.
	ErrConflict = errors.New("hyperparameter redefined")

	// ErrUnknown is returned for a value whose name is not in the space.
	ErrUnknown = errors.New("unknown hyperparameter")
)
