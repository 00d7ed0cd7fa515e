package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tunekit/tune/trials"
)

// mistakesBase is a project made once from tinyStudy, copied for every
// case of TestUserMistakes.
var mistakesBase struct {
	once sync.Once
	dir  string
	err  error
}

func mistakesProject(t *testing.T) string {
	t.Helper()
	mistakesBase.once.Do(func() {
		mistakesBase.dir, mistakesBase.err = os.MkdirTemp("", "tune-mistakes")
		if mistakesBase.err != nil {
			return
		}
		config := filepath.Join(mistakesBase.dir, "study.yaml")
		if mistakesBase.err = os.WriteFile(config, []byte(tinyStudy), 0o644); mistakesBase.err != nil {
			return
		}
		if _, _, mistakesBase.err = execute(context.Background(), "search", "--config", config, "--quiet"); mistakesBase.err != nil {
			return
		}
		_, _, mistakesBase.err = execute(context.Background(), "retrain", "--config", config, "--epochs", "1")
	})
	if mistakesBase.err != nil {
		t.Fatal(mistakesBase.err)
	}
	t.Cleanup(func() {}) // the base is removed with the process's temp files
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(mistakesBase.dir)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// hashTree hashes every file's path, mode and contents under dir.
func hashTree(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		h.Write([]byte(rel + "\x00" + info.Mode().String() + "\x00"))
		if d.Type().IsRegular() {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			h.Write(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// edit returns tinyStudy with old replaced by new (which must be there).
func editTiny(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(tinyStudy, old) {
		t.Fatalf("tinyStudy has no %q", old)
	}
	return strings.Replace(tinyStudy, old, new, 1)
}

// tinyCSV is tinyStudy on the csv file d.csv (same project).
func tinyCSV(t *testing.T, extra string) string {
	return editTiny(t, "  format: spirals\n  samples: 120\n  noise: 0.05\n", "  format: csv\n  path: d.csv\n"+extra)
}

// TestUserMistakes runs mistakes a user makes against the command line,
// each beside an existing project: every one must exit non-zero with
// exactly one line that names the file and its line, row, field or
// hyperparameter, without a panic, and leave the project byte for byte as
// it was.
func TestUserMistakes(t *testing.T) {
	db := filepath.Join("tune_projects", "tiny", "study.db")
	model := filepath.Join("tune_projects", "tiny", "retrained.tnn")
	cut := func(name string, keep float64) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			p := filepath.Join(dir, name)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b[:int(float64(len(b))*keep)], 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// scribble flips 64 bytes of file name from offset at, or, with at
	// -1, from the first occurrence of mark, or, with at -2, from the
	// start of the page holding it (a page the store uses).
	scribble := func(name string, at int, mark string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			p := filepath.Join(dir, name)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			off := at
			if at < 0 {
				if off = bytes.Index(b, []byte(mark)); off < 0 {
					t.Fatalf("%s holds no %q", name, mark)
				}
				if at == -2 {
					off -= off % os.Getpagesize()
				}
			}
			for i := off; i < off+64 && i < len(b); i++ {
				b[i] ^= 0xA5
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	longField := strings.Repeat("z", 100_000)
	tests := []struct {
		name  string
		study string            // written to study.yaml over the base's, if not ""
		files map[string]string // other files to write
		setup func(t *testing.T, dir string)
		args  []string // run in the project's directory
		want  []string // substrings of the one line
	}{
		// Study files.
		{name: "wrong key", study: editTiny(t, "max_trials: 3", "max_trial: 3"), args: []string{"search"},
			want: []string{"study.yaml:15: ", `"max_trial"`, `"max_trials"`}},
		{name: "wrong hyperparameter", study: editTiny(t, "  optimizer: [sgd, adam]", "  optimiser: [sgd, adam]"), args: []string{"search"},
			want: []string{"study.yaml:12: ", `"optimiser"`}},
		{name: "bad value", study: editTiny(t, "epochs: 2", "epochs: ten"), args: []string{"search"},
			want: []string{"study.yaml:16: ", "epochs", `"ten"`}},
		{name: "negative epochs", study: editTiny(t, "epochs: 2", "epochs: -2"), args: []string{"search"},
			want: []string{"study.yaml:16: ", "epochs is -2"}},
		{name: "step zero", study: editTiny(t, "step: 4", "step: 0"), args: []string{"search"},
			want: []string{"study.yaml:10: ", `hyperparameter "n_neurons": step 0 must be positive`}},
		{name: "step negative", study: editTiny(t, "step: 4", "step: -4"), args: []string{"search"},
			want: []string{"study.yaml:10: ", `"n_neurons"`, "step -4"}},
		{name: "step beyond the range", study: editTiny(t, "step: 4", "step: 100"), args: []string{"search"},
			want: []string{"study.yaml:10: ", `"n_neurons": step 100 is larger than the range [4, 12]`}},
		{name: "min above max", study: editTiny(t, "min: 4, max: 12", "min: 40, max: 12"), args: []string{"search"},
			want: []string{"study.yaml:10: ", `"n_neurons"`}},
		{name: "bad oracle setting", study: tinyStudy + "oracle: {type: bayesian, alpha: -1}\n", args: []string{"search"},
			want: []string{"study.yaml:19: ", "alpha -1"}},
		{name: "bad oracle setting, new project", study: editTiny(t, "project: tiny", "project: fresh") + "oracle: {type: bayesian, alpha: 0.5, beta: -3}\n",
			args: []string{"search"}, want: []string{"study.yaml:19: ", "beta -3"}},
		{name: "unknown oracle setting", study: tinyStudy + "oracle: {type: bayesian, alfa: 1}\n", args: []string{"search"},
			want: []string{"study.yaml:19: ", "alfa"}},
		{name: "hyperband max_epochs 0", study: tinyStudy + "oracle:\n  type: hyperband\n  max_epochs: 0\n", args: []string{"search"},
			want: []string{"study.yaml:21: ", "max_epochs 0"}},
		{name: "bad pruner setting", study: tinyStudy + "pruner: {type: median, warmup_epochs: -1}\n", args: []string{"search"},
			want: []string{"study.yaml:19: ", "warmup_epochs -1"}},
		{name: "unknown oracle", study: tinyStudy + "oracle: bayesain\n", args: []string{"search"},
			want: []string{"study.yaml:19: ", `"bayesain"`}},
		{name: "malformed yaml", study: editTiny(t, "objective: val_accuracy", "objective: [val_accuracy"), args: []string{"search"},
			want: []string{"study.yaml:"}},
		{name: "tab indentation", study: editTiny(t, "  samples: 120", "\tsamples: 120"), args: []string{"search"},
			want: []string{"study.yaml:"}},
		{name: "missing study file", args: []string{"search", "--config", "nope.yaml"},
			want: []string{"nope.yaml: ", "no such file"}},
		{name: "bad objective", study: editTiny(t, "objective: val_accuracy", "objective: val_acc"), args: []string{"search"},
			want: []string{"study.yaml:14: ", `"val_acc"`}},
		{name: "long unknown key", study: tinyStudy + strings.Repeat("k", 5000) + ": 1\n", args: []string{"search"},
			want: []string{"study.yaml:19: "}},
		{name: "long task", study: editTiny(t, "seed: 7", "seed: 7\ntask: "+strings.Repeat("z", 50_000)), args: []string{"search"},
			want: []string{"study.yaml:3: ", "zzz…"}},
		{name: "long oracle", study: tinyStudy + "oracle: " + strings.Repeat("q", 50_000) + "\n", args: []string{"search"},
			want: []string{"study.yaml:19: ", "qqq…"}},
		{name: "long activation", study: editTiny(t, "activation: tanh", "activation: "+strings.Repeat("r", 50_000)), args: []string{"search"},
			want: []string{"study.yaml:13: ", "rrr…"}},
		{name: "bad --set", args: []string{"search", "--set", "epochs=ten"},
			want: []string{"epochs", `"ten"`}},

		// Data files.
		{name: "malformed row", study: tinyCSV(t, ""), files: map[string]string{"d.csv": "a,b,y\n1,2,0\n3,4\n5,6,1\n"},
			args: []string{"search"}, want: []string{"d.csv:3:"}},
		{name: "not a number", study: tinyCSV(t, ""), files: map[string]string{"d.csv": "a,b,y\n1,2,0\n3,x4,1\n5,6,1\n"},
			args: []string{"search"}, want: []string{"d.csv:3:2: ", `"x4"`}},
		{name: "missing data file", study: tinyCSV(t, ""), args: []string{"search"},
			want: []string{"study.yaml:5: ", "d.csv", "no such file"}},
		{name: "bad label", study: editTiny(t, "seed: 7", "seed: 7\ntask: binary") + "", files: map[string]string{"d.csv": "a,b,y\n1,2,0\n3,4,1\n5,6,2\n"},
			setup: func(t *testing.T, dir string) {
				s := strings.Replace(editTiny(t, "  format: spirals\n  samples: 120\n  noise: 0.05\n", "  format: csv\n  path: d.csv\n"), "seed: 7", "seed: 7\ntask: binary", 1)
				if err := os.WriteFile(filepath.Join(dir, "study.yaml"), []byte(s), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			args: []string{"search"}, want: []string{"d.csv:4: ", "label 2 is not 0 or 1"}},
		{name: "unknown target column", study: tinyCSV(t, "  target: price\n"), files: map[string]string{"d.csv": "a,b,y\n1,2,0\n3,4,1\n"},
			args: []string{"search"}, want: []string{"study.yaml:6: ", `"price"`}},
		{name: "huge field", study: tinyCSV(t, ""), files: map[string]string{"d.csv": "a,b,y\n1,2,0\n" + longField + ",4,1\n"},
			args: []string{"search"}, want: []string{"d.csv:3:1: "}},
		{name: "predict input missing", args: []string{"predict", "-i", "nope.csv"}, want: []string{"nope.csv", "no such file"}},
		{name: "predict input bad row", files: map[string]string{"in.csv": "1,2\n3,oops\n"}, args: []string{"predict", "-i", "in.csv"},
			want: []string{"in.csv:2:2: "}},

		// Damaged stores and model files.
		{name: "store truncated", setup: cut(db, 0.5), args: []string{"trials"}, want: []string{"study.db"}},
		{name: "store truncated, search", setup: cut(db, 0.5), args: []string{"search"}, want: []string{"study.db"}},
		{name: "store meta pages scribbled", setup: func(t *testing.T, dir string) {
			scribble(db, 16, "")(t, dir)
			scribble(db, os.Getpagesize()+16, "")(t, dir)
		}, args: []string{"search"}, want: []string{"study.db"}},
		{name: "store leaf page scribbled", setup: scribble(db, -2, `"values"`), args: []string{"report"}, want: []string{"study.db"}},
		{name: "store record scribbled", setup: scribble(db, -1, `"values"`), args: []string{"search"}, want: []string{"study.db"}},
		{name: "model truncated", setup: cut(model, 0.5), args: []string{"predict", "--model", model, "-i", "in.csv"},
			files: map[string]string{"in.csv": "1,2\n"}, want: []string{"retrained.tnn"}},
		{name: "model scribbled", setup: scribble(model, 200, ""), args: []string{"predict", "--model", model, "-i", "in.csv"},
			files: map[string]string{"in.csv": "1,2\n"}, want: []string{"retrained.tnn"}},
		{name: "model not a model", files: map[string]string{"m.tnn": "hello"}, args: []string{"predict", "--model", "m.tnn", "-i", "in.csv"},
			want: []string{"m.tnn"}},
		{name: "second retrain", args: []string{"retrain"}, want: []string{"retrained.tnn exists", "--force"}},
		{name: "unknown trial", args: []string{"show", "99"}, want: []string{"99"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := mistakesProject(t)
			t.Chdir(dir)
			if tt.study != "" {
				writeFile(t, dir, "study.yaml", tt.study)
			}
			for name, content := range tt.files {
				writeFile(t, dir, name, content)
			}
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			project := filepath.Join(dir, "tune_projects")
			before := hashTree(t, project)
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			msg := stderr.String()
			if code == 0 {
				t.Fatalf("exit 0; stdout:\n%s", stdout.String())
			}
			if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "tune: ") || len(msg) > 400 {
				t.Errorf("want one line of at most 400 bytes, got %d bytes:\n%.600s", len(msg), msg)
			}
			for _, bad := range []string{"panic", "goroutine ", ".go:", "*tuner.", "*nn.", "%!"} {
				if strings.Contains(msg, bad) {
					t.Errorf("message holds %q: %s", bad, msg)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message lacks %q: %s", w, msg)
				}
			}
			if after := hashTree(t, project); after != before {
				t.Errorf("the project changed")
			}
		})
	}
}

// TestLockedProjectUnchanged: a search on a project another process
// holds exits with one line naming the store and changes nothing.
func TestLockedProjectUnchanged(t *testing.T) {
	dir := mistakesProject(t)
	t.Chdir(dir)
	project := filepath.Join(dir, "tune_projects")
	store, err := trials.Open(filepath.Join(project, "tiny", "study.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	before := hashTree(t, project)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"search", "--max-trials", "5"}, &stdout, &stderr)
	store.Close()
	if code == 0 || strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), "study.db") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	if hashTree(t, project) != before {
		t.Error("the project changed")
	}
}
