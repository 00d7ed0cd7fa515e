package main

import (
	"strings"
	"testing"
)

// TestFlagsLastOneRun: --max-trials changes one run; a plain rerun of the
// 3-trial study file after --max-trials 4 runs nothing and says so, never
// "4 of 3".
func TestFlagsLastOneRun(t *testing.T) {
	dir := t.TempDir()
	config := writeFile(t, dir, "study.yaml", tinyStudy)
	mustExecute(t, "search", "--config", config, "--max-trials", "4", "--quiet")
	out := mustExecute(t, "search", "--config", config, "--progress", "lines")
	if !strings.Contains(out, "(4 trials exist, max_trials 3 is reached: raise it (--max-trials N) to run more)") ||
		strings.Contains(out, "4 of 3") || strings.Contains(out, "trial 5") {
		t.Errorf("plain rerun:\n%s", out)
	}
	if rows := reportJSON(t, "--config", config); len(rows) != 4 {
		t.Errorf("%d trials, want 4", len(rows))
	}
}
