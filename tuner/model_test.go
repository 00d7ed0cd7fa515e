package tuner

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/trials"
)

func buildMLP(h *hp.HyperParameters) (*nn.Model, error) {
	m := nn.NewSequential(nn.Input(2),
		nn.Dense(h.Int("units", 4, 32, hp.Step(4)), nn.Activation(h.ChoiceString("activation", []string{"relu", "tanh"}))),
		nn.Dense(2, nn.Softmax))
	err := m.Compile(nn.CompileConfig{Loss: "sparse_categorical_crossentropy",
		Optimizer: &nn.Adam{LearningRate: h.Float("lr", 1e-3, 1e-1, hp.Log)}, Metrics: []string{"accuracy"}})
	return m, err
}

func spirals(t *testing.T) (x, y, vx, vy *nn.Matrix) {
	t.Helper()
	x, y = data.Spirals(400, 2, 0.1, 1)
	x, y, vx, vy, err := data.SplitLast(x, y, 100)
	if err != nil {
		t.Fatal(err)
	}
	return x, y, vx, vy
}

func searchModel(t *testing.T, opts Options) (*Tuner, *nn.Matrix, *nn.Matrix) {
	t.Helper()
	x, y, vx, vy := spirals(t)
	tu, err := New(&Training{HyperModel: BuildFunc(buildMLP), X: x, Y: y,
		Config: nn.FitConfig{Epochs: 6, BatchSize: 16, ValidationX: vx, ValidationY: vy}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tu.Close() })
	err = tu.Search(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tu, vx, vy
}

// A best model is rebuilt from its values and its best-epoch checkpoint and
// scores exactly what the trial recorded at that epoch.
func TestBestModelsReproduceTheirBestEpoch(t *testing.T) {
	tu, vx, vy := searchModel(t, Options{Objective: "val_loss", MaxTrials: 4, ParallelTrials: 2, Seed: 2, Directory: t.TempDir()})
	ts := allTrials(t, tu)
	if len(ts) != 4 {
		t.Fatalf("%d trials", len(ts))
	}
	for _, tr := range ts {
		if tr.Status != trials.Completed || len(tr.History) != 6 {
			t.Fatalf("trial %d: %s with %d epochs: %s", tr.ID, tr.Status, len(tr.History), tr.Error)
		}
		m, err := tu.LoadModel(tr.ID)
		if err != nil {
			t.Fatal(err)
		}
		logs, err := m.Evaluate(context.Background(), vx, vy, nn.EvaluateConfig{BatchSize: 16}) // the batch size Fit validated with
		if err != nil {
			t.Fatal(err)
		}
		best := tr.History[tr.BestEpoch].Metrics
		if logs["loss"] != best["val_loss"] || logs["accuracy"] != best["val_accuracy"] || *tr.Score != best["val_loss"] {
			t.Errorf("trial %d: reloaded model scores %v, epoch %d recorded %v (score %v)", tr.ID, logs, tr.BestEpoch, best, *tr.Score)
		}
	}
	models, err := tu.BestModels(2)
	if err != nil || len(models) != 2 {
		t.Fatalf("BestModels: %d, %v", len(models), err)
	}
}

func TestModelSearchIsRepeatable(t *testing.T) {
	scores := func() []float64 {
		tu, _, _ := searchModel(t, Options{Objective: "val_accuracy", MaxTrials: 3, ParallelTrials: 2, Seed: 4, Directory: t.TempDir()})
		var out []float64
		for _, tr := range allTrials(t, tu) {
			out = append(out, *tr.Score, tr.History[len(tr.History)-1].Metrics["loss"])
		}
		return out
	}
	a, b := scores(), scores()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different results:\n%v\n%v", a, b)
		}
	}
}

func TestBuildErrorsFailTheTrial(t *testing.T) {
	build := func(h *hp.HyperParameters) (*nn.Model, error) {
		if h.Int("width", 1, 8) > 4 {
			return nil, errors.New("too wide")
		}
		return buildMLP(h)
	}
	x, y, vx, vy := spirals(t)
	tu, err := New(&Training{HyperModel: BuildFunc(build), X: x, Y: y,
		Config: nn.FitConfig{Epochs: 1, ValidationX: vx, ValidationY: vy}}, Options{Objective: "val_accuracy", MaxTrials: 6, ParallelTrials: 1, Seed: 1,
		MaxConsecutiveFailedTrials: NoLimit, Directory: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer tu.Close()
	if err := tu.Search(context.Background()); err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, tr := range allTrials(t, tu) {
		wide := tr.Values["width"].(int) > 4
		if wide != (tr.Status == trials.Failed) || wide && tr.Error != "build: too wide" {
			t.Errorf("trial %d width=%v: %s %q", tr.ID, tr.Values["width"], tr.Status, tr.Error)
		}
		if wide {
			failed++
		}
	}
	if failed == 0 {
		t.Fatal("no build failed: the test proves nothing")
	}
}

func TestDataThatDoesNotFitTheModel(t *testing.T) {
	x := nn.NewMatrix(10, 3) // the model takes 2 features
	y := nn.NewMatrix(10, 1)
	dir := t.TempDir()
	_, err := New(&Training{HyperModel: BuildFunc(buildMLP), X: x, Y: y, Config: nn.FitConfig{Epochs: 1}},
		Options{Objective: "loss", MaxTrials: 5, ParallelTrials: 1, Directory: dir})
	if !errors.Is(err, nn.ErrShape) || !strings.Contains(err.Error(), "training data: nn: shape mismatch: x has 3 columns") {
		t.Fatalf("got %v", err)
	}
	// The check comes before the project is opened: nothing is written.
	if _, err := os.Stat(filepath.Join(dir, "untitled_project")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a project was created for data that cannot fit: %v", err)
	}
}

// batchCounter counts the batches of each trial's epochs.
type batchCounter struct {
	mu     sync.Mutex
	counts map[[2]int]int // (trial, epoch) → batches
	epochs int
}

func (b *batchCounter) TrialStarted(*trials.Trial) {}
func (b *batchCounter) EpochEnded(*trials.Trial, trials.Epoch) {
	b.mu.Lock()
	b.epochs++
	b.mu.Unlock()
}
func (b *batchCounter) TrialEnded(*trials.Trial) {}
func (b *batchCounter) BatchEnded(t *trials.Trial, epoch, batch int, logs map[string]float64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := logs["loss"]; ok && batch == b.counts[[2]int{t.ID, epoch}] {
		b.counts[[2]int{t.ID, epoch}]++
	}
}

func TestBatchObserverSeesEveryBatch(t *testing.T) {
	obs := &batchCounter{counts: map[[2]int]int{}}
	searchModel(t, Options{Objective: "val_loss", MaxTrials: 2, ParallelTrials: 2, Directory: t.TempDir(), Observer: obs})
	// 300 training rows in batches of 16: 19 batches, counted in order.
	if len(obs.counts) != 12 || obs.epochs != 12 {
		t.Fatalf("%d epochs with batches, %d epochs ended; want 12", len(obs.counts), obs.epochs)
	}
	for k, n := range obs.counts {
		if n != 19 {
			t.Errorf("trial %d epoch %d: %d batches in order, want 19", k[0], k[1], n)
		}
	}
}

// fitTunesBatchSize declares a hyperparameter in Fit, as a HyperModel that
// tunes training itself does.
type fitTunesBatchSize struct{}

func (fitTunesBatchSize) Build(h *hp.HyperParameters) (*nn.Model, error) { return buildMLP(h) }
func (fitTunesBatchSize) Fit(ctx context.Context, h *hp.HyperParameters, m *nn.Model, x, y *nn.Matrix, cfg nn.FitConfig) (*nn.History, error) {
	cfg.BatchSize = h.ChoiceInt("batch_size", []int{8, 16, 32, 64})
	return m.Fit(ctx, x, y, cfg)
}

func TestHyperparametersDeclaredInFitAreSearched(t *testing.T) {
	x, y, vx, vy := spirals(t)
	tu, err := New(&Training{HyperModel: fitTunesBatchSize{}, X: x, Y: y,
		Config: nn.FitConfig{Epochs: 1, ValidationX: vx, ValidationY: vy}}, Options{Objective: "val_loss", MaxTrials: 6, ParallelTrials: 1, Seed: 3, Directory: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer tu.Close()
	if err := tu.Search(context.Background()); err != nil {
		t.Fatal(err)
	}
	sizes := map[any]bool{}
	for _, tr := range allTrials(t, tu) {
		sizes[tr.Values["batch_size"]] = true
	}
	if _, ok := tu.Space().Param("batch_size"); !ok || len(sizes) < 2 {
		t.Fatalf("batch_size took %v over 6 trials; the space has it: %v", sizes, ok)
	}
}
