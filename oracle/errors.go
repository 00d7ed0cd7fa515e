package oracle

import (
	"errors"
	"fmt"
)

var (
	// ErrExhausted ends a search: the oracle has nothing new to propose.
	ErrExhausted = errors.New("search space exhausted")
	// ErrWait means a proposal depends on trials still running.
	ErrWait = errors.New("waiting for running trials")
	// ErrUnknown is returned by New for an unknown oracle name.
	ErrUnknown = errors.New("unknown oracle")
	// ErrUnknownPruner is returned by NewPruner for an unknown pruner name.
	ErrUnknownPruner = errors.New("unknown pruner")
)

// ErrUnknownSetting is wrapped by the SettingError for a setting that the
// oracle or pruner does not have.
var ErrUnknownSetting = errors.New("unknown setting")

// SettingError is a bad setting of an oracle or a pruner: Setting is its
// key as a study file spells it ("alpha", "max_epochs"), so that a caller
// can point at the line that holds it.
type SettingError struct {
	Setting string
	Err     error
}

func (e *SettingError) Error() string { return e.Err.Error() }
func (e *SettingError) Unwrap() error { return e.Err }

// settingErrorf returns a *SettingError for key with a formatted message.
func settingErrorf(key, format string, args ...any) error {
	return &SettingError{Setting: key, Err: fmt.Errorf(format, args...)}
}
