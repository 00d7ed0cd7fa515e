package tuner

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// Tuner searches hyperparameters. Build one with New for an Evaluator (a
// Training of a hypermodel on data, or an ObjectiveFunc), call Search, then
// read the results. Close releases the project's store.
type Tuner struct {
	opts     Options
	eval     Evaluator
	declared bool // the space was known before the first trial (Training)
	store    trials.Store
	owned    bool // the tuner opened the store and closes it

	mu      sync.Mutex // serialises oracle calls and study changes
	study   *trials.StudyRecord
	changed chan struct{} // closed and replaced whenever a trial ends
	stop    string        // why the last search ended

	hist   history         // the stored trials, for the oracle, pruner and failure check
	prior  []*trials.Trial // the warm start's seed trials, for the oracle (oracle.State.Prior)
	retain retention       // which checkpoints to keep; guarded by hist.mu
}

// New returns a tuner that runs e for every trial and opens the project: a
// new one is created, an existing one resumed, or with Overwrite started
// afresh. For a Training, it calls Build once with recording
// HyperParameters to discover the search space and checks that the data
// fit the default model; any other Evaluator's space is discovered as it
// runs (the first trial takes every default).
func New(e Evaluator, opts Options) (*Tuner, error) {
	if e == nil {
		return nil, errors.New("tuner: New needs an Evaluator (a *Training or an ObjectiveFunc)")
	}
	space := &hp.Space{}
	tr, declared := e.(*Training)
	if !declared && len(opts.WarmStart) > 0 {
		// The seeds are checked against the space, so it must be known
		// before the first trial: the predefined hyperparameters are it.
		if opts.HyperParameters == nil || opts.HyperParameters.Len() == 0 {
			return nil, errors.New("tuner: a warm start needs the search space before the first trial: set Options.HyperParameters for a custom objective, or tune a Training")
		}
		space = opts.HyperParameters.Clone()
	}
	if declared {
		var err error
		if space, err = tr.defineSpace(opts.entries()); err != nil {
			return nil, err
		}
		if err := tr.checkData(space, opts.entries()); err != nil {
			return nil, err
		}
		if opts.Epochs == 0 {
			opts.Epochs = tr.Config.Epochs
		}
	}
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	config, err := json.Marshal(opts.Oracle)
	if err != nil {
		return nil, fmt.Errorf("tuner: oracle settings: %w", err)
	}
	want := &trials.StudyRecord{
		Objective:    opts.objective,
		Objectives:   opts.multi(),
		Oracle:       opts.Oracle.Name(),
		OracleConfig: config,
		Seed:         opts.Seed,
		Space:        space,
		Entries:      opts.entries(),
		Config:       opts.Config,
		Created:      time.Now().UTC(),
	}
	t := &Tuner{opts: opts, eval: e, declared: declared, store: opts.Store, changed: make(chan struct{})}
	if t.store == nil {
		if _, err := os.Stat(opts.StorePath()); len(opts.WarmStart) > 0 && errors.Is(err, fs.ErrNotExist) {
			// A new project: its sources are read before its file is
			// made, so that a bad one leaves nothing behind.
			if want.WarmStart, err = readWarmStart(opts.WarmStart, want, opts.StorePath()); err != nil {
				return nil, err
			}
		}
		b, err := trials.Open(opts.StorePath(), nil)
		if err != nil {
			return nil, fmt.Errorf("tuner: %w", err)
		}
		t.store, t.owned = b, true
	}
	if err := t.initStudy(want); err != nil {
		t.Close()
		return nil, err
	}
	t.prior = t.study.WarmStart.Prior()
	// The history is built with the project's opening, as the store's
	// cache is, rather than by the first trial of a search. A store whose
	// trials cannot be read fails the search's first sync instead, as it
	// did before there was a history.
	if t.hist.sync(t.store) == nil && opts.KeepCheckpoints >= 0 {
		t.retain.keep = opts.KeepCheckpoints
		_ = t.retain.load(&t.hist.h, t.store, opts.objective) // else loaded by the first end
	}
	return t, nil
}

// initStudy stores a new study, or checks a stored one against want. A
// new study's warm-start sources are read first, and their seed trials
// stored with it in the same write.
func (t *Tuner) initStudy(want *trials.StudyRecord) error {
	create := func() error {
		if len(t.opts.WarmStart) > 0 && want.WarmStart == nil {
			var err error
			if want.WarmStart, err = readWarmStart(t.opts.WarmStart, want, t.ownPath()); err != nil {
				return err
			}
		}
		t.study = want
		if t.opts.Overwrite {
			return t.store.Reset(want)
		}
		return t.store.PutStudy(want)
	}
	if t.opts.Overwrite {
		return create()
	}
	got, err := t.store.Study()
	if errors.Is(err, trials.ErrNoStudy) {
		return create()
	}
	if err != nil {
		return err
	}
	// The seeds were read when the study was created; a resume reads no
	// source again, and keeps them without Options.WarmStart too.
	if srcs := warmSources(t.opts.WarmStart); len(srcs) > 0 && !slices.Equal(srcs, storedSources(got.WarmStart)) {
		was := "no warm start"
		if got.WarmStart != nil {
			was = fmt.Sprintf("warm start from %v", storedSources(got.WarmStart))
		}
		return fmt.Errorf("tuner: warm start from %v differs from the project's %s (a warm start is read when a project is created): %w; start afresh with overwrite (tune search --overwrite)",
			srcs, was, ErrStudyMismatch)
	}
	switch {
	case got.Objective != want.Objective:
		return fmt.Errorf("tuner: objective %s (%s) differs from the project's %s (%s): %w; start afresh with overwrite (tune search --overwrite)",
			want.Objective.Name, want.Objective.Direction, got.Objective.Name, got.Objective.Direction, ErrStudyMismatch)
	case !slices.Equal(got.Objectives, want.Objectives):
		return fmt.Errorf("tuner: objectives %v differ from the project's %v: %w; start afresh with overwrite (tune search --overwrite)",
			want.Objectives, got.Objectives, ErrStudyMismatch)
	case got.Oracle != want.Oracle:
		return fmt.Errorf("tuner: oracle %s differs from the project's %s: %w; start afresh with overwrite (tune search --overwrite)", want.Oracle, got.Oracle, ErrStudyMismatch)
	case got.Seed != want.Seed:
		return fmt.Errorf("tuner: seed %d differs from the project's %d: %w; start afresh with overwrite (tune search --overwrite)", want.Seed, got.Seed, ErrStudyMismatch)
	}
	// The stored space may have grown in earlier trials; what build
	// declares now must agree with it.
	for _, p := range want.Space.Params() {
		if err := got.Space.Add(p); err != nil {
			return fmt.Errorf("tuner: %w: %w; start afresh with overwrite (tune search --overwrite)", err, ErrStudyMismatch)
		}
	}
	// Settings such as Hyperband's iterations may change on resume.
	got.OracleConfig = want.OracleConfig
	if want.Config != nil {
		got.Config = want.Config
	}
	t.study = got
	return t.store.PutStudy(got)
}

// ownPath is the path of the project's store file when the tuner opened
// it, "" for a store it was given (whose file, if any, it cannot name).
func (t *Tuner) ownPath() string {
	if t.owned {
		return t.opts.StorePath()
	}
	if b, ok := t.store.(*trials.Bolt); ok {
		return b.Path()
	}
	return ""
}

// Close releases the store if the tuner opened it.
func (t *Tuner) Close() error {
	if t.owned && t.store != nil {
		err := t.store.Close()
		t.store = nil
		return err
	}
	return nil
}

// Store returns the project's store.
func (t *Tuner) Store() trials.Store { return t.store }

// Space returns a copy of the search space known so far.
func (t *Tuner) Space() *hp.Space {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.study.Space.Clone()
}

// SearchSpaceSummary describes the search space.
func (t *Tuner) SearchSpaceSummary() string { return t.Space().String() }

// StopReason says why the last Search ended.
func (t *Tuner) StopReason() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stop
}

// growSpace adds hyperparameters a trial's build registered for the first
// time to the study.
func (t *Tuner) growSpace(s *hp.Space) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	next, err := t.withSpace(s)
	if next == nil || err != nil {
		return err
	}
	if err := t.store.PutStudy(next); err != nil {
		return &storeError{err}
	}
	t.study = next
	return nil
}

// withSpace returns the study with the hyperparameters of s added, or nil
// if it has them all; t.mu is held. Trials running in parallel each add to
// the space they started from, so a space no larger than the study's may
// still hold new names.
func (t *Tuner) withSpace(s *hp.Space) (*trials.StudyRecord, error) {
	grown := false
	for _, p := range s.Params() {
		if _, ok := t.study.Space.Param(p.Name); !ok {
			grown = true
			break
		}
	}
	if !grown {
		return nil, nil
	}
	next := *t.study
	next.Space = t.study.Space.Clone()
	for _, p := range s.Params() {
		if err := next.Space.Add(p); err != nil {
			return nil, err
		}
	}
	return &next, nil
}

// adoptSpace takes in the hyperparameters that the stored study has and
// this tuner's does not: found by other workers sharing the store; t.mu
// is held.
func (t *Tuner) adoptSpace() error {
	st, err := t.store.Study()
	if err != nil {
		return err
	}
	next, err := t.withSpace(st.Space)
	if next != nil && err == nil {
		t.study = next
	}
	return err
}
