package tuner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/trials"
)

// The crash test runs this package's test binary as a child process that
// performs a search (see TestMain), kills it at random instants, and checks
// the store after the search has been resumed to its end.

const (
	crashEnv       = "TUNE_CRASH_CHILD_DIR"
	crashMaxTrials = 60
	crashEpochs    = 5
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashEnv); dir != "" {
		if err := crashChild(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// branin is a standard test function with minimum 0.397887.
func branin(x1, x2 float64) float64 {
	b := 5.1 / (4 * math.Pi * math.Pi)
	c := 5 / math.Pi
	t := 1 / (8 * math.Pi)
	return math.Pow(x2-b*x1*x1+c*x1-6, 2) + 10*(1-t)*math.Cos(x1) + 10
}

// slowBranin reports crashEpochs epochs converging to Branin's value.
func slowBranin(ctx context.Context, h *hp.HyperParameters, r *Reporter) (Metrics, error) {
	x1 := h.Float("x1", -5, 10)
	x2 := h.Float("x2", 0, 15)
	for e := range crashEpochs {
		select {
		case <-time.After(15 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if err := r.Report(e, Metrics{"loss": branin(x1, x2) + float64(crashEpochs-1-e)}); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

func crashChild(dir string) error {
	t, err := NewFunc(slowBranin, Options{
		Objective: "loss", MaxTrials: crashMaxTrials, Seed: 7, ParallelTrials: 2,
		Directory: dir, ProjectName: "crash",
	})
	if err != nil {
		return err
	}
	defer t.Close()
	return t.Search(context.Background(), nil, nil, nn.FitConfig{})
}

func TestSearchSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	seed := uint64(time.Now().UnixNano())
	t.Logf("kill schedule seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	kills := 0
	for run := 0; ; run++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir)
		out := &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		if kills < 20 {
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("run %d failed before the kill: %v\n%s", run, err, out)
				}
				t.Fatalf("run %d finished the search before 20 kills (%d)", run, kills)
			case <-time.After(time.Duration(10+rng.IntN(90)) * time.Millisecond):
				_ = cmd.Process.Signal(syscall.SIGKILL)
				err := <-done
				var ee *exec.ExitError
				if errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signaled() {
					kills++
					continue
				}
				if err != nil {
					t.Fatalf("run %d: %v\n%s", run, err, out)
				}
				t.Fatalf("run %d finished the search before 20 kills (%d)", run, kills)
			}
		}
		if err := <-done; err != nil {
			t.Fatalf("final run: %v\n%s", err, out)
		}
		break
	}
	t.Logf("%d kills", kills)

	s, err := trials.Open(filepath.Join(dir, "crash", "study.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ts, err := s.Trials()
	if err != nil {
		t.Fatal(err)
	}
	checkCompletedSearch(t, ts, crashMaxTrials, crashEpochs)
}

// checkCompletedSearch asserts that ts are trials 1..n, all completed, each
// with its whole curve, a score equal to its best epoch, and distinct values.
func checkCompletedSearch(t *testing.T, ts []*trials.Trial, n, epochs int) {
	t.Helper()
	if len(ts) != n {
		t.Fatalf("%d trials, want %d", len(ts), n)
	}
	seen := map[string]int{}
	for i, tr := range ts {
		if tr.ID != i+1 {
			t.Fatalf("trial %d has id %d", i+1, tr.ID)
		}
		if tr.Status != trials.Completed {
			t.Fatalf("trial %d: status %s (%s)", tr.ID, tr.Status, tr.Error)
		}
		if prev, ok := seen[tr.Values.Key()]; ok {
			t.Fatalf("trials %d and %d have the same values %v", prev, tr.ID, tr.Values)
		}
		seen[tr.Values.Key()] = tr.ID
		if len(tr.History) != epochs {
			t.Fatalf("trial %d: %d epochs recorded, want %d", tr.ID, len(tr.History), epochs)
		}
		for e, ep := range tr.History {
			if ep.Epoch != e {
				t.Fatalf("trial %d: history entry %d is epoch %d", tr.ID, e, ep.Epoch)
			}
		}
		x1, _ := tr.Values["x1"].(float64)
		x2, _ := tr.Values["x2"].(float64)
		if tr.Score == nil || *tr.Score != branin(x1, x2) || tr.BestEpoch != epochs-1 {
			t.Fatalf("trial %d: score %v at epoch %d, want %v at %d", tr.ID, tr.Score, tr.BestEpoch, branin(x1, x2), epochs-1)
		}
	}
}
