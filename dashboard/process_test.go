package dashboard

import (
	"context"
	"errors"
	"io/fs"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/live"
	"github.com/tunekit/tune/tuner"
)

// childEnv names the store a re-executed test binary searches in.
const childEnv = "TUNE_DASHBOARD_SEARCH_CHILD"

// TestSearchChild is the search process of TestBrowserLiveProcess: a
// real search of two trials on the store $TUNE_DASHBOARD_SEARCH_CHILD,
// serving live reads as tune search does. Each trial waits after its
// second epoch until the file "release-<trial>" exists beside the store.
func TestSearchChild(t *testing.T) {
	path := os.Getenv(childEnv)
	if path == "" {
		t.Skip("run by TestBrowserLiveProcess")
	}
	store, err := trials.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv, err := live.Serve(store, path)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	n := 0
	objective := func(ctx context.Context, h *hp.HyperParameters, r *tuner.Reporter) (tuner.Metrics, error) {
		n++
		x := h.Float("x", 0, 1)
		for e := range 3 {
			if err := r.Report(e, tuner.Metrics{"loss": x + 1/float64(e+1)}); err != nil {
				return nil, err
			}
			if e == 1 {
				waitForFile(filepath.Join(filepath.Dir(path), "release-"+strconv.Itoa(n)))
			}
		}
		return nil, nil
	}
	tu, err := tuner.New(tuner.ObjectiveFunc(objective), tuner.Options{Objective: "loss", MaxTrials: 2, ParallelTrials: 1,
		Store: store, Oracle: &oracle.RandomSearch{}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer tu.Close()
	if err := tu.Search(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func waitForFile(path string) {
	for {
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestBrowserLiveProcess runs a search in another process and follows it
// in a dashboard of this one, as `tune dashboard` does beside `tune
// search`: the running trial's epochs and its end reach the page while
// the search still holds the store. It logs how long each took and
// asserts only what the page shows.
func TestBrowserLiveProcess(t *testing.T) {
	b := newBrowser(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "study.db")
	child := exec.Command(os.Args[0], "-test.run=^TestSearchChild$", "-test.v")
	child.Env = append(os.Environ(), childEnv+"="+path)
	out, err := os.Create(filepath.Join(dir, "child.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	child.Stdout, child.Stderr = out, out
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()
	defer func() {
		for i := 1; i <= 2; i++ {
			os.WriteFile(filepath.Join(dir, "release-"+strconv.Itoa(i)), nil, 0o644)
		}
		if err := <-exited; err != nil {
			log, _ := os.ReadFile(out.Name())
			t.Errorf("search process: %v\n%s", err, log)
		}
	}()

	// The search has created its first trial and serves it.
	src := &FileSource{Path: path}
	deadline := time.Now().Add(limit)
	for {
		ts, err := src.Trials()
		if err == nil && len(ts) == 1 && len(ts[0].History) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the search process never showed its first trial's second epoch: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	srv, err := New(src, Options{Project: "live"})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer func() { srv.Close(); hs.Close() }()

	b.open(t, hs.URL+"/trials/1")
	if got := b.seriesLengths(t)["trial-chart-0"]; len(got) == 0 || got[0] != 2 {
		t.Errorf("the running trial's page draws %v points, want its 2 epochs", got)
	}
	released := time.Now()
	if err := os.WriteFile(filepath.Join(dir, "release-1"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	b.wait(t, `document.querySelector(".status.completed")`)
	ended := time.Since(released)
	if got := b.seriesLengths(t)["trial-chart-0"]; len(got) == 0 || got[0] != 3 {
		t.Errorf("the finished trial's page draws %v points, want its 3 epochs", got)
	}

	// The second trial runs, so the search still holds the store.
	b.open(t, hs.URL+"/trials")
	b.wait(t, `document.querySelector('#trials-table tbody tr[data-id="2"] .status.running')`)
	if _, err := trials.Open(path, &trials.Options{ReadOnly: true, Timeout: -1}); !errors.Is(err, trials.ErrLocked) {
		t.Fatalf("the search does not hold the store while trial 2 runs: %v", err)
	}
	b.wait(t, `document.querySelector('#trials-table tbody tr[data-id="1"] .status.completed')`)
	t.Logf("live from another process: trial 1's end reached its page %v after it was let finish (goal: within 2 s)", ended.Round(time.Millisecond))
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
