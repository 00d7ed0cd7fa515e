package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tunekit/tune/hypermodels"
	"github.com/tunekit/tune/study"
	"github.com/tunekit/tune/trials"
)

// shared is a searched tiny project that the read-only commands share.
var shared struct {
	once   sync.Once
	dir    string
	config string
	err    error
}

// tinyProject returns the study file of a searched tiny project (3
// trials), searched once for all tests.
func tinyProject(t *testing.T) string {
	t.Helper()
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "tune-cmd-test")
		if shared.err != nil {
			return
		}
		shared.config = filepath.Join(shared.dir, "study.yaml")
		if shared.err = os.WriteFile(shared.config, []byte(tinyStudy), 0o644); shared.err != nil {
			return
		}
		_, _, shared.err = execute(context.Background(), "search", "--config", shared.config, "--quiet")
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.config
}

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(childEnv); ok {
		os.Exit(runChild(args)) // the test binary re-executed as tune (see startChild)
	}
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func TestBest(t *testing.T) {
	config := tinyProject(t)
	rows := reportJSON(t, "--config", config, "--top", "1")
	out := mustExecute(t, "best", "--config", config)
	if !strings.HasPrefix(out, "best trial: "+strconv.Itoa(rows[0].ID)+" of 3 (completed)\n") ||
		!strings.Contains(out, "hyperparameters:\n  n_hidden: ") || !strings.Contains(out, "metrics at the best epoch:\n  loss: ") {
		t.Errorf("best:\n%s", out)
	}
	var b bestJSON
	if err := json.Unmarshal([]byte(mustExecute(t, "best", "--config", config, "--format", "json")), &b); err != nil {
		t.Fatal(err)
	}
	if b.Trial != rows[0].ID || b.Score != *rows[0].Score || b.Objective != "val_accuracy" || b.Metrics["val_accuracy"] != b.Score ||
		b.Hyperparameters["optimizer"] != rows[0].Hyperparameters["optimizer"] {
		t.Errorf("best json %+v, report %+v", b, rows[0])
	}
	// The yaml form is a hyperparameters section a study file accepts.
	y := mustExecute(t, "best", "--config", config, "-f", "yaml")
	s, err := study.Parse([]byte("data: {format: spirals}\n"+y), "best.yaml")
	if err != nil {
		t.Fatalf("best yaml does not parse: %v\n%s", err, y)
	}
	if h, ok := s.Hyperparameters.Lookup("n_neurons"); !ok || fmt.Sprint(h.Param.Values[0]) != fmt.Sprint(rows[0].Hyperparameters["n_neurons"]) {
		t.Errorf("best yaml:\n%s", y)
	}
}

func TestTrials(t *testing.T) {
	config := tinyProject(t)
	out := mustExecute(t, "trials", "--config", config)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// Columns are compared by name: their widths follow the values (a slow
	// trial widens "time").
	if len(lines) != 4 || strings.Join(strings.Fields(lines[0])[:7], " ") != "id status score best_epoch epochs time n_hidden" {
		t.Fatalf("trials:\n%s", out)
	}
	for i, l := range lines[1:] {
		if f := strings.Fields(l); f[0] != strconv.Itoa(i+1) || f[1] != "completed" || f[4] != "2" {
			t.Errorf("row %q", l)
		}
	}
	var rows []trialRow
	if err := json.Unmarshal([]byte(mustExecute(t, "trials", "--config", config, "-f", "json", "--status", "completed")), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].ID != 1 || rows[0].Epochs != 2 || rows[0].Score == nil {
		t.Errorf("trials json %+v", rows)
	}
	recs, err := csv.NewReader(strings.NewReader(mustExecute(t, "trials", "--config", config, "-f", "csv"))).ReadAll()
	if err != nil || len(recs) != 4 || recs[0][0] != "id" || recs[1][1] != "completed" {
		t.Errorf("trials csv %v %v", recs, err)
	}
	if out := mustExecute(t, "trials", "--config", config, "--status", "failed,pruned"); out != "no failed or pruned trial (the project has 3 trials)\n" {
		t.Errorf("trials --status failed,pruned: %q", out)
	}
	if out := mustExecute(t, "trials", "--config", config, "--status", "failed", "-f", "json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("trials --status failed -f json: %q", out)
	}
}

func TestShow(t *testing.T) {
	config := tinyProject(t)
	out := mustExecute(t, "show", "2", "--config", config)
	for _, want := range []string{"Trial 2 summary\nStatus: completed\nHyperparameters:\n  n_hidden: ", "Score: ", "(val_accuracy, max) at epoch ",
		"epoch  loss  accuracy  val_loss  val_accuracy", "← best"} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	rows := regexp.MustCompile(`(?m)^\s+(\d)\s+\d\.\d{4}\s+\d\.\d{4}\s+\d\.\d{4}\s+\d\.\d{4} █+`).FindAllStringSubmatch(out, -1)
	if len(rows) != 2 || rows[0][1] != "1" || rows[1][1] != "2" {
		t.Errorf("curve rows %v:\n%s", rows, out)
	}
	var tr trials.Trial
	if err := json.Unmarshal([]byte(mustExecute(t, "show", "2", "--config", config, "--format", "json")), &tr); err != nil {
		t.Fatal(err)
	}
	if tr.ID != 2 || len(tr.History) != 2 || tr.History[1].Metrics["val_loss"] == 0 {
		t.Errorf("show json %+v", tr)
	}
}

func TestExport(t *testing.T) {
	config := tinyProject(t)
	out := mustExecute(t, "export", "--config", config)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"trial", "status", "score", "best_epoch", "attempt", "seconds", "error", "n_hidden", "n_neurons",
		"activation", "optimizer", "learning_rate", "execution", "epoch", "loss", "accuracy", "val_loss", "val_accuracy"}
	if !slices.Equal(recs[0], want) {
		t.Fatalf("header %v\nwant   %v", recs[0], want)
	}
	// 3 trials × 2 epochs, each with its values and metrics.
	if len(recs) != 7 {
		t.Fatalf("%d records:\n%s", len(recs), out)
	}
	rows := reportJSON(t, "--config", config, "--top", "0")
	for i, rec := range recs[1:] {
		id, _ := strconv.Atoi(rec[0])
		epoch, _ := strconv.Atoi(rec[13])
		if want := i%2 + 1; epoch != want { // epochs counted from 1, as everywhere
			t.Errorf("csv row %d: epoch %d, want %d", i+1, epoch, want)
		}
		for _, r := range rows {
			if r.ID == id && rec[10] != r.Hyperparameters["optimizer"] {
				t.Errorf("trial %d optimizer %s, report %v", id, rec[10], r.Hyperparameters["optimizer"])
			}
			if r.ID == id && epoch == *r.BestEpoch && rec[17] != strconv.FormatFloat(*r.Score, 'g', -1, 64) {
				t.Errorf("trial %d epoch %d val_accuracy %s, score %v", id, epoch, rec[17], *r.Score)
			}
		}
	}

	path := filepath.Join(t.TempDir(), "trials.json")
	mustExecute(t, "export", "--config", config, "--format", "json", "-o", path)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ex exportJSON
	if err := json.Unmarshal(b, &ex); err != nil {
		t.Fatal(err)
	}
	if ex.Objective != "val_accuracy" || ex.Oracle != "random" || ex.Seed != 7 || len(ex.Trials) != 3 ||
		len(ex.Trials[0].History) != 2 || ex.Space.Len() != 5 {
		t.Fatalf("export json %+v", ex)
	}
	for _, tr := range ex.Trials {
		if tr.History[0].Epoch != 1 || tr.History[1].Epoch != 2 || tr.BestEpoch < 1 || tr.BestEpoch > 2 {
			t.Errorf("trial %d: json epochs %d, %d, best %d; want 1, 2 and 1 or 2", tr.ID, tr.History[0].Epoch, tr.History[1].Epoch, tr.BestEpoch)
		}
	}
}

func TestPlot(t *testing.T) {
	config := tinyProject(t)
	dir := t.TempDir()
	out := mustExecute(t, "plot", "--config", config, "-o", filepath.Join(dir, "tiny.png"))
	for _, kind := range []string{"curves", "history", "hparams"} {
		path := filepath.Join(dir, "tiny-"+kind+".png")
		if !strings.Contains(out, "wrote "+path+"\n") {
			t.Errorf("output lacks %s:\n%s", path, out)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if b := img.Bounds(); b.Dx() < 400 || b.Dy() < 200 {
			t.Errorf("%s is %v", path, b)
		}
	}
	for _, kind := range []string{"curves", "history", "hparams"} {
		path := filepath.Join(dir, kind+".svg")
		mustExecute(t, "plot", "--config", config, "--kind", kind, "-o", path, "--top", "2")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(bytes.NewReader(b))
		paths := 0
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s is not valid XML: %v", path, err)
			}
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "path" {
				paths++
			}
		}
		if !bytes.Contains(b, []byte("<svg")) || paths < 10 {
			t.Errorf("%s: %d paths", path, paths)
		}
	}
	// The default name, in the project's directory (not the working
	// directory), and --format svg.
	t.Chdir(dir)
	out = mustExecute(t, "plot", "--config", config, "-k", "history", "-f", "svg")
	def := filepath.Join(shared.dir, "tune_projects", "tiny", "tiny-history.svg")
	defer os.Remove(def)
	if fi, err := os.Stat(def); err != nil || fi.Size() == 0 || !strings.Contains(out, "wrote "+def) {
		t.Errorf("default file: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "tiny-history.svg")); err == nil {
		t.Error("plot wrote into the working directory")
	}
}

func TestPredict(t *testing.T) {
	config := tinyProject(t)
	dir := t.TempDir()
	input := writeFile(t, dir, "points.csv", "0.1,0.2\n-0.5,0.4\n1.0,-1.0\n")
	out := mustExecute(t, "predict", "--config", config, "-i", input)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || !slices.Equal(recs[0], []string{"row", "class", "p_0", "p_1"}) {
		t.Fatalf("predictions:\n%s", out)
	}
	for i, rec := range recs[1:] {
		p0, _ := strconv.ParseFloat(rec[2], 64)
		p1, _ := strconv.ParseFloat(rec[3], 64)
		if rec[0] != strconv.Itoa(i+1) || p0+p1 < 0.999 || p0+p1 > 1.001 || (p1 > p0) != (rec[1] == "1") {
			t.Errorf("prediction %v", rec)
		}
	}
	// Another trial's model, to a file.
	path := filepath.Join(dir, "pred.csv")
	out = mustExecute(t, "predict", "--config", config, "-i", input, "--trial", "1", "-o", path)
	if out != "wrote 3 predictions to "+path+"\n" {
		t.Errorf("predict -o: %q", out)
	}
	if b, err := os.ReadFile(path); err != nil || strings.Count(string(b), "\n") != 4 {
		t.Errorf("predictions file %q %v", b, err)
	}
}

func TestVersionAndCompletion(t *testing.T) {
	if out := mustExecute(t, "version"); !regexp.MustCompile(`^tune \S.* \(go\S+, \w+/\w+\)\n$`).MatchString(out) {
		t.Errorf("version %q", out)
	}
	if out := mustExecute(t, "completion", "bash"); !strings.Contains(out, "__start_tune") {
		t.Errorf("bash completion:\n%.300s", out)
	}
	// Dynamic completion of trial ids.
	config := tinyProject(t)
	out, _, err := execute(context.Background(), "__complete", "show", "--config", config, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "1\tcompleted, val_accuracy ") || !strings.Contains(out, "3\t") {
		t.Errorf("trial completion:\n%s", out)
	}
}

func TestInit(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "study.yaml")
	if out := mustExecute(t, "init", "-o", path); !strings.HasPrefix(out, "wrote "+path) {
		t.Errorf("init: %q", out)
	}
	s, err := study.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Data.Format != "spirals" || len(s.Hyperparameters) != 9 || s.Objective != "val_accuracy" {
		t.Errorf("init study %+v", s)
	}
	if _, _, err := execute(context.Background(), "init", "-o", path); err == nil || err.Error() != path+" exists; --force overwrites it" {
		t.Errorf("init over a file: %v", err)
	}

	// From a csv file: separator, target, string labels and the task.
	writeFile(t, dir, "fruit.csv", "weight;colour code;fruit\n120.5;3;apple\n150.2;4;pear\n130;3;apple\n")
	mustExecute(t, "init", "-o", path, "--force", "--data", filepath.Join(dir, "fruit.csv"))
	s, err = study.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := s.Data; d.Format != "csv" || d.Separator != ";" || d.Target.Name != "fruit" || !d.StringLabels ||
		!slices.Equal(d.Columns, []string{"weight", "colour code"}) || s.Task != hypermodels.Binary {
		t.Errorf("init from csv: task %s, data %+v", s.Task, d)
	}
	if _, err := s.LoadData(); err != nil {
		t.Errorf("load the csv study: %v", err)
	}
	mustExecute(t, "init", "-o", path, "--force", "--data", filepath.Join(dir, "fruit.csv"), "--target", "weight")
	if s, err = study.Load(path); err != nil || s.Task != hypermodels.Regression || s.Objective != "val_loss" {
		t.Errorf("init --target weight: %v %+v", err, s)
	}
}

// csvStudy is a binary task on a csv file with string labels, a ';'
// separator, separate validation and test files and the Wide & Deep model,
// tuning dropout, batch normalization and the batch size.
const csvStudy = `project: fruit
seed: 3
task: binary
model: wide_deep
data:
  format: csv
  path: train.csv
  separator: ";"
  target: kind
  columns: [a, b]
  string_labels: true
  labels: [small, big]
  validation_path: valid.csv
  test_path: test.csv
  scale: standard
hyperparameters:
  n_hidden: {type: int, min: 1, max: 2}
  n_neurons: 8
  dropout: [0.0, 0.2]
  batch_norm: {type: boolean}
  batch_size: [8, 16]
  learning_rate: 0.01
objective: val_accuracy
pruner: {type: median, warmup_trials: 1}
max_trials: 3
epochs: 3
parallel_trials: 2
`

// writeFruit writes the files of csvStudy: a is the signal, b noise.
func writeFruit(t *testing.T, dir string) string {
	t.Helper()
	for name, n := range map[string]int{"train.csv": 80, "valid.csv": 30, "test.csv": 30} {
		var b strings.Builder
		b.WriteString("b;a;kind;note\n")
		for i := range n {
			a := float64((i*37+len(name)*11)%100) / 10
			kind := "small"
			if a > 5 {
				kind = "big"
			}
			b.WriteString(strconv.Itoa(i%7) + ";" + strconv.FormatFloat(a*100, 'f', 1, 64) + ";" + kind + ";x\n")
		}
		writeFile(t, dir, name, b.String())
	}
	return writeFile(t, dir, "study.yaml", csvStudy)
}

func TestRetrainAndPredictModel(t *testing.T) {
	dir := t.TempDir()
	config := writeFruit(t, dir)
	out := mustExecute(t, "search", "--config", config)
	if !strings.Contains(out, "training on 80 rows, validating on 30; objective val_accuracy (max)") {
		t.Errorf("search:\n%s", out)
	}
	// Batch sizes 8 and 16 over 80 rows: 10 or 5 batches per epoch.
	for _, tr := range reportJSON(t, "--config", config, "--all", "--top", "0") {
		if b := tr.Hyperparameters["batch_size"]; b != 8.0 && b != 16.0 {
			t.Errorf("trial %d batch_size %v", tr.ID, b)
		}
	}

	model := filepath.Join(dir, "final.tnn")
	out = mustExecute(t, "retrain", "--config", config, "-o", model, "--epochs", "4")
	for _, want := range []string{"on 110 rows for 4 epochs", "epoch 4/4  loss=", "test (30 rows): loss=", " accuracy=", "saved the model ("} {
		if !strings.Contains(out, want) {
			t.Errorf("retrain lacks %q:\n%s", want, out)
		}
	}
	// The saved model scales its inputs: predict gives names and probabilities.
	out = mustExecute(t, "predict", "--config", config, "--model", model, "-i", filepath.Join(dir, "test.csv"))
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 31 || !slices.Equal(recs[0], []string{"row", "class", "probability"}) {
		t.Fatalf("predict --model: %v\n%s", err, out)
	}
	for _, rec := range recs[1:] {
		p, _ := strconv.ParseFloat(rec[2], 64)
		if (rec[1] == "big") != (p >= 0.5) || (rec[1] != "big" && rec[1] != "small") {
			t.Errorf("prediction %v", rec)
		}
	}
	// The best trial's checkpoint predicts the same file.
	out = mustExecute(t, "predict", "--config", config, "-i", filepath.Join(dir, "test.csv"))
	if strings.Count(out, "\n") != 31 {
		t.Errorf("predict:\n%s", out)
	}
}

func TestSearchOverrides(t *testing.T) {
	dir := t.TempDir()
	config := writeFile(t, dir, "study.yaml", tinyStudy)
	out := mustExecute(t, "search", "--config", config, "-q", "--max-trials", "2", "--set", "epochs=1", "--oracle", "bayesian")
	if !strings.Contains(out, "Showing 2 best trials") {
		t.Errorf("search with settings:\n%s", out)
	}
	var ex exportJSON
	if err := json.Unmarshal([]byte(mustExecute(t, "export", "--config", config, "-f", "json")), &ex); err != nil {
		t.Fatal(err)
	}
	if ex.Oracle != "bayesian" || len(ex.Trials) != 2 || len(ex.Trials[0].History) != 1 {
		t.Errorf("export after overrides: oracle %s, %d trials", ex.Oracle, len(ex.Trials))
	}
	// The project keeps the study as changed.
	store, err := trials.Open(filepath.Join(dir, "tune_projects", "tiny", "study.db"), &trials.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	sd, err := store.Study()
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	s, info, err := study.FromConfig(sd.Config)
	if err != nil || s.MaxTrials != 2 || s.Epochs != 1 || s.Oracle.Type != "bayesian" || info == nil || info.TrainRows != 90 {
		t.Errorf("stored study: %v %+v %+v", err, s, info)
	}

	// Without a study file: a csv file and flags.
	t.Chdir(dir)
	writeFruit(t, dir)
	os.Remove("study.yaml")
	out = mustExecute(t, "search", "--data", "train.csv", "--set", `data.separator=";"`, "--target", "kind", "--task", "binary",
		"--set", "data.string_labels=true", "--set", "data.columns=[a, b]", "--max-trials", "1", "--epochs", "1")
	if !strings.Contains(out, "project "+filepath.Join("tune_projects", "train", "study.db")+" (new project)") ||
		!strings.Contains(out, "training on 64 rows, validating on 16") {
		t.Errorf("search from flags:\n%s", out)
	}
	if rows := reportJSON(t, "--project", filepath.Join("tune_projects", "train")); len(rows) != 1 {
		t.Errorf("%d trials", len(rows))
	}
}

func TestSearchTimeout(t *testing.T) {
	dir := t.TempDir()
	config := writeFile(t, dir, "study.yaml", tinyStudy)
	out := mustExecute(t, "search", "--config", config, "--timeout", "1ns")
	if !strings.Contains(out, "search stopped: time budget of 1ns used up; run the same command again to continue") ||
		!strings.Contains(out, "no trial has completed yet") {
		t.Errorf("search --timeout:\n%s", out)
	}
	// The project is resumable.
	mustExecute(t, "search", "--config", config, "-q")
	if rows := reportJSON(t, "--config", config); len(rows) != 3 {
		t.Errorf("%d trials after resuming", len(rows))
	}
}

var (
	epochLineRE = regexp.MustCompile(`^trial (\d+) epoch (\d+)/2  loss=\d+\.\d{4} accuracy=\d\.\d{4} val_loss=\d+\.\d{4} val_accuracy=\d\.\d{4}$`)
	trialLineRE = regexp.MustCompile(`^trial (\d+) completed  val_accuracy=\d\.\d{4} \(epoch [12]\)  n_hidden=\d n_neurons=\d+ learning_rate=\S+ optimizer=(sgd|adam) activation=tanh$`)
)

// TestProgressLines checks the plain progress of 2 parallel trials: one
// whole line per finished epoch and per finished trial, in order within
// each trial, nothing else between the header and the summary.
func TestProgressLines(t *testing.T) {
	dir := t.TempDir()
	config := writeFile(t, dir, "study.yaml", strings.Replace(tinyStudy, "max_trials: 3", "max_trials: 6", 1))
	out := mustExecute(t, "search", "--config", config, "--verbose")
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[0], "project ") || !strings.HasPrefix(lines[1], "training on ") {
		t.Fatalf("header:\n%s", out)
	}
	epochs := map[int][]int{}
	ended := map[int]bool{}
	i := 2
	for ; i < len(lines) && !strings.HasPrefix(lines[i], "search finished"); i++ {
		if m := epochLineRE.FindStringSubmatch(lines[i]); m != nil {
			id, _ := strconv.Atoi(m[1])
			e, _ := strconv.Atoi(m[2])
			if ended[id] {
				t.Errorf("epoch line after trial %d ended: %q", id, lines[i])
			}
			epochs[id] = append(epochs[id], e)
			continue
		}
		if m := trialLineRE.FindStringSubmatch(lines[i]); m != nil {
			id, _ := strconv.Atoi(m[1])
			ended[id] = true
			continue
		}
		t.Errorf("line %d is garbled: %q", i+1, lines[i])
	}
	if i == len(lines) {
		t.Fatalf("no end line:\n%s", out)
	}
	for id := 1; id <= 6; id++ {
		if !slices.Equal(epochs[id], []int{1, 2}) || !ended[id] {
			t.Errorf("trial %d: epochs %v, ended %v", id, epochs[id], ended[id])
		}
	}
	// With 2 workers, the lines of 2 trials interleave somewhere.
	if !regexp.MustCompile(`(?m)^trial (\d+) epoch 1/2.*\n(trial (\d+) .*\n)*trial (\d+) epoch`).MatchString(out) {
		t.Logf("no interleaving seen (possible but unlikely):\n%s", out)
	}
}

func TestProgressBars(t *testing.T) {
	dir := t.TempDir()
	config := writeFile(t, dir, "study.yaml", tinyStudy)
	out := mustExecute(t, "search", "--config", config, "--progress", "bars")
	// How many frames mpb draws depends on timing; what the frames hold
	// does not. Cursor movements start lines too.
	plain := regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]").ReplaceAllString(out, "\n")
	ended := map[string]bool{}
	for _, m := range trialLine.FindAllStringSubmatch(plain, -1) {
		ended[m[1]] = true
	}
	if len(ended) != 3 {
		t.Errorf("trial lines above the bars for trials %v:\n%s", ended, out)
	}
	if !strings.Contains(plain, "trials 3/3 done, 0 running  best val_accuracy ") || !strings.Contains(plain, "Results summary") {
		t.Errorf("bars output:\n%s", out)
	}
	// The last frame holds the overall line and no bar. The line of the
	// last trial may be in it, above the overall line: whether mpb drew a
	// frame between that trial's end and the search's depends on timing.
	frames := strings.Split(out, "\x1b[J")
	last := strings.TrimLeft(trialLine.ReplaceAllString(frames[len(frames)-1], ""), "\n")
	if strings.Contains(last, "[") || !strings.HasPrefix(last, "trials 3/3 done") {
		t.Errorf("last frame %q", frames[len(frames)-1])
	}
}

// TestCommandErrors checks that every command fails with one line and
// status 1 on an unknown trial, an empty project, an unknown format and
// an unwritable output path.
func TestCommandErrors(t *testing.T) {
	config := tinyProject(t)
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	store, err := trials.Open(filepath.Join(empty, "study.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	nowhere := filepath.Join(dir, "no", "such", "dir")
	projectDir := filepath.Join(shared.dir, "tune_projects", "tiny")
	input := writeFile(t, dir, "in.csv", "0.1,0.2\n")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"show", "9", "-c", config}, "project " + projectDir + " has no trial 9 (it has trials 1 to 3)"},
		{[]string{"show", "x", "-c", config}, `trial "x": want a trial number, 1 or more`},
		{[]string{"predict", "--trial", "7", "-i", input, "-c", config}, "project " + projectDir + " has no trial 7 (it has trials 1 to 3)"},
		{[]string{"retrain", "--trial", "4", "-c", config}, "project " + projectDir + " has no trial 4 (it has trials 1 to 3)"},
		{[]string{"show", "1"}, "study.yaml: cannot read study file: no such file or directory (name the project with --config, --project or --db)"},
	}
	for _, cmd := range [][]string{{"report"}, {"best"}, {"trials"}, {"show", "1"}, {"export"}, {"plot"}, {"predict", "-i", input}, {"retrain"}} {
		want := "project " + empty + " is empty: no search has started in it"
		tests = append(tests, struct {
			args []string
			want string
		}{append(cmd, "--project", empty), want})
		tests = append(tests, struct {
			args []string
			want string
		}{append(cmd, "--project", filepath.Join(dir, "none")), "no project at " + filepath.Join(dir, "none") + ": " +
			filepath.Join(dir, "none", "study.db") + " does not exist (run tune search first)"})
	}
	for _, c := range []struct{ cmd, want string }{
		{"report", "table, json or csv"}, {"trials", "table, json or csv"}, {"best", "text, json or yaml"},
		{"show", "text or json"}, {"export", "csv or json"}, {"plot", "png or svg"},
	} {
		args := []string{c.cmd, "-c", config, "--format", "xml"}
		if c.cmd == "show" {
			args = append(args, "1")
		}
		tests = append(tests, struct {
			args []string
			want string
		}{args, `unknown format "xml" (want ` + c.want + ")"})
	}
	for _, c := range [][]string{
		{"export", "-o", filepath.Join(nowhere, "x.csv")},
		{"plot", "-k", "history", "-o", filepath.Join(nowhere, "x.png")},
		{"predict", "-i", input, "-o", filepath.Join(nowhere, "x.csv")},
		{"retrain", "-o", filepath.Join(nowhere, "x.tnn")},
		{"init", "-o", filepath.Join(nowhere, "x.yaml")},
	} {
		path := c[len(c)-1]
		if c[0] != "init" {
			c = append(c, "-c", config)
		}
		tests = append(tests, struct {
			args []string
			want string
		}{c, "cannot write " + path + ": no such file or directory"})
	}
	tests = append(tests, []struct {
		args []string
		want string
	}{
		{[]string{"plot", "-c", config, "-o", filepath.Join(dir, "x.jpg")}, filepath.Join(dir, "x.jpg") + `: unknown format "jpg" (want png or svg)`},
		{[]string{"plot", "-c", config, "--kind", "pie"}, `unknown kind "pie" (want curves, history, hparams, pareto or all)`},
		{[]string{"trials", "-c", config, "--status", "done"}, `unknown status "done" (want pending, running, completed, failed, pruned or stopped)`},
		{[]string{"predict", "-c", config}, `required flag(s) "input" not set`},
		{[]string{"predict", "-c", config, "-i", filepath.Join(dir, "missing.csv")}, "cannot read " + filepath.Join(dir, "missing.csv") + ": no such file or directory"},
		{[]string{"predict", "-c", config, "-i", writeFile(t, dir, "wide.csv", "1,2,3,4\n")}, filepath.Join(dir, "wide.csv") + " has 4 feature columns; the model takes 2"},
		{[]string{"search", "-c", config, "--set", "epochs"}, `setting "epochs": want key=value, such as max_trials=20`},
		{[]string{"search", "-c", config, "--progress", "fancy"}, `--progress "fancy": want auto, bars or lines`},
	}...)
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[:min(2, len(tt.args))], " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tt.args, &stdout, &stderr); code != 1 {
				t.Errorf("tune %s: exit status %d, want 1", strings.Join(tt.args, " "), code)
			}
			got := stderr.String()
			if strings.Count(got, "\n") != 1 || !strings.HasSuffix(got, "\n") {
				t.Errorf("stderr is not one line: %q", got)
			}
			if got = strings.TrimSuffix(got, "\n"); got != "tune: "+tt.want {
				t.Errorf("tune %s:\n got %s\nwant tune: %s", strings.Join(tt.args, " "), got, tt.want)
			}
		})
	}
}

func TestReadOnlyCommandsLeaveStore(t *testing.T) {
	config := tinyProject(t)
	path := filepath.Join(shared.dir, "tune_projects", "tiny", "study.db")
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"report"}, {"best"}, {"trials"}, {"show", "1"}, {"export"}} {
		mustExecute(t, append(args, "-c", config)...)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a read-only command changed the store")
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		t.Error("store gone")
	}
}

func TestPlotTicks(t *testing.T) {
	var labels []string
	for _, tk := range (intTicks{}).Ticks(8, 32) {
		labels = append(labels, tk.Label)
	}
	if !slices.Equal(labels, []string{"10", "15", "20", "25", "30"}) {
		t.Errorf("integer ticks on [8, 32]: %v", labels)
	}
	labels = nil
	for _, tk := range (logTicks{}).Ticks(1e-4, 1e-2) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if !slices.Equal(labels, []string{"1e-4", "0.001", "0.01"}) {
		t.Errorf("log ticks on [1e-4, 1e-2]: %v", labels)
	}
}
