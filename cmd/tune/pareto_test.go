package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tunekit/tune/goal"
)

// moStudy is tinyStudy with two objectives: accuracy against model size.
var moStudy = strings.Replace(strings.Replace(tinyStudy, "objective: val_accuracy\n",
	"objectives:\n  - {metric: val_accuracy, direction: max}\n  - params\noracle: {type: nsga2, population_size: 4}\n", 1),
	"max_trials: 3\n", "max_trials: 8\n", 1)

func TestMultiObjectiveStudy(t *testing.T) {
	dir := t.TempDir()
	config := writeFile(t, dir, "study.yaml", moStudy)
	searched := mustExecute(t, "search", "--config", config, "--quiet")
	out := mustExecute(t, "report", "--config", config)
	// The search ends with the front, as report prints it.
	if searched != "\n"+out || strings.Contains(searched, "Results summary") {
		t.Errorf("search of a multi-objective study ends\n%s\nwant report's\n%s", searched, out)
	}
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
	testParetoPlot(t, config, len(rows))
	// An oracle of one score is refused, naming the way out.
	bad := writeFile(t, dir, "bad.yaml", strings.Replace(moStudy, "oracle: {type: nsga2, population_size: 4}", "oracle: tpe", 1))
	if _, _, err := execute(context.Background(), "search", "--config", bad); err == nil || !strings.Contains(err.Error(), "nsga2") {
		t.Errorf("tpe with two objectives: err = %v", err)
	}
}

// testParetoPlot draws the study of config's front, of front trials, with
// tune plot.
func testParetoPlot(t *testing.T, config string, front int) {
	dir := t.TempDir()
	var export struct {
		Trials []struct {
			Status string `json:"status"`
		} `json:"trials"`
	}
	if err := json.Unmarshal([]byte(mustExecute(t, "export", "--config", config, "--format", "json")), &export); err != nil {
		t.Fatal(err)
	}
	completed := 0
	for _, tr := range export.Trials {
		if tr.Status == "completed" {
			completed++
		}
	}
	for _, tt := range []struct {
		args           []string
		xLabel, yLabel string // without " (log scale)"
	}{
		{nil, "val_accuracy (max)", "params (min)"},
		{[]string{"--objectives", "params,val_accuracy"}, "params (min)", "val_accuracy (max)"},
	} {
		path := filepath.Join(dir, "front.svg")
		args := append([]string{"plot", "--config", config, "--kind", "pareto", "-o", path}, tt.args...)
		if out := mustExecute(t, args...); out != "wrote "+path+"\n" {
			t.Errorf("plot: %q", out)
		}
		svg, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		els := svgElements(t, svg)
		if got := markers(els, "4", svgRed) - 1; got != front {
			t.Errorf("%v: %d front markers, want the report's %d", tt.args, got, front)
		}
		if got := markers(els, "3", svgBlue) - 1; got != completed-front && !(got == -1 && completed == front) {
			t.Errorf("%v: %d other markers, want %d", tt.args, got, completed-front)
		}
		var x, y string
		for _, e := range els {
			if e.name == "text" && strings.Contains(e.style, "font-size:12px") {
				if e.rotated {
					y = e.text
				} else {
					x = e.text
				}
			}
		}
		if strings.TrimSuffix(x, " (log scale)") != tt.xLabel || strings.TrimSuffix(y, " (log scale)") != tt.yLabel {
			t.Errorf("%v: axes %q, %q; want %q, %q", tt.args, x, y, tt.xLabel, tt.yLabel)
		}
	}
	// --kind all adds the pareto plot for a study of several objectives.
	out := mustExecute(t, "plot", "--config", config, "-o", filepath.Join(dir, "all.png"))
	for _, kind := range []string{"curves", "history", "hparams", "pareto"} {
		if !strings.Contains(out, "wrote "+filepath.Join(dir, "all-"+kind+".png")+"\n") {
			t.Errorf("plot --kind all: no %s in\n%s", kind, out)
		}
	}
	for _, tt := range []struct {
		objectives string
		want       error
	}{
		{"val_accuracy", errObjectiveCount},
		{"val_accuracy,params,val_loss", errObjectiveCount},
		{"params,params", errObjectiveCount},
		{"val_accuracy,loss", errUnknownObjective},
	} {
		_, _, err := execute(context.Background(), "plot", "--config", config, "--kind", "pareto", "--objectives", tt.objectives, "-o", filepath.Join(dir, "bad.svg"))
		if !errors.Is(err, tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("--objectives %s: err = %v, want %v", tt.objectives, err, tt.want)
		}
		if errors.Is(err, errUnknownObjective) && !strings.Contains(err.Error(), objectiveList(objectivesOf(t, config))) {
			t.Errorf("--objectives %s: %v does not list the study's objectives", tt.objectives, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.svg")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused plot wrote its file: %v", err)
	}
	if _, _, err := execute(context.Background(), "plot", "--config", config, "--kind", "history", "--objectives", "params,val_accuracy"); err == nil {
		t.Error("--objectives with --kind history: no error")
	}
	// --objectives completes with the study's objectives not yet given.
	for typed, want := range map[string][]string{"": {"val_accuracy", "params"}, "params,": {"params,val_accuracy"}} {
		out, _, err := execute(context.Background(), "__complete", "plot", "--config", config, "--objectives", typed)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, line := range strings.Split(out, "\n") {
			if word, _, ok := strings.Cut(line, "\t"); ok && !strings.HasPrefix(line, ":") {
				got = append(got, word)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("completing --objectives %q: %v, want %v\n%s", typed, got, want, out)
		}
	}
}

// objectivesOf returns the objectives of the study file at config.
func objectivesOf(t *testing.T, config string) []goal.Objective {
	t.Helper()
	p, err := openProject(NewRootCommand(), &projectFlags{config: config})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	return p.multiObjectives()
}

// TestParetoPlotOneObjective: a study of one objective has no Pareto plot,
// and --kind all leaves it out.
func TestParetoPlotOneObjective(t *testing.T) {
	config := tinyProject(t)
	dir := t.TempDir()
	_, _, err := execute(context.Background(), "plot", "--config", config, "--kind", "pareto", "-o", filepath.Join(dir, "p.svg"))
	if !errors.Is(err, errOneObjective) {
		t.Errorf("pareto of one objective: err = %v", err)
	}
	out := mustExecute(t, "plot", "--config", config, "-o", filepath.Join(dir, "all.svg"))
	if strings.Count(out, "wrote ") != 3 || strings.Contains(out, "pareto") {
		t.Errorf("plot --kind all of one objective:\n%s", out)
	}
}

func TestFormatObjective(t *testing.T) {
	for _, c := range []struct {
		name string
		v    float64
		want string
	}{
		{"params", 99338, "99338"},
		{"params", 82, "82"},
		{"val_accuracy", 1, "1.0000"},
		{"val_accuracy", 0.79, "0.7900"},
		{"val_loss", 12345.5, "1.235e+04"},
	} {
		if got := formatObjective(c.name, c.v); got != c.want {
			t.Errorf("formatObjective(%q, %v) = %q, want %q", c.name, c.v, got, c.want)
		}
	}
}

// The report's score column keeps the digits that tell trials apart at
// any scale: a housing MSE of 3.2e9 and a loss of 2.5e-5 alike.
func TestReportTableScores(t *testing.T) {
	big, small, mid := 3217841563.0321, 2.5e-5, 0.91234
	one := 1
	var b strings.Builder
	rows := []reportRow{{ID: 1, Status: "completed", Score: &small, BestEpoch: &one}, {ID: 2, Status: "completed", Score: &mid, BestEpoch: &one},
		{ID: 3, Status: "completed", Score: &big, BestEpoch: &one}, {ID: 4, Status: "running"}}
	if err := writeTable(&b, rows, nil, goal.Objective{Name: "val_loss", Direction: goal.Minimize}, 4); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1   completed  2.5e-05", "2   completed  0.9123", "3   completed  3.218e+09", "4   running    -"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report table lacks %q:\n%s", want, b.String())
		}
	}
}
