package nn

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestCountParams(t *testing.T) {
	m := NewSequential(Input(28, 28), Flatten(), Dense(300, ReLU), Dense(100, ReLU), Dense(10, Softmax))
	if got := m.CountParams(); got != 266610 {
		t.Errorf("CountParams = %d, want 266610", got)
	}
	if got := NewSequential(Dense(3, ReLU)).CountParams(); got != 0 {
		t.Errorf("invalid model: %d params, want 0", got)
	}
}

func TestCompileErrors(t *testing.T) {
	ok := CompileConfig{Loss: "mse"}
	sharedDense := Dense(2, ReLU)
	adapted := Normalization()
	if err := adapted.Adapt(NewMatrixFrom(2, 2, []float32{1, 2, 3, 4})); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		layers []Layer
		cfg    CompileConfig
		want   error
		msg    string
	}{
		{"no layers", nil, ok, ErrInvalidModel, "no layers"},
		{"missing Input", []Layer{Dense(3, ReLU)}, ok, ErrInvalidModel, "first layer must be Input"},
		{"empty Input", []Layer{Input(), Dense(3, ReLU)}, ok, ErrInvalidModel, "at least one dimension"},
		{"zero dimension", []Layer{Input(0), Dense(3, ReLU)}, ok, ErrInvalidModel, "non-positive"},
		{"two Inputs", []Layer{Input(2), Input(2), Dense(3, ReLU)}, ok, ErrInvalidModel, "second Input"},
		{"nil layer", []Layer{Input(2), nil}, ok, ErrInvalidModel, "layer 1 is nil"},
		{"zero units", []Layer{Input(2), Dense(0, ReLU)}, ok, ErrInvalidModel, "units must be positive"},
		{"negative units", []Layer{Input(2), Dense(-4, ReLU)}, ok, ErrInvalidModel, "units must be positive"},
		{"huge units", []Layer{Input(1 << 20), Dense(1<<20, ReLU)}, ok, ErrInvalidModel, "too many parameters"},
		{"only Input", []Layer{Input(2)}, ok, ErrInvalidModel, "no layers after Input"},
		{"flat output needed", []Layer{Input(2, 2), Dropout(0.5)}, ok, ErrInvalidModel, "not flat"},
		{"shared Dense", []Layer{Input(2), sharedDense, sharedDense}, ok, ErrInvalidModel, "applied a second time"},
		{"unknown initializer", []Layer{Input(2), Dense(3, ReLU, KernelInitializer("orthogonal"))}, ok, ErrUnknownInitializer, `"orthogonal"`},
		{"option for another layer", []Layer{Input(2), Dropout(0.1, KernelInitializer(HeNormal)), Dense(1, "")}, ok, ErrInvalidModel, "does not take the KernelInitializer option"},
		{"dropout rate", []Layer{Input(2), Dropout(1), Dense(1, "")}, ok, ErrInvalidModel, "rate"},
		{"bn momentum", []Layer{Input(2), BatchNormalization(BatchNormMomentum(1)), Dense(1, "")}, ok, ErrInvalidModel, "momentum"},
		{"bn on images", []Layer{Input(2, 2), BatchNormalization(), Flatten(), Dense(1, "")}, ok, ErrInvalidModel, "add Flatten()"},
		{"not adapted", []Layer{Input(2), Normalization(), Dense(1, "")}, ok, ErrInvalidModel, "not adapted"},
		{"adapted to other width", []Layer{Input(3), adapted, Dense(1, "")}, ok, ErrInvalidModel, "adapted to 2 features"},
		{"duplicate name", []Layer{Input(2), Dense(3, ReLU, Name("x")), Dense(1, "", Name("x"))}, ok, ErrInvalidModel, `two layers are named "x"`},
		{"softmax activation layer on images", []Layer{Input(2, 2), ActivationLayer(Softmax), Flatten(), Dense(1, "")}, ok, ErrInvalidModel, "flat"},
		{"losses and loss", []Layer{Input(2), Dense(3, ReLU)}, CompileConfig{Loss: "mse", Losses: []string{"mse"}}, ErrInvalidConfig, "both"},
		{"losses count", []Layer{Input(2), Dense(3, ReLU)}, CompileConfig{Losses: []string{"mse", "mae"}}, ErrInvalidConfig, "2 losses for 1 outputs"},
		{"loss weight", []Layer{Input(2), Dense(3, ReLU)}, CompileConfig{Loss: "mse", LossWeights: []float64{-1}}, ErrInvalidConfig, "LossWeights[0]"},
		{"huber delta", []Layer{Input(2), Dense(3, ReLU)}, CompileConfig{Loss: "huber", HuberDelta: -1}, ErrInvalidConfig, "HuberDelta"},
		{"adamw decay", []Layer{Input(2), Dense(3, ReLU)}, CompileConfig{Loss: "mse", Optimizer: &AdamW{WeightDecay: -1}}, ErrInvalidConfig, "AdamW.WeightDecay"},
		{"clipnorm", []Layer{Input(2), Dense(3, ReLU)}, CompileConfig{Loss: "mse", Optimizer: &SGD{ClipNorm: -1}}, ErrInvalidConfig, "SGD.ClipNorm"},
		{"adagrad eps", []Layer{Input(2), Dense(3, ReLU)}, CompileConfig{Loss: "mse", Optimizer: &Adagrad{Epsilon: math.Inf(1)}}, ErrInvalidConfig, "Adagrad.Epsilon"},
		{"unflattened", []Layer{Input(4, 4), Dense(3, ReLU)}, ok, ErrInvalidModel, "add Flatten()"},
		{"unknown activation", []Layer{Input(2), Dense(3, "swish")}, ok, ErrUnknownActivation, `"swish"`},
		{"unknown loss", []Layer{Input(2), Dense(3, ReLU)}, CompileConfig{Loss: "hinge"}, ErrUnknownLoss, `"hinge"`},
		{"empty loss", []Layer{Input(2), Dense(3, ReLU)}, CompileConfig{}, ErrUnknownLoss, `""`},
		{"unknown metric", []Layer{Input(2), Dense(3, ReLU)}, CompileConfig{Loss: "mse", Metrics: []string{"auc"}}, ErrUnknownMetric, `"auc"`},
		{"duplicate metric", []Layer{Input(2), Dense(3, ReLU)}, CompileConfig{Loss: "mse", Metrics: []string{"mse", "mse"}}, ErrInvalidConfig, "twice"},
		{"metric named loss", []Layer{Input(2), Dense(3, ReLU)}, CompileConfig{Loss: "mse", Metrics: []string{"loss"}}, ErrInvalidConfig, "loss"},
		{"negative lr", []Layer{Input(2), Dense(3, ReLU)}, CompileConfig{Loss: "mse", Optimizer: &SGD{LearningRate: -1}}, ErrInvalidConfig, "SGD.LearningRate"},
		{"momentum 1", []Layer{Input(2), Dense(3, ReLU)}, CompileConfig{Loss: "mse", Optimizer: &SGD{Momentum: 1}}, ErrInvalidConfig, "SGD.Momentum"},
		{"NaN beta", []Layer{Input(2), Dense(3, ReLU)}, CompileConfig{Loss: "mse", Optimizer: &Adam{Beta2: math.NaN()}}, ErrInvalidConfig, "Adam.Beta2"},
		{"negative epsilon", []Layer{Input(2), Dense(3, ReLU)}, CompileConfig{Loss: "mse", Optimizer: &Adam{Epsilon: -1}}, ErrInvalidConfig, "Adam.Epsilon"},
		{"rho above 1", []Layer{Input(2), Dense(3, ReLU)}, CompileConfig{Loss: "mse", Optimizer: &RMSprop{Rho: 1.5}}, ErrInvalidConfig, "RMSprop.Rho"},
		{"nil typed optimizer", []Layer{Input(2), Dense(3, ReLU)}, CompileConfig{Loss: "mse", Optimizer: (*Adam)(nil)}, ErrInvalidConfig, "nil *Adam"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewSequential(tt.layers...)
			err := m.Compile(tt.cfg)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "nn: ") {
				t.Fatalf("err = %v, want %v mentioning %q", err, tt.want, tt.msg)
			}
			if m.compiled {
				t.Error("model compiled despite the error")
			}
		})
	}
}

func TestCompileInitialisation(t *testing.T) {
	build := func(seed int64) *Model {
		return mustCompile(t, NewSequential(Input(50), Dense(200, ReLU), Dense(10, Softmax)), CompileConfig{Loss: "mse", Seed: seed})
	}
	a, b, c := build(1), build(1), build(2)
	wa, _ := a.MarshalWeights()
	wb, _ := b.MarshalWeights()
	wc, _ := c.MarshalWeights()
	if string(wa) != string(wb) || string(wa) == string(wc) {
		t.Error("initial weights are not a function of the seed")
	}
	d := denses(a)[0]
	limit := math.Sqrt(6.0 / 250)
	var sum, sumSq float64
	for _, w := range d.w.w {
		if math.Abs(float64(w)) > limit {
			t.Fatalf("weight %v outside ±%v", w, limit)
		}
		sum += float64(w)
		sumSq += float64(w) * float64(w)
	}
	n := float64(len(d.w.w))
	// U(−l, l) has mean 0 and variance l²/3.
	if mean, v := sum/n, sumSq/n; math.Abs(mean) > 0.01*limit || math.Abs(v/(limit*limit/3)-1) > 0.05 {
		t.Errorf("mean %v, variance %v; want 0 and %v", mean, v, limit*limit/3)
	}
	for _, bias := range d.b.w {
		if bias != 0 {
			t.Fatal("bias not zero")
		}
	}
	// One Layer value may serve several models, which do not share weights.
	shared := Dense(4, ReLU)
	m1 := mustCompile(t, NewSequential(Input(2), shared), CompileConfig{Loss: "mse"})
	m2 := mustCompile(t, NewSequential(Input(2), shared), CompileConfig{Loss: "mse"})
	denses(m1)[0].w.w[0] = 42
	if denses(m2)[0].w.w[0] == 42 {
		t.Error("models share weights")
	}
}

func TestAddAndSummary(t *testing.T) {
	m := NewSequential(Input(3))
	m.Add(Dense(4, ReLU), Dense(4, ReLU))
	m.Add(Dense(1, Sigmoid))
	mustCompile(t, m, CompileConfig{Loss: "binary_crossentropy"})
	s := m.Summary()
	for _, want := range []string{"dense (Dense)", "dense_1 (Dense)", "dense_2 (Dense)", "(None, 4)", "Total params: 41"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	m.Add(Dense(2, Linear))
	if m.compiled {
		t.Error("Add left the model compiled")
	}
	if s := NewSequential(Dense(1, "")).Summary(); !strings.HasPrefix(s, "nn: invalid model") {
		t.Errorf("summary of an invalid model: %q", s)
	}
	for _, line := range strings.Split(m.Summary(), "\n") {
		if strings.HasSuffix(line, " ") {
			t.Errorf("trailing space in %q", line)
		}
	}
}

func TestMatrixHelpers(t *testing.T) {
	m := NewMatrixFrom(2, 2, []float32{1, 2, 3, 4})
	c := m.Clone()
	c.Set(0, 0, 9)
	if m.At(0, 0) != 1 || c.At(0, 0) != 9 || c.At(1, 1) != 4 {
		t.Error("Clone shares storage or loses data")
	}
	defer func() {
		if msg, _ := recover().(string); !strings.HasPrefix(msg, "nn: ") {
			t.Errorf("NewMatrixFrom with wrong length: recovered %q", msg)
		}
	}()
	NewMatrixFrom(2, 3, []float32{1})
}
