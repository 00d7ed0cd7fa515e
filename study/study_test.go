package study

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/hypermodels"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/oracle"
)

// valid is a complete study; the error cases below edit it.
const valid = `project: spirals
directory: projects
seed: 42
task: classification
data:
  format: spirals
  samples: 200
  validation_split: 0.25
  scale: standard
hyperparameters:
  n_hidden: {type: int, min: 0, max: 3, default: 1}
  n_neurons: {type: int, min: 4, max: 32, step: 4}
  learning_rate: {type: float, min: 1.0e-4, max: 1.0e-1, sampling: log}
  optimizer: {type: choice, values: [sgd, adam]}
  momentum: {type: float, min: 0, max: 0.9}
  activation: tanh
objective: val_accuracy
oracle: {type: random, max_collisions: 5}
max_trials: 4
executions_per_trial: 2
max_retries_per_trial: 1
max_consecutive_failed_trials: -1
epochs: 3
batch_size: 16
parallel_trials: 2
early_stopping: {monitor: val_loss, patience: 2, min_delta: 0.01, restore_best_weights: true}
`

func TestParseValid(t *testing.T) {
	s, err := Parse([]byte(valid), filepath.Join("dir", "study.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Project != "spirals" || s.Directory != filepath.Join("dir", "projects") || s.Seed != 42 || s.Task != hypermodels.Classification {
		t.Errorf("project %q directory %q seed %d task %q", s.Project, s.Directory, s.Seed, s.Task)
	}
	if got := s.Hyperparameters.Names(); !reflect.DeepEqual(got, []string{"n_hidden", "n_neurons", "learning_rate", "optimizer", "momentum", "activation"}) {
		t.Errorf("names %v", got)
	}
	lr, _ := s.Hyperparameters.Lookup("learning_rate")
	if lr.Line != 13 || lr.Param.Kind != hp.KindFloat || lr.Param.Sampling != hp.Log || lr.Param.Min != 1e-4 {
		t.Errorf("learning_rate %+v", lr)
	}
	m, _ := s.Hyperparameters.Lookup("momentum")
	if len(m.Param.Conditions) != 1 || m.Param.Conditions[0].Parent != "optimizer" {
		t.Errorf("momentum is not conditional on optimizer: %+v", m.Param)
	}
	if a, _ := s.Hyperparameters.Lookup("activation"); a.Param.Kind != hp.KindFixed || a.Param.Values[0] != "tanh" {
		t.Errorf("activation %+v", a.Param)
	}
	if s.Direction != goal.Maximize {
		t.Errorf("direction %q", s.Direction)
	}

	o, err := s.Options()
	if err != nil {
		t.Fatal(err)
	}
	rs, ok := o.Oracle.(*oracle.RandomSearch)
	if !ok || rs.MaxCollisions != 5 {
		t.Errorf("oracle %#v", o.Oracle)
	}
	if o.Objective != "val_accuracy" || o.Direction != goal.Maximize || o.MaxTrials != 4 || o.ExecutionsPerTrial != 2 ||
		o.MaxRetriesPerTrial != 1 || o.MaxConsecutiveFailedTrials != -1 || o.Seed != 42 || o.ParallelTrials != 2 ||
		o.Directory != filepath.Join("dir", "projects") || o.ProjectName != "spirals" {
		t.Errorf("options %+v", o)
	}
	if got, want := s.StorePath(), filepath.Join("dir", "projects", "spirals", "study.db"); got != want {
		t.Errorf("store path %q, want %q", got, want)
	}

	vx := nn.NewMatrix(1, 2)
	cfg := s.FitConfig(&LoadedData{ValidationX: vx})
	if cfg.Epochs != 3 || cfg.BatchSize != 16 || cfg.ValidationX != vx || len(cfg.Callbacks) != 1 {
		t.Fatalf("fit config %+v", cfg)
	}
	es, ok := cfg.Callbacks[0].(*nn.EarlyStopping)
	if !ok || es.Monitor != "val_loss" || es.Patience != 2 || es.MinDelta != 0.01 || !es.RestoreBestWeights {
		t.Errorf("early stopping %#v", cfg.Callbacks[0])
	}
}

func TestParseDefaults(t *testing.T) {
	s, err := Parse([]byte("data: {format: spirals}\n"), "my_study.yml")
	if err != nil {
		t.Fatal(err)
	}
	want := Study{
		File: "my_study.yml", Project: "my_study", Directory: DefaultDirectory, Task: hypermodels.Classification, Model: DefaultModel,
		Objective: "accuracy", Direction: goal.Maximize, MaxTrials: 10, ExecutionsPerTrial: 1,
		MaxConsecutiveFailedTrials: 3, KeepCheckpoints: 10, Epochs: 10, BatchSize: 32,
	}
	got := *s
	got.Data, got.Hyperparameters, got.Oracle, got.dir, got.root, got.source = Data{}, nil, Oracle{}, "", nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("defaults\n got %+v\nwant %+v", got, want)
	}
	if d := s.Data; d.Samples != 1000 || d.Classes != 2 || d.Noise != 0.1 || d.Scale != "none" {
		t.Errorf("data defaults %+v", d)
	}
	o, err := s.Options()
	if err != nil {
		t.Fatal(err)
	}
	if o.Oracle.Name() != "random" || o.MaxConsecutiveFailedTrials != 3 || o.ParallelTrials != 0 {
		t.Errorf("options %+v", o)
	}
	if cfg := s.FitConfig(nil); len(cfg.Callbacks) != 0 {
		t.Errorf("callbacks %v without early_stopping", cfg.Callbacks)
	}

	// Regression with validation data: val_loss.
	s, err = Parse([]byte("task: regression\ndata: {format: csv, path: x.csv, validation_last: 10}\nearly_stopping: {}\n"), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.Objective != "val_loss" || s.Direction != goal.Minimize || s.EarlyStopping.Monitor != "val_loss" {
		t.Errorf("objective %q %q, monitor %q", s.Objective, s.Direction, s.EarlyStopping.Monitor)
	}
	if s.Data.Path != "x.csv" || !s.Data.Header || s.Data.Target != (Column{Index: -1}) {
		t.Errorf("csv data %+v", s.Data)
	}
}

func TestParseShorthands(t *testing.T) {
	s, err := Parse([]byte(`data: {format: csv, path: /abs/x.csv, target: 0, header: false}
hyperparameters:
  optimizer: [adam, sgd]
  momentum: 0.9
  learning_rate: [1, 0.1]
  n_neurons: {type: choice, values: [16, 32.0], default: 32}
  n_hidden: {type: fixed, value: 3}
oracle: random
`), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.Data.Path != "/abs/x.csv" || s.Data.Target != (Column{Index: 0}) {
		t.Errorf("data %+v", s.Data)
	}
	check := func(name string, kind hp.Kind, values ...any) {
		t.Helper()
		h, ok := s.Hyperparameters.Lookup(name)
		if !ok || h.Param.Kind != kind || !reflect.DeepEqual(h.Param.Values, values) {
			t.Errorf("%s: %+v, want %s %v", name, h, kind, values)
		}
	}
	check("optimizer", hp.KindChoice, "adam", "sgd")
	check("momentum", hp.KindFixed, 0.9)
	check("learning_rate", hp.KindChoice, 1.0, 0.1) // ints become floats
	check("n_neurons", hp.KindChoice, 16, 32)       // whole floats become ints
	check("n_hidden", hp.KindFixed, 3)
	if h, _ := s.Hyperparameters.Lookup("n_neurons"); h.Param.Default != 32 {
		t.Errorf("n_neurons default %#v", h.Param.Default)
	}
}

// TestParseErrors checks every error message, with its line.
func TestParseErrors(t *testing.T) {
	// edit replaces the first line of valid starting with prefix by repl
	// (several lines with "\n"), or appends repl when prefix is "".
	edit := func(prefix, repl string) string {
		if prefix == "" {
			return valid + repl + "\n"
		}
		lines := strings.Split(valid, "\n")
		for i, l := range lines {
			if strings.HasPrefix(l, prefix) {
				lines[i] = repl
				return strings.Join(lines, "\n")
			}
		}
		panic("no line " + prefix)
	}
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown key", edit("epochs:", "epoch: 3"), `study.yaml:23: unknown key "epoch" (did you mean "epochs"?)`},
		{"unknown key far from any", edit("", "colour: red"), `study.yaml:27: unknown key "colour"`},
		{"unknown data key", edit("  samples:", "  sample: 200"), `study.yaml:7: unknown key "sample" in data (did you mean "samples"?)`},
		{"unknown early_stopping key", edit("early_stopping:", "early_stopping: {wait: 2}"),
			`study.yaml:26: unknown key "wait" in early_stopping (want monitor, patience, min_delta, mode or restore_best_weights)`},
		{"unknown hyperparameter", edit("  learning_rate:", "  lerning_rate: {type: float, min: 1.0e-4, max: 1.0e-2}"),
			`study.yaml:13: unknown hyperparameter "lerning_rate" (did you mean "learning_rate"?)`},
		{"unknown hyperparameter far from any", edit("  activation:", "  colour: red"),
			`study.yaml:16: unknown hyperparameter "colour" (model mlp has n_hidden, n_neurons, activation, optimizer, learning_rate, momentum, dropout, batch_norm or batch_size)`},
		{"hyperparameter given twice", edit("  activation:", "  n_hidden: 2"), `study.yaml:16: hyperparameter "n_hidden" is given twice (first at line 11)`},
		{"min above max", edit("  n_neurons:", "  n_neurons: {type: int, min: 300, max: 200}"), `study.yaml:12: hyperparameter "n_neurons": min 300 > max 200`},
		{"unknown spec key", edit("  n_neurons:", "  n_neurons: {type: int, min: 4, max: 32, stp: 4}"),
			`study.yaml:12: hyperparameter "n_neurons": unknown key "stp" (did you mean "step"?)`},
		{"spec key on its own line", edit("  n_neurons:", "  n_neurons:\n    type: int\n    min: 4\n    max: 32\n    values: [4]"),
			`study.yaml:16: hyperparameter "n_neurons": values does not apply to type int (it takes min, max, step, sampling or default)`},
		{"spec without type", edit("  n_neurons:", "  n_neurons: {min: 4, max: 32}"),
			`study.yaml:12: hyperparameter "n_neurons": type is missing: want int, float, choice, boolean or fixed`},
		{"unknown type", edit("  n_neurons:", "  n_neurons: {type: integer, min: 4, max: 32}"),
			`study.yaml:12: hyperparameter "n_neurons": type "integer": want int, float, choice, boolean or fixed`},
		{"spec without max", edit("  n_neurons:", "  n_neurons: {type: int, min: 4}"),
			`study.yaml:12: hyperparameter "n_neurons": max is missing: type int needs min and max`},
		{"spec min not a number", edit("  n_neurons:", "  n_neurons: {type: int, min: few, max: 32}"),
			`study.yaml:12: hyperparameter "n_neurons": min: want a number, got "few"`},
		{"empty choice", edit("  optimizer:", "  optimizer: []"), `study.yaml:14: hyperparameter "optimizer": the list of values is empty`},
		{"wrong kind for type", edit("  n_neurons:", "  n_neurons: {type: float, min: 4, max: 32}"),
			`study.yaml:12: hyperparameter "n_neurons": type float does not fit: n_neurons takes whole numbers (type int)`},
		{"range for a name", edit("  optimizer:", "  optimizer: {type: int, min: 0, max: 1}"),
			`study.yaml:14: hyperparameter "optimizer": type int does not fit: optimizer takes names, as a choice (a list) or a fixed value`},
		{"whole number wanted", edit("  n_hidden:", "  n_hidden: 1.5"), `study.yaml:11: hyperparameter "n_hidden": n_hidden takes whole numbers, not 1.5`},
		{"negative layers", edit("  n_hidden:", "  n_hidden: {type: int, min: -1, max: 3}"), `study.yaml:11: hyperparameter "n_hidden": -1 is below 0`},
		{"unknown optimizer", edit("  optimizer:", "  optimizer: [sgd, adamw]"), `study.yaml:14: hyperparameter "optimizer": "adamw" is not sgd, adam or rmsprop`},
		{"unknown activation", edit("  activation:", "  activation: relu6"), `study.yaml:16: hyperparameter "activation": unknown activation "relu6" (want elu, leaky_relu, linear, relu`},
		{"log sampling from 0", edit("  learning_rate:", "  learning_rate: {type: float, min: 0, max: 0.1, sampling: log}"),
			`study.yaml:13: hyperparameter "learning_rate": 0 is not above 0`},
		{"bad sampling", edit("  learning_rate:", "  learning_rate: {type: float, min: 0.001, max: 0.1, sampling: exp}"),
			`study.yaml:13: hyperparameter "learning_rate": unknown sampling "exp" (want linear, log or reverse_log)`},
		{"default outside", edit("  n_hidden:", "  n_hidden: {type: int, min: 0, max: 3, default: 5}"),
			`study.yaml:11: hyperparameter "n_hidden": default 5 outside [0, 3]`},
		{"momentum without sgd", edit("  optimizer:", "  optimizer: adam"),
			`study.yaml:15: hyperparameter "momentum" is active only when optimizer is sgd: set optimizer to sgd or a choice that includes it`},
		{"hyperparameters not a mapping", edit("hyperparameters:", "hyperparameters: [n_hidden]\nx:"),
			`study.yaml:10: hyperparameters: want a mapping of names to definitions, got a list`},
		{"type error", edit("epochs:", "epochs: ten"), `study.yaml:23: epochs: want a whole number, got "ten"`},
		{"nested type error", edit("  samples:", "  samples: many"), `study.yaml:7: data.samples: want a whole number, got "many"`},
		{"flow type error", edit("early_stopping:", "early_stopping: {monitor: val_loss, patience: long}"),
			`study.yaml:26: early_stopping.patience: want a whole number, got "long"`},
		{"fraction for a whole number", edit("epochs:", "epochs: 2.5"), `study.yaml:23: epochs: want a whole number, got 2.5`},
		{"nested fraction", edit("early_stopping:", "early_stopping: {patience: 1.5}"), `study.yaml:26: early_stopping.patience: want a whole number, got 1.5`},
		{"mapping for a number", edit("seed:", "seed: {a: 1}"), `study.yaml:3: seed: want a whole number, got a mapping`},
		{"data not a mapping", "seed: 1\ndata: spirals\n", `study.yaml:2: data: want a mapping, got "spirals"`},
		{"duplicate key", edit("", "seed: 1"), `study.yaml:27: key "seed" is given twice`},
		{"syntax error", edit("seed:", "seed: [1"), `study.yaml:3: this "[" is never closed`},
		{"syntax error at the end", "[1\n", `study.yaml:1: this "[" is never closed`},
		{"bad indentation", "data:\n  format: spirals\n samples: 3\n", `study.yaml:3: indented by 1, like no line above it (they are indented by 0, 2)`},
		{"tab indentation", edit("  format:", "\tformat: spirals"), `study.yaml:6: a tab in the indentation: YAML indents with spaces`},
		{"unclosed quote", edit("seed:", "seed: \"1"), `study.yaml:3: the " quote opened on this line is not closed`},
		{"colon in a plain value", edit("seed:", "name: a: b\nseed: 1"), `study.yaml:3: the value holds ": "; put the value in quotes`},
		{"at sign", edit("seed:", "seed: @1"), `study.yaml:3: "@" cannot start a plain value; put the value in quotes`},
		{"two documents", valid + "---\nseed: 1\n", `study.yaml:27: a study file holds one YAML document`},
		{"empty", "# nothing\n", `study.yaml: the study file is empty`},
		{"not a mapping", "- data\n", `study.yaml:1: want a mapping, got a list`},
		{"no data", "seed: 1\n", `study.yaml: the data section is missing`},
		{"no format", edit("  format:", "  noise: 0.1"), `study.yaml:5: data.format is missing: want idx, csv, images or spirals`},
		{"unknown format", edit("  format:", "  format: parquet"), `study.yaml:6: data.format "parquet": want idx, csv, images or spirals`},
		{"key of another format", edit("  format:", "  format: csv\n  path: x.csv"), `study.yaml:8: data.samples applies to format spirals, not csv`},
		{"idx without labels", "data:\n  format: idx\n  train_images: x.gz\n", `study.yaml:1: data.train_labels is missing: the idx format needs it`},
		{"csv separator", "data:\n  format: csv\n  path: x.csv\n  separator: ';;'\n", `study.yaml:4: data.separator ";;" must be one character`},
		{"csv target name without header", "data:\n  format: csv\n  path: x.csv\n  header: false\n  target: price\n", `study.yaml:5: data.target names column "price", but without a header (header: false) the columns are 0, 1, 2, …`},
		{"csv target not scalar", "data:\n  format: csv\n  path: x.csv\n  target: [1]\n", `study.yaml:4: data.target: want a column name or index`},
		{"validation split range", edit("  validation_split:", "  validation_split: 1"), `study.yaml:8: data.validation_split 1 must be in [0, 1)`},
		{"both validations", edit("  validation_split:", "  validation_split: 0.2\n  validation_last: 10"),
			`study.yaml:9: set data.validation_split or data.validation_last, not both`},
		{"scale", edit("  scale:", "  scale: robust"), `study.yaml:9: data.scale "robust": want none, standard or minmax`},
		{"spirals regression", edit("task:", "task: regression"), `study.yaml:4: task regression does not fit the spirals data`},
		{"unknown task", edit("task:", "task: ranking"), `study.yaml:4: task "ranking": want classification, binary or regression`},
		{"unknown objective", edit("objective:", "objective: val_acc"),
			`study.yaml:17: objective "val_acc" is not a metric of a classification model (want loss, accuracy, val_loss or val_accuracy)`},
		{"objective without validation", edit("  validation_split:", "  noise: 0.1"),
			`study.yaml:17: objective "val_accuracy" needs validation data: set data.validation_split, data.validation_last or a validation file`},
		{"direction", edit("objective:", "objective: val_accuracy\ndirection: up"), `study.yaml:18: direction "up": want min or max`},
		{"unknown oracle", edit("oracle:", "oracle: {type: bayes}"), `study.yaml:18: unknown oracle "bayes" (want random, grid, hyperband, bayesian, tpe or nsga2)`},
		{"oracle setting", edit("oracle:", "oracle:\n  type: random\n  max_colisions: 5"), `study.yaml:20: random settings: unknown setting "max_colisions"`},
		{"oracle setting value", edit("oracle:", "oracle:\n  type: bayesian\n  num_initial_points: 2\n  alpha: -1"), `study.yaml:21: oracle bayesian: alpha -1 must be positive`},
		{"oracle setting type", edit("oracle:", "oracle:\n  type: hyperband\n  max_epochs: many"), `study.yaml:20: hyperband settings: json: cannot unmarshal string into Go struct field Hyperband.max_epochs of type int`},
		{"pruner setting", edit("oracle:", "pruner:\n  type: median\n  min_trials: -1\noracle:"), `study.yaml:20: median pruner: min_trials -1 must not be negative`},
		{"oracle setting not finite", edit("oracle:", "oracle:\n  type: bayesian\n  beta: .nan"), `study.yaml:20: oracle.beta: NaN is not a finite number`},
		{"list element type", "data:\n  format: csv\n  path: x.csv\n  columns: [a,\n    {b: 1}]\n", `study.yaml:5: data.columns: want a string, got a mapping`},
		{"oracle type not a name", edit("oracle:", "oracle: {type: [random]}"), `study.yaml:18: oracle.type: want a name such as random`},
		{"max trials", edit("max_trials:", "max_trials: 0"), `study.yaml:19: max_trials is 0, want 1 or more`},
		{"batch size", edit("batch_size:", "batch_size: -1"), `study.yaml:24: batch_size is -1, want 1 or more`},
		{"monitor", edit("early_stopping:", "early_stopping: {monitor: val_auc}"), `study.yaml:26: early_stopping.monitor "val_auc" is not a metric`},
		{"patience", edit("early_stopping:", "early_stopping: {patience: -1}"), `study.yaml:26: early_stopping.patience is -1, want 0 or more`},
		{"mode", edit("early_stopping:", "early_stopping: {mode: up}"), `study.yaml:26: early_stopping.mode "up": want auto, min or max`},
		{"project path", edit("project:", "project: a/b"), `study.yaml:1: project "a/b" must be a plain name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "study.yaml")
			if err == nil {
				t.Fatalf("no error; want %s", tt.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.want) {
				t.Errorf("error\n got %s\nwant %s", msg, tt.want)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error has more than one line: %q", msg)
			}
			var e *Error
			if !errors.As(err, &e) || e.File != "study.yaml" {
				t.Errorf("error %T %+v is not an *Error naming the file", err, err)
			}
		})
	}
}

func TestParseErrorWrapsHP(t *testing.T) {
	_, err := Parse([]byte("data: {format: spirals}\nhyperparameters:\n  n_neurons: {type: int, min: 3, max: 2}\n"), "s.yaml")
	if !errors.Is(err, hp.ErrInvalid) {
		t.Errorf("error %v does not wrap hp.ErrInvalid", err)
	}
	_, err = Parse([]byte("data: {format: spirals}\noracle: annealing\n"), "s.yaml")
	if !errors.Is(err, oracle.ErrUnknown) {
		t.Errorf("error %v does not wrap oracle.ErrUnknown", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := Load(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+": cannot read study file") {
		t.Errorf("error %v", err)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"abc", "", 3}, {"lerning_rate", "learning_rate", 1}, {"epoch", "epochs", 1}, {"kitten", "sitting", 3}} {
		if got := editDistance(tt.a, tt.b); got != tt.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.d)
		}
	}
}

// TestMergeKey checks that a mapping merged with << is decoded like one
// written out.
func TestMergeKey(t *testing.T) {
	s, err := Parse([]byte("data:\n  <<: {format: spirals, samples: 50}\n  noise: 0.2\n"), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.Data.Format != "spirals" || s.Data.Samples != 50 || s.Data.Noise != 0.2 {
		t.Errorf("data %+v", s.Data)
	}
}
