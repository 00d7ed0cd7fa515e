package trials

import (
	"fmt"
	"os"
	"time"

	"github.com/tunekit/tune/hp"
)

// Status is where a trial is in its life.
type Status string

// Trial statuses. Pending trials wait to run (interrupted or retried);
// Completed, Failed, Pruned and Stopped are final.
const (
	Pending   Status = "pending"
	Running   Status = "running"
	Completed Status = "completed"
	Failed    Status = "failed"
	Pruned    Status = "pruned"
	Stopped   Status = "stopped"
)

// Final reports whether a trial with status s will not run again.
func (s Status) Final() bool {
	return s == Completed || s == Failed || s == Pruned || s == Stopped
}

// Epoch is the metrics logged at the end of one epoch of one execution.
type Epoch struct {
	Execution int                `json:"execution,omitempty"`
	Epoch     int                `json:"epoch"`
	Metrics   map[string]float64 `json:"metrics"`
}

// Schedule is how long a trial trains and where it starts: the part of an
// oracle's proposal beyond the values. The zero Schedule trains for the
// study's epochs from scratch. oracle.Proposal and Trial embed it, so a
// field added here is proposed, stored and read back without copying.
type Schedule struct {
	// Epochs is the number of epochs to train to (0: the study's setting);
	// InitialEpoch the first epoch to run, after warm-starting from Parent's
	// checkpoint (Parent 0: none). Hyperband sets them.
	Epochs       int `json:"epochs,omitempty"`
	InitialEpoch int `json:"initial_epoch,omitempty"`
	Parent       int `json:"parent,omitempty"`
	// Iteration, Bracket and Round place a Hyperband trial in its schedule.
	Iteration int `json:"iteration,omitempty"`
	Bracket   int `json:"bracket,omitempty"`
	Round     int `json:"round,omitempty"`
}

// Trial is one evaluation of one set of hyperparameter values.
type Trial struct {
	ID     int       `json:"id"` // 1, 2, 3… in creation order; never reused
	Status Status    `json:"status"`
	Values hp.Values `json:"values"`

	// Schedule is the training budget the oracle gave the trial; its
	// fields are stored inline ("epochs", "parent", …).
	Schedule

	// Enqueued marks a trial whose values a user queued (Store.Enqueue)
	// rather than the oracle proposed.
	Enqueued bool `json:"enqueued,omitempty"`

	// Attempt counts runs: 0 for the first, then one more per retry or
	// resume.
	Attempt int `json:"attempt,omitempty"`
	// Worker names the worker that runs (or ran) the trial's last attempt,
	// as the store that created or claimed it calls itself.
	Worker string `json:"worker,omitempty"`

	History []Epoch `json:"history,omitempty"`

	// Score is the objective of the trial (mean of the best epoch of each
	// execution), nil until known. Metrics are all metrics at the best
	// epoch, averaged over executions.
	Score     *float64           `json:"score,omitempty"`
	BestEpoch int                `json:"best_epoch,omitempty"`
	Metrics   map[string]float64 `json:"metrics,omitempty"`

	Error   string    `json:"error,omitempty"`
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended,omitzero"`
}

// Curve returns the per-epoch values of metric for one execution, indexed
// by epoch order.
func (t *Trial) Curve(execution int, metric string) (epochs []int, values []float64) {
	for _, e := range t.History {
		if v, ok := e.Metrics[metric]; ok && e.Execution == execution {
			epochs = append(epochs, e.Epoch)
			values = append(values, v)
		}
	}
	return epochs, values
}

// DefaultWorker is a worker's name when none is given: host-pid, which
// tells apart the processes of a study, on one machine or several.
func DefaultWorker() string {
	host, err := os.Hostname()
	if err != nil {
		host = "localhost"
	}
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}
