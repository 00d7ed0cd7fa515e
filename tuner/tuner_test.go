package tuner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
)

// quickBranin is a custom objective without delays: one final metric.
func quickBranin(_ context.Context, h *hp.HyperParameters, _ *Reporter) (Metrics, error) {
	return Metrics{"loss": branin(h.Float("x1", -5, 10), h.Float("x2", 0, 15))}, nil
}

func search(t *testing.T, fn ObjectiveFunc, opts Options) *Tuner {
	t.Helper()
	tu, err := New(ObjectiveFunc(fn), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tu.Close() })
	if err := tu.Search(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tu
}

func allTrials(t *testing.T, tu *Tuner) []*trials.Trial {
	t.Helper()
	ts, err := tu.Trials()
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestSearchRunsMaxTrialsInParallel(t *testing.T) {
	tu := search(t, slowBranin, Options{Objective: "loss", MaxTrials: 8, ParallelTrials: 2, Directory: t.TempDir()})
	ts := allTrials(t, tu)
	checkCompletedSearch(t, ts, 8, slowEpochs)
	if got := tu.StopReason(); got != "reached max trials (8)" {
		t.Errorf("stop reason %q", got)
	}
	// The first trial of a custom objective runs with the defaults.
	if x1, x2 := ts[0].Values["x1"], ts[0].Values["x2"]; x1 != -5.0 || x2 != 0.0 {
		t.Errorf("first trial values %v, want the defaults x1=-5 x2=0", ts[0].Values)
	}
	best, err := tu.BestTrials(3)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range ts {
		if *tr.Score < *best[0].Score {
			t.Errorf("trial %d scored %v, better than the best %v", tr.ID, *tr.Score, *best[0].Score)
		}
	}
	if len(best) != 3 || *best[0].Score > *best[1].Score || *best[1].Score > *best[2].Score {
		t.Errorf("best trials not in order")
	}
}

func TestSeededSearchRepeats(t *testing.T) {
	values := func() []string {
		tu := search(t, quickBranin, Options{Objective: "loss", MaxTrials: 6, ParallelTrials: 1, Seed: 3, Directory: t.TempDir()})
		var keys []string
		for _, tr := range allTrials(t, tu) {
			keys = append(keys, tr.Values.Key())
		}
		return keys
	}
	a, b := values(), values()
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("same seed, different trials:\n%v\n%v", a, b)
	}
}

// cancelAfter cancels a search once n trials have ended.
type cancelAfter struct {
	mu     sync.Mutex
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) TrialStarted(*trials.Trial)             {}
func (c *cancelAfter) EpochEnded(*trials.Trial, trials.Epoch) {}
func (c *cancelAfter) TrialEnded(*trials.Trial) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n--; c.n == 0 {
		c.cancel()
	}
}

func TestCancelledSearchResumes(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	opts := Options{Objective: "loss", MaxTrials: 10, ParallelTrials: 2, Seed: 1, Directory: dir,
		Observer: &cancelAfter{n: 3, cancel: cancel}}
	tu, err := New(ObjectiveFunc(slowBranin), opts)
	if err != nil {
		t.Fatal(err)
	}
	err = tu.Search(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Search after cancel: %v", err)
	}
	ts := allTrials(t, tu)
	completed := 0
	for _, tr := range ts {
		switch tr.Status {
		case trials.Completed:
			completed++
		case trials.Pending:
		default:
			t.Errorf("after cancel, trial %d is %s", tr.ID, tr.Status)
		}
	}
	if completed < 3 || completed == 10 {
		t.Fatalf("%d trials completed before the cancel took effect", completed)
	}
	tu.Close()

	opts.Observer = nil
	tu = search(t, slowBranin, opts)
	checkCompletedSearch(t, allTrials(t, tu), 10, slowEpochs)
}

func TestResumeWithMoreTrialsKeepsEarlierOnes(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Objective: "loss", MaxTrials: 4, ParallelTrials: 2, Directory: dir}
	tu := search(t, quickBranin, opts)
	before := allTrials(t, tu)
	tu.Close()

	opts.MaxTrials = 7
	tu = search(t, quickBranin, opts)
	after := allTrials(t, tu)
	if len(after) != 7 {
		t.Fatalf("%d trials after raising max trials to 7", len(after))
	}
	for i, tr := range before {
		if after[i].Values.Key() != tr.Values.Key() || *after[i].Score != *tr.Score {
			t.Errorf("trial %d changed on resume", tr.ID)
		}
	}
	tu.Close()

	opts.Overwrite = true
	tu, err := New(ObjectiveFunc(quickBranin), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer tu.Close()
	if n := len(allTrials(t, tu)); n != 0 {
		t.Fatalf("overwrite kept %d trials", n)
	}
}

func TestFailedTrials(t *testing.T) {
	nanBelowZero := func(_ context.Context, h *hp.HyperParameters, r *Reporter) (Metrics, error) {
		x := h.Float("x", -1, 1)
		if x < 0 {
			return nil, r.Report(0, Metrics{"loss": math.NaN()})
		}
		return Metrics{"loss": x}, nil
	}
	tu := search(t, nanBelowZero, Options{Objective: "loss", MaxTrials: 12, ParallelTrials: 1, Seed: 5,
		MaxConsecutiveFailedTrials: NoLimit, Directory: t.TempDir()})
	failed := 0
	for _, tr := range allTrials(t, tu) {
		x := tr.Values["x"].(float64)
		switch {
		case x < 0 && (tr.Status != trials.Failed || tr.Error != "loss became NaN at epoch 1"):
			t.Errorf("trial %d (x=%v): %s %q, want failed with a NaN message", tr.ID, x, tr.Status, tr.Error)
		case x >= 0 && tr.Status != trials.Completed:
			t.Errorf("trial %d (x=%v): %s %q", tr.ID, x, tr.Status, tr.Error)
		}
		if x < 0 {
			failed++
		}
	}
	if failed == 0 {
		t.Fatal("no trial failed: the test proves nothing")
	}
}

func TestConsecutiveFailuresStopTheSearch(t *testing.T) {
	broken := func(_ context.Context, h *hp.HyperParameters, _ *Reporter) (Metrics, error) {
		return nil, fmt.Errorf("no GPU for units=%d", h.Int("units", 1, 100))
	}
	tu, err := New(ObjectiveFunc(broken), Options{Objective: "loss", MaxTrials: 10, ParallelTrials: 1, Directory: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer tu.Close()
	err = tu.Search(context.Background())
	if !errors.Is(err, ErrTooManyFailures) || !strings.Contains(err.Error(), "3 trials failed in a row, the last (trial 3): no GPU for units=") {
		t.Fatalf("got %v", err)
	}
	if n := len(allTrials(t, tu)); n != 3 {
		t.Errorf("%d trials, want 3", n)
	}
}

func TestRetriesRerunTheSameValues(t *testing.T) {
	var mu sync.Mutex
	attempts := map[int]int{}
	flaky := func(_ context.Context, h *hp.HyperParameters, r *Reporter) (Metrics, error) {
		x := h.Float("x", 0, 1)
		mu.Lock()
		defer mu.Unlock()
		attempts[r.Trial()]++
		if attempts[r.Trial()] == 1 {
			return nil, errors.New("transient")
		}
		return Metrics{"loss": x}, nil
	}
	tu := search(t, flaky, Options{Objective: "loss", MaxTrials: 4, ParallelTrials: 2, MaxRetriesPerTrial: 1, Directory: t.TempDir()})
	for _, tr := range allTrials(t, tu) {
		if tr.Status != trials.Completed || tr.Attempt != 1 || *tr.Score != tr.Values["x"].(float64) {
			t.Errorf("trial %d: %s attempt %d score %v values %v", tr.ID, tr.Status, tr.Attempt, tr.Score, tr.Values)
		}
	}
}

func TestExecutionsAreAveraged(t *testing.T) {
	bySeed := func(_ context.Context, h *hp.HyperParameters, r *Reporter) (Metrics, error) {
		h.Int("n", 0, 1000)
		return Metrics{"loss": float64(r.Seed() % 100)}, nil
	}
	tu := search(t, bySeed, Options{Objective: "loss", MaxTrials: 3, ExecutionsPerTrial: 3, Seed: 9, Directory: t.TempDir()})
	for _, tr := range allTrials(t, tu) {
		want := 0.0
		for e := range 3 {
			want += float64(trialSeed(9, tr.ID, e)%100) / 3
		}
		if math.Abs(*tr.Score-want) > 1e-12 {
			t.Errorf("trial %d: score %v, want the mean %v", tr.ID, *tr.Score, want)
		}
	}
}

func TestOptionsErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		opts Options
		want string
	}{
		{Options{Directory: dir}, "no objective"},
		{Options{Objective: "score", Directory: dir}, `objective "score": cannot tell whether to minimize or maximize it`},
		{Options{Objective: "loss", Direction: "up", Directory: dir}, `direction "up" must be`},
		{Options{Objective: "loss", MaxTrials: -1, Directory: dir}, "MaxTrials -1"},
	} {
		_, err := New(ObjectiveFunc(quickBranin), c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.opts, err, c.want)
		}
	}
}

func TestResumeRefusesAnotherObjective(t *testing.T) {
	dir := t.TempDir()
	search(t, quickBranin, Options{Objective: "loss", MaxTrials: 1, Directory: dir}).Close()
	_, err := New(ObjectiveFunc(quickBranin), Options{Objective: "val_loss", MaxTrials: 1, Directory: dir})
	if !errors.Is(err, ErrStudyMismatch) {
		t.Fatalf("got %v", err)
	}
}

func TestLockedProject(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Objective: "loss", Directory: dir, ProjectName: "p"}
	a, err := New(ObjectiveFunc(quickBranin), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	_, err = New(ObjectiveFunc(quickBranin), opts)
	if !errors.Is(err, trials.ErrLocked) || !strings.Contains(err.Error(), opts.StorePath()) {
		t.Fatalf("second open: %v", err)
	}
}

// pruneAfter stops every trial but the first at the given epoch.
type pruneAfter struct{ epoch int }

func (p pruneAfter) Name() string { return "test" }
func (p pruneAfter) Prune(s oracle.State, tr *trials.Trial, epoch int, _ float64) (bool, error) {
	if tr == nil || len(tr.History) != epoch+1 {
		return false, fmt.Errorf("trial %v does not hold its %d epochs", tr, epoch+1)
	}
	return tr.ID > 1 && epoch == p.epoch, nil
}

func TestPrunedTrialsKeepTheirCurve(t *testing.T) {
	tu := search(t, slowBranin, Options{Objective: "loss", MaxTrials: 4, ParallelTrials: 2, Pruner: pruneAfter{1}, Directory: t.TempDir()})
	for _, tr := range allTrials(t, tu) {
		want, epochs := trials.Pruned, 2
		if tr.ID == 1 {
			want, epochs = trials.Completed, slowEpochs
		}
		x1, x2 := tr.Values["x1"].(float64), tr.Values["x2"].(float64)
		if tr.Status != want || len(tr.History) != epochs || *tr.Score != branin(x1, x2)+float64(slowEpochs-epochs) {
			t.Errorf("trial %d: %s after %d epochs, score %v: %s", tr.ID, tr.Status, len(tr.History), *tr.Score, tr.Error)
		}
	}
}

func TestDeadlineStopsStartingTrials(t *testing.T) {
	dir := t.TempDir()
	tu := search(t, quickBranin, Options{Objective: "loss", MaxTrials: 5, Directory: dir, Deadline: time.Now().Add(-time.Second)})
	if n := len(allTrials(t, tu)); n != 0 || tu.StopReason() != StopDeadline {
		t.Fatalf("%d trials after a past deadline, stop reason %q", n, tu.StopReason())
	}
}
