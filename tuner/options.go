package tuner

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"time"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
)

// NoLimit, as Options.MaxConsecutiveFailedTrials, lets a search go on
// however many trials fail in a row.
const NoLimit = -1

// Options configure a Tuner. Zero fields take the defaults shown.
type Options struct {
	// Objective is the metric to optimize, such as "val_accuracy".
	Objective string
	// Direction is inferred from the objective's name when empty (losses
	// and errors are minimized, accuracies maximized); other names need it.
	Direction goal.Direction
	// objective is Objective and Direction, set by setDefaults.
	objective goal.Objective

	// Objectives, when set, make a multi-objective study: every objective
	// with its direction (inferred from the name when empty). Objective
	// and Direction are then the first one's (leave them empty, or equal).
	// A trial is judged at its best epoch on the first objective, and its
	// vector is every objective's metric there; the results are the Pareto
	// front (ParetoFront). The oracle must serve several objectives
	// (oracle.MultiObjective: random, grid, nsga2), the pruner too
	// (pareto). Besides the model's metrics, a Training reports the
	// built-in MetricParams, MetricEpochSeconds and MetricLatency when an
	// objective names them.
	Objectives []goal.Objective

	// Epochs is the number of epochs a trial trains to (and the budget a
	// custom objective reads from Reporter.Epochs) when the oracle sets
	// none (Hyperband does). Zero takes a Training's Config.Epochs.
	Epochs int

	// HyperParameters, when set, predefine hyperparameters, as Keras
	// Tuner's hyperparameters= argument: a name it defines takes that
	// definition wherever the build declares it (hp.Fixed to pin one, a
	// narrower range to focus it). Names it lacks are tuned as the build
	// declares them, unless FixNewEntries fixes them at their defaults
	// (tune_new_entries=False) or RefuseNewEntries makes declaring one an
	// error (allow_new_entries=False).
	HyperParameters  *hp.Space
	FixNewEntries    bool
	RefuseNewEntries bool

	// Oracle proposes the trials; default RandomSearch.
	Oracle oracle.Oracle
	// Pruner, if set, may stop a trial after any epoch; the trial is then
	// recorded as pruned, scored on its best epoch so far.
	Pruner oracle.Pruner
	// MaxTrials caps the number of trials; default 10, or no cap for
	// oracles that end the search by themselves (oracle.Bounded: grid,
	// Hyperband). Oracles may end the search sooner.
	MaxTrials int
	// KeepCheckpoints is how many of the best completed trials keep their
	// best-epoch checkpoints, the weights LoadModel (tune best, predict)
	// reads; default DefaultKeepCheckpoints, NoLimit (or any negative
	// value) keeps every trial's. Checkpoints that a proposal still to come
	// may continue from (a Hyperband promotion) stay too. A checkpoint
	// that stops being needed is deleted in the transaction that ends the
	// trial making it so; the file's space is reused, and tune compact
	// gives it back.
	KeepCheckpoints int
	// ExecutionsPerTrial trains each set of values this many times from
	// different initial weights and averages the scores; default 1.
	ExecutionsPerTrial int
	// MaxRetriesPerTrial re-runs a failed trial up to this many times.
	MaxRetriesPerTrial int
	// MaxConsecutiveFailedTrials stops the search after this many trials in
	// a row failed; zero (unset, as every zero Option) takes Keras Tuner's
	// default 3, NoLimit (or any negative value) removes the limit. A study
	// file says the same with an absent key (3) and -1 (no limit), and
	// refuses a 0, so that no zero means two things.
	MaxConsecutiveFailedTrials int
	// Deadline, if set, is when the search stops starting trials (new or
	// resumed); running ones finish. Cancel the context to stop them too.
	Deadline time.Time
	// Seed makes the search repeatable.
	Seed int64
	// ParallelTrials is how many trials run at once; default one per CPU.
	// With fewer trials than CPUs, each trial's matrix products use
	// GOMAXPROCS/ParallelTrials goroutines.
	ParallelTrials int
	// Threads, when positive, is how many goroutines each trial's matrix
	// products use; default GOMAXPROCS/ParallelTrials (at least 1).
	Threads int

	// Directory and ProjectName place the store at
	// Directory/ProjectName/study.db; defaults "." and "untitled_project".
	Directory   string
	ProjectName string
	// Overwrite deletes any previous trials of the project; otherwise an
	// existing project is resumed.
	Overwrite bool
	// Store replaces the bbolt file with another backend (Directory and
	// ProjectName are then unused). The tuner does not close it.
	Store trials.Store

	// WarmStart names other studies whose trials seed the oracle's
	// history, as Optuna's study.add_trials or a prior: project
	// directories, store files or etcd://host:port/prefix URLs, read
	// (through a running search's live socket when one holds the file)
	// once, when the project is created. Their completed and pruned
	// trials with a finite score, the same objective (else an error), and
	// values that fit the search space (left-out hyperparameters take
	// their defaults; an unknown name or a value outside the space skips
	// the trial, counted by reason) are stored with the study, so a
	// resumed project reads no source again. They are not this study's
	// trials: they do not count toward MaxTrials, are not in Trials,
	// BestTrials or the results, and only the oracles that learn from a
	// history use them (oracle.PriorUser: bayesian and tpe, whose random
	// initial trials they replace). A resume with other sources is an
	// ErrStudyMismatch; without any, it keeps the stored ones. A custom
	// objective must declare its space up front in HyperParameters.
	WarmStart []string

	// Config is kept with the study in the store, free-form; the tune
	// command keeps its study file there so that a project can be read
	// back without it.
	Config json.RawMessage

	// Observer, if set, is told about trials and epochs as they happen.
	Observer Observer
}

// Observer watches a search. Calls come from the trial goroutines, so an
// implementation must be safe for concurrent use.
type Observer interface {
	TrialStarted(t *trials.Trial)
	EpochEnded(t *trials.Trial, e trials.Epoch)
	TrialEnded(t *trials.Trial)
}

// BatchObserver is an Observer that also wants every training batch of a
// model's trials, for live progress bars. logs hold the running means of
// the epoch so far and are only valid during the call.
type BatchObserver interface {
	Observer
	BatchEnded(t *trials.Trial, epoch, batch int, logs map[string]float64)
}

// StorePath returns where the options put the project's store.
func (o *Options) StorePath() string {
	return filepath.Join(o.Directory, o.ProjectName, "study.db")
}

func (o *Options) setDefaults() error {
	if err := o.setObjectives(); err != nil {
		return err
	}
	if o.Objective == "" {
		return fmt.Errorf("tuner: no objective: set Options.Objective (for example \"val_accuracy\")")
	}
	obj, err := goal.New(o.Objective, o.Direction)
	if err != nil {
		return fmt.Errorf("tuner: %w; set Options.Direction", err)
	}
	o.objective, o.Direction = obj, obj.Direction
	if o.Oracle == nil {
		o.Oracle = &oracle.RandomSearch{}
	}
	if err := o.checkMultiObjective(); err != nil {
		return err
	}
	if o.MaxTrials == 0 {
		o.MaxTrials = 10
		if _, ok := o.Oracle.(oracle.Bounded); ok {
			o.MaxTrials = math.MaxInt
		}
	}
	if o.ExecutionsPerTrial == 0 {
		o.ExecutionsPerTrial = 1
	}
	if o.KeepCheckpoints == 0 {
		o.KeepCheckpoints = DefaultKeepCheckpoints
	}
	if o.MaxConsecutiveFailedTrials == 0 {
		o.MaxConsecutiveFailedTrials = 3
	}
	if o.ParallelTrials == 0 {
		o.ParallelTrials = runtime.GOMAXPROCS(0)
	}
	if o.Directory == "" {
		o.Directory = "."
	}
	if o.ProjectName == "" {
		o.ProjectName = "untitled_project"
	}
	switch {
	case o.MaxTrials < 0:
		return fmt.Errorf("tuner: MaxTrials %d must be positive", o.MaxTrials)
	case o.ExecutionsPerTrial < 0:
		return fmt.Errorf("tuner: ExecutionsPerTrial %d must be positive", o.ExecutionsPerTrial)
	case o.MaxRetriesPerTrial < 0:
		return fmt.Errorf("tuner: MaxRetriesPerTrial %d must not be negative", o.MaxRetriesPerTrial)
	case o.Epochs < 0:
		return fmt.Errorf("tuner: Epochs %d must not be negative", o.Epochs)
	case o.ParallelTrials < 0:
		return fmt.Errorf("tuner: ParallelTrials %d must be positive", o.ParallelTrials)
	case o.Threads < 0:
		return fmt.Errorf("tuner: Threads %d must not be negative", o.Threads)
	}
	return nil
}

// entries returns the predefined hyperparameters, nil for none.
func (o *Options) entries() *hp.Entries {
	if o.HyperParameters == nil {
		return nil
	}
	return &hp.Entries{Space: o.HyperParameters, FixNew: o.FixNewEntries, RefuseNew: o.RefuseNewEntries}
}
