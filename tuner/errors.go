package tuner

import "errors"

var (
	// ErrTooManyFailures stops a search after too many failed trials in a
	// row; the error names the last failure.
	ErrTooManyFailures = errors.New("too many consecutive failed trials")
	// ErrStudyMismatch means an existing project was created with another
	// objective, oracle or search space: resume it unchanged or overwrite it.
	ErrStudyMismatch = errors.New("project was created with different settings")
	// ErrPruned is returned by Reporter.Report when the pruner stops the
	// trial; a custom objective should return it.
	ErrPruned = errors.New("trial pruned")
	// ErrCheckpointDropped means a trial's checkpoint was deleted by
	// checkpoint retention (Options.KeepCheckpoints): the trial was not
	// among the best. The error also wraps trials.ErrNoCheckpoint.
	ErrCheckpointDropped = errors.New("its checkpoint was deleted, as only the best trials keep theirs (keep_checkpoints)")
	// ErrNoResults means no trial has completed with a score.
	ErrNoResults = errors.New("no completed trials")
)
