package tuner

import (
	"context"
	"testing"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
)

// buildSpiralNet is a small classifier trained by SGD.
func buildSpiralNet(h *hp.HyperParameters) (*nn.Model, error) {
	m := nn.NewSequential(nn.Input(2), nn.Dense(8, nn.ReLU), nn.Dense(2, nn.Softmax))
	err := m.Compile(nn.CompileConfig{Loss: "sparse_categorical_crossentropy",
		Optimizer: &nn.SGD{LearningRate: h.Float("lr", 0.5, 2, hp.Log)}, Metrics: []string{"accuracy"}})
	return m, err
}

// A promoted Hyperband trial starts from its parent's best-epoch checkpoint:
// its first epoch is exactly what training the parent's checkpoint for one
// more epoch (same seed, same initial epoch) gives, and far from what the
// same epoch from fresh weights gives.
func TestHyperbandPromotionContinuesFromParentWeights(t *testing.T) {
	x, y := data.Spirals(1200, 2, 0.1, 3)
	x, y, vx, vy, err := data.SplitLast(x, y, 200)
	if err != nil {
		t.Fatal(err)
	}
	// Bracket 2 of max_epochs 4, factor 2: 4 trials of 1 epoch, the best 2
	// go on to epoch 2, the best of those to epoch 4.
	h := &oracle.Hyperband{MaxEpochs: 4, Factor: 2}
	fit := nn.FitConfig{BatchSize: 8, ValidationX: vx, ValidationY: vy}
	tu, err := New(&Training{HyperModel: BuildFunc(buildSpiralNet), X: x, Y: y, Config: fit}, Options{Objective: "val_loss", Oracle: h, MaxTrials: 7,
		ParallelTrials: 1, Seed: 5, Directory: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer tu.Close()
	if err := tu.Search(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts := allTrials(t, tu)
	if len(ts) != 7 {
		t.Fatalf("%d trials, want 7", len(ts))
	}
	promoted := 0
	for _, tr := range ts {
		if tr.Status != trials.Completed {
			t.Fatalf("trial %d: %s %s", tr.ID, tr.Status, tr.Error)
		}
		if tr.Parent == 0 {
			continue
		}
		promoted++
		if len(tr.History) != tr.Epochs-tr.InitialEpoch || tr.History[0].Epoch != tr.InitialEpoch {
			t.Fatalf("trial %d trained epochs %v, want %d..%d", tr.ID, tr.History, tr.InitialEpoch, tr.Epochs-1)
		}
		// Continue the parent's checkpoint for the promoted trial's
		// first epoch.
		warm, err := tu.LoadModel(tr.Parent)
		if err != nil {
			t.Fatal(err)
		}
		cfg := fit
		cfg.InitialEpoch, cfg.Epochs, cfg.Seed = tr.InitialEpoch, tr.InitialEpoch+1, trialSeed(5, tr.ID, 0)
		hw, err := warm.Fit(context.Background(), x, y, cfg)
		if err != nil {
			t.Fatal(err)
		}
		// The same epoch from the fresh weights the trial would have had
		// without its parent.
		fresh, err := buildSpiralNet(hp.FromValues(tu.Space(), tr.Values))
		if err != nil {
			t.Fatal(err)
		}
		if err := fresh.InitWeights(trialSeed(5, tr.ID, 0)); err != nil {
			t.Fatal(err)
		}
		hf, err := fresh.Fit(context.Background(), x, y, cfg)
		if err != nil {
			t.Fatal(err)
		}
		got := tr.History[0].Metrics
		for _, k := range []string{"loss", "val_loss", "accuracy"} {
			if got[k] != hw.Metrics[k][0] {
				t.Errorf("trial %d (parent %d) epoch %d: %s %v, continuing the parent's checkpoint gives %v",
					tr.ID, tr.Parent, tr.InitialEpoch, k, got[k], hw.Metrics[k][0])
			}
		}
		if got["loss"] > hf.Metrics["loss"][0]-0.03 {
			t.Errorf("trial %d: first-epoch loss %v is no better than from fresh weights (%v): the test cannot tell a warm start",
				tr.ID, got["loss"], hf.Metrics["loss"][0])
		}
		t.Logf("trial %d (parent %d) epoch %d: loss %.4f; from the parent's checkpoint %.4f; from fresh weights %.4f",
			tr.ID, tr.Parent, tr.InitialEpoch, got["loss"], hw.Metrics["loss"][0], hf.Metrics["loss"][0])
	}
	if promoted != 3 {
		t.Errorf("%d promoted trials, want 3", promoted)
	}
}
