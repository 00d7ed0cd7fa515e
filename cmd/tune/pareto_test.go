package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// moStudy is tinyStudy with two objectives: accuracy against model size.
var moStudy = strings.Replace(strings.Replace(tinyStudy, "objective: val_accuracy\n",
	"objectives:\n  - {metric: val_accuracy, direction: max}\n  - params\noracle: {type: nsga2, population_size: 4}\n", 1),
	"max_trials: 3\n", "max_trials: 8\n", 1)

func TestMultiObjectiveStudy(t *testing.T) {
	dir := t.TempDir()
	config := writeFile(t, dir, "study.yaml", moStudy)
	mustExecute(t, "search", "--config", config, "--quiet")
	out := mustExecute(t, "report", "--config", config)
	if !strings.Contains(out, "objectives: val_accuracy (max), params (min)\nPareto front: ") ||
		!strings.Contains(out, "id  status") || !strings.Contains(out, "val_accuracy  params") {
		t.Fatalf("report of a multi-objective study:\n%s", out)
	}
	var rows []struct {
		ID         int                `json:"id"`
		Objectives map[string]float64 `json:"objectives"`
	}
	if err := json.Unmarshal([]byte(mustExecute(t, "report", "--config", config, "--format", "json")), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("empty front")
	}
	// No trial of the front beats another on both objectives, and the
	// parameter count is the model's: positive and whole.
	for i, a := range rows {
		if p := a.Objectives["params"]; p <= 0 || p != float64(int(p)) {
			t.Errorf("trial %d: params %v", a.ID, p)
		}
		for j, b := range rows {
			if i != j && a.Objectives["val_accuracy"] >= b.Objectives["val_accuracy"] && a.Objectives["params"] <= b.Objectives["params"] &&
				(a.Objectives["val_accuracy"] > b.Objectives["val_accuracy"] || a.Objectives["params"] < b.Objectives["params"]) {
				t.Errorf("front trial %d dominates front trial %d", a.ID, b.ID)
			}
		}
		if i > 0 && a.Objectives["val_accuracy"] > rows[i-1].Objectives["val_accuracy"] {
			t.Errorf("front not ordered by val_accuracy: %v", rows)
		}
	}
	if best := mustExecute(t, "best", "--config", config); !strings.HasPrefix(best, "Pareto front: ") {
		t.Errorf("best of a multi-objective study:\n%s", best)
	}
	if csv := mustExecute(t, "export", "--config", config, "--format", "csv"); !strings.HasPrefix(csv, "trial,status,score,best_epoch,attempt,seconds,error,pareto,") ||
		!strings.Contains(csv, ",true,") {
		t.Errorf("export of a multi-objective study:\n%s", csv)
	}
	// An oracle of one score is refused, naming the way out.
	bad := writeFile(t, dir, "bad.yaml", strings.Replace(moStudy, "oracle: {type: nsga2, population_size: 4}", "oracle: tpe", 1))
	if _, _, err := execute(context.Background(), "search", "--config", bad); err == nil || !strings.Contains(err.Error(), "nsga2") {
		t.Errorf("tpe with two objectives: err = %v", err)
	}
}
