package main

import (
	"encoding/json"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/tuner"
)

// budgetOracle wraps a search's oracle so that it proposes nothing after a
// deadline: the tuner then lets the running trials finish and ends the
// search, which stays resumable (the oracle keeps no state). It keeps the
// wrapped oracle's name and settings, so the stored study is unchanged.
type budgetOracle struct {
	oracle.Oracle
	deadline time.Time
	budget   time.Duration
}

// boundedBudget is a budgetOracle around a bounded oracle (grid, Hyperband).
type boundedBudget struct{ *budgetOracle }

// Bounded marks the wrapped oracle as bounded.
func (boundedBudget) Bounded() {}

// withBudget wraps opts.Oracle (the default random search if nil).
func withBudget(opts *tuner.Options, deadline time.Time, budget time.Duration) *budgetOracle {
	inner := opts.Oracle
	if inner == nil {
		inner = &oracle.RandomSearch{}
	}
	b := &budgetOracle{Oracle: inner, deadline: deadline, budget: budget}
	if _, ok := inner.(oracle.Bounded); ok {
		opts.Oracle = boundedBudget{b}
	} else {
		opts.Oracle = b
	}
	return b
}

// Next proposes what the wrapped oracle does until the deadline, then
// ends the search.
func (b *budgetOracle) Next(s oracle.State) (oracle.Proposal, error) {
	if b.usedUp() {
		return oracle.Proposal{}, fmt.Errorf("time budget of %s used up: %w", b.budget, oracle.ErrExhausted)
	}
	return b.Oracle.Next(s)
}

// MarshalJSON stores the wrapped oracle's settings.
func (b *budgetOracle) MarshalJSON() ([]byte, error) { return json.Marshal(b.Oracle) }

func (b *budgetOracle) usedUp() bool { return !time.Now().Before(b.deadline) }

// displayedMaxTrials is the number of trials a search will hold when it
// ends, for progress: MaxTrials, Hyperband's schedule, or 0 if unknown.
func displayedMaxTrials(opts tuner.Options) int {
	n := opts.MaxTrials
	if n == math.MaxInt {
		n = 0
	}
	o := opts.Oracle
	if b, ok := o.(boundedBudget); ok {
		o = b.Oracle
	} else if b, ok := o.(*budgetOracle); ok {
		o = b.Oracle
	}
	switch x := o.(type) {
	case *oracle.Hyperband:
		total := x.TrialsPerIteration() * max(x.HyperbandIterations, 1)
		if n == 0 || total < n {
			n = total
		}
	case oracle.Bounded:
	default:
		if n == 0 {
			n = 10 // the tuner's default
		}
	}
	return n
}

// observerSwitch is the tuner's observer; what it forwards to is set once
// the tuner is open. Batches reach the target if it wants them.
type observerSwitch struct {
	mu     sync.RWMutex
	target tuner.Observer
}

func (o *observerSwitch) set(t tuner.Observer) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.target = t
}

func (o *observerSwitch) get() tuner.Observer {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.target
}

func (o *observerSwitch) TrialStarted(t *trials.Trial) {
	if x := o.get(); x != nil {
		x.TrialStarted(t)
	}
}

func (o *observerSwitch) EpochEnded(t *trials.Trial, e trials.Epoch) {
	if x := o.get(); x != nil {
		x.EpochEnded(t, e)
	}
}

func (o *observerSwitch) TrialEnded(t *trials.Trial) {
	if x := o.get(); x != nil {
		x.TrialEnded(t)
	}
}

func (o *observerSwitch) BatchEnded(t *trials.Trial, epoch, batch int, logs map[string]float64) {
	if x, ok := o.get().(tuner.BatchObserver); ok {
		x.BatchEnded(t, epoch, batch, logs)
	}
}
