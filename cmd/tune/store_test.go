package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/etcdstore/etcdtest"
)

// TestEtcdStudy runs one study twice, into a bbolt file and into etcd
// (--store, then the study file's store key), and reads both with every
// read command: the etcd study reads as the file does.
func TestEtcdStudy(t *testing.T) {
	c := etcdtest.Start(t, 1)
	url := "etcd://" + c.Hosts() + "/tune/tiny"
	dir := t.TempDir()
	study := strings.Replace(tinyStudy, "parallel_trials: 2", "parallel_trials: 1", 1)
	config := writeFile(t, dir, "study.yaml", study)
	mustExecute(t, "search", "--config", config, "--quiet")
	out := mustExecute(t, "search", "--config", config, "--quiet", "--store", url)
	if !strings.Contains(out, "Results in "+url+"\n") {
		t.Errorf("search --store: summary does not name the store:\n%s", out)
	}
	// A study file naming the store reads the etcd study.
	inEtcd := writeFile(t, dir, "etcd.yaml", study+"store: "+url+"\n")
	input := writeFile(t, dir, "points.csv", "0.1,0.2\n-0.5,0.4\n1.0,-1.0\n")
	name := func(s string) string { return strings.ReplaceAll(s, url, filepath.Join(dir, "tune_projects", "study")) }
	for _, args := range [][]string{
		{"report", "--format", "json"}, {"report"}, {"trials", "--format", "json"}, {"show", "2", "--format", "json"},
		{"best", "--format", "json"}, {"export", "--format", "json"}, {"predict", "-i", input},
	} {
		want := mustExecute(t, append(args, "--config", config)...)
		for _, from := range [][]string{{"--store", url}, {"--config", inEtcd}} {
			got := mustExecute(t, append(args, from...)...)
			if untimed(t, name(got)) != untimed(t, want) {
				t.Errorf("tune %s %s:\n%s\nthe file's:\n%s", strings.Join(args, " "), strings.Join(from, " "), got, want)
			}
		}
	}
	plot := filepath.Join(dir, "etcd.png")
	mustExecute(t, "plot", "--store", url, "-o", plot)
	for _, kind := range []string{"curves", "history", "hparams"} {
		if fi, err := os.Stat(filepath.Join(dir, "etcd-"+kind+".png")); err != nil || fi.Size() == 0 {
			t.Errorf("plot %s: %v", kind, err)
		}
	}
	// Resuming the etcd study with more trials continues it.
	out = mustExecute(t, "search", "--config", inEtcd, "--max-trials", "4")
	if !strings.Contains(out, "project "+url+" (resuming, 3 of 4 trials exist)") {
		t.Errorf("resume:\n%s", out)
	}
	if rows := reportJSON(t, "--store", url, "--all"); len(rows) != 4 {
		t.Errorf("%d trials after resuming to 4", len(rows))
	}
}

// untimed returns a json output without what differs between two runs of
// the same study: times (started, ended, seconds) and the worker (host-pid
// of the process); other outputs stay as they are.
func untimed(t *testing.T, out string) string {
	t.Helper()
	var v any
	if json.Unmarshal([]byte(out), &v) != nil {
		return out
	}
	var drop func(v any)
	drop = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range []string{"started", "ended", "seconds", "worker"} {
				delete(v, k)
			}
			for _, e := range v {
				drop(e)
			}
		case []any:
			for _, e := range v {
				drop(e)
			}
		}
	}
	drop(v)
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// trialsJSON returns tune trials --format json of args.
func trialsJSON(t *testing.T, args ...string) []trialRow {
	t.Helper()
	var rows []trialRow
	out := mustExecute(t, append([]string{"trials", "--format", "json"}, args...)...)
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("trials json: %v\n%s", err, out)
	}
	return rows
}

// TestWorker: a worker joins an etcd study that a search started, runs
// its trials until it is done, and names itself in them; interrupted, it
// hands its running trial back at once.
func TestWorker(t *testing.T) {
	c := etcdtest.Start(t, 1)
	url := "etcd://" + c.Hosts() + "/tune/joined"
	dir := t.TempDir()
	config := writeFile(t, dir, "study.yaml", strings.Replace(tinyStudy, "parallel_trials: 2", "parallel_trials: 1", 1))

	if _, _, err := execute(context.Background(), "worker", "--store", url); err == nil || !strings.Contains(err.Error(), "holds no study yet: start it with tune search --store "+url) {
		t.Errorf("worker before the search: %v", err)
	}
	if _, _, err := execute(context.Background(), "worker", "--store", filepath.Join(dir, "study.db")); err == nil || !strings.Contains(err.Error(), "joins a study kept in etcd") {
		t.Errorf("worker on a file: %v", err)
	}
	// The search starts the study and, out of time at once, runs nothing.
	mustExecute(t, "search", "--config", config, "--store", url, "--timeout", "1ns", "--quiet")
	out := mustExecute(t, "worker", "--store", url, "--name", "w1")
	for _, want := range []string{"worker w1 joined " + url + " (0 trials exist); objective val_accuracy (max)\n",
		"trial 3 completed  val_accuracy=", "study done: reached max trials (3)\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("worker output lacks %q:\n%s", want, out)
		}
	}
	for _, r := range trialsJSON(t, "--store", url) {
		if r.Worker != "w1" || r.Status != trials.Completed {
			t.Errorf("trial %d: %s by %q, want completed by w1", r.ID, r.Status, r.Worker)
		}
	}
	// The search takes trials 4 and 5 itself: the table names both workers.
	mustExecute(t, "search", "--config", config, "--store", url, "--max-trials", "5", "--quiet")
	rows := trialsJSON(t, "--store", url)
	if len(rows) != 5 || rows[3].Worker == "w1" || rows[3].Worker == "" {
		t.Fatalf("after the search: %+v", rows)
	}
	table := mustExecute(t, "trials", "--store", url)
	if lines := strings.Split(table, "\n"); !strings.Contains(lines[0], " worker ") || !strings.Contains(lines[1], " w1 ") || !strings.Contains(lines[4], " "+rows[3].Worker+" ") {
		t.Errorf("trials table:\n%s", table)
	}

	// Interrupted in trial 6, the worker requeues it before it exits,
	// without waiting for its lease to expire.
	mustExecute(t, "search", "--config", config, "--store", url, "--max-trials", "6", "--timeout", "1ns", "--quiet")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &cancelWriter{cancel: cancel}
	var stderr bytes.Buffer
	if code := run(ctx, []string{"worker", "--store", url, "--name", "w2", "--verbose"}, w, &stderr); code != 130 {
		t.Errorf("interrupted worker: exit status %d, want 130; stderr %s", code, stderr.String())
	}
	if !strings.Contains(w.buf.String(), "worker w2 interrupted: its running trials went back to the queue\n") {
		t.Errorf("interrupted worker's output:\n%s", w.buf.String())
	}
	if r := trialsJSON(t, "--store", url)[5]; r.Status != trials.Pending || r.Worker != "w2" {
		t.Errorf("trial 6 after the interrupt: %+v, want pending, last run by w2", r)
	}
	mustExecute(t, "worker", "--store", url, "--name", "w3", "--quiet")
	if r := trialsJSON(t, "--store", url)[5]; r.Status != trials.Completed || r.Worker != "w3" || r.Attempt != 1 {
		t.Errorf("trial 6 after w3: %+v, want completed by w3 on attempt 2", r)
	}
}
