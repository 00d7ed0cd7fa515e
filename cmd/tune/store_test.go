package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

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

// untimed returns a json output without its times (started, ended,
// seconds), which differ between two runs; other outputs stay as they are.
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
			for _, k := range []string{"started", "ended", "seconds"} {
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
