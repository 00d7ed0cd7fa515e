package tuner

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// Tuner searches hyperparameters. Build one with New (a model to train) or
// NewFunc (any objective), call Search, then read the results. Close
// releases the project's store.
type Tuner struct {
	opts  Options
	model HyperModel    // set by New
	fn    ObjectiveFunc // set by NewFunc
	store trials.Store
	owned bool // the tuner opened the store and closes it

	mu      sync.Mutex // serialises oracle calls and study changes
	study   *trials.Study
	changed chan struct{} // closed and replaced whenever a trial ends
	stop    string        // why the last search ended
}

// New returns a tuner for a HyperModel (a BuildFunc will do). It calls
// Build once with recording HyperParameters to discover the search space,
// then opens the project: a new one is created, an existing one resumed,
// or with Overwrite started afresh.
func New(model HyperModel, opts Options) (*Tuner, error) {
	h := hp.New()
	_, err := model.Build(h)
	// A bad definition explains a build error that follows from it.
	if herr := h.Err(); herr != nil {
		return nil, fmt.Errorf("tuner: search space: %w", herr)
	}
	if err != nil {
		return nil, fmt.Errorf("tuner: build with default hyperparameters: %w", err)
	}
	return open(opts, h.Space(), model, nil)
}

// NewFunc returns a tuner for a custom objective. Its search space is
// discovered as it runs: the first trial takes every default.
func NewFunc(fn ObjectiveFunc, opts Options) (*Tuner, error) {
	return open(opts, &hp.Space{}, nil, fn)
}

func open(opts Options, space *hp.Space, model HyperModel, fn ObjectiveFunc) (*Tuner, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	config, err := json.Marshal(opts.Oracle)
	if err != nil {
		return nil, fmt.Errorf("tuner: oracle settings: %w", err)
	}
	want := &trials.Study{
		Objective:    opts.objective(),
		Oracle:       opts.Oracle.Name(),
		OracleConfig: config,
		Seed:         opts.Seed,
		Space:        space,
		Config:       opts.Config,
		Created:      time.Now().UTC(),
	}
	t := &Tuner{opts: opts, model: model, fn: fn, store: opts.Store, changed: make(chan struct{})}
	if t.store == nil {
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
	return t, nil
}

// initStudy stores a new study, or checks a stored one against want.
func (t *Tuner) initStudy(want *trials.Study) error {
	if t.opts.Overwrite {
		t.study = want
		return t.store.Reset(want)
	}
	got, err := t.store.Study()
	if errors.Is(err, trials.ErrNoStudy) {
		t.study = want
		return t.store.PutStudy(want)
	}
	if err != nil {
		return err
	}
	switch {
	case got.Objective != want.Objective:
		return fmt.Errorf("tuner: objective %s (%s) differs from the project's %s (%s): %w; start afresh with overwrite (tune search --overwrite)",
			want.Objective.Name, want.Objective.Direction, got.Objective.Name, got.Objective.Direction, ErrStudyMismatch)
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
	if s.Len() <= t.study.Space.Len() {
		return nil
	}
	next := *t.study
	next.Space = t.study.Space.Clone()
	for _, p := range s.Params() {
		if err := next.Space.Add(p); err != nil {
			return err
		}
	}
	if err := t.store.PutStudy(&next); err != nil {
		return &storeError{err}
	}
	t.study = &next
	return nil
}
