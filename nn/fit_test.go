package nn

import (
	"bytes"
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFitLearnsBlobs(t *testing.T) {
	x, y := blobs(1, 600, 3)
	m := blobModel(t, 1)
	h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 15, BatchSize: 32, Seed: 1, ValidationSplit: 0.25})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epochs) != 15 || len(h.Metrics["val_accuracy"]) != 15 {
		t.Fatalf("history has %d epochs, %d val_accuracy values, want 15", len(h.Epochs), len(h.Metrics["val_accuracy"]))
	}
	loss := h.Metrics["loss"]
	if !(loss[14] < loss[0]/3) {
		t.Errorf("loss went from %v to %v", loss[0], loss[14])
	}
	if acc := h.Metrics["val_accuracy"][14]; acc < 0.97 {
		t.Errorf("val_accuracy %v, want ≥ 0.97", acc)
	}
	for _, k := range []string{"loss", "accuracy", "val_loss", "val_accuracy"} {
		if len(h.Metrics[k]) != 15 {
			t.Errorf("history key %q has %d values", k, len(h.Metrics[k]))
		}
	}
	if len(h.Metrics) != 4 {
		t.Errorf("history has %d keys, want 4: %v", len(h.Metrics), h.Metrics)
	}
}

func TestFitLearnsXOR(t *testing.T) {
	x, y := xor(2, 400)
	m := mustCompile(t, NewSequential(Input(2), Dense(16, Tanh), Dense(1, Sigmoid)), CompileConfig{
		Loss: "binary_crossentropy", Optimizer: &Adam{LearningRate: 0.02}, Metrics: []string{"accuracy"}, Seed: 3,
	})
	if _, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 60, BatchSize: 16, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	xt, yt := xor(99, 400) // fresh test data
	logs, err := m.Evaluate(context.Background(), xt, yt, EvaluateConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if logs["accuracy"] < 0.95 {
		t.Errorf("XOR test accuracy %v, want ≥ 0.95 (logs %v)", logs["accuracy"], logs)
	}
}

// Each optimizer, with and without momentum, fits a linear regression.
func TestOptimizersFitRegression(t *testing.T) {
	r := newRNG(5, 0)
	x, y := NewMatrix(256, 3), NewMatrix(256, 1)
	for i := range 256 {
		a, b, c := 2*r.float64()-1, 2*r.float64()-1, 2*r.float64()-1
		x.Set(i, 0, float32(a))
		x.Set(i, 1, float32(b))
		x.Set(i, 2, float32(c))
		y.Set(i, 0, float32(2*a-b+0.5*c+0.3))
	}
	for name, opt := range map[string]Optimizer{
		"sgd":          &SGD{LearningRate: 0.1},
		"momentum":     &SGD{LearningRate: 0.05, Momentum: 0.9},
		"nesterov":     &SGD{LearningRate: 0.05, Momentum: 0.9, Nesterov: true},
		"adam":         &Adam{LearningRate: 0.05},
		"rmsprop":      &RMSprop{LearningRate: 0.01},
		"rmsprop+mom":  &RMSprop{LearningRate: 0.005, Momentum: 0.5},
		"default(nil)": nil,
	} {
		t.Run(name, func(t *testing.T) {
			m := mustCompile(t, NewSequential(Input(3), Dense(1, Linear)), CompileConfig{Loss: "mse", Optimizer: opt, Metrics: []string{"rmse"}})
			epochs := 40
			if opt == nil {
				epochs = 150 // RMSprop's default learning rate is small
			}
			h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: epochs, BatchSize: 16})
			if err != nil {
				t.Fatal(err)
			}
			if l := h.Metrics["loss"][epochs-1]; !(l < 1e-3) {
				t.Errorf("final loss %v, want < 1e-3", l)
			}
		})
	}
}

func fitOnce(t *testing.T, compileSeed, fitSeed int64, cfg FitConfig) ([]byte, *History) {
	t.Helper()
	x, y := blobs(7, 300, 3)
	m := blobModel(t, compileSeed)
	cfg.Seed = fitSeed
	cfg.ValidationSplit = 0.2
	h, err := m.Fit(context.Background(), x, y, cfg)
	if err != nil {
		t.Fatal(err)
	}
	w, err := m.MarshalWeights()
	if err != nil {
		t.Fatal(err)
	}
	return w, h
}

func TestFitDeterministic(t *testing.T) {
	cfg := FitConfig{Epochs: 4, BatchSize: 10}
	w1, h1 := fitOnce(t, 1, 2, cfg)
	w2, h2 := fitOnce(t, 1, 2, cfg)
	if !bytes.Equal(w1, w2) {
		t.Error("same seeds gave different weights")
	}
	if !reflect.DeepEqual(h1, h2) {
		t.Errorf("same seeds gave different histories:\n%v\n%v", h1, h2)
	}
	if w3, _ := fitOnce(t, 1, 3, cfg); bytes.Equal(w1, w3) {
		t.Error("a different shuffle seed gave identical weights")
	}
	if w4, _ := fitOnce(t, 9, 2, cfg); bytes.Equal(w1, w4) {
		t.Error("a different init seed gave identical weights")
	}
}

// Fitting epochs 0–2 and then 3–5 (InitialEpoch 3) equals fitting 0–5 in one
// call: shuffles depend on (seed, epoch) and the optimizer state persists.
func TestFitResumeEqualsOneRun(t *testing.T) {
	x, y := blobs(8, 200, 3)
	one := blobModel(t, 4)
	h, err := one.Fit(context.Background(), x, y, FitConfig{Epochs: 6, BatchSize: 16, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	two := blobModel(t, 4)
	h1, err := two.Fit(context.Background(), x, y, FitConfig{Epochs: 3, BatchSize: 16, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	h2, err := two.Fit(context.Background(), x, y, FitConfig{Epochs: 6, InitialEpoch: 3, BatchSize: 16, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(h2.Epochs, []int{3, 4, 5}) {
		t.Errorf("resumed epochs %v, want [3 4 5]", h2.Epochs)
	}
	if got := append(h1.Metrics["loss"], h2.Metrics["loss"]...); !reflect.DeepEqual(got, h.Metrics["loss"]) {
		t.Errorf("losses in two calls %v, in one %v", got, h.Metrics["loss"])
	}
	w1, _ := one.MarshalWeights()
	w2, _ := two.MarshalWeights()
	if !bytes.Equal(w1, w2) {
		t.Error("weights differ between one run and a resumed run")
	}
}

func TestFitNoShuffleAndPartialBatch(t *testing.T) {
	x, y := blobs(3, 50, 3)
	m := blobModel(t, 1)
	rec := &recorder{}
	h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 2, BatchSize: 16, NoShuffle: true, Callbacks: []Callback{rec}})
	if err != nil {
		t.Fatal(err)
	}
	if rec.batches[0] != 4 || rec.batches[1] != 4 { // 16+16+16+2
		t.Errorf("batches per epoch %v, want 4", rec.batches)
	}
	want := []string{"train_begin", "epoch_begin", "epoch_end", "epoch_begin", "epoch_end", "train_end"}
	if !reflect.DeepEqual(rec.events, want) {
		t.Errorf("events %v, want %v", rec.events, want)
	}
	// The training loss of an epoch is the mean of per-row losses under
	// the weights of their batch, so it differs from an Evaluate afterwards,
	// but both are finite and close for a converging model.
	if l := h.Metrics["loss"][1]; math.IsNaN(l) || l <= 0 {
		t.Errorf("loss %v", l)
	}
	// A batch larger than the data is one batch.
	rec2 := &recorder{}
	if _, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 1, BatchSize: 1000, Callbacks: []Callback{rec2}}); err != nil {
		t.Fatal(err)
	}
	if rec2.batches[0] != 1 {
		t.Errorf("batches %v, want 1", rec2.batches)
	}
}

func TestFitValidationData(t *testing.T) {
	x, y := blobs(4, 120, 3)
	xv, yv := blobs(5, 40, 3)
	m := blobModel(t, 2)
	h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 2, ValidationX: xv, ValidationY: yv, ValidationSplit: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	logs, err := m.Evaluate(context.Background(), xv, yv, EvaluateConfig{})
	if err != nil {
		t.Fatal(err)
	}
	// The last epoch's validation ran on the final weights.
	if h.Metrics["val_loss"][1] != logs["loss"] || h.Metrics["val_accuracy"][1] != logs["accuracy"] {
		t.Errorf("val logs %v/%v, Evaluate %v", h.Metrics["val_loss"][1], h.Metrics["val_accuracy"][1], logs)
	}
}

// ValidationSplit holds out the last rows, before shuffling.
func TestFitValidationSplitTakesLastRows(t *testing.T) {
	x, y := blobs(4, 100, 3)
	m := blobModel(t, 2)
	h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 1, ValidationSplit: 0.3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	logs, err := m.Evaluate(context.Background(), x.Slice(70, 100), y.Slice(70, 100), EvaluateConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if h.Metrics["val_loss"][0] != logs["loss"] {
		t.Errorf("val_loss %v, Evaluate on the last 30 rows %v", h.Metrics["val_loss"][0], logs["loss"])
	}
}

func TestFitContextCancelledMidEpoch(t *testing.T) {
	x, y := blobs(1, 200, 3)
	m := blobModel(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &recorder{onBatch: func(_ *Model, epoch, batch int) {
		if epoch == 1 && batch == 2 {
			cancel()
		}
	}}
	h, err := m.Fit(ctx, x, y, FitConfig{Epochs: 5, BatchSize: 10, Callbacks: []Callback{rec}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if !strings.HasPrefix(err.Error(), "nn: ") {
		t.Errorf("error %q lacks the nn: prefix", err)
	}
	if rec.batches[1] != 3 {
		t.Errorf("ran %d batches of epoch 1 after cancelling in batch 2, want 3", rec.batches[1])
	}
	if !reflect.DeepEqual(h.Epochs, []int{0}) {
		t.Errorf("history epochs %v, want [0]", h.Epochs)
	}
	if rec.events[len(rec.events)-1] == "train_end" {
		t.Error("OnTrainEnd called after cancellation")
	}
}

func TestFitContextDeadlinePrompt(t *testing.T) {
	x := NewMatrix(4096, 64)
	y := NewMatrix(4096, 1)
	m := mustCompile(t, NewSequential(Input(64), Dense(64, ReLU), Dense(2, Softmax)), CompileConfig{Loss: "sparse_categorical_crossentropy"})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	// No bound on wall time (the machine may be busy): 100000 epochs would
	// outlast the test's timeout, so returning at all shows the deadline is
	// heeded; TestFitContextCancelledMidEpoch counts the batches run after
	// a cancel.
	_, err := m.Fit(ctx, x, y, FitConfig{Epochs: 100000})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
}

func TestStopTrainingFinishesEpoch(t *testing.T) {
	x, y := blobs(1, 100, 3)
	m := blobModel(t, 1)
	rec := &recorder{onBatch: func(m *Model, epoch, batch int) {
		if epoch == 1 && batch == 1 {
			m.StopTraining()
		}
	}}
	h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 5, BatchSize: 10, Callbacks: []Callback{rec}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(h.Epochs, []int{0, 1}) || rec.batches[1] != 2 {
		t.Errorf("epochs %v, batches %v; want epochs [0 1] and 2 batches in epoch 1", h.Epochs, rec.batches)
	}
	if rec.events[len(rec.events)-1] != "train_end" {
		t.Error("OnTrainEnd not called")
	}
	// The next Fit starts afresh.
	h, err = m.Fit(context.Background(), x, y, FitConfig{Epochs: 2})
	if err != nil || len(h.Epochs) != 2 {
		t.Errorf("second Fit: %v epochs, err %v", h.Epochs, err)
	}
}

func TestTerminateOnNaN(t *testing.T) {
	x, y := blobs(1, 100, 3)
	x.Set(0, 0, float32(math.NaN()))
	m := blobModel(t, 1)
	rec := &recorder{}
	h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 5, BatchSize: 10, NoShuffle: true, Callbacks: []Callback{&TerminateOnNaN{}, rec}})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Epochs) != 1 || rec.batches[0] != 1 || !math.IsNaN(h.Metrics["loss"][0]) {
		t.Errorf("epochs %v, batches %v, loss %v; want one epoch of one batch with NaN loss", h.Epochs, rec.batches, h.Metrics["loss"])
	}
}

type failing struct {
	BaseCallback
	err error
}

func (f failing) OnEpochEnd(*Model, int, Logs) error { return f.err }

func TestFitCallbackError(t *testing.T) {
	x, y := blobs(1, 50, 3)
	m := blobModel(t, 1)
	boom := errors.New("boom")
	h, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 3, Callbacks: []Callback{failing{err: boom}}})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "OnEpochEnd") {
		t.Fatalf("err = %v", err)
	}
	if len(h.Epochs) != 1 {
		t.Errorf("history %v, want the one completed epoch", h.Epochs)
	}
}

func TestFitErrors(t *testing.T) {
	x, y := blobs(1, 20, 3)
	m := blobModel(t, 1)
	ctx := context.Background()
	bad := NewMatrix(20, 1)
	bad.Set(3, 0, 3) // class 3 of 3
	frac := NewMatrix(20, 1)
	frac.Set(0, 0, 0.5)
	tests := []struct {
		name string
		x, y *Matrix
		cfg  FitConfig
		want error
	}{
		{"nil x", nil, y, FitConfig{Epochs: 1}, ErrEmptyData},
		{"empty x", NewMatrix(0, 2), NewMatrix(0, 1), FitConfig{Epochs: 1}, ErrEmptyData},
		{"x columns", NewMatrix(20, 3), y, FitConfig{Epochs: 1}, ErrShape},
		{"y rows", x, NewMatrix(19, 1), FitConfig{Epochs: 1}, ErrShape},
		{"y columns", x, NewMatrix(20, 3), FitConfig{Epochs: 1}, ErrShape},
		{"malformed", &Matrix{Rows: 20, Cols: 2, Data: make([]float32, 39)}, y, FitConfig{Epochs: 1}, ErrShape},
		{"label out of range", x, bad, FitConfig{Epochs: 1}, ErrLabel},
		{"fractional label", x, frac, FitConfig{Epochs: 1}, ErrLabel},
		{"zero epochs", x, y, FitConfig{}, ErrInvalidConfig},
		{"negative batch", x, y, FitConfig{Epochs: 1, BatchSize: -1}, ErrInvalidConfig},
		{"negative initial epoch", x, y, FitConfig{Epochs: 1, InitialEpoch: -1}, ErrInvalidConfig},
		{"split 1", x, y, FitConfig{Epochs: 1, ValidationSplit: 1}, ErrInvalidConfig},
		{"split NaN", x, y, FitConfig{Epochs: 1, ValidationSplit: math.NaN()}, ErrInvalidConfig},
		{"split leaves no training rows", x, y, FitConfig{Epochs: 1, ValidationSplit: 0.99}, ErrInvalidConfig},
		{"validation y missing", x, y, FitConfig{Epochs: 1, ValidationX: x}, ErrEmptyData},
		{"validation shape", x, y, FitConfig{Epochs: 1, ValidationX: NewMatrix(5, 4), ValidationY: NewMatrix(5, 1)}, ErrShape},
		{"nil callback", x, y, FitConfig{Epochs: 1, Callbacks: []Callback{nil}}, ErrInvalidConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.Fit(ctx, tt.x, tt.y, tt.cfg)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "nn: ") {
				t.Errorf("error %q lacks the nn: prefix", err)
			}
		})
	}
	if h, err := m.Fit(ctx, x, y, FitConfig{Epochs: 2, InitialEpoch: 2}); err != nil || len(h.Epochs) != 0 {
		t.Errorf("InitialEpoch == Epochs: %v, %v; want an empty history", h, err)
	}
	if _, err := NewSequential(Input(2), Dense(1, "")).Fit(ctx, x, y, FitConfig{Epochs: 1}); !errors.Is(err, ErrNotCompiled) {
		t.Errorf("uncompiled: %v", err)
	}
	if _, err := m.Evaluate(context.Background(), x, bad, EvaluateConfig{}); !errors.Is(err, ErrLabel) {
		t.Errorf("Evaluate bad labels: %v", err)
	}
	if _, err := m.Predict(NewMatrix(3, 5)); !errors.Is(err, ErrShape) {
		t.Errorf("Predict bad shape: %v", err)
	}
}

// Predictions do not depend on the batch buffers' size.
func TestPredictBatchInvariant(t *testing.T) {
	x, _ := blobs(1, 77, 3)
	m := blobModel(t, 1)
	p1, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	m.reserve(50)
	p2, _ := m.Predict(x)
	if !reflect.DeepEqual(p1, p2) {
		t.Error("predictions depend on the batch size")
	}
	for i := range p1.Rows {
		var s float32
		for _, v := range p1.Row(i) {
			s += v
		}
		if math.Abs(float64(s)-1) > 1e-5 {
			t.Fatalf("softmax row %d sums to %v", i, s)
		}
	}
}

func TestFitContextCancelledBeforeValidation(t *testing.T) {
	x, y := blobs(1, 100, 3)
	m := blobModel(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &recorder{onBatch: func(_ *Model, epoch, batch int) {
		if batch == 7 { // the last of 8 batches of the 80 training rows
			cancel()
		}
	}}
	h, err := m.Fit(ctx, x, y, FitConfig{Epochs: 3, BatchSize: 10, ValidationSplit: 0.2, Callbacks: []Callback{rec}})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "evaluation") {
		t.Fatalf("err = %v, want a cancelled evaluation", err)
	}
	if len(h.Epochs) != 0 || rec.batches[0] != 8 {
		t.Errorf("epochs %v, batches %v", h.Epochs, rec.batches)
	}
}

// Class weights equal the sample weights they stand for.
func TestFitClassWeightsAreSampleWeights(t *testing.T) {
	x, y := blobs(2, 120, 3)
	classWeight := map[int]float64{0: 2, 1: 0.5} // class 2 weighs 1
	sw := make([]float32, x.Rows)
	for i := range sw {
		sw[i] = map[float32]float32{0: 2, 1: 0.5, 2: 1}[y.At(i, 0)]
	}
	run := func(cfg FitConfig) (*History, []byte) {
		m := blobModel(t, 3)
		cfg.Epochs, cfg.BatchSize, cfg.Seed = 3, 16, 4
		h, err := m.Fit(t.Context(), x, y, cfg)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := m.MarshalWeights()
		return h, w
	}
	h1, w1 := run(FitConfig{ClassWeight: classWeight})
	h2, w2 := run(FitConfig{SampleWeight: sw})
	if !reflect.DeepEqual(h1, h2) || !bytes.Equal(w1, w2) {
		t.Error("class weights and the equivalent sample weights train differently")
	}
	_, w3 := run(FitConfig{})
	if bytes.Equal(w1, w3) {
		t.Error("class weights changed nothing")
	}
	// Both together multiply.
	half := make([]float32, x.Rows)
	for i := range half {
		half[i] = 0.5
	}
	h4, _ := run(FitConfig{ClassWeight: map[int]float64{0: 1}, SampleWeight: half})
	h5, _ := run(FitConfig{SampleWeight: half})
	if !reflect.DeepEqual(h4, h5) {
		t.Error("a class weight of 1 changed the training")
	}
}

// Sample weights scale each row's loss (Σ w·l / n) and weigh its metrics
// (Σ w·m / Σ w); ValidationSplit splits them like the data.
func TestSampleWeightsEvaluateAndSplit(t *testing.T) {
	x, y := blobs(3, 60, 3)
	m := blobModel(t, 1)
	sw := make([]float32, 60)
	for i := range sw {
		sw[i] = float32(i % 3)
	}
	full, err := m.Evaluate(context.Background(), x, y, EvaluateConfig{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := m.EvaluateMulti(t.Context(), []*Matrix{x}, []*Matrix{y}, EvaluateConfig{SampleWeight: sw})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := m.Predict(x)
	var lsum, asum, wsum float64
	for i := range 60 {
		c := int(y.At(i, 0))
		l := -math.Log(float64(p.At(i, c)))
		lsum += float64(sw[i]) * l
		if argmax(p.Row(i)) == c {
			asum += float64(sw[i])
		}
		wsum += float64(sw[i])
	}
	if !close(w["loss"], lsum/60, 1e-5) || !close(w["accuracy"], asum/wsum, 1e-12) || w["loss"] == full["loss"] {
		t.Errorf("weighted %v, want loss %v accuracy %v (unweighted %v)", w, lsum/60, asum/wsum, full)
	}
	// The last 20 rows and their weights are the validation data.
	h, err := m.Fit(t.Context(), x, y, FitConfig{Epochs: 1, SampleWeight: sw, ValidationSplit: 1.0 / 3})
	if err != nil {
		t.Fatal(err)
	}
	v, _ := m.EvaluateMulti(t.Context(), []*Matrix{x.Slice(40, 60)}, []*Matrix{y.Slice(40, 60)}, EvaluateConfig{SampleWeight: sw[40:]})
	if h.Metrics["val_loss"][0] != v["loss"] || h.Metrics["val_accuracy"][0] != v["accuracy"] {
		t.Errorf("validation %v/%v, Evaluate of the last rows %v", h.Metrics["val_loss"], h.Metrics["val_accuracy"], v)
	}
	for name, cfg := range map[string]FitConfig{
		"short weights":      {Epochs: 1, SampleWeight: sw[:3]},
		"negative weight":    {Epochs: 1, SampleWeight: append([]float32{-1}, sw[1:]...)},
		"NaN class weight":   {Epochs: 1, ClassWeight: map[int]float64{0: math.NaN()}},
		"validation weights": {Epochs: 1, ValidationX: x, ValidationY: y, ValidationSampleWeight: sw[:5]},
		"both validations":   {Epochs: 1, ValidationX: x, ValidationY: y, ValidationInputs: []*Matrix{x}, ValidationTargets: []*Matrix{y}},
	} {
		if _, err := m.Fit(t.Context(), x, y, cfg); !errors.Is(err, ErrInvalidConfig) && !errors.Is(err, ErrShape) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Evaluation results do not depend on the batch size, bit for bit.
func TestEvaluateBatchInvariant(t *testing.T) {
	m, d := wideDeep(t, 4)
	sw := make([]float32, d[0].Rows)
	for i := range sw {
		sw[i] = float32(i%5) / 2
	}
	var first Logs
	for _, b := range []int{1, 7, 32, 1000} {
		logs, err := m.EvaluateMulti(t.Context(), d[:2], []*Matrix{d[2], d[2]}, EvaluateConfig{BatchSize: b, SampleWeight: sw})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = logs
		} else if !reflect.DeepEqual(logs, first) {
			t.Errorf("batch %d: %v, batch 1: %v", b, logs, first)
		}
	}
}

// A model with two inputs and two outputs: the loss is the weighted sum of
// the outputs' losses, each output has its metrics, validation data come
// per input and output, and the single-matrix methods refuse it.
func TestFitMultiOutput(t *testing.T) {
	m, d := wideDeep(t, 5)
	xs, ys := d[:2], []*Matrix{d[2], d[2]}
	h, err := m.FitMulti(t.Context(), xs, ys, FitConfig{Epochs: 3, ValidationInputs: xs, ValidationTargets: ys})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"loss", "output_loss", "aux_output_loss", "output_root_mean_squared_error", "aux_output_root_mean_squared_error"}
	if !reflect.DeepEqual(m.MetricsNames(), want) {
		t.Errorf("MetricsNames %v", m.MetricsNames())
	}
	for _, k := range want {
		if len(h.Metrics[k]) != 3 || len(h.Metrics["val_"+k]) != 3 {
			t.Errorf("history lacks %s or val_%s: %v", k, k, h.Metrics)
		}
	}
	if len(h.Metrics) != 2*len(want) {
		t.Errorf("history has %d keys", len(h.Metrics))
	}
	e := 2
	if l, w := h.Metrics["val_loss"][e], 0.9*h.Metrics["val_output_loss"][e]+0.1*h.Metrics["val_aux_output_loss"][e]; !close(l, w, 1e-12) {
		t.Errorf("val_loss %v, weighted sum of the outputs' losses %v", l, w)
	}
	if r, l := h.Metrics["val_output_root_mean_squared_error"][e], h.Metrics["val_output_loss"][e]; !close(r*r, l, 1e-9) {
		t.Errorf("rmse² %v, mse %v", r*r, l)
	}
	if h.Metrics["loss"][2] >= h.Metrics["loss"][0] {
		t.Errorf("loss did not decrease: %v", h.Metrics["loss"])
	}
	if _, err := m.Fit(t.Context(), d[0], d[2], FitConfig{Epochs: 1}); !errors.Is(err, ErrShape) || !strings.Contains(err.Error(), "Multi") {
		t.Errorf("Fit on a two-input model: %v", err)
	}
	if _, err := m.Predict(d[0]); !errors.Is(err, ErrShape) {
		t.Errorf("Predict on a two-output model: %v", err)
	}
	if _, err := m.FitMulti(t.Context(), xs, ys, FitConfig{Epochs: 1, ClassWeight: map[int]float64{0: 1}}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("class weights with two outputs: %v", err)
	}
	p, err := m.PredictMulti(xs)
	if err != nil || len(p) != 2 || p[1].Cols != 1 || p[0].Rows != d[0].Rows {
		t.Errorf("PredictMulti: %v", err)
	}
	if !reflect.DeepEqual(m.InputNames(), []string{"wide_input", "deep_input"}) || !reflect.DeepEqual(m.OutputNames(), []string{"output", "aux_output"}) {
		t.Errorf("names %v %v", m.InputNames(), m.OutputNames())
	}
}

// Dropout and BatchNormalization keep training deterministic: the masks
// come from FitConfig.Seed and the epoch.
func TestFitDeterministicWithDropout(t *testing.T) {
	run := func(seed int64) []byte {
		x, y := blobs(6, 200, 3)
		m := mustCompile(t, NewSequential(Input(2), Dense(32, ReLU), BatchNormalization(), Dropout(0.5), Dense(3, Softmax)),
			CompileConfig{Loss: "sparse_categorical_crossentropy", Optimizer: &Adam{}, Seed: 1})
		if _, err := m.Fit(t.Context(), x, y, FitConfig{Epochs: 3, Seed: seed}); err != nil {
			t.Fatal(err)
		}
		b, _ := m.MarshalBinary()
		return b
	}
	a, b, c := run(1), run(1), run(2)
	if !bytes.Equal(a, b) {
		t.Error("same seeds, different models")
	}
	if bytes.Equal(a, c) {
		t.Error("another fit seed, same model")
	}
}

// Splitting the products across goroutines changes nothing in the result.
func TestThreadsGiveIdenticalTraining(t *testing.T) {
	r := newRNG(5, 0)
	x := NewMatrixFrom(64, 784, randSlice(&r, 64*784))
	y := NewMatrix(64, 1)
	for i := range y.Data {
		y.Data[i] = float32(i % 10)
	}
	train := func(threads int) []byte {
		m := NewSequential(Input(784), Dense(300, ReLU), Dense(10, Softmax))
		if err := m.Compile(CompileConfig{Loss: "sparse_categorical_crossentropy", Optimizer: &SGD{LearningRate: 0.01}, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		m.SetThreads(threads)
		if _, err := m.Fit(context.Background(), x, y, FitConfig{Epochs: 2, BatchSize: 32}); err != nil {
			t.Fatal(err)
		}
		w, err := m.MarshalWeights()
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	if !bytes.Equal(train(1), train(2)) {
		t.Fatal("two threads trained different weights than one")
	}
}
