package hp

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalid is wrapped by every error about a bad hyperparameter
	// definition or value.
	ErrInvalid = errors.New("invalid hyperparameter")

	// ErrConflict is returned when a name is registered again with a
	// different definition.
	ErrConflict = errors.New("hyperparameter redefined")

	// ErrNewEntry is returned when a build declares a hyperparameter that
	// predefined Entries lack and refuse (allow_new_entries false).
	ErrNewEntry = errors.New("new hyperparameter not allowed")

	// ErrUnknown is returned for a value whose name is not in the space.
	ErrUnknown = errors.New("unknown hyperparameter")
)

// Error is an error about one hyperparameter: the name and what is wrong,
// so that a caller (the study file's reader) can place it without reading
// the message. It wraps ErrInvalid, ErrConflict or ErrUnknown, or the
// error of a value that does not parse.
type Error struct {
	// Name is the hyperparameter's name ("" for a definition without
	// one).
	Name string
	// Reason says what is wrong, without the name; "" when Err says it.
	Reason string
	// Err is the sentinel or the underlying error.
	Err error
}

func (e *Error) Error() string {
	what := e.Reason
	if what == "" {
		what = e.Err.Error()
	}
	if e.Name == "" {
		return "hyperparameter with an empty name: " + what
	}
	return fmt.Sprintf("hyperparameter %q: %s", e.Name, what)
}

func (e *Error) Unwrap() error { return e.Err }
