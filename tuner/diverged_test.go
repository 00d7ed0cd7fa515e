package tuner

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/trials"
)

// TestDivergedTrainingFails: a model whose loss explodes (SGD with a huge
// learning rate on a large target) fails its trial with a plain reason,
// no Go type names, the epoch counted from 1; a tame one completes.
func TestDivergedTrainingFails(t *testing.T) {
	x := nn.NewMatrix(64, 1)
	y := nn.NewMatrix(64, 1)
	for i := range 64 {
		x.Data[i] = float32(i) / 8
		y.Data[i] = 1e4 * float32(i)
	}
	build := func(h *hp.HyperParameters) (*nn.Model, error) {
		m := nn.NewSequential(nn.Input(1), nn.Dense(1, nn.Linear))
		return m, m.Compile(nn.CompileConfig{Loss: "mse", Optimizer: &nn.SGD{LearningRate: h.ChoiceFloat("lr", []float64{1e-9, 10})}})
	}
	tu, err := New(&Training{HyperModel: BuildFunc(build), X: x, Y: y, Config: nn.FitConfig{Epochs: 5, BatchSize: 8}},
		Options{Objective: "loss", MaxTrials: 2, ParallelTrials: 1, MaxConsecutiveFailedTrials: NoLimit, Directory: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer tu.Close()
	if err := tu.Search(context.Background()); err != nil {
		t.Fatal(err)
	}
	seen := map[float64]bool{}
	for _, tr := range allTrials(t, tu) {
		lr := tr.Values["lr"].(float64)
		seen[lr] = true
		switch {
		case lr == 10 && (tr.Status != trials.Failed || !strings.HasPrefix(tr.Error, "loss ") ||
			!strings.HasSuffix(tr.Error, ": training diverged; lower the learning rate, or scale a large target") ||
			strings.ContainsAny(tr.Error, "*") || strings.Contains(tr.Error, "nn:") || strings.Contains(tr.Error, "epoch 0")):
			t.Errorf("lr 10: %s %q, want failed with a plain reason", tr.Status, tr.Error)
		case lr == 1e-9 && tr.Status != trials.Completed:
			t.Errorf("lr 1e-9: %s %q", tr.Status, tr.Error)
		}
	}
	if len(seen) != 2 {
		t.Fatalf("tried %v, want both learning rates", seen)
	}
}

func TestDivergedErrorMessages(t *testing.T) {
	for _, tt := range []struct {
		err  *DivergedError
		want string
	}{
		{&DivergedError{Metric: "loss", Value: math.NaN(), Epoch: 0}, "loss became NaN at epoch 1"},
		{&DivergedError{Metric: "val_loss", Value: math.Inf(1), Epoch: 2, Hint: "h"}, "val_loss became +Inf at epoch 3: h"},
		{&DivergedError{Metric: "loss_scaled", Value: 2e29, Epoch: 4}, "loss_scaled reached 2e+29, beyond 1e+15 at epoch 5"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%q, want %q", got, tt.want)
		}
	}
	if err := checkLoss(Metrics{"loss": 2e20, "loss_scaled": 3}, 0); err != nil {
		t.Errorf("the scaled loss decides: %v", err)
	}
	if err := checkLoss(Metrics{"loss": 1, "val_loss": -2e15}, 0); err == nil {
		t.Error("val_loss -2e15 passed")
	}
}
