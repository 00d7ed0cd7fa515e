package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tunekit/tune/study"
	"github.com/tunekit/tune/trials/etcdstore"
)

// studyFlags change a study's settings from the command line, or make
// the whole study when there is no study file.
type studyFlags struct {
	sets []string

	maxTrials, epochs, batchSize, parallel, executions int
	seed                                               int64
	oracle, pruner, objective, project, directory      string
	store                                              string
	data, target, task                                 string
	warmStart                                          []string
}

// settingFlags maps flags to study keys.
var settingFlags = []struct{ flag, key string }{
	{"max-trials", "max_trials"},
	{"epochs", "epochs"},
	{"batch-size", "batch_size"},
	{"parallel", "parallel_trials"},
	{"executions-per-trial", "executions_per_trial"},
	{"seed", "seed"},
	{"oracle", "oracle"},
	{"pruner", "pruner"},
	{"objective", "objective"},
	{"project-name", "project"},
	{"directory", "directory"},
	{"store", "store"},
	{"warm-start", "warm_start"},
	{"data", "data.path"},
	{"target", "data.target"},
	{"task", "task"},
}

func (f *studyFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVar(&f.sets, "set", nil, "set a study key: --set key=value (dotted keys such as oracle.max_epochs=30); repeatable")
	fl.IntVar(&f.maxTrials, "max-trials", 0, "max_trials: the number of trials")
	fl.IntVar(&f.epochs, "epochs", 0, "epochs: the epochs of every trial")
	fl.IntVar(&f.batchSize, "batch-size", 0, "batch_size: rows per gradient step")
	fl.IntVar(&f.parallel, "parallel", 0, "parallel_trials: trials at once (0: one per CPU)")
	fl.IntVar(&f.executions, "executions-per-trial", 0, "executions_per_trial: trainings per trial, averaged")
	fl.Int64Var(&f.seed, "seed", 0, "seed: the study's seed")
	fl.StringVar(&f.oracle, "oracle", "", "oracle: random, grid, hyperband, bayesian or tpe (with their default settings)")
	fl.StringVar(&f.pruner, "pruner", "", "pruner: median or successive_halving")
	fl.StringVar(&f.objective, "objective", "", "objective: the metric to optimize, such as val_accuracy")
	fl.StringVar(&f.project, "project-name", "", "project: the project's name")
	fl.StringVar(&f.directory, "directory", "", "directory: where projects are stored")
	fl.StringVar(&f.store, "store", "", "store: the project's store instead of directory/project/study.db, a file or an etcd study etcd://host:2379[,host:2379…]/prefix")
	fl.StringArrayVar(&f.warmStart, "warm-start", nil, "warm_start: a project (directory, store file or etcd study) whose trials seed the oracle of a new project; repeatable")
	fl.StringVar(&f.data, "data", "", "data.path: the csv file (without a study file, the whole data section)")
	fl.StringVar(&f.target, "target", "", "data.target: the csv column to predict, by name or index")
	fl.StringVar(&f.task, "task", "", "task: classification, binary or regression")
	_ = cmd.MarkFlagFilename("data", "csv", "tsv", "txt")
	_ = cmd.RegisterFlagCompletionFunc("oracle", completeWords("random", "grid", "hyperband", "bayesian", "tpe"))
	_ = cmd.RegisterFlagCompletionFunc("pruner", completeWords("median", "successive_halving"))
	_ = cmd.RegisterFlagCompletionFunc("task", completeWords("classification", "binary", "regression"))
}

// settings returns the key=value settings of the flags given.
func (f *studyFlags) settings(cmd *cobra.Command) []string {
	var out []string
	for _, s := range settingFlags {
		fl := cmd.Flags().Lookup(s.flag)
		if fl == nil || !fl.Changed {
			continue
		}
		v := fl.Value.String()
		switch fl.Value.Type() {
		case "string":
			v = strconv.Quote(v) // a YAML double-quoted string
		case "stringArray":
			v = yamlList(fl.Value.(interface{ GetSlice() []string }).GetSlice(), s.flag == "warm-start")
		}
		out = append(out, s.key+"="+v)
	}
	return append(out, f.sets...)
}

// yamlList writes items as a YAML flow list of double-quoted strings;
// with paths, those that are not etcd URLs are made absolute: a path on
// the command line is relative to the working directory, one in the study
// file to the file's.
func yamlList(items []string, paths bool) string {
	quoted := make([]string, len(items))
	for i, it := range items {
		if paths && !etcdstore.IsURL(it) && it != "" {
			if abs, err := filepath.Abs(it); err == nil {
				it = abs
			}
		}
		quoted[i] = strconv.Quote(it)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// load returns the study: the file config with the flags' settings, or,
// with --data and without --config, the study the flags describe. A
// study file that was not asked for is never read: with --data and
// without --config, an existing study.yaml is an error.
func (f *studyFlags) load(cmd *cobra.Command, config string) (*study.Study, error) {
	sets := f.settings(cmd)
	if f.data != "" && !cmd.Flags().Changed("config") {
		if _, err := os.Stat(config); err == nil {
			return nil, fmt.Errorf("%s exists here: pass --config %s to use it (--data then replaces its data.path), or run from another directory to tune %s alone",
				config, config, f.data)
		}
		return f.fromFlags(cmd)
	}
	st, err := study.Load(config)
	if err != nil || len(sets) == 0 {
		return st, err
	}
	src, err := os.ReadFile(config)
	if err != nil {
		return nil, err
	}
	merged, err := study.Override(src, sets...)
	if err != nil {
		return nil, err
	}
	st, err = study.Parse(merged, config)
	if err != nil {
		return nil, fmt.Errorf("%w (in the study file as the command line changes it)", err)
	}
	return st, nil
}

// defaultSpace is what tune search --data tunes: the built-in model's
// main hyperparameters, in the ranges tune init writes.
const defaultSpace = `hyperparameters:
  n_hidden:      {type: int, min: 1, max: 3, default: 2}
  n_neurons:     {type: int, min: 16, max: 128, step: 16}
  dropout:       {type: float, min: 0.0, max: 0.4, step: 0.1}
  learning_rate: {type: float, min: 1.0e-4, max: 1.0e-2, sampling: log}
`

// fromFlags makes the study of a csv file from the flags alone: the file
// is read as tune init reads it (separator, header, target, task), its
// features are standardized (and a regression target too), 20% of the
// rows validate, and the default space is tuned. The guesses are printed
// with the search.
func (f *studyFlags) fromFlags(cmd *cobra.Command) (*study.Study, error) {
	g, err := guessCSV(f.data, f.target, f.task)
	if err != nil {
		return nil, err
	}
	g.explain(cmd.OutOrStdout(), f.data)
	name := strings.TrimSuffix(filepath.Base(f.data), filepath.Ext(f.data))
	abs, err := filepath.Abs(f.data)
	if err != nil {
		return nil, err
	}
	base := fmt.Sprintf("project: %s\ntask: %s\ndata:\n%s  scale: standard\n%s", strconv.Quote(name), g.task,
		g.dataSection(filepath.ToSlash(abs)), defaultSpace)
	var sets []string
	for _, s := range f.settings(cmd) {
		key, _, _ := strings.Cut(s, "=")
		switch key {
		case "data.path", "data.target", "task": // in base, as guessed
		default:
			sets = append(sets, s)
		}
	}
	merged, err := study.Override([]byte(base), sets...)
	if err != nil {
		return nil, err
	}
	st, err := study.Parse(merged, "")
	if err != nil {
		return nil, fmt.Errorf("%w (in the study the command line describes)", err)
	}
	return st, nil
}
