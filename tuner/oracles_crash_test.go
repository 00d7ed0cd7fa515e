package tuner

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
)

// The oracle crash tests run a grid, Hyperband or Bayesian search in a child
// process (TestOraclesCrashChild), kill it at random instants until it is
// done, and compare the store with an uninterrupted search: with one trial
// at a time the trials must be the same, in the same order; with parallel
// trials none may be lost or run twice.

const (
	oraclesChildEnv = "TUNE_ORACLES_CHILD" // kind parallel dir gate-path
	oraclesEpochs   = 3                    // grid and Bayesian trials
	oraclesDelay    = 4 * time.Millisecond // per epoch
)

// crashGate holds the last trial of a crash child's search (see
// killAndResumeIn); in-process searches hold nothing.
var crashGate gate

// curveObjective reports the epochs a trial asks for, converging to
// Branin's value; it is a function of the values and the epoch only.
func curveObjective(ctx context.Context, h *hp.HyperParameters, r *Reporter) (Metrics, error) {
	x1 := h.Float("x1", -5, 10)
	x2 := h.ChoiceFloat("x2", []float64{0, 7.5, 15})
	storeCheckpoints(r)
	for e := r.InitialEpoch(); e < r.Epochs(); e++ {
		if e > r.InitialEpoch() {
			if err := crashGate.wait(ctx, r.trial.ID); err != nil {
				return nil, err
			}
		}
		select {
		case <-time.After(oraclesDelay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if err := r.Report(e, Metrics{"loss": branin(x1, x2) + 10/float64(e+1)}); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// storeCheckpoints makes r store a checkpoint whenever the trial improves,
// as a Training does, so that the crash tests run checkpoint retention.
func storeCheckpoints(r *Reporter) {
	r.improved = func() error {
		return r.t.store.PutCheckpoint(r.trial.ID, fmt.Appendf(nil, "trial %d, best %v", r.trial.ID, r.best))
	}
}

// crashKeep is the crash tests' KeepCheckpoints.
const crashKeep = 2

// crashOracle returns the oracle of a kind of crash test and its trial cap.
func crashOracle(kind string) (oracle.Oracle, int, error) {
	switch kind {
	case "random":
		return &oracle.RandomSearch{}, 200, nil
	case "queued":
		return &oracle.RandomSearch{}, 30, nil
	case "grid":
		return &oracle.GridSearch{}, 1000, nil
	case "hyperband":
		return &oracle.Hyperband{MaxEpochs: 9, Factor: 3, HyperbandIterations: 2}, 1000, nil
	case "bayesian":
		return &oracle.BayesianOptimization{}, 20, nil
	}
	return nil, 0, fmt.Errorf("unknown kind %q", kind)
}

// crashTotal is how many trials the search of a kind makes.
func crashTotal(kind string) int {
	o, maxTrials, _ := crashOracle(kind)
	switch kind {
	case "grid":
		return 11 * 3
	case "hyperband":
		h := o.(*oracle.Hyperband)
		return h.TrialsPerIteration() * h.HyperbandIterations
	}
	return maxTrials
}

// oraclesSearch runs (or resumes) the search of a kind in dir.
func oraclesSearch(kind string, parallel int, dir string) error {
	o, maxTrials, err := crashOracle(kind)
	if err != nil {
		return err
	}
	tu, err := New(ObjectiveFunc(curveObjective), Options{
		Objective: "loss", Oracle: o, MaxTrials: maxTrials, Seed: 11, ParallelTrials: parallel, Epochs: oraclesEpochs,
		Directory: dir, ProjectName: "oracles", KeepCheckpoints: crashKeep,
	})
	if err != nil {
		return err
	}
	defer tu.Close()
	return tu.Search(context.Background())
}

// TestOraclesCrashChild is the child process of the crash tests; it does
// nothing unless started by one.
func TestOraclesCrashChild(t *testing.T) {
	arg := os.Getenv(oraclesChildEnv)
	if arg == "" {
		return
	}
	var kind, dir string
	var parallel int
	if _, err := fmt.Sscanf(arg, "%s %d %s %s", &kind, &parallel, &dir, &crashGate.path); err != nil {
		t.Fatalf("%s=%q: %v", oraclesChildEnv, arg, err)
	}
	crashGate.hold = crashTotal(kind) - 1
	if err := oraclesSearch(kind, parallel, dir); err != nil {
		t.Fatal(err)
	}
}

func storedTrials(t *testing.T, dir string) []*trials.Trial {
	t.Helper()
	s, err := trials.Open(filepath.Join(dir, "oracles", "study.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ts, err := s.Trials()
	if err != nil {
		t.Fatal(err)
	}
	// Retention leaves the checkpoints of the best crashKeep trials, each
	// the one of its best epoch; no promotion is pending once the search
	// has ended.
	ids, err := s.CheckpointIDs()
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for _, tr := range trials.Best(ts, goal.Objective{Name: "loss", Direction: goal.Minimize}, crashKeep, trials.CompletedOnly) {
		want = append(want, tr.ID)
		ck, err := s.Checkpoint(tr.ID)
		if err != nil || string(ck) != fmt.Sprintf("trial %d, best %v", tr.ID, *tr.Score) {
			t.Fatalf("trial %d: checkpoint %q, %v, want its best (%v)", tr.ID, ck, err, *tr.Score)
		}
	}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Fatalf("checkpoints of trials %v, want those of the best %d: %v", ids, crashKeep, want)
	}
	return ts
}

// killAndResume runs the search of a kind in a child process, kills it
// kills times at random instants, lets the last run finish and returns the
// stored trials and how many kills there were. The search's last trial is
// held (crashGate) until the kills are over, so that however the child and
// this process are scheduled, the search cannot end before them.
func killAndResume(t *testing.T, kind string, parallel, kills int) ([]*trials.Trial, int) {
	t.Helper()
	return killAndResumeIn(t, t.TempDir(), kind, parallel, kills)
}

// killAndResumeIn is killAndResume on the project in dir, which may exist.
func killAndResumeIn(t *testing.T, dir, kind string, parallel, kills int) ([]*trials.Trial, int) {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	t.Logf("%s, %d in parallel: kill schedule seed %d", kind, parallel, seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	g := gate{path: filepath.Join(t.TempDir(), "kills-done")}
	killed := 0
	for run := 0; ; run++ {
		if killed == kills {
			g.open(t)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestOraclesCrashChild$")
		cmd.Env = append(os.Environ(), oraclesChildEnv+"="+kind+" "+strconv.Itoa(parallel)+" "+dir+" "+g.path)
		out := &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		if killed < kills {
			select {
			case err := <-done:
				t.Fatalf("run %d ended (%v) with its last trial held, before kill %d\n%s", run, err, killed+1, out)
			case <-time.After(time.Duration(20+rng.IntN(60)) * time.Millisecond):
				_ = cmd.Process.Signal(syscall.SIGKILL)
				err := <-done
				var ee *exec.ExitError
				if !errors.As(err, &ee) || !ee.Sys().(syscall.WaitStatus).Signaled() {
					t.Fatalf("run %d ended (%v) with its last trial held, before kill %d\n%s", run, err, killed+1, out)
				}
				killed++
				continue
			}
		}
		if err := <-done; err != nil {
			t.Fatalf("final run: %v\n%s", err, out)
		}
		break
	}
	return storedTrials(t, dir), killed
}

// checkFullCurves checks that ts are trials 1..n, all completed with every
// epoch they were to train and scored on their best epoch.
func checkFullCurves(t *testing.T, ts []*trials.Trial) {
	t.Helper()
	for i, tr := range ts {
		if tr.ID != i+1 {
			t.Fatalf("trial %d has id %d", i+1, tr.ID)
		}
		if tr.Status != trials.Completed {
			t.Fatalf("trial %d: %s (%s)", tr.ID, tr.Status, tr.Error)
		}
		epochs := tr.Epochs
		if epochs == 0 {
			epochs = oraclesEpochs
		}
		if len(tr.History) != epochs-tr.InitialEpoch {
			t.Fatalf("trial %d: %d epochs recorded, want %d..%d", tr.ID, len(tr.History), tr.InitialEpoch, epochs-1)
		}
		for k, e := range tr.History {
			if e.Epoch != tr.InitialEpoch+k {
				t.Fatalf("trial %d: history entry %d is epoch %d", tr.ID, k, e.Epoch)
			}
		}
		last := tr.History[len(tr.History)-1]
		if tr.Score == nil || *tr.Score != last.Metrics["loss"] || tr.BestEpoch != last.Epoch {
			t.Fatalf("trial %d: score %v at epoch %d, want %v at %d", tr.ID, tr.Score, tr.BestEpoch, last.Metrics["loss"], last.Epoch)
		}
	}
}

// sameTrials checks that two searches made the same trials in the same
// order, with the same outcomes.
func sameTrials(t *testing.T, got, want []*trials.Trial) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d trials, the uninterrupted search made %d", len(got), len(want))
	}
	for i, g := range got {
		w := want[i]
		if g.ID != w.ID || g.Values.Key() != w.Values.Key() || g.Parent != w.Parent || g.Epochs != w.Epochs ||
			g.InitialEpoch != w.InitialEpoch || g.Iteration != w.Iteration || g.Bracket != w.Bracket || g.Round != w.Round || g.Status != w.Status ||
			*g.Score != *w.Score || g.BestEpoch != w.BestEpoch {
			t.Fatalf("trial %d differs:\n got %v parent %d epochs %d..%d bracket %d round %d %s score %v\nwant %v parent %d epochs %d..%d bracket %d round %d %s score %v",
				g.ID, g.Values, g.Parent, g.InitialEpoch, g.Epochs, g.Bracket, g.Round, g.Status, *g.Score,
				w.Values, w.Parent, w.InitialEpoch, w.Epochs, w.Bracket, w.Round, w.Status, *w.Score)
		}
	}
}

// distinctValues checks that no two trials but promotions share values.
func distinctValues(t *testing.T, ts []*trials.Trial) {
	t.Helper()
	seen := map[string]int{}
	for _, tr := range ts {
		if tr.Parent != 0 {
			continue
		}
		if prev, ok := seen[tr.Values.Key()]; ok {
			t.Fatalf("trials %d and %d have the same values %v", prev, tr.ID, tr.Values)
		}
		seen[tr.Values.Key()] = tr.ID
	}
}

// checkHyperbandSchedule checks that every round of every bracket holds the
// scheduled number of trials (all complete), and that promotions are the
// best of the round before, best first, with their values and epochs.
func checkHyperbandSchedule(t *testing.T, h *oracle.Hyperband, ts []*trials.Trial, iterations int) {
	t.Helper()
	rounds := map[[3]int][]*trials.Trial{}
	byID := map[int]*trials.Trial{}
	for _, tr := range ts {
		it, b := tr.Iteration, tr.Bracket
		k := [3]int{it, b, tr.Round}
		rounds[k] = append(rounds[k], tr)
		byID[tr.ID] = tr
	}
	n := 0
	for it := range iterations {
		for b := range h.Brackets() {
			for r := range b + 1 {
				got := rounds[[3]int{it, b, r}]
				n += len(got)
				if len(got) != h.Size(b, r) {
					t.Fatalf("iteration %d bracket %d round %d: %d trials, want %d", it, b, r, len(got), h.Size(b, r))
				}
				if r == 0 {
					continue
				}
				prev := slices.Clone(rounds[[3]int{it, b, r - 1}])
				slices.SortStableFunc(prev, func(x, y *trials.Trial) int { return cmp.Or(cmp.Compare(*x.Score, *y.Score), cmp.Compare(x.ID, y.ID)) })
				for i, tr := range got {
					p := byID[tr.Parent]
					if tr.Parent != prev[i].ID || tr.Values.Key() != p.Values.Key() ||
						tr.InitialEpoch != h.Epochs(b, r-1) || tr.Epochs != h.Epochs(b, r) {
						t.Fatalf("trial %d (iteration %d bracket %d round %d) has parent %d, epochs %d..%d; want parent %d, epochs %d..%d",
							tr.ID, it, b, r, tr.Parent, tr.InitialEpoch, tr.Epochs, prev[i].ID, h.Epochs(b, r-1), h.Epochs(b, r))
					}
				}
			}
		}
	}
	if n != len(ts) {
		t.Fatalf("%d trials in the schedule, %d stored", n, len(ts))
	}
}

func TestOraclesSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	for _, kind := range []string{"grid", "hyperband", "bayesian"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel() // the children mostly sleep
			// The uninterrupted search, one trial at a time.
			dir := t.TempDir()
			if err := oraclesSearch(kind, 1, dir); err != nil {
				t.Fatal(err)
			}
			want := storedTrials(t, dir)
			checkFullCurves(t, want)
			distinctValues(t, want)
			switch kind {
			case "grid":
				if len(want) != 11*3 {
					t.Fatalf("grid of %d trials, want 33", len(want))
				}
			case "hyperband":
				o, _, _ := crashOracle(kind)
				checkHyperbandSchedule(t, o.(*oracle.Hyperband), want, 2)
			}

			t.Run("serial", func(t *testing.T) {
				got, _ := killAndResume(t, kind, 1, 6)
				checkFullCurves(t, got)
				sameTrials(t, got, want)
			})
			t.Run("parallel", func(t *testing.T) {
				got, _ := killAndResume(t, kind, 2, 6)
				checkFullCurves(t, got)
				distinctValues(t, got)
				switch kind {
				case "grid":
					// The same grid, whatever the order.
					keys := func(ts []*trials.Trial) []string {
						var out []string
						for _, tr := range ts {
							out = append(out, tr.Values.Key())
						}
						slices.Sort(out)
						return out
					}
					if !slices.Equal(keys(got), keys(want)) {
						t.Fatalf("the parallel grid has other values:\n%v\n%v", keys(got), keys(want))
					}
				case "hyperband":
					o, _, _ := crashOracle(kind)
					checkHyperbandSchedule(t, o.(*oracle.Hyperband), got, 2)
				default:
					if len(got) != len(want) {
						t.Fatalf("%d trials, want %d", len(got), len(want))
					}
				}
			})
		})
	}
}
