package tuner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
)

// buildWide is an MLP whose checkpoints weigh 50–200 KB, so that what
// retention keeps shows in the file's size.
func buildWide(h *hp.HyperParameters) (*nn.Model, error) {
	units := h.Int("units", 64, 160, hp.Step(32))
	m := nn.NewSequential(nn.Input(2),
		nn.Dense(units, nn.Activation(nn.ReLU)), nn.Dense(units, nn.Activation(nn.ReLU)),
		nn.Dense(2, nn.Softmax))
	err := m.Compile(nn.CompileConfig{Loss: "sparse_categorical_crossentropy",
		Optimizer: &nn.Adam{LearningRate: h.Float("lr", 1e-3, 1e-1, hp.Log)}, Metrics: []string{"accuracy"}})
	return m, err
}

func wideTraining(t *testing.T) *Training {
	t.Helper()
	x, y := data.Spirals(160, 2, 0.1, 1)
	x, y, vx, vy, err := data.SplitLast(x, y, 40)
	if err != nil {
		t.Fatal(err)
	}
	return &Training{HyperModel: BuildFunc(buildWide), X: x, Y: y,
		Config: nn.FitConfig{Epochs: 2, BatchSize: 40, ValidationX: vx, ValidationY: vy}}
}

func checkpointIDs(t *testing.T, tu *Tuner) []int {
	t.Helper()
	ids, err := tu.Store().(*trials.Bolt).CheckpointIDs()
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func bestIDs(ts []*trials.Trial, tu *Tuner, n int) []int {
	var ids []int
	for _, tr := range trials.Best(ts, tu.opts.objective, n, trials.CompletedOnly) {
		ids = append(ids, tr.ID)
	}
	slices.Sort(ids)
	return ids
}

// KeepCheckpoints 3 over 30 trials leaves the checkpoints of the 3 best,
// whose models load; the others say their checkpoint was deleted; after
// tune compact the file is no larger than a fresh one holding the same
// records and 3 checkpoints.
func TestKeepCheckpoints(t *testing.T) {
	dir := t.TempDir()
	tu, err := New(wideTraining(t), Options{Objective: "val_loss", MaxTrials: 30, ParallelTrials: 2, Seed: 5,
		KeepCheckpoints: 3, Directory: dir, ProjectName: "keep"})
	if err != nil {
		t.Fatal(err)
	}
	defer tu.Close()
	if err := tu.Search(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts := allTrials(t, tu)
	if len(ts) != 30 {
		t.Fatalf("%d trials", len(ts))
	}
	best := bestIDs(ts, tu, 3)
	if got := checkpointIDs(t, tu); !slices.Equal(got, best) {
		t.Fatalf("checkpoints of trials %v, want the best 3: %v", got, best)
	}
	for _, tr := range ts {
		m, err := tu.LoadModel(tr.ID)
		switch {
		case slices.Contains(best, tr.ID) && err != nil:
			t.Fatalf("best trial %d: %v", tr.ID, err)
		case slices.Contains(best, tr.ID) && m == nil:
			t.Fatalf("best trial %d: no model", tr.ID)
		case !slices.Contains(best, tr.ID) && (!errors.Is(err, ErrCheckpointDropped) || !errors.Is(err, trials.ErrNoCheckpoint)):
			t.Fatalf("trial %d: err = %v, want ErrCheckpointDropped and trials.ErrNoCheckpoint", tr.ID, err)
		}
	}
	study, err := tu.Store().Study()
	if err != nil {
		t.Fatal(err)
	}
	if err := tu.Close(); err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(dir, "keep", "study.db")
	before, after, err := trials.Compact(path)
	if err != nil {
		t.Fatal(err)
	}
	fresh := freshStore(t, filepath.Join(t.TempDir(), "fresh.db"), study, ts, best, path)
	t.Logf("keep 3: %d bytes, %d after compacting; a fresh store of the same records and 3 checkpoints: %d", before, after, fresh)
	if after > fresh {
		t.Fatalf("compacted: %d bytes, more than the fresh store's %d", after, fresh)
	}
}

// freshStore writes ts and the checkpoints of keep (read from the store at
// from) into a new store at path, and returns its size.
func freshStore(t *testing.T, path string, study *trials.StudyRecord, ts []*trials.Trial, keep []int, from string) int64 {
	t.Helper()
	src, err := trials.Open(from, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	s, err := trials.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutStudy(study); err != nil {
		t.Fatal(err)
	}
	for _, tr := range ts {
		n, err := s.Create(&trials.Trial{Values: tr.Values, Schedule: tr.Schedule})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range tr.History {
			if err := s.AppendEpoch(n.ID, e); err != nil {
				t.Fatal(err)
			}
		}
		if slices.Contains(keep, tr.ID) {
			ck, err := src.Checkpoint(tr.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.PutCheckpoint(n.ID, ck); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Finish(n.ID, trials.Result{Status: tr.Status, Score: tr.Score, BestEpoch: tr.BestEpoch, Metrics: tr.Metrics, Error: tr.Error}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// With Hyperband and KeepCheckpoints 1, every promotion still finds its
// parent's checkpoint (the runs would fail otherwise), and once the search
// has ended only the best trial's is left.
func TestKeepCheckpointsHyperband(t *testing.T) {
	h := &oracle.Hyperband{MaxEpochs: 4, Factor: 2}
	tu, err := New(wideTraining(t), Options{Objective: "val_loss", Oracle: h, ParallelTrials: 2, Seed: 3,
		KeepCheckpoints: 1, Directory: t.TempDir(), ProjectName: "hb"})
	if err != nil {
		t.Fatal(err)
	}
	defer tu.Close()
	if err := tu.Search(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts := allTrials(t, tu)
	promoted := 0
	for _, tr := range ts {
		if tr.Status != trials.Completed {
			t.Fatalf("trial %d: %s (%s)", tr.ID, tr.Status, tr.Error)
		}
		if tr.Parent != 0 {
			promoted++
		}
	}
	if len(ts) != h.TrialsPerIteration() || promoted == 0 {
		t.Fatalf("%d trials (%d promoted), want %d", len(ts), promoted, h.TrialsPerIteration())
	}
	if got, want := checkpointIDs(t, tu), bestIDs(ts, tu, 1); !slices.Equal(got, want) {
		t.Fatalf("checkpoints of trials %v, want the best's: %v", got, want)
	}
}
