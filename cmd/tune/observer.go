package main

import (
	"math"
	"sync"

	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/tuner"
)

// displayedMaxTrials is the number of trials a search will hold when it
// ends, for progress: MaxTrials, Hyperband's schedule, or 0 if unknown.
func displayedMaxTrials(opts tuner.Options) int {
	n := opts.MaxTrials
	if n == math.MaxInt {
		n = 0
	}
	switch x := opts.Oracle.(type) {
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
	if epochHook != nil {
		epochHook(t, e)
	}
}

// epochHook, when set, is called after every recorded epoch of a search.
// Only tests set it, before the search starts: a search in another process
// that is read while it runs is held with it until the reads are done, so
// that the test does not race the search.
var epochHook func(*trials.Trial, trials.Epoch)

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
