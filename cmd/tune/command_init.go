package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/template"

	"github.com/spf13/cobra"

	"github.com/tunekit/tune/hypermodels"
	"github.com/tunekit/tune/study"
)

type initFlags struct {
	output, data, target, task string
	force                      bool
}

func newInitCommand() *cobra.Command {
	var f initFlags
	cmd := &cobra.Command{
		Use:   "init [-o study.yaml] [--data train.csv [--target COLUMN] [--task TASK]] [--force]",
		Short: "Write a commented example study file",
		Long: `init writes a study file that shows every setting with a comment. Without
--data it tunes an MLP on generated spirals and runs as it is; with
--data it reads the csv file's first rows to fill the data section: the
separator (",", ";" or a tab, whichever the first line holds most of),
whether the first line is a header (it is when a column of numbers starts
with something else), the target (--target, by name or 0-based index;
default the last column), and the task (--task, or guessed from the
target: names or a few whole numbers make a classification, two names or
0 and 1 a binary one, other numbers a regression). It prints each guess
and why.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runInit(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "study.yaml", "the study file to write")
	fl.StringVar(&f.data, "data", "", "a csv file to describe (with or without a header line)")
	fl.StringVar(&f.target, "target", "", "the column to predict (default: the last)")
	fl.StringVar(&f.task, "task", "", "classification, binary or regression (default: guessed)")
	fl.BoolVar(&f.force, "force", false, "overwrite the file if it exists")
	_ = cmd.MarkFlagFilename("data", "csv", "tsv", "txt")
	_ = cmd.RegisterFlagCompletionFunc("task", completeWords("classification", "binary", "regression"))
	return cmd
}

// initStudy fills studyTemplate.
type initStudy struct {
	File, Project, Task, Objective, Data string
}

var studyTemplate = template.Must(template.New("study").Parse(`# A tune study: what to tune, on which data, and how.
#
#   tune search --config {{.File}}     # run it; run it again to resume it
#   tune report --config {{.File}}     # the best trials (also: best, trials, show, plot)
#
# Every key is optional except data.format and its files. Relative paths
# are relative to this file. The reference: go doc github.com/tunekit/tune/study
project: {{.Project}}    # trials are stored in directory/project/study.db
directory: tune_projects
seed: 42                 # the same seed repeats the same study
task: {{.Task}}    # classification | binary | regression
model: mlp               # mlp | wide_deep (the inputs concatenated with the last hidden layer) | cnn (images)

data:
{{.Data}}  scale: standard        # none | standard | minmax, fitted on the training rows only

# A mapping is tuned, a list is a choice, a plain value is fixed; a
# hyperparameter left out takes its default (2 hidden layers of 64 relu
# units, adam, no dropout, no batch normalization).
hyperparameters:
  n_hidden:      {type: int, min: 1, max: 3, default: 2}
  n_neurons:     {type: int, min: 16, max: 128, step: 16}
  activation:    [relu, tanh]
  dropout:       {type: float, min: 0.0, max: 0.4, step: 0.1}
  batch_norm:    false   # or {type: boolean} to tune it
  optimizer:     [adam, sgd]
  learning_rate: {type: float, min: 1.0e-4, max: 1.0e-2, sampling: log}
  momentum:      {type: float, min: 0.0, max: 0.9}   # sgd only
  batch_size:    [32, 64]   # overrides batch_size below

objective: {{.Objective}}   # loss or accuracy (rmse, mae for regression), val_ for validation data
oracle: random           # random | grid | bayesian | tpe | {type: hyperband, max_epochs: 30, factor: 3}
# pruner: {type: median, warmup_trials: 5}   # stop trials worse than the median at the same epoch
max_trials: 10           # raise it and search again to continue
executions_per_trial: 1  # trainings per trial, from different initial weights, averaged
epochs: 20
batch_size: 32
parallel_trials: 0       # trials at once; 0: one per CPU
early_stopping: {monitor: val_loss, patience: 5}
`))

const spiralsData = `  format: spirals         # generated points: replace with your data (below)
  samples: 1000
  noise: 0.1
  validation_split: 0.2   # 20% of the rows validate, drawn at random; or validation_last: N
  # test_split: 0.1       # rows held out for tune retrain's test
  # shuffle: false        # hold out the last rows instead, as Keras' validation_split does
  # format: csv
  # path: train.csv            # a header line names the columns
  # separator: ","             # or ";"
  # target: label              # the column to predict; default the last
  # columns: [a, b, c]         # the features; default all the others
  # string_labels: true        # the target holds class names
  # validation_path: valid.csv # a validation file instead of validation_split
  # test_path: test.csv        # for tune retrain
  # format: idx
  # train_images: train-images-idx3-ubyte.gz
  # train_labels: train-labels-idx1-ubyte.gz
  # test_images: t10k-images-idx3-ubyte.gz
  # test_labels: t10k-labels-idx1-ubyte.gz
`

func runInit(cmd *cobra.Command, f initFlags) error {
	if !f.force {
		if _, err := os.Stat(f.output); err == nil {
			return fmt.Errorf("%s exists; --force overwrites it", f.output)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fileError("write", f.output, err)
		}
	}
	s := initStudy{File: f.output, Project: strings.TrimSuffix(filepath.Base(f.output), filepath.Ext(f.output)),
		Task: "classification", Data: spiralsData}
	if f.task != "" {
		s.Task = f.task
	}
	var guess *csvGuess
	if f.data != "" {
		var err error
		if guess, err = describeCSV(&s, f); err != nil {
			return err
		}
	}
	s.Objective = "val_accuracy"
	if s.Task == string(hypermodels.Regression) {
		s.Objective = "val_loss"
	}
	var b strings.Builder
	if err := studyTemplate.Execute(&b, s); err != nil {
		return err
	}
	// The file must be one the search accepts.
	if _, err := study.Parse([]byte(b.String()), f.output); err != nil {
		return fmt.Errorf("the study init would write is not valid: %w", err)
	}
	if err := os.WriteFile(f.output, []byte(b.String()), 0o644); err != nil {
		return fileError("write", f.output, err)
	}
	out := cmd.OutOrStdout()
	if guess != nil {
		guess.explain(out, f.data)
		fmt.Fprintf(out, "to change a guess, edit data.separator, data.header, data.target or task in %s, or run tune init --force again with --target or --task\n", f.output)
	}
	fmt.Fprintf(out, "wrote %s; run it with: tune search --config %s\n", f.output, f.output)
	return nil
}

// describeCSV fills the data section and task from a csv file's first
// rows, and returns the guesses.
func describeCSV(s *initStudy, f initFlags) (*csvGuess, error) {
	g, err := guessCSV(f.data, f.target, f.task)
	if err != nil {
		return nil, err
	}
	s.Task = string(g.task)
	path, err := filepath.Rel(filepath.Dir(f.output), f.data)
	if err != nil {
		path, _ = filepath.Abs(f.data)
	}
	s.Data = g.dataSection(filepath.ToSlash(path))
	return g, nil
}
