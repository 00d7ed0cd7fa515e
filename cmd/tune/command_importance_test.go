package main

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/importance"
	"github.com/tunekit/tune/trials"
)

// writeKnownStore writes a study whose objective depends on x1 alone,
// with n completed trials and a failed one.
func writeKnownStore(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "known", "study.db")
	space, err := hp.NewSpace(
		hp.Param{Name: "x1", Kind: hp.KindFloat, Min: 0, Max: 1},
		hp.Param{Name: "x2", Kind: hp.KindFloat, Min: 1e-3, Max: 1, Sampling: hp.Log},
		hp.Param{Name: "opt", Kind: hp.KindChoice, Values: []any{"adam", "sgd"}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := trials.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.PutStudy(&trials.StudyRecord{Objective: goal.Objective{Name: "val_loss", Direction: goal.Minimize}, Oracle: "random", Space: space}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n + 1 {
		tr, err := s.Create(&trials.Trial{Values: space.Sample(rng)})
		if err != nil {
			t.Fatal(err)
		}
		score := tr.Values["x1"].(float64)
		r := trials.Result{Status: trials.Completed, Score: &score}
		if i == n {
			r = trials.Result{Status: trials.Failed, Error: "boom"}
		}
		if err := s.Finish(tr.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func TestImportance(t *testing.T) {
	db := writeKnownStore(t, 200)
	out := mustExecute(t, "importance", "--db", db)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "hyperparameter  importance  divergence") || !strings.HasPrefix(lines[1], "x1 ") {
		t.Fatalf("importance:\n%s", out)
	}
	var imp []importance.Importance
	if err := json.Unmarshal([]byte(mustExecute(t, "importance", "--db", db, "-f", "json")), &imp); err != nil {
		t.Fatal(err)
	}
	if len(imp) != 3 || imp[0].Name != "x1" || imp[0].Share < 0.9 {
		t.Errorf("importance json %+v", imp)
	}
	// The tiny project's three trials are just enough.
	if out := mustExecute(t, "importance", "--config", tinyProject(t)); !strings.Contains(out, "learning_rate") {
		t.Errorf("tiny project importance:\n%s", out)
	}
}

func TestImportanceTooFewTrials(t *testing.T) {
	db := writeKnownStore(t, 2)
	_, _, err := execute(context.Background(), "importance", "--db", db)
	if err == nil || !strings.Contains(err.Error(), "importance needs at least 3 completed trials, it has 2") {
		t.Errorf("two trials: %v", err)
	}
	if _, _, err := execute(context.Background(), "importance", "--db", db, "-f", "xml"); err == nil {
		t.Error("--format xml accepted")
	}
}
