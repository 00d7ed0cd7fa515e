package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/live"
)

func TestEnqueue(t *testing.T) {
	dir := t.TempDir()
	config := writeFile(t, dir, "study.yaml", tinyStudy)
	out := mustExecute(t, "enqueue", "--config", config, "--set", "n_neurons=8", "--set", "learning_rate=0.05", "--set", "optimizer=adam")
	if !strings.Contains(out, "(1 in the queue)") {
		t.Errorf("enqueue printed %q", out)
	}
	for _, tc := range []struct {
		args []string
		want error
		name string
	}{
		{[]string{"--set", "units=64"}, hp.ErrUnknown, `"units"`},
		{[]string{"--set", "n_neurons=100"}, hp.ErrInvalid, `"n_neurons"`},
		{[]string{"--set", "optimizer=rmsprop"}, hp.ErrInvalid, `"optimizer"`},
		{[]string{"--set", "n_neurons"}, errSetValue, `"n_neurons"`},
		{nil, errSetValue, "no values"},
	} {
		_, _, err := execute(context.Background(), append([]string{"enqueue", "--config", config}, tc.args...)...)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.name) || strings.Contains(err.Error(), "\n") {
			t.Errorf("enqueue %v: err = %v, want one line naming %s (%v)", tc.args, err, tc.name, tc.want)
		}
	}
	mustExecute(t, "search", "--config", config, "--quiet")
	s, err := trials.Open(filepath.Join(dir, "tune_projects", "tiny", "study.db"), &trials.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ts, err := s.Trials()
	if err != nil {
		t.Fatal(err)
	}
	want := hp.Values{"n_hidden": 1, "n_neurons": 8, "learning_rate": 0.05, "optimizer": "adam", "activation": "tanh"}
	if len(ts) != 3 || !ts[0].Enqueued || ts[0].Values.Key() != want.Key() || ts[1].Enqueued || ts[2].Enqueued {
		t.Fatalf("trials %v, want trial 1 to run the queued %v", ts, want)
	}
	if q, _ := s.Queued(); len(q) != 0 {
		t.Errorf("queue after the search: %v", q)
	}
}

// tune enqueue into a running search goes through the search's socket:
// the search holds trial 2 after its first epoch until the values are
// queued, and its next new trial, trial 3, runs them.
func TestEnqueueIntoARunningSearch(t *testing.T) {
	dir := t.TempDir()
	config := writeFile(t, dir, "study.yaml", liveStudy)
	queued := filepath.Join(t.TempDir(), "queued")
	searched := startChild(t, []string{holdEnv + "=2 " + queued}, "search", "--config", config, "--quiet")
	db := filepath.Join(dir, "tune_projects", "tiny", "study.db")
	running := func() bool {
		s, err := live.Open(db, -1)
		if err != nil {
			return false
		}
		defer s.Close()
		ts, err := s.Trials()
		return err == nil && len(ts) == 2 && ts[1].Status == trials.Running && len(ts[1].History) > 0
	}
	for searched.running() && !running() {
		time.Sleep(10 * time.Millisecond)
	}
	if !searched.running() {
		t.Fatalf("the search ended before trial 2 ran:\n%s", searched.out.String())
	}
	out := mustExecute(t, "enqueue", "--config", config, "--set", "n_neurons=8", "--set", "learning_rate=0.05", "--set", "optimizer=adam")
	if !strings.Contains(out, "(1 in the queue); the running search runs them next") {
		t.Errorf("enqueue printed %q", out)
	}
	_, _, err := execute(context.Background(), "enqueue", "--config", config, "--set", "units=64")
	if !errors.Is(err, hp.ErrUnknown) || !strings.Contains(err.Error(), `"units"`) {
		t.Errorf("an unknown name queued into a running search: %v", err)
	}
	if err := os.WriteFile(queued, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	searched.wait(t)

	s, err := trials.Open(db, &trials.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ts, err := s.Trials()
	if err != nil {
		t.Fatal(err)
	}
	want := hp.Values{"n_hidden": 1, "n_neurons": 8, "learning_rate": 0.05, "optimizer": "adam", "activation": "tanh"}
	if len(ts) != 8 || !ts[2].Enqueued || ts[2].Values.Key() != want.Key() {
		t.Fatalf("trials %v, want trial 3 to run the queued %v", ts, want)
	}
	for i, tr := range ts {
		if i != 2 && tr.Enqueued {
			t.Errorf("trial %d is marked enqueued", tr.ID)
		}
	}
	if q, _ := s.Queued(); len(q) != 0 {
		t.Errorf("queue after the search: %v", q)
	}
}
