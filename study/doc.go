// Package study reads study files: YAML descriptions of a hyperparameter
// search with a built-in hypermodel (package hypermodels), in the spirit of
// Keras Tuner. The
// tune command runs them; a Go program can too:
//
//	s, err := study.Load("study.yaml")
//	ds, err := s.LoadData()
//	opts, err := s.Options()
//	t, err := tuner.New(&tuner.Training{HyperModel: s.HyperModel(ds.Profile()), X: ds.X, Y: ds.Y, Config: s.FitConfig(ds)}, opts)
//	err = t.Search(ctx)
//
// # Schema
//
// Every key is optional except data.format and the files of its format.
//
//	project: fashion_mnist     # default: the file name without its extension
//	directory: tune_projects   # default; trials go to directory/project/study.db
//	store: etcd://h1:2379,h2:2379/mnist   # instead: a shared etcd study (or a .db file path)
//	warm_start: ../old_project # or a list: projects (directories, .db files, etcd:// URLs) whose
//	                           # trials seed the oracle (bayesian, tpe), read once when the project is created
//	seed: 42                   # default 0: a study always repeats itself
//	task: classification       # classification (default) | binary | regression
//	model: mlp                 # mlp (default) | wide_deep | cnn; see package hypermodels
//
//	data:
//	  format: idx              # idx | csv | images | spirals
//	  train_images: train-images-idx3-ubyte.gz   # idx: images (pixels scaled to [0, 1])
//	  train_labels: train-labels-idx1-ubyte.gz   # idx: class labels
//	  validation_images: …     # idx: a validation file pair instead of a split
//	  validation_labels: …
//	  test_images: t10k-images-idx3-ubyte.gz   # idx: a test file pair, for tune retrain
//	  test_labels: t10k-labels-idx1-ubyte.gz
//	  path: housing.csv        # csv: the file
//	  separator: ","           # csv: one character such as ";"; default ","
//	  header: true             # csv: the first line names the columns; default true
//	  target: median_value     # csv: column name, or 0-based index (-1, the default, is the last)
//	  columns: [a, b]          # csv: feature columns by name; default all but the target
//	  string_labels: false     # csv: the target holds class names
//	  labels: [no, yes]        # csv: with string_labels, the class names in id order
//	  validation_path: v.csv   # csv: a validation file instead of a split
//	  test_path: test.csv      # csv: a test file, for tune retrain
//	  directory: photos        # images: one subfolder of PNG/JPEG files per class (shuffled with the seed)
//	  image_size: [28, 28]     # images: [height, width] they are resized to; default [28, 28]
//	  channels: 1              # images: 1 (grey, default) or 3 (RGB)
//	  class_names: [cat, dog]  # images: the class folders in id order; default sorted by name
//	  validation_directory: …  # images: a validation folder instead of a split
//	  test_directory: …        # images: a test folder, for tune retrain
//	  samples: 1000            # spirals: points (default 1000),
//	  classes: 2               #   arms (default 2)
//	  noise: 0.1               #   and noise (default 0.1), drawn from the seed
//	  validation_split: 0.1    # a fraction of the rows validates, drawn at random with the seed, or
//	  validation_last: 5000    # the last N rows; neither nor a file: no validation data
//	  test_split: 0.1          # a fraction of the rows for tune retrain's test (not with a test file)
//	  shuffle: true            # default; false holds out the last rows (Keras' validation_split)
//	  stratify: true           # default for classification and binary: each set keeps the class shares
//	  scale: none              # none (default) | standard | minmax, fitted on the training rows
//	  scale_target: none       # regression: none (default) | standard | minmax; metrics stay in the target's units
//
//	hyperparameters:           # the model's; see below
//	  n_hidden:      {type: int, min: 0, max: 8, default: 2}
//	  n_neurons:     {type: int, min: 16, max: 256, step: 16}
//	  learning_rate: {type: float, min: 1.0e-4, max: 1.0e-2, sampling: log}
//	  optimizer:     [sgd, adam]
//	  momentum:      {type: float, min: 0, max: 0.9}
//	  activation:    relu
//	  dropout:       {type: float, min: 0.0, max: 0.5, step: 0.1}
//	  batch_norm:    {type: boolean}
//	  batch_size:    [32, 64, 128]
//
//	objective: val_accuracy    # default val_accuracy (regression: val_loss), without val_ if no validation data
//	direction: max             # default: inferred from the objective
//	oracle: {type: random, max_collisions: 20}   # or just: oracle: random (the default);
//	                           # grid, {type: hyperband, max_epochs: 30, factor: 3},
//	                           # {type: bayesian, num_initial_points: 5, alpha: 1.0e-4, beta: 2.6}
//	pruner: {type: median, warmup_trials: 5}     # or successive_halving; default none
//	max_trials: 10             # default 10 (no cap for grid and hyperband); raise it and search again to continue
//	executions_per_trial: 1    # default 1
//	max_retries_per_trial: 0   # default 0
//	max_consecutive_failed_trials: 3   # default 3; -1: no limit (tuner.NoLimit)
//	keep_checkpoints: 10       # default 10: the best 10 trials keep their checkpoints; -1: every trial
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
// The hyperparameters section sets the built-in model's hyperparameters
// (see hypermodels.DenseHyperparameters): n_hidden, n_neurons, activation,
// optimizer, learning_rate, momentum, dropout, batch_norm and batch_size.
// Each entry is one of
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
// Values are converted to the hyperparameter's type: n_hidden, n_neurons
// and batch_size take whole numbers, learning_rate, momentum and dropout
// numbers, activation and optimizer names, batch_norm true or false. A
// hyperparameter the section leaves out is not tuned and takes its
// built-in default: 2 hidden layers of 64 relu units, adam with its
// default learning rate, no momentum, no dropout, no batch normalization,
// the study's batch_size. momentum applies to sgd
// only: when given, the optimizer must be sgd or a choice including it, and
// momentum is conditional on it (inactive in trials that use another
// optimizer).
//
// # Models
//
// model: mlp is a multilayer perceptron; model: wide_deep is the Wide &
// Deep network of Hands-On Machine Learning, chapter 10, which feeds the
// inputs both through the hidden layers and straight to the output (see
// hypermodels.MLP and hypermodels.WideDeep). Both take the same
// hyperparameters; dropout and batch_norm add Dropout and
// BatchNormalization layers after every hidden layer. model: cnn is a
// convolutional network for images (format images or idx; see
// hypermodels.CNN) with its own hyperparameters: conv_blocks, filters
// (doubled by every further block), kernel_size, pooling (max or avg),
// dense_units, dropout, optimizer, learning_rate, momentum and batch_size;
// a hyperparameter the section leaves out takes its default (two blocks
// of 32 and 64 3×3 filters, max pooling, Dense 128, adam). The study builds no
// model itself: it converts its sections into a hypermodels.Config.
//
// # What a project keeps
//
// Options stores the study file's text with the project, and what LoadData
// learnt: the input shape, the classes and their names, the feature
// columns and the fitted scalers (data.Profile). FromConfig reads them back, so
// that the tune command can report on, plot and predict with a project's
// models from the project alone.
//
// # Command-line settings
//
// Override changes keys of a study file's text (dotted keys, YAML values),
// as tune search's --set, --max-trials and similar flags do.
//
// # Objective and metrics
//
// A classification or binary model reports loss and accuracy, a regression
// model loss, rmse and mae; each also with the "val_" prefix when there is
// validation data. The objective and early_stopping.monitor must be one of
// these.
//
// # Splits and target scaling
//
// The validation and test rows (validation_split, test_split) are drawn
// at random with the study's seed, stratified by class for classification
// and binary tasks, so that a file sorted by class or by time validates on
// every class; shuffle: false takes them from the end instead, as Keras'
// validation_split does. A held-out set of a single class and a class the
// training rows lack are reported in LoadedData.Warnings (tune search prints
// them). With scale_target the model trains on the scaled target; the
// TargetUnits callback reports loss, rmse and mae (val_ ones too) in the
// target's units and the trained values with a "_scaled" suffix (both may
// be the objective), tune predict answers in the target's units and tune
// retrain folds the scaling into the saved model's output layer.
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
//	study.yaml: the data section is missing: set data.format (idx, csv, images or spirals) and its files
//	iris.csv:41: training label 7 is not a class of the training labels (0 to 2)
//
// Errors about the data name the data file as well (a bad label names its
// line in a csv file, its position in an IDX labels file); an error in the
// contents of a CSV file is located in that file (housing.csv:12:3: …).
// LoadData also reads the validation and test files when the study names
// them, with the training file's layout, string labels numbered as the
// training file numbers them.
//
// Parse reports decoding errors (syntax, unknown keys, types) before the
// checks of values, so the first error reported is not always the one on
// the earliest line.
package study
