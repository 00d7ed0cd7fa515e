package nn

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// drive feeds one monitored value per epoch to e, filling every weight of m
// with the epoch number first, and returns the epoch after which m was asked
// to stop (-1 if never).
func drive(t *testing.T, m *Model, e *EarlyStopping, key string, values []float64) int {
	t.Helper()
	m.stop.Store(false)
	if err := e.OnTrainBegin(m); err != nil {
		t.Fatal(err)
	}
	for epoch, v := range values {
		for _, p := range m.params {
			for i := range p.w {
				p.w[i] = float32(epoch)
			}
		}
		if err := e.OnEpochEnd(m, epoch, Logs{key: v, "loss": 1}); err != nil {
			t.Fatal(err)
		}
		if m.stop.Load() {
			if err := e.OnTrainEnd(m, nil); err != nil {
				t.Fatal(err)
			}
			return epoch
		}
	}
	if err := e.OnTrainEnd(m, nil); err != nil {
		t.Fatal(err)
	}
	return -1
}

func tinyModel(t *testing.T) *Model {
	return mustCompile(t, NewSequential(Input(2), Dense(3, ReLU), Dense(1, Linear)), CompileConfig{Loss: "mse"})
}

func TestEarlyStoppingPatience(t *testing.T) {
	m := tinyModel(t)
	tests := []struct {
		name      string
		es        EarlyStopping
		key       string
		values    []float64
		stop      int // epoch at which training stops, -1 for never
		bestEpoch int
	}{
		// improvements at 0, 1; waits 1, 2 at epochs 2, 3 → stop at 3
		{"patience 2", EarlyStopping{Patience: 2}, "val_loss", []float64{1, 0.8, 0.9, 0.85, 0.1}, 3, 1},
		{"patience 2 recovers", EarlyStopping{Patience: 2}, "val_loss", []float64{1, 0.8, 0.9, 0.7, 0.9, 0.95}, 5, 3},
		{"patience 0", EarlyStopping{}, "val_loss", []float64{1, 0.5, 0.6}, 2, 1},
		{"never at epoch 0", EarlyStopping{}, "val_loss", []float64{1}, -1, 0},
		{"equal is no improvement", EarlyStopping{Patience: 1, Monitor: "loss"}, "loss", []float64{1, 1}, 1, 0},
		{"min delta", EarlyStopping{Patience: 1, MinDelta: 0.1}, "val_loss", []float64{1, 0.95}, 1, 0},
		{"negative min delta", EarlyStopping{Patience: 1, MinDelta: -0.1}, "val_loss", []float64{1, 0.85, 0.8}, 2, 1},
		{"auto max for accuracy", EarlyStopping{Monitor: "val_accuracy", Patience: 1}, "val_accuracy", []float64{0.5, 0.6, 0.6}, 2, 1},
		{"explicit max", EarlyStopping{Monitor: "score", Mode: "max", Patience: 1}, "score", []float64{1, 2, 3, 1}, 3, 2},
		{"explicit min on accuracy", EarlyStopping{Monitor: "accuracy", Mode: "min", Patience: 1}, "accuracy", []float64{0.5, 0.6}, 1, 0},
		{"auto min for rmse", EarlyStopping{Monitor: "val_rmse", Patience: 1}, "val_rmse", []float64{2, 1, 3}, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.es
			if got := drive(t, m, &e, tt.key, tt.values); got != tt.stop {
				t.Errorf("stopped at epoch %d, want %d", got, tt.stop)
			}
			if e.BestEpoch() != tt.bestEpoch {
				t.Errorf("best epoch %d, want %d", e.BestEpoch(), tt.bestEpoch)
			}
			if want := max(tt.stop, 0); e.StoppedEpoch() != want {
				t.Errorf("StoppedEpoch %d, want %d", e.StoppedEpoch(), want)
			}
		})
	}
}

func TestEarlyStoppingRestoreBestWeights(t *testing.T) {
	m := tinyModel(t)
	weightsAre := func(v float32) bool {
		for _, p := range m.params {
			for _, w := range p.w {
				if w != v {
					return false
				}
			}
		}
		return true
	}
	e := &EarlyStopping{Patience: 2, RestoreBestWeights: true}
	if got := drive(t, m, e, "val_loss", []float64{3, 1, 2, 2.5, 0}); got != 3 {
		t.Fatalf("stopped at %d, want 3", got)
	}
	if !weightsAre(1) {
		t.Errorf("weights not restored to epoch 1's")
	}
	// Restored at the end of training even without an early stop (Keras 3).
	e = &EarlyStopping{Patience: 10, RestoreBestWeights: true}
	if got := drive(t, m, e, "val_loss", []float64{3, 1, 2, 0.5, 4}); got != -1 {
		t.Fatalf("stopped at %d", got)
	}
	if !weightsAre(3) {
		t.Errorf("weights not restored to epoch 3's")
	}
	// The state is reset by OnTrainBegin: the best of a previous run does
	// not carry over.
	if got := drive(t, m, e, "val_loss", []float64{7, 8}); got != -1 || !weightsAre(0) || e.BestEpoch() != 0 {
		t.Errorf("reuse: stop %d, best epoch %d", got, e.BestEpoch())
	}
	// Without RestoreBestWeights the last weights stay.
	e = &EarlyStopping{Patience: 1}
	drive(t, m, e, "val_loss", []float64{1, 2})
	if !weightsAre(1) {
		t.Errorf("weights changed without RestoreBestWeights")
	}
}

func TestEarlyStoppingErrors(t *testing.T) {
	m := tinyModel(t)
	for name, e := range map[string]*EarlyStopping{
		"bad mode":         {Mode: "up"},
		"negative":         {Patience: -1},
		"unknown for auto": {Monitor: "val_f1"},
	} {
		if err := e.OnTrainBegin(m); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig", name, err)
		}
	}
	e := &EarlyStopping{}
	if err := e.OnTrainBegin(m); err != nil {
		t.Fatal(err)
	}
	if err := e.OnEpochEnd(m, 0, Logs{"loss": 1}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("missing val_loss: %v", err)
	}
}

// scripted overwrites the monitored value before EarlyStopping sees it and
// records the weights of each epoch.
type scripted struct {
	BaseCallback
	values  []float64
	weights [][]byte
}

func (s *scripted) OnEpochEnd(m *Model, epoch int, logs Logs) error {
	logs["score"] = s.values[epoch]
	w, err := m.MarshalWeights()
	s.weights = append(s.weights, w)
	return err
}

func TestEarlyStoppingInFit(t *testing.T) {
	x, y := blobs(1, 64, 3)
	m := blobModel(t, 1)
	s := &scripted{values: []float64{5, 4, 3, 3.5, 3.2, 3.1, 1}}
	e := &EarlyStopping{Monitor: "score", Mode: "min", Patience: 3, RestoreBestWeights: true}
	h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 7, Callbacks: []Callback{s, e}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(h.Epochs, []int{0, 1, 2, 3, 4, 5}) {
		t.Errorf("epochs %v, want 0..5 (stop 3 epochs after the best, 2)", h.Epochs)
	}
	w, _ := m.MarshalWeights()
	if string(w) != string(s.weights[2]) {
		t.Error("weights are not those of the best epoch, 2")
	}
	if _, ok := h.Metrics["score"]; ok {
		t.Error("history recorded a key added by a callback")
	}
}

// ReduceLROnPlateau follows Keras: reduce after Patience epochs without an
// improvement larger than MinDelta, then wait Cooldown epochs, never below
// MinLR.
func TestReduceLROnPlateau(t *testing.T) {
	for _, tt := range []struct {
		name   string
		r      ReduceLROnPlateau
		values []float64
		lrs    []float64 // after each epoch
	}{
		{"patience 1", ReduceLROnPlateau{Patience: 1, Factor: 0.5}, []float64{1, 2, 0.5, 0.6, 0.7}, []float64{1, 0.5, 0.5, 0.25, 0.125}},
		{"patience 2", ReduceLROnPlateau{Patience: 2}, []float64{1, 2, 3, 4, 5}, []float64{1, 1, 0.1, 0.1, 0.01}},
		{"cooldown", ReduceLROnPlateau{Patience: 1, Factor: 0.5, Cooldown: 2}, []float64{1, 2, 2, 2, 2, 2}, []float64{1, 0.5, 0.5, 0.25, 0.25, 0.125}}, // Keras: the counter reaches 0 in the epoch that ends the cooldown
		{"min lr", ReduceLROnPlateau{Patience: 1, Factor: 0.1, MinLR: 0.05}, []float64{1, 2, 2, 2}, []float64{1, 0.1, 0.05, 0.05}},
		{"min delta", ReduceLROnPlateau{Patience: 1, Factor: 0.5, MinDelta: 0.1}, []float64{1, 0.95, 0.5}, []float64{1, 0.5, 0.5}},
		{"max", ReduceLROnPlateau{Monitor: "val_accuracy", Patience: 1, Factor: 0.5}, []float64{0.5, 0.6, 0.6}, []float64{1, 1, 0.5}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := mustCompile(t, NewSequential(Input(2), Dense(1, Linear)), CompileConfig{Loss: "mse", Optimizer: &SGD{LearningRate: 1}})
			r := tt.r
			if err := r.OnTrainBegin(m); err != nil {
				t.Fatal(err)
			}
			key := r.monitor
			for e, v := range tt.values {
				logs := Logs{key: v}
				if err := r.OnEpochEnd(m, e, logs); err != nil {
					t.Fatal(err)
				}
				if math.Abs(m.LearningRate()-tt.lrs[e]) > 1e-12 {
					t.Fatalf("after epoch %d: lr %v, want %v", e, m.LearningRate(), tt.lrs[e])
				}
				if e > 0 && logs["learning_rate"] != tt.lrs[e-1] {
					t.Errorf("epoch %d logged learning_rate %v, want %v", e, logs["learning_rate"], tt.lrs[e-1])
				}
			}
		})
	}
	m := tinyModel(t)
	for name, r := range map[string]*ReduceLROnPlateau{"factor": {Factor: 1}, "patience": {Patience: -1}, "mode": {Monitor: "x"}} {
		if err := r.OnTrainBegin(m); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// In Fit, the optimizer really uses the reduced rate.
	x, y := blobs(1, 64, 3)
	bm := blobModel(t, 1)
	if _, err := bm.Fit(t.Context(), x, y, FitConfig{Epochs: 3, Callbacks: []Callback{&ReduceLROnPlateau{Monitor: "loss", Mode: "max", Factor: 0.5}}}); err != nil {
		t.Fatal(err)
	}
	if bm.LearningRate() != 0.0025 {
		t.Errorf("learning rate %v after two reductions of 0.01, want 0.0025", bm.LearningRate())
	}
}

func TestModelCheckpoint(t *testing.T) {
	dir := t.TempDir()
	x, y := blobs(1, 64, 3)
	m := blobModel(t, 1)
	s := &scripted{values: []float64{5, 4, 6, 3, 7}}
	best := &ModelCheckpoint{Filepath: filepath.Join(dir, "best.tnn"), Monitor: "score", Mode: "min", SaveBestOnly: true}
	every := &ModelCheckpoint{Filepath: filepath.Join(dir, "w-{epoch:02d}.bin"), SaveWeightsOnly: true}
	if _, err := m.Fit(t.Context(), x, y, FitConfig{Epochs: 5, Callbacks: []Callback{s, best, every}}); err != nil {
		t.Fatal(err)
	}
	if best.LastSavedEpoch() != 3 {
		t.Errorf("best saved at epoch %d, want 3", best.LastSavedEpoch())
	}
	l, err := LoadFile(filepath.Join(dir, "best.tnn"))
	if err != nil {
		t.Fatal(err)
	}
	w, _ := l.MarshalWeights()
	if !bytes.Equal(w, s.weights[3]) {
		t.Error("the best file does not hold epoch 3's weights")
	}
	for e := 1; e <= 5; e++ {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("w-%02d.bin", e)))
		if err != nil || !bytes.Equal(b, s.weights[e-1]) {
			t.Errorf("epoch file %d: %v", e, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 6 {
		t.Errorf("%d files in the directory, want 6 (no temporary files left)", len(entries))
	}
	c := best.Clone().(*ModelCheckpoint)
	if c.Filepath != best.Filepath || !c.SaveBestOnly || c.lastSaved != 0 {
		t.Error("Clone")
	}
	if err := (&ModelCheckpoint{}).OnTrainBegin(m); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("no path: %v", err)
	}
	missing := &ModelCheckpoint{Filepath: filepath.Join(dir, "x"), SaveBestOnly: true}
	if _, err := m.Fit(t.Context(), x, y, FitConfig{Epochs: 1, Callbacks: []Callback{missing}}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("monitoring a missing val_loss: %v", err)
	}
}

func TestLearningRateSchedulerAndLogger(t *testing.T) {
	x, y := blobs(1, 64, 3)
	m := blobModel(t, 1)
	var seen []float64
	sched := &LearningRateScheduler{Schedule: func(epoch int, lr float64) float64 {
		seen = append(seen, lr)
		return 0.1 / float64(epoch+1)
	}}
	var out strings.Builder
	log := NewEpochLogger(&out, 2)
	if _, err := m.Fit(t.Context(), x, y, FitConfig{Epochs: 2, ValidationSplit: 0.25, Callbacks: []Callback{sched, log}}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(seen, []float64{0.01, 0.1}) || m.LearningRate() != 0.05 {
		t.Errorf("schedule saw %v, lr now %v", seen, m.LearningRate())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "Epoch 2/2 - ") || !strings.Contains(lines[1], " - loss: ") ||
		!strings.Contains(lines[1], " - accuracy: ") || !strings.HasSuffix(lines[1], "") || !strings.Contains(lines[1], " - val_accuracy: ") {
		t.Errorf("log:\n%s", out.String())
	}
	if _, err := m.Fit(t.Context(), x, y, FitConfig{Epochs: 1, Callbacks: []Callback{&LearningRateScheduler{}}}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("nil schedule: %v", err)
	}
}
