package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/tuner"
)

func TestSearchWarmStart(t *testing.T) {
	dir := t.TempDir()
	srcConfig := writeFile(t, dir, "study.yaml", tinyStudy)
	mustExecute(t, "search", "--config", srcConfig, "--quiet", "--max-trials", "6", "--oracle", "random")
	srcDir := filepath.Join(dir, "tune_projects", "tiny")
	src := readTrials(t, filepath.Join(srcDir, "study.db"))
	// The warm study tunes fewer units: the source's trials with 12 do not fit.
	warm := strings.Replace(strings.Replace(tinyStudy, "project: tiny", "project: warm", 1),
		"n_neurons: {type: int, min: 4, max: 12, step: 4}", "n_neurons: {type: int, min: 4, max: 8, step: 4}", 1)
	config := writeFile(t, dir, "warm.yaml", warm+"oracle: tpe\n")
	fit, misfit := 0, 0
	for _, tr := range src {
		switch {
		case tr.Status != trials.Completed:
		case tr.Values["n_neurons"] == 12:
			misfit++
		default:
			fit++
		}
	}
	if misfit == 0 || fit == 0 {
		t.Fatalf("the source's trials %v should both fit and not", src)
	}
	out := mustExecute(t, "search", "--config", config, "--warm-start", srcDir, "--progress", "lines")
	want := fmt.Sprintf("warm start: %d trials from %s (%d skipped: \"n_neurons\" outside the space: %d)\n", fit, srcDir, misfit, misfit)
	if !strings.Contains(out, want) {
		t.Errorf("search output lacks %q:\n%s", want, out)
	}
	warmDB := filepath.Join(dir, "tune_projects", "warm", "study.db")
	if ts := readTrials(t, warmDB); len(ts) != 3 {
		t.Errorf("the warm project has %d trials, want its max_trials 3", len(ts))
	}
	// The read commands show the project's own trials only.
	if rows := reportJSON(t, "--config", config, "--top", "0"); len(rows) != 3 {
		t.Errorf("report lists %d trials, want 3", len(rows))
	}
	// A resume without the flag keeps the stored seeds.
	out = mustExecute(t, "search", "--config", config, "--max-trials", "4", "--progress", "lines")
	if !strings.Contains(out, want) {
		t.Errorf("resumed search output lacks %q:\n%s", want, out)
	}

	// A bad source: one line naming it, an error, and the project as it was.
	before := readTrials(t, warmDB)
	missing := filepath.Join(dir, "nowhere")
	bad := writeFile(t, dir, "bad.yaml", warm+"oracle: tpe\nwarm_start: nowhere\n")
	for _, args := range [][]string{
		{"search", "--config", bad, "--overwrite", "--quiet"},
		{"search", "--config", config, "--overwrite", "--quiet", "--warm-start", missing},
	} {
		_, _, err := execute(context.Background(), args...)
		var we *tuner.WarmStartError
		if !errors.As(err, &we) || !strings.Contains(err.Error(), missing) || strings.Contains(err.Error(), "\n") {
			t.Errorf("tune %s: %v, want one line naming %s", strings.Join(args, " "), err, missing)
		}
		if after := readTrials(t, warmDB); len(after) != len(before) {
			t.Errorf("tune %s: the project has %d trials, had %d", strings.Join(args, " "), len(after), len(before))
		}
	}
}

// readTrials reads a project's trials from its store file.
func readTrials(t *testing.T, path string) []*trials.Trial {
	t.Helper()
	s, err := trials.Open(path, &trials.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ts, err := s.Trials()
	if err != nil {
		t.Fatal(err)
	}
	return ts
}
