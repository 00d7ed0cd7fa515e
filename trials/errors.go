package trials

import "errors"

var (
	// ErrLocked means another process has the store open.
	ErrLocked = errors.New("project is in use by another process")
	// ErrSchema means the file was written by an unknown format version.
	ErrSchema = errors.New("unsupported store format version")
	// ErrNoStudy means the store holds no study definition yet.
	ErrNoStudy = errors.New("no study in store")
	// ErrNoTrial means no trial has the given id.
	ErrNoTrial = errors.New("no such trial")
	// ErrNoCheckpoint means a trial has no stored checkpoint.
	ErrNoCheckpoint = errors.New("no checkpoint for trial")
	// ErrState means a change does not fit the trial's status, such as
	// appending an epoch to a completed trial.
	ErrState = errors.New("trial is not in a state for that change")
	// ErrCorrupt means a stored record cannot be decoded.
	ErrCorrupt = errors.New("corrupt store record")
	// ErrNotStore means a file is not a tune store: not a bbolt database,
	// or a bbolt database written by another program.
	ErrNotStore = errors.New("not a tune store")
	// ErrDamaged means the store file is damaged (cut short, or
	// overwritten in places): it is not written to.
	ErrDamaged = errors.New("the store file is damaged")
	// ErrReadOnly means a change was asked of a store opened read-only.
	ErrReadOnly = errors.New("store is open read-only")
	// ErrClaimLost means this worker no longer holds the trial it writes
	// to: a store shared by workers gave it to another one (its lease
	// expired) or requeued it. The worker drops the trial; what the other
	// worker records stands.
	ErrClaimLost = errors.New("trial is no longer claimed by this worker")
)
