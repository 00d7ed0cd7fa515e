package study

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hypermodels"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials/etcdstore"
	"github.com/tunekit/tune/tuner"
)

// Defaults of a study file.
const (
	DefaultDirectory = "tune_projects"
	DefaultMaxTrials = 10
	DefaultEpochs    = 10
	DefaultBatchSize = 32
	// DefaultModel is the built-in hypermodel of a study file without a
	// model key.
	DefaultModel = "mlp"
	// DefaultMaxConsecutiveFailedTrials is Keras Tuner's default.
	DefaultMaxConsecutiveFailedTrials = 3
)

// Study is a study file: what to tune, on which data, and how. Load or
// Parse one; the result has every default filled in and every relative
// path resolved against the study file's directory, and has been checked
// (see doc.go for the rules).
type Study struct {
	// File is the study file's name as given to Load or Parse; errors
	// name it.
	File string `yaml:"-"`

	// Project names the project: its trials are stored in
	// Directory/Project/study.db. Default: the file name without its
	// extension. It must not contain a path separator.
	Project string `yaml:"project"`
	// Directory holds the projects; default "tune_projects". A relative
	// path is relative to the study file's directory (and resolved so).
	Directory string `yaml:"directory"`
	// Store, if set, is where the trials are kept instead of
	// Directory/Project/study.db: a bbolt file path (relative to the
	// study file's directory) or an etcd study shared by workers on
	// several machines, etcd://host:port[,host:port…]/prefix.
	Store string `yaml:"store"`
	// WarmStart names other projects whose completed and pruned trials
	// seed the oracle's history without being this study's trials: a
	// project directory, a store file or an etcd:// URL, or a list of
	// them. They are read once, when the project is created, and only
	// trials whose values fit this study's hyperparameters and whose
	// objective is this study's are taken; bayesian and tpe learn from
	// them, the other oracles ignore them (see tuner.Options.WarmStart).
	WarmStart WarmStart `yaml:"warm_start"`
	// Seed makes the study repeat itself: the oracle's draws, the initial
	// weights, the shuffles and the spirals data derive from it. Default 0.
	Seed int64 `yaml:"seed"`
	// Task is classification (default), binary or regression.
	Task hypermodels.Task `yaml:"task"`
	// Model names the built-in hypermodel (see package hypermodels): mlp
	// (default) or wide_deep.
	Model string `yaml:"model"`

	// Data says where the training data come from and how they are split
	// and scaled.
	Data Data `yaml:"data"`

	// Hyperparameters are the built-in hypermodel's hyperparameters, in file
	// order. A mapping defines a hyperparameter to tune, a list is a
	// choice, a plain value fixes it; an absent one takes its built-in
	// default. See the model's Builtin.Hyperparameters.
	Hyperparameters SpaceSection `yaml:"hyperparameters"`

	// Objective is the metric to optimize: loss or accuracy (classification
	// and binary), loss, rmse or mae (regression), each with a "val_"
	// prefix to use the validation data. Default: val_accuracy, or
	// val_loss for regression (without "val_" when there is no
	// validation data).
	Objective string `yaml:"objective"`
	// Direction is "min" or "max"; by default it is inferred from the
	// objective's name (losses and errors are minimized, accuracies
	// maximized).
	Direction goal.Direction `yaml:"direction"`
	// Objectives, instead of objective, make a multi-objective study: a
	// list of {metric, direction} (or metric names), the first deciding a
	// trial's best epoch. Besides the model's metrics: params (the
	// model's weights), epoch_seconds and latency_ms (predicting one
	// example), all minimized. The oracle must be nsga2, random or grid
	// and the pruner pareto; report, best and export show the Pareto front.
	Objectives []ObjectiveSpec `yaml:"objectives"`
	// Oracle chooses the search algorithm and its settings:
	// {type: random, max_collisions: 20}, or just the type's name.
	// Default: random.
	Oracle Oracle `yaml:"oracle"`
	// Pruner, if set, stops unpromising trials after an epoch:
	// {type: median, warmup_trials: 5}, {type: successive_halving}, or
	// just the type's name. Default: none.
	Pruner Pruner `yaml:"pruner"`

	// MaxTrials is the number of trials to run; default 10, or no cap
	// for the oracles that end a search by themselves (grid, hyperband).
	// Raising it and running the search again continues the project.
	MaxTrials int `yaml:"max_trials"`
	// ExecutionsPerTrial trains each set of values this many times from
	// different initial weights and averages the scores; default 1.
	ExecutionsPerTrial int `yaml:"executions_per_trial"`
	// MaxRetriesPerTrial re-runs a failed trial up to this many times;
	// default 0.
	MaxRetriesPerTrial int `yaml:"max_retries_per_trial"`
	// MaxConsecutiveFailedTrials stops the search after this many trials
	// in a row failed; default 3 (the key absent), -1 for no limit, as
	// tuner.NoLimit in Go. 0, which Go reads as the default, is an error.
	MaxConsecutiveFailedTrials int `yaml:"max_consecutive_failed_trials"`
	// KeepCheckpoints is how many of the best trials keep their
	// checkpoints (tuner.Options.KeepCheckpoints); default 10 (the key
	// absent), -1 to keep every trial's, as tuner.NoLimit in Go. 0, which
	// Go reads as the default, is an error.
	KeepCheckpoints int `yaml:"keep_checkpoints"`

	// Epochs is the number of epochs each trial trains for; default 10.
	Epochs int `yaml:"epochs"`
	// BatchSize is the number of rows per gradient step; default 32.
	BatchSize int `yaml:"batch_size"`
	// ParallelTrials is how many trials train at once; default 0, one per
	// CPU.
	ParallelTrials int `yaml:"parallel_trials"`
	// EarlyStopping, if set, stops a trial's training when the monitored
	// metric stops improving.
	EarlyStopping *EarlyStopping `yaml:"early_stopping"`

	dir    string        // the study file's directory: the base of relative paths
	source []byte        // the file as read, kept with the project
	root   *yaml.Node    // the parsed document, for the lines of keys
	info   *data.Profile // what the last LoadData learnt, kept with the project
}

// EarlyStopping configures nn.EarlyStopping for every trial (each trial
// gets its own copy).
type EarlyStopping struct {
	// Monitor is the metric to watch; default val_loss (loss without
	// validation data). It takes the same names as the objective.
	Monitor string `yaml:"monitor"`
	// Patience is the number of epochs without improvement after which
	// training stops; default 0.
	Patience int `yaml:"patience"`
	// MinDelta is the smallest change that counts as an improvement.
	MinDelta float64 `yaml:"min_delta"`
	// Mode is "auto" (default: inferred from the metric), "min" or "max".
	Mode string `yaml:"mode"`
	// RestoreBestWeights puts back the weights of the best epoch when
	// training ends.
	RestoreBestWeights bool `yaml:"restore_best_weights"`
}

// Load reads and checks the study file at path. Errors are *Error values
// naming path and the line.
func Load(path string) (*Study, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &Error{File: path, Msg: fmt.Sprintf("cannot read study file: %v", err), Err: err}
	}
	return Parse(b, path)
}

// Parse reads and checks a study file's contents. name is the file's
// name: errors name it, relative paths in the study are relative to its
// directory, and the project's default name is its base name without the
// extension. Errors are *Error values, one line each.
func Parse(data []byte, name string) (*Study, error) {
	file := name
	if file == "" {
		file = "study"
	}
	s := newStudy(file)
	if name != "" {
		s.dir = filepath.Dir(name)
		s.Project = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	}
	err := s.decode(data)
	if err == nil {
		err = s.check()
	}
	if err != nil {
		return nil, s.locate(err)
	}
	s.source = append([]byte(nil), data...)
	return s, nil
}

// newStudy returns a study holding the defaults, to be decoded into.
func newStudy(file string) *Study {
	return &Study{
		File:                       file,
		Project:                    "untitled_project",
		Directory:                  DefaultDirectory,
		Task:                       hypermodels.Classification,
		Model:                      DefaultModel,
		Data:                       defaultData(),
		MaxTrials:                  DefaultMaxTrials,
		ExecutionsPerTrial:         1,
		MaxConsecutiveFailedTrials: DefaultMaxConsecutiveFailedTrials,
		KeepCheckpoints:            tuner.DefaultKeepCheckpoints,
		Epochs:                     DefaultEpochs,
		BatchSize:                  DefaultBatchSize,
		dir:                        ".",
	}
}

// locate makes err an *Error naming the study file.
func (s *Study) locate(err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return &Error{File: s.File, Msg: oneLine(err.Error()), Err: err}
	}
	if e.File == "" {
		e.File = s.File
	}
	return e
}

// path resolves a path written in the study file.
func (s *Study) path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.dir, p)
}

// check fills the defaults that depend on other settings, resolves paths
// and validates everything that can be checked without the data.
func (s *Study) check() error {
	if s.Project == "" || s.Project == "." || s.Project == ".." || strings.ContainsAny(s.Project, `/\`) {
		return errorf(s.line("project"), "project %q must be a plain name, without a path separator", s.Project)
	}
	if s.Directory == "" {
		s.Directory = DefaultDirectory
	}
	s.Directory = s.path(s.Directory)
	if etcdstore.IsURL(s.Store) {
		if _, _, err := etcdstore.ParseURL(s.Store); err != nil {
			return errorf(s.line("store"), "store: %v", err)
		}
	} else {
		s.Store = s.path(s.Store)
	}
	if !slices.Contains(hypermodels.Tasks, s.Task) {
		return errorf(s.line("task"), "task %q: want classification, binary or regression", s.Task)
	}
	if s.Model == "" {
		s.Model = DefaultModel
	}
	if _, ok := hypermodels.Lookup(s.Model); !ok {
		return errorf(s.line("model"), "model %q: want %s", s.Model, orList(hypermodels.Names()))
	}
	if err := s.checkData(); err != nil {
		return err
	}
	if err := s.checkHyperparameters(); err != nil {
		return err
	}
	if err := s.checkObjective(); err != nil {
		return err
	}
	if err := s.checkZeroSettings(); err != nil {
		return err
	}
	o, err := s.newOracle()
	if err != nil {
		return err
	}
	if _, bounded := o.(oracle.Bounded); bounded && !s.has("max_trials") {
		s.MaxTrials = 0 // the oracle ends the search
	}
	if _, err := s.newPruner(); err != nil {
		return err
	}
	if err := s.checkNumbers(); err != nil {
		return err
	}
	return s.checkEarlyStopping()
}

// hasValidation reports whether the data section sets validation data.
func (s *Study) hasValidation() bool {
	d := &s.Data
	return d.ValidationSplit > 0 || d.ValidationLast > 0 || d.ValidationPath != "" || d.ValidationImages != "" || d.ValidationDirectory != ""
}

// metrics returns the metric names a model of the task reports, without
// and with the "val_" prefix.
func (s *Study) metrics() []string {
	base := append([]string{"loss"}, s.Task.Metrics()...)
	if s.Data.ScaleTarget != "" && s.Data.ScaleTarget != "none" {
		base = append(base, "loss"+scaledSuffix, "rmse"+scaledSuffix, "mae"+scaledSuffix)
	}
	out := append([]string(nil), base...)
	for _, m := range base {
		out = append(out, "val_"+m)
	}
	return out
}

// checkMetric checks that name is a metric a model of the task reports,
// with validation data when it starts with "val_".
func (s *Study) checkMetric(what, name string, line int) error {
	known := false
	for _, m := range s.metrics() {
		known = known || m == name
	}
	if !known {
		return errorf(line, "%s %q is not a metric of a %s model (want %s)", what, name, s.Task, orList(s.metrics()))
	}
	if strings.HasPrefix(name, "val_") && !s.hasValidation() {
		return errorf(line, "%s %q needs validation data: set data.validation_split, data.validation_last or a validation file", what, name)
	}
	return nil
}

func (s *Study) checkObjective() error {
	if len(s.Objectives) > 0 {
		return s.checkObjectives()
	}
	if s.Objective == "" {
		s.Objective = "accuracy"
		if s.Task == hypermodels.Regression {
			s.Objective = "loss"
		}
		if s.hasValidation() {
			s.Objective = "val_" + s.Objective
		}
	}
	if err := s.checkMetric("objective", s.Objective, s.line("objective")); err != nil {
		return err
	}
	switch s.Direction {
	case "":
		s.Direction, _ = goal.InferDirection(s.Objective) // every metric of checkMetric is inferable
	case goal.Minimize, goal.Maximize:
	default:
		return errorf(s.line("direction"), "direction %q: want min or max", s.Direction)
	}
	return nil
}

func (s *Study) checkNumbers() error {
	minTrials := 1
	if s.MaxTrials == 0 && !s.has("max_trials") {
		minTrials = 0 // a bounded oracle's search: no cap
	}
	for _, c := range []struct {
		key string
		v   int
		min int
	}{
		{"max_trials", s.MaxTrials, minTrials},
		{"executions_per_trial", s.ExecutionsPerTrial, 1},
		{"max_retries_per_trial", s.MaxRetriesPerTrial, 0},
		{"max_consecutive_failed_trials", s.MaxConsecutiveFailedTrials, tuner.NoLimit},
		{"keep_checkpoints", s.KeepCheckpoints, tuner.NoLimit},
		{"epochs", s.Epochs, 1},
		{"batch_size", s.BatchSize, 1},
		{"parallel_trials", s.ParallelTrials, 0},
	} {
		if c.v < c.min {
			return errorf(s.line(c.key), "%s is %d, want %d or more", c.key, c.v, c.min)
		}
		if c.min == tuner.NoLimit && c.v == 0 {
			// Go reads a zero as the default; the file must not read it
			// as something else.
			return errorf(s.line(c.key), "%s is 0: write -1 for no limit, or a positive number (leave the key out for the default)", c.key)
		}
	}
	return nil
}

func (s *Study) checkEarlyStopping() error {
	e := s.EarlyStopping
	if e == nil {
		return nil
	}
	if e.Monitor == "" {
		e.Monitor = "loss"
		if s.hasValidation() {
			e.Monitor = "val_loss"
		}
	}
	if err := s.checkMetric("early_stopping.monitor", e.Monitor, s.line("early_stopping", "monitor")); err != nil {
		return err
	}
	if e.Patience < 0 {
		return errorf(s.line("early_stopping", "patience"), "early_stopping.patience is %d, want 0 or more", e.Patience)
	}
	if math.IsNaN(e.MinDelta) || math.IsInf(e.MinDelta, 0) {
		return errorf(s.line("early_stopping", "min_delta"), "early_stopping.min_delta %v is not a finite number", e.MinDelta)
	}
	switch e.Mode {
	case "", "auto", "min", "max":
	default:
		return errorf(s.line("early_stopping", "mode"), "early_stopping.mode %q: want auto, min or max", e.Mode)
	}
	return nil
}

// newOracle makes the study's oracle; errors point at the oracle's keys.
func (s *Study) newOracle() (oracle.Oracle, error) {
	o, err := oracle.New(s.Oracle.Type, s.Oracle.Config)
	if err == nil {
		return o, nil
	}
	line := s.line("oracle", "type")
	if !errors.Is(err, oracle.ErrUnknown) {
		line = s.settingLine("oracle", err)
	}
	return nil, wrapf(line, err, "")
}

// newPruner makes the study's pruner, nil without one; errors point at
// the pruner's keys.
func (s *Study) newPruner() (oracle.Pruner, error) {
	if s.Pruner.Type == "" && s.Pruner.Config == nil {
		if s.has("pruner") {
			return nil, errorf(s.line("pruner"), "pruner: want median, successive_halving or pareto")
		}
		return nil, nil
	}
	p, err := oracle.NewPruner(s.Pruner.Type, s.Pruner.Config)
	if err == nil {
		return p, nil
	}
	line := s.line("pruner", "type")
	if !errors.Is(err, oracle.ErrUnknownPruner) {
		line = s.settingLine("pruner", err)
	}
	return nil, wrapf(line, err, "")
}

// settingLine is the line of the setting an oracle or pruner error names,
// or of its section when the setting is not in the file (a default).
func (s *Study) settingLine(section string, err error) int {
	var se *oracle.SettingError
	if errors.As(err, &se) {
		if line := s.line(section, se.Setting); line > 0 {
			return line
		}
	}
	return s.line(section)
}

// Options returns the tuner's options for the study: objective, direction,
// oracle, pruner, trial counts, seed, parallelism and the project's place.
// Overwrite and Observer are left to the caller. Options.Config keeps the
// study file with the project, and what the last LoadData learnt about the
// data (see FromConfig), so call LoadData first.
func (s *Study) Options() (tuner.Options, error) {
	o, err := s.newOracle()
	if err != nil {
		return tuner.Options{}, s.locate(err)
	}
	pruner, err := s.newPruner()
	if err != nil {
		return tuner.Options{}, s.locate(err)
	}
	config, err := s.storedConfig()
	if err != nil {
		return tuner.Options{}, err
	}
	failures, keep := s.MaxConsecutiveFailedTrials, s.KeepCheckpoints
	return tuner.Options{
		Objective:                  s.Objective,
		Direction:                  s.Direction,
		Objectives:                 s.objectives(),
		Oracle:                     o,
		Pruner:                     pruner,
		MaxTrials:                  s.MaxTrials,
		ExecutionsPerTrial:         s.ExecutionsPerTrial,
		MaxRetriesPerTrial:         s.MaxRetriesPerTrial,
		MaxConsecutiveFailedTrials: failures,
		KeepCheckpoints:            keep,
		Seed:                       s.Seed,
		ParallelTrials:             s.ParallelTrials,
		Directory:                  s.Directory,
		ProjectName:                s.Project,
		WarmStart:                  s.resolvedWarmStart(),
		Config:                     config,
	}, nil
}

// Source returns the text of the study file, as it was parsed.
func (s *Study) Source() []byte { return s.source }

// StorePath returns where the project's trials are stored: Store when
// set (a file path or an etcd:// URL), else Directory/Project/study.db.
func (s *Study) StorePath() string {
	if s.Store != "" {
		return s.Store
	}
	o := tuner.Options{Directory: s.Directory, ProjectName: s.Project}
	return o.StorePath()
}

// FitConfig returns the training settings of every trial: epochs, batch
// size, d's validation data, the callback reporting a scaled target's
// metrics in the target's units (TargetUnits) and the early-stopping
// callback.
func (s *Study) FitConfig(d *LoadedData) nn.FitConfig {
	cfg := nn.FitConfig{Epochs: s.Epochs, BatchSize: s.BatchSize}
	if d != nil {
		cfg.ValidationX, cfg.ValidationY = d.ValidationX, d.ValidationY
		if c := targetUnits(d.Target); c != nil {
			// First, so that every other callback sees the target's units.
			cfg.Callbacks = append(cfg.Callbacks, c)
		}
	}
	if e := s.EarlyStopping; e != nil {
		cfg.Callbacks = append(cfg.Callbacks, e.callback())
	}
	return cfg
}

// callback returns the nn callback; the tuner clones it for every trial.
func (e *EarlyStopping) callback() *nn.EarlyStopping {
	return &nn.EarlyStopping{
		Monitor:            e.Monitor,
		Patience:           e.Patience,
		MinDelta:           e.MinDelta,
		Mode:               e.Mode,
		RestoreBestWeights: e.RestoreBestWeights,
	}
}

// orList formats names as "a, b or c".
func orList(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
