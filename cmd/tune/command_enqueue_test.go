package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
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
