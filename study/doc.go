// Package study reads study files: YAML descriptions of a hyperparameter
// search with the built-in MLP hypermodel, in the spirit of Keras Tuner. The
// tune command runs them; a Go program can too:
//
//	s, err := study.Load("study.yaml")
//	ds, err := s.LoadData()
//	opts, err := s.Options()
//	t, err := tuner.New(s.MLP(ds), opts)
//	err = t.Search(ctx, ds.X, ds.Y, s.FitConfig(ds))
//
// # Schema
//
// Every key is optional except data.format and the files of its format.
//
//	project: fashion_mnist     # default: the file name without its extension
//	directory: tune_projects   # default; trials go to directory/project/study.db
//	seed: 42                   # default 0: a study always repeats itself
//	task: classification       # classification (default) | binary | regression
//
//	data:
//	  format: idx              # idx | csv | spirals
//	  train_images: train-images-idx3-ubyte.gz   # idx: images (pixels scaled to [0, 1])
//	  train_labels: train-labels-idx1-ubyte.gz   # idx: class labels
//	  path: housing.csv        # csv: the file
//	  separator: ","           # csv: one character; default ","
//	  header: true             # csv: the first line names the columns; default true
//	  target: median_value     # csv: column name, or 0-based index (-1, the default, is the last)
//	  columns: [a, b]          # csv: feature columns by name; default all but the target
//	  string_labels: false     # csv: the target holds class names
//	  samples: 1000            # spirals: points (default 1000),
//	  classes: 2               #   arms (default 2)
//	  noise: 0.1               #   and noise (default 0.1), drawn from the seed
//	  validation_split: 0.1    # the last fraction of the rows validates (Keras' rule), or
//	  validation_last: 5000    # the last N rows; neither: no validation data
//	  scale: none              # none (default) | standard | minmax, fitted on the training rows
//
//	hyperparameters:           # the MLP's; see below
//	  n_hidden:      {type: int, min: 0, max: 8, default: 2}
//	  n_neurons:     {type: int, min: 16, max: 256, step: 16}
//	  learning_rate: {type: float, min: 1.0e-4, max: 1.0e-2, sampling: log}
//	  optimizer:     [sgd, adam]
//	  momentum:      {type: float, min: 0, max: 0.9}
//	  activation:    relu
//
//	objective: val_accuracy    # default val_accuracy (regression: val_loss), without val_ if no validation data
//	direction: max             # default: inferred from the objective
//	oracle: {type: random, max_collisions: 20}   # or just: oracle: random (the default)
//	max_trials: 10             # default 10; raise it and search again to continue
//	executions_per_trial: 1    # default 1
//	max_retries_per_trial: 0   # default 0
//	max_consecutive_failed_trials: 3   # default 3; 0: no limit
//	epochs: 10                 # default 10
//	batch_size: 32             # default 32
//	parallel_trials: 2         # default 0: one per CPU
//	early_stopping: {monitor: val_loss, patience: 3, min_delta: 0, mode: auto, restore_best_weights: false}
//
// Relative paths (directory and the data files) are relative to the study
// file's directory, not to the working directory.
//
// # Hyperparameters
//
// The hyperparameters section sets the built-in MLP's hyperparameters (see
// KnownHyperparameters and MLP): n_hidden, n_neurons, activation,
// optimizer, learning_rate and momentum. Each entry is one of
//
//   - a mapping, which defines a hyperparameter to tune, as Keras Tuner's
//     hp.Int, hp.Float, hp.Choice, hp.Boolean and hp.Fixed do:
//     type (int | float | choice | boolean | fixed, required), then min and
//     max (required), step and sampling (linear | log | reverse_log) for int
//     and float; values for choice; value for fixed; default for all but
//     fixed. The definition goes to hp as an hp.Param, which checks it;
//   - a list, a choice among its values: optimizer: [sgd, adam];
//   - a plain value, which fixes it (hp.Fixed): activation: relu.
//
// Values are converted to the hyperparameter's type: n_hidden and n_neurons
// take whole numbers, learning_rate and momentum numbers, activation and
// optimizer names. A hyperparameter the section leaves out is not tuned
// and takes its built-in default: 2 hidden layers of 64 relu units, adam
// with its default learning rate, no momentum. momentum applies to sgd
// only: when given, the optimizer must be sgd or a choice including it, and
// momentum is conditional on it (inactive in trials that use another
// optimizer).
//
// # Objective and metrics
//
// A classification or binary model reports loss and accuracy, a regression
// model loss, rmse and mae; each also with the "val_" prefix when there is
// validation data. The objective and early_stopping.monitor must be one of
// these.
//
// # Data checks
//
// LoadData checks the labels against the task: classification labels must
// be whole numbers from 0 (the number of classes is the largest training
// label + 1, and validation labels must be below it); binary labels 0 or
// 1; regression targets any number. The validation part must leave at
// least one training row.
//
// # Errors
//
// Decoding is strict: an unknown key is an error (yaml.v3's KnownFields),
// and so are a key given twice, a value of the wrong type and every check
// above. Every error is an *Error, one line naming the file and, when the
// problem is in the file, the line:
//
//	study.yaml:7: unknown hyperparameter "lerning_rate" (did you mean "learning_rate"?)
//	study.yaml:12: hyperparameter "n_neurons": min 300 > max 200
//	study.yaml:23: epochs: want a whole number, got "ten"
//	study.yaml: the data section is missing: set data.format (idx, csv or spirals) and its files
//
// Errors about the data name the data file as well; an error in the
// contents of a CSV file is located in that file (housing.csv:12:3: …).
// Parse reports decoding errors (syntax, unknown keys, types) before the
// checks of values, so the first error reported is not always the one on
// the earliest line.
package study
