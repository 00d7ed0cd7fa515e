package main

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tunekit/tune/hypermodels"
	"github.com/tunekit/tune/study"
)

// headerlessIris writes a headerless csv of 4 numeric columns and a string
// class label last (three classes, sorted by class, as iris.data is).
func headerlessIris(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	for i := range 90 {
		c := i / 30
		fmt.Fprintf(&b, "%.2f,%.2f,%.2f,%.2f,%s\n", float64(c)+0.1*float64(i%7), float64(i%5)/4, float64(c)*2-float64(i%3)/5,
			float64(i%4), []string{"setosa", "versicolor", "virginica"}[c])
	}
	return writeFile(t, dir, "iris.data", b.String())
}

// TestInitSearchPredictHeaderless: init guesses a headerless file with
// string labels and says so; the study it writes searches; predict takes
// the same file, target column included, and drops that column.
func TestInitSearchPredictHeaderless(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	headerlessIris(t, dir)
	out := mustExecute(t, "init", "--data", "iris.data")
	for _, want := range []string{
		"separator  ',': the first line holds 4 of them",
		"header     none (columns 0, 1, 2, …): the first line holds numbers",
		`target     column 4 ("4"): the last column (--target NAME or INDEX chooses another)`,
		"task       classification: the target holds 3 distinct names",
		"to change a guess, edit data.separator, data.header, data.target or task in study.yaml",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("init output lacks %q:\n%s", want, out)
		}
	}
	s, err := study.Load("study.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if d := s.Data; d.Header || d.Target.Index != 4 || !d.StringLabels || s.Task != hypermodels.Classification {
		t.Fatalf("study data %+v, task %s", d, s.Task)
	}
	mustExecute(t, "search", "--max-trials", "1", "--epochs", "1", "--quiet", "--set", "parallel_trials=1")
	out = mustExecute(t, "predict", "-i", "iris.data")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 91 || strings.Join(rows[0], ",") != "row,class,p_setosa,p_versicolor,p_virginica" {
		t.Fatalf("predictions: %d rows, header %v", len(rows), rows[0])
	}
	// The features alone predict the same.
	var feats strings.Builder
	raw, _ := os.ReadFile("iris.data")
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		feats.WriteString(line[:strings.LastIndexByte(line, ',')] + "\n")
	}
	writeFile(t, dir, "features.csv", feats.String())
	if out2 := mustExecute(t, "predict", "-i", "features.csv"); out2 != out {
		t.Errorf("predictions of the features alone differ:\n%s\nvs\n%s", out2[:200], out[:200])
	}
}

// TestInitGuesses checks the guesses on other layouts.
func TestInitGuesses(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, content, target string
		want                  []string
	}{
		{"semicolon quoted header", "\"a\";\"b\";\"y\"\n1;2;0\n3;4;1\n5;6;1\n", "", []string{
			"separator  ';'", `header     yes (the first line names the columns): column 0 holds numbers below a first line that says "a"`,
			"task       binary: the target holds only 0 and 1"}},
		{"target by index", "1,2,3.5\n4,5,6.25\n7,8,9.125\n", "0", []string{
			"header     none", `target     column 0 ("0"): --target`, "task       classification: the target holds 3 distinct whole numbers"}},
		{"regression", "x\ty\n1\t0.5\n2\t1.25\n3\t7.5\n", "", []string{"separator  tab", "task       regression: the target holds 3 distinct numbers"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := writeFile(t, dir, "d.csv", tt.content)
			args := []string{"init", "--force", "-o", filepath.Join(dir, "s.yaml"), "--data", data}
			if tt.target != "" {
				args = append(args, "--target", tt.target)
			}
			out := mustExecute(t, args...)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestSearchDataSemicolon: tune search --data on a ';' file with a quoted
// header guesses the separator, tunes the default space with the target
// scaled and runs exactly --max-trials trials; the metrics are in the
// target's units.
func TestSearchDataSemicolon(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	var b strings.Builder
	b.WriteString("\"size\";\"rooms\";\"price\"\n")
	for i := range 60 {
		size, rooms := 20+float64(i*7%180), 1+i%6
		fmt.Fprintf(&b, "%g;%d;%g\n", size, rooms, 1000*size+5000*float64(rooms)+float64(i%11)*300)
	}
	writeFile(t, dir, "houses.csv", b.String())
	out := mustExecute(t, "search", "--data", "houses.csv", "--target", "price", "--max-trials", "3", "--epochs", "2",
		"--progress", "lines", "--parallel", "1")
	for _, want := range []string{"separator  ';'", "task       regression", "(new project)", "search finished: reached max trials (3)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	rows := reportJSON(t, "--project", filepath.Join("tune_projects", "houses"))
	if len(rows) != 3 {
		t.Fatalf("%d trials, want 3", len(rows))
	}
	distinct := map[string]bool{}
	for _, r := range rows {
		distinct[fmt.Sprint(r.Hyperparameters)] = true
		if len(r.Hyperparameters) != 4 {
			t.Errorf("trial %d tunes %v, want the 4 default hyperparameters", r.ID, r.Hyperparameters)
		}
		loss, scaled := r.Metrics["val_loss"], r.Metrics["val_loss_scaled"]
		// val_loss is the mse in price², val_rmse its root; the scaled
		// loss is on the standardized price.
		if rmse := r.Metrics["val_rmse"]; math.Abs(rmse*rmse-loss) > 1e-3*loss || !(loss > 1e3*scaled) {
			t.Errorf("trial %d: val_loss %v, val_rmse %v, val_loss_scaled %v", r.ID, loss, rmse, scaled)
		}
	}
	if len(distinct) != 3 {
		t.Errorf("the 3 trials tried %d distinct values", len(distinct))
	}
	// A study file that was not asked for is not read.
	writeFile(t, dir, "study.yaml", "data: {format: spirals}\n")
	_, _, err := execute(t.Context(), "search", "--data", "houses.csv")
	if err == nil || err.Error() != "study.yaml exists here: pass --config study.yaml to use it (--data then replaces its data.path), or run from another directory to tune houses.csv alone" {
		t.Errorf("with a study.yaml: %v", err)
	}
}

// TestScaleTargetPredictions: a study with scale_target predicts in the
// target's units, from a trial's model and from the retrained one (which
// holds the scaling in its output layer); the retrained model's test
// metrics are in the target's units too.
func TestScaleTargetPredictions(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	var b strings.Builder
	b.WriteString("x,y\n")
	for i := range 80 {
		x := float64(i) / 80
		fmt.Fprintf(&b, "%g,%g\n", x, 50000+20000*x)
	}
	writeFile(t, dir, "lin.csv", b.String())
	writeFile(t, dir, "in.csv", "x\n0\n0.5\n1\n")
	writeFile(t, dir, "study.yaml", `project: lin
seed: 1
task: regression
data: {format: csv, path: lin.csv, validation_split: 0.2, test_split: 0.2, scale: standard, scale_target: standard}
hyperparameters:
  n_hidden: 1
  n_neurons: 8
  learning_rate: 0.01
max_trials: 1
epochs: 30
batch_size: 8
parallel_trials: 1
`)
	mustExecute(t, "search", "--quiet")
	check := func(what, out string) {
		t.Helper()
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(rows) != 4 {
			t.Fatalf("%s: %v %q", what, err, out)
		}
		for i, want := range []float64{50000, 60000, 70000} {
			got, err := strconv.ParseFloat(rows[i+1][1], 64)
			// Scaled predictions would be near 0; 30 epochs of a small
			// model come within a few thousand.
			if err != nil || math.Abs(got-want) > 8000 {
				t.Errorf("%s: prediction %d is %q, want about %v", what, i+1, rows[i+1][1], want)
			}
		}
	}
	p := mustExecute(t, "predict", "-i", "in.csv")
	check("trial model", p)
	out := mustExecute(t, "retrain")
	if !strings.Contains(out, "test (16 rows): loss=") || !strings.Contains(out, "rmse_scaled=") {
		t.Errorf("retrain:\n%s", out)
	}
	check("retrained model", mustExecute(t, "predict", "-i", "in.csv", "--model", filepath.Join("tune_projects", "lin", "retrained.tnn")))
}
