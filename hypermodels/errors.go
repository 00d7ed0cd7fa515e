package hypermodels

import (
	"errors"
	"fmt"
)

var (
	// ErrConfig is wrapped by every error about a hypermodel's
	// configuration: an unknown task, too few classes, no input shape, a
	// value of the wrong type.
	ErrConfig = errors.New("invalid hypermodel configuration")

	// ErrDefinition is wrapped by every error about a hyperparameter
	// definition that does not fit the hyperparameter (see
	// Hyperparameter.Convert).
	ErrDefinition = errors.New("hyperparameter definition does not fit")
)

// reasonError is an error whose message is its reason alone and which
// wraps a sentinel, so that the sentinel's text is not repeated.
type reasonError struct {
	msg string
	err error
}

func (e *reasonError) Error() string { return e.msg }
func (e *reasonError) Unwrap() error { return e.err }

func configErrorf(format string, args ...any) error {
	return &reasonError{msg: "hypermodels: " + fmt.Sprintf(format, args...), err: ErrConfig}
}

func definitionErrorf(format string, args ...any) error {
	return &reasonError{msg: fmt.Sprintf(format, args...), err: ErrDefinition}
}
