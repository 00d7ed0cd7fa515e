package importance

import "errors"

var (
	// ErrTooFewTrials means fewer than MinTrials trials have a score.
	ErrTooFewTrials = errors.New("too few scored trials to measure importance")
	// ErrNoSpace means the study has no tunable hyperparameter.
	ErrNoSpace = errors.New("no tunable hyperparameter")
)
