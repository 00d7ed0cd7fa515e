package oracle

import "errors"

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
