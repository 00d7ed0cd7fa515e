package oracle

import "github.com/tunekit/tune/trials"

// Pruner decides, after each epoch of a running trial, whether to stop it
// early. Like an Oracle it is a function of the stored history: the trial
// being decided (with its history so far) is among s.Trials.
type Pruner interface {
	// Name identifies the rule in a stored study.
	Name() string
	// Prune reports whether trial, which just logged value for the
	// objective at epoch, should stop now.
	Prune(s State, trial *trials.Trial, epoch int, value float64) (bool, error)
}
