package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tunekit/tune/trials"
)

// tinyStudy is a study that runs in a fraction of a second: 3 trials of 2
// epochs on 120 spiral points.
const tinyStudy = `project: tiny
seed: 7
data:
  format: spirals
  samples: 120
  noise: 0.05
  validation_split: 0.25
hyperparameters:
  n_hidden: {type: int, min: 1, max: 2}
  n_neurons: {type: int, min: 4, max: 12, step: 4}
  learning_rate: {type: float, min: 1.0e-3, max: 1.0e-1, sampling: log}
  optimizer: [sgd, adam]
  activation: tanh
objective: val_accuracy
max_trials: 3
epochs: 2
batch_size: 16
parallel_trials: 2
`

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// execute runs the root command with args and returns its output.
func execute(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	cmd := NewRootCommand()
	var out, errb bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	err = cmd.ExecuteContext(ctx)
	return out.String(), errb.String(), err
}

// mustExecute runs the root command and fails the test on an error.
func mustExecute(t *testing.T, args ...string) string {
	t.Helper()
	out, stderr, err := execute(context.Background(), args...)
	if err != nil {
		t.Fatalf("tune %s: %v\nstdout:\n%s", strings.Join(args, " "), err, out)
	}
	if stderr != "" {
		t.Errorf("tune %s wrote to stderr: %s", strings.Join(args, " "), stderr)
	}
	return out
}

// jsonReport is the json format of tune report.
type jsonReport []struct {
	ID              int                `json:"id"`
	Status          string             `json:"status"`
	Score           *float64           `json:"score"`
	BestEpoch       *int               `json:"best_epoch"`
	Hyperparameters map[string]any     `json:"hyperparameters"`
	Metrics         map[string]float64 `json:"metrics"`
}

func reportJSON(t *testing.T, args ...string) jsonReport {
	t.Helper()
	out := mustExecute(t, append([]string{"report", "--format", "json"}, args...)...)
	var rows jsonReport
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("report json: %v\n%s", err, out)
	}
	return rows
}

var trialLine = regexp.MustCompile(`(?m)^trial (\d+) completed  val_accuracy=(\d\.\d{4}) \(epoch (\d+)\)  n_hidden=\d n_neurons=\d+ learning_rate=\S+ optimizer=(sgd|adam) activation=tanh$`)

func TestSearchAndReport(t *testing.T) {
	dir := t.TempDir()
	config := writeFile(t, dir, "study.yaml", tinyStudy)
	out := mustExecute(t, "search", "--config", config)

	lines := trialLine.FindAllStringSubmatch(out, -1)
	var ids []int
	for _, l := range lines {
		id, _ := strconv.Atoi(l[1])
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []int{1, 2, 3}) {
		t.Errorf("trial lines for %v, want 1, 2, 3:\n%s", ids, out)
	}
	for _, want := range []string{"(new project)", "training on 90 rows, validating on 30; objective val_accuracy (max)",
		"search finished: reached max trials (3)", "Results summary", "Showing 3 best trials"} {
		if !strings.Contains(out, want) {
			t.Errorf("search output lacks %q:\n%s", want, out)
		}
	}

	// JSON: every trial, best first, with the values of the search.
	rows := reportJSON(t, "--config", config)
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	printed := map[int]string{}
	for _, l := range lines {
		id, _ := strconv.Atoi(l[1])
		printed[id] = l[2]
	}
	var got []int
	for i, r := range rows {
		got = append(got, r.ID)
		if r.Status != "completed" || r.Score == nil || r.BestEpoch == nil || *r.BestEpoch < 1 || *r.BestEpoch > 2 {
			t.Errorf("row %+v", r)
			continue
		}
		if i > 0 && *r.Score > *rows[i-1].Score {
			t.Errorf("scores not best first: %v after %v", *r.Score, *rows[i-1].Score)
		}
		if s := strconv.FormatFloat(*r.Score, 'f', 4, 64); s != printed[r.ID] {
			t.Errorf("trial %d: report score %s, search printed %s", r.ID, s, printed[r.ID])
		}
		if r.Metrics["val_accuracy"] != *r.Score {
			t.Errorf("trial %d: metrics %v, score %v", r.ID, r.Metrics, *r.Score)
		}
		for _, name := range []string{"n_hidden", "n_neurons", "learning_rate", "optimizer", "activation"} {
			if _, ok := r.Hyperparameters[name]; !ok {
				t.Errorf("trial %d lacks %s: %v", r.ID, name, r.Hyperparameters)
			}
		}
	}
	if sorted := slices.Sorted(slices.Values(got)); !slices.Equal(sorted, []int{1, 2, 3}) {
		t.Errorf("ids %v", got)
	}

	// CSV: a header and the same rows in the same order.
	out = mustExecute(t, "report", "--config", config, "--format", "csv")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("report csv: %v\n%s", err, out)
	}
	if want := []string{"id", "status", "score", "best_epoch", "n_hidden", "n_neurons", "activation", "optimizer", "learning_rate"}; !slices.Equal(recs[0], want) {
		t.Errorf("csv header %v, want %v", recs[0], want)
	}
	if len(recs) != 4 {
		t.Fatalf("%d csv records", len(recs))
	}
	for i, rec := range recs[1:] {
		id, _ := strconv.Atoi(rec[0])
		score, err := strconv.ParseFloat(rec[2], 64)
		if id != rows[i].ID || err != nil || score != *rows[i].Score || rec[1] != "completed" || rec[3] != strconv.Itoa(*rows[i].BestEpoch) {
			t.Errorf("csv row %v, json row %+v", rec, rows[i])
		}
		if rec[7] != rows[i].Hyperparameters["optimizer"] {
			t.Errorf("csv optimizer %q, json %v", rec[7], rows[i].Hyperparameters["optimizer"])
		}
	}

	// Table: a title, a header and the rows in order.
	out = mustExecute(t, "report", "--config", config)
	tl := strings.Split(strings.TrimSpace(out), "\n")
	if len(tl) != 6 || tl[0] != "objective: val_accuracy (max); 3 of 3 trials shown" {
		t.Fatalf("table:\n%s", out)
	}
	if f := strings.Fields(tl[2]); !slices.Equal(f, recs[0]) {
		t.Errorf("table header %v", f)
	}
	for i, l := range tl[3:] {
		f := strings.Fields(l)
		if f[0] != strconv.Itoa(rows[i].ID) || f[2] != strconv.FormatFloat(*rows[i].Score, 'f', 4, 64) {
			t.Errorf("table row %q, json row %+v", l, rows[i])
		}
	}

	// --top, --project and --db.
	project := filepath.Join(dir, "tune_projects", "tiny")
	top := reportJSON(t, "--project", project, "--top", "2")
	if len(top) != 2 || top[0].ID != rows[0].ID || top[1].ID != rows[1].ID {
		t.Errorf("--top 2: %+v", top)
	}
	if db := reportJSON(t, "--db", filepath.Join(project, "study.db")); len(db) != 3 || db[0].ID != rows[0].ID {
		t.Errorf("--db: %+v", db)
	}
}

func TestSearchResumes(t *testing.T) {
	dir := t.TempDir()
	config := writeFile(t, dir, "study.yaml", tinyStudy)
	mustExecute(t, "search", "--config", config, "--quiet")
	first := reportJSON(t, "--config", config)

	writeFile(t, dir, "study.yaml", strings.Replace(tinyStudy, "max_trials: 3", "max_trials: 5", 1))
	out := mustExecute(t, "search", "--config", config)
	if !strings.Contains(out, "(resuming, 3 of 5 trials exist)") {
		t.Errorf("no resume line:\n%s", out)
	}
	var ids []int
	for _, l := range trialLine.FindAllStringSubmatch(out, -1) {
		id, _ := strconv.Atoi(l[1])
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []int{4, 5}) {
		t.Errorf("the resumed search ran trials %v, want 4 and 5:\n%s", ids, out)
	}
	rows := reportJSON(t, "--config", config)
	if len(rows) != 5 {
		t.Fatalf("%d trials after resuming", len(rows))
	}
	// The first trials are unchanged.
	for _, f := range first {
		for _, r := range rows {
			if r.ID == f.ID && *r.Score != *f.Score {
				t.Errorf("trial %d changed from %v to %v", r.ID, *f.Score, *r.Score)
			}
		}
	}

	// --overwrite starts afresh.
	writeFile(t, dir, "study.yaml", strings.Replace(tinyStudy, "max_trials: 3", "max_trials: 2", 1))
	mustExecute(t, "search", "--config", config, "--overwrite", "--quiet")
	if rows := reportJSON(t, "--config", config); len(rows) != 2 {
		t.Errorf("%d trials after --overwrite, want 2", len(rows))
	}
}

// cancelWriter cancels a context when the first trial line is written.
type cancelWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	cancel context.CancelFunc
}

func (w *cancelWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if bytes.HasPrefix(p, []byte("trial ")) {
		w.cancel()
	}
	return w.buf.Write(p)
}

func TestSearchInterruptedResumes(t *testing.T) {
	dir := t.TempDir()
	config := writeFile(t, dir, "study.yaml", tinyStudy)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &cancelWriter{cancel: cancel}
	var stderr bytes.Buffer
	if code := run(ctx, []string{"search", "--config", config}, w, &stderr); code != 130 {
		t.Errorf("exit status %d, want 130", code)
	}
	if got := stderr.String(); got != "tune: interrupted; run the same command again to resume\n" {
		t.Errorf("stderr %q", got)
	}
	if !strings.Contains(w.buf.String(), "search interrupted") {
		t.Errorf("stdout:\n%s", w.buf.String())
	}

	mustExecute(t, "search", "--config", config, "--quiet")
	rows := reportJSON(t, "--config", config, "--all")
	var ids []int
	for _, r := range rows {
		ids = append(ids, r.ID)
		if r.Status != "completed" {
			t.Errorf("trial %d %s after resuming", r.ID, r.Status)
		}
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []int{1, 2, 3}) {
		t.Errorf("trials %v after resuming, want 1, 2, 3", ids)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "study.yaml", tinyStudy)
	tests := []struct {
		name string
		args []string
		want string // the whole message, or a prefix when it ends with "…"
	}{
		{"unknown key", []string{"search", "--config",
			writeFile(t, dir, "typo.yaml", strings.Replace(tinyStudy, "epochs: 2", "epoch: 2", 1))},
			filepath.Join(dir, "typo.yaml") + `:16: unknown key "epoch" (did you mean "epochs"?)`},
		{"unknown hyperparameter", []string{"search", "--config",
			writeFile(t, dir, "hp.yaml", strings.Replace(tinyStudy, "  learning_rate:", "  lerning_rate:", 1))},
			filepath.Join(dir, "hp.yaml") + `:11: unknown hyperparameter "lerning_rate" (did you mean "learning_rate"?)`},
		{"missing study file", []string{"search", "--config", filepath.Join(dir, "nope.yaml")},
			filepath.Join(dir, "nope.yaml") + ": cannot read study file: no such file or directory"},
		{"missing data file", []string{"search", "--config",
			writeFile(t, dir, "csv.yaml", "data:\n  format: csv\n  path: train.csv\n")},
			filepath.Join(dir, "csv.yaml") + ":3: open " + filepath.Join(dir, "train.csv") + ": no such file or directory"},
		{"labels do not fit the task", []string{"search", "--config",
			writeFile(t, dir, "labels.yaml", "task: binary\ndata:\n  format: csv\n  path: labels.csv\n")},
			filepath.Join(dir, "labels.csv") + ":4: training label 2 is not 0 or 1, as task binary needs; for more classes use task: classification"},
		{"unknown format", []string{"report", "--config", good, "--format", "xml"}, `unknown format "xml" (want table, json or csv)`},
		{"negative top", []string{"report", "--config", good, "--top", "-1"}, `--top -1: want 0 (all) or more`},
		{"no project", []string{"report", "--config", good},
			"no project at " + filepath.Join(dir, "tune_projects", "tiny") + ": " + filepath.Join(dir, "tune_projects", "tiny", "study.db") + " does not exist (run tune search first)"},
		{"two sources", []string{"report", "--config", good, "--project", dir}, "if any flags in the group [config project db store] are set none of the others can be; …"},
		{"unknown command", []string{"serch"}, `unknown command "serch" for "tune" Did you mean this? search`},
		{"unknown flag", []string{"search", "--cofig", good}, "unknown flag: --cofig"},
		{"arguments", []string{"search", good}, `unknown command "` + good + `" for "tune search"`},
	}
	writeFile(t, dir, "labels.csv", "x,y\n1,0\n2,1\n3,2\n")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tt.args, &stdout, &stderr); code != 1 {
				t.Errorf("exit status %d, want 1", code)
			}
			got := stderr.String()
			if strings.Count(got, "\n") != 1 || !strings.HasSuffix(got, "\n") {
				t.Errorf("stderr is not one line: %q", got)
			}
			got = strings.TrimSuffix(got, "\n")
			want := "tune: " + tt.want
			if p, ok := strings.CutSuffix(want, "…"); ok {
				if !strings.HasPrefix(got, p) {
					t.Errorf("stderr\n got %s\nwant %s", got, want)
				}
			} else if got != want {
				t.Errorf("stderr\n got %s\nwant %s", got, want)
			}
			if stdout.Len() > 0 && strings.Contains(stdout.String(), "Usage:") {
				t.Errorf("usage printed on error:\n%s", stdout.String())
			}
		})
	}
}

func TestLockedProject(t *testing.T) {
	dir := t.TempDir()
	config := writeFile(t, dir, "study.yaml", tinyStudy)
	path := filepath.Join(dir, "tune_projects", "tiny", "study.db")
	store, err := trials.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	_, _, err = execute(context.Background(), "search", "--config", config)
	if !errors.Is(err, trials.ErrLocked) || !strings.Contains(err.Error(), "in use") || !strings.Contains(err.Error(), path) {
		t.Errorf("search on a locked project: %v", err)
	}
}

func TestEmptyProject(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p", "study.db")
	store, err := trials.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	_, _, err = execute(context.Background(), "report", "--project", filepath.Join(dir, "p"))
	if err == nil || err.Error() != "project "+filepath.Join(dir, "p")+" is empty: no search has started in it" {
		t.Errorf("report on an empty project: %v", err)
	}
}

func TestHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, &stdout, &stderr); code != 0 {
		t.Errorf("exit status %d", code)
	}
	for _, want := range []string{"search", "report"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, stdout.String())
		}
	}
}
