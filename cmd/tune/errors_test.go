package main

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/study"
)

// TestErrorsReachTheirCause checks that an error the CLI returns keeps its
// chain: errors.Is and errors.As find the sentinel or typed error of the
// package that found the problem, below the study file's position, and
// the message names the file and line once.
func TestErrorsReachTheirCause(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "bad.csv", "x,y\n1,0\nabc,1\n2,0\n")
	writeStudy := func(name, old, repl string) string {
		return writeFile(t, dir, name, strings.Replace(tinyStudy, old, repl, 1))
	}
	oracleSection := "objective: val_accuracy\noracle:\n  type: bayesian\n  num_initial_points: 2\n"
	tests := []struct {
		name, path string
		want       string // the message after "PATH:"
		check      func(err error) bool
	}{
		{"unknown oracle", writeStudy("unknown_oracle.yaml", "objective: val_accuracy", "objective: val_accuracy\noracle: bayes"),
			`15: unknown oracle "bayes"`, func(err error) bool { return errors.Is(err, oracle.ErrUnknown) }},
		{"bad alpha", writeStudy("alpha.yaml", "objective: val_accuracy", oracleSection+"  alpha: -1"),
			`18: oracle bayesian: alpha -1 must be positive`, func(err error) bool {
				var se *oracle.SettingError
				return errors.As(err, &se) && se.Setting == "alpha"
			}},
		{"beta not a number", writeStudy("beta.yaml", "objective: val_accuracy", oracleSection+"  beta: .nan"),
			`18: oracle.beta: NaN is not a finite number`, func(err error) bool { return true }},
		{"hyperparameter", writeStudy("hp.yaml", "{type: int, min: 4, max: 12, step: 4}", "{type: int, min: 12, max: 4}"),
			`10: hyperparameter "n_neurons": min 12 > max 4`, func(err error) bool {
				var he *hp.Error
				return errors.Is(err, hp.ErrInvalid) && errors.As(err, &he) && he.Name == "n_neurons"
			}},
		{"missing data file", writeFile(t, dir, "missing.yaml", "data:\n  format: csv\n  path: nope.csv\n"),
			"3: open " + filepath.Join(dir, "nope.csv") + ": no such file or directory",
			func(err error) bool { return errors.Is(err, fs.ErrNotExist) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := execute(context.Background(), "search", "--config", tt.path, "--quiet")
			if err == nil {
				t.Fatal("no error")
			}
			if got, want := err.Error(), tt.path+":"+tt.want; !strings.HasPrefix(got, want) || strings.Contains(got, "\n") {
				t.Errorf("error\n got %s\nwant %s…", got, want)
			}
			if strings.Count(err.Error(), tt.path) != 1 {
				t.Errorf("error names the file more than once: %s", err)
			}
			var se *study.Error
			if !errors.As(err, &se) || se.Line == 0 || !tt.check(err) {
				t.Errorf("error %v (%T) does not reach its cause", err, err)
			}
		})
	}

	// A data file's error names the data file, row and column, and is a
	// data.ParseError wrapping the sentinel.
	path := writeFile(t, dir, "csv.yaml", "data:\n  format: csv\n  path: bad.csv\n")
	_, _, err := execute(context.Background(), "search", "--config", path, "--quiet")
	var pe *data.ParseError
	if !errors.Is(err, data.ErrNotNumber) || !errors.As(err, &pe) || pe.Line != 3 || pe.Column != 1 {
		t.Fatalf("csv error %v (%T)", err, err)
	}
	if want := filepath.Join(dir, "bad.csv") + `:3:1: field "x": "abc" is not a number`; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("csv error\n got %s\nwant %s…", err, want)
	}
}
