package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tunekit/tune/study"
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
		if fl.Value.Type() == "string" {
			v = strconv.Quote(v) // a YAML double-quoted string
		}
		out = append(out, s.key+"="+v)
	}
	return append(out, f.sets...)
}

// load returns the study: the file config with the flags' settings, or,
// without a study file and with --data, the study the flags describe.
func (f *studyFlags) load(cmd *cobra.Command, config string) (*study.Study, error) {
	sets := f.settings(cmd)
	if f.data != "" && !cmd.Flags().Changed("config") {
		if _, err := os.Stat(config); errors.Is(err, fs.ErrNotExist) {
			return f.fromFlags(sets)
		}
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

// fromFlags makes a study of a csv file from the flags alone.
func (f *studyFlags) fromFlags(sets []string) (*study.Study, error) {
	name := strings.TrimSuffix(filepath.Base(f.data), filepath.Ext(f.data))
	name = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	base := fmt.Sprintf("project: %s\ndata:\n  format: csv\n  validation_split: 0.2\n", strconv.Quote(name))
	if strings.EqualFold(filepath.Ext(f.data), ".tsv") {
		base += "  separator: \"\\t\"\n"
	}
	if f.task == "regression" {
		base += "  scale: standard\n"
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
