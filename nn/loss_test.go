package nn

import (
	"context"
	"errors"
	"math"
	"testing"
)

func close(a, b, tol float64) bool { return math.Abs(a-b) <= tol*(1+math.Abs(b)) }

// Loss values and gradients computed by hand.
func TestLossTable(t *testing.T) {
	ln := math.Log
	ln3 := float32(math.Log(3))
	tests := []struct {
		name     string
		loss     string
		act      Activation // output activation: decides fusion
		z        []float32  // pre-activations (n×units)
		y        []float32
		n, units int
		want     float64   // mean loss over the batch
		grad     []float32 // gradient of the mean loss w.r.t. z (fused) or a, nil to skip
		sw       []float32 // sample weights
		delta    float64   // huber delta (0: 1)
	}{
		{"mse", "mse", Linear, []float32{1, 2}, []float32{0, 4}, 1, 2, 2.5, []float32{1, -2}, nil, 0},
		{"mse batch", "mean_squared_error", Linear, []float32{1, 2, 0, 0}, []float32{0, 4, 1, 1}, 2, 2, (2.5 + 1) / 2, []float32{0.5, -1, -0.5, -0.5}, nil, 0},
		{"mae", "mae", Linear, []float32{1, 2}, []float32{0, 4}, 1, 2, 1.5, []float32{0.5, -0.5}, nil, 0},
		{"bce fused z=0", "binary_crossentropy", Sigmoid, []float32{0}, []float32{1}, 1, 1, ln(2), []float32{-0.5}, nil, 0},
		{"bce fused z=2 y=0", "binary_crossentropy", Sigmoid, []float32{2}, []float32{0}, 1, 1, ln(1 + math.Exp(2)), nil, nil, 0},
		{"bce fused large logit", "binary_crossentropy", Sigmoid, []float32{100}, []float32{0}, 1, 1, 100, []float32{1}, nil, 0},
		{"bce on probabilities", "binary_crossentropy", Linear, []float32{0.25}, []float32{1}, 1, 1, -ln(0.25), []float32{-4}, nil, 0},
		{"bce clipped", "binary_crossentropy", Linear, []float32{0}, []float32{1}, 1, 1, -ln(1e-7), []float32{0}, nil, 0},
		{"scce fused y=1", "sparse_categorical_crossentropy", Softmax, []float32{0, ln3}, []float32{1}, 1, 2, -ln(0.75), []float32{0.25, -0.25}, nil, 0},
		{"scce fused y=0", "sparse_categorical_crossentropy", Softmax, []float32{0, ln3}, []float32{0}, 1, 2, ln(4), []float32{-0.75, 0.75}, nil, 0},
		{"scce fused large logits", "sparse_categorical_crossentropy", Softmax, []float32{1000, 0}, []float32{1}, 1, 2, 1000, []float32{1, -1}, nil, 0},
		{"scce on probabilities", "sparse_categorical_crossentropy", Linear, []float32{0.2, 0.8}, []float32{0}, 1, 2, -ln(0.2), []float32{-5, 0}, nil, 0},
		{"scce batch mean", "sparse_categorical_crossentropy", Softmax, []float32{0, ln3, 0, ln3}, []float32{1, 0}, 2, 2, (-ln(0.75) + ln(4)) / 2, []float32{0.125, -0.125, -0.375, 0.375}, nil, 0},
		{"cce fused one-hot", "categorical_crossentropy", Softmax, []float32{0, ln3}, []float32{0, 1}, 1, 2, -ln(0.75), []float32{0.25, -0.25}, nil, 0},
		{"cce fused soft label", "categorical_crossentropy", Softmax, []float32{0, ln3}, []float32{0.5, 0.5}, 1, 2, 0.5*ln(4) - 0.5*ln(0.75), []float32{-0.25, 0.25}, nil, 0},
		{"cce on probabilities", "categorical_crossentropy", Linear, []float32{0.5, 0.5}, []float32{0, 1}, 1, 2, ln(2), []float32{0, -2}, nil, 0},
		// huber, delta 1: |d| = 0.5 → 0.125, |d| = 3 → 3 − 0.5 = 2.5; mean over 2 outputs
		{"huber", "huber", Linear, []float32{0.5, 3}, []float32{0, 0}, 1, 2, (0.125 + 2.5) / 2, []float32{0.25, 0.5}, nil, 0},
		// delta 2: |d| = 3 → 2·3 − 2 = 4, gradient 2·sign(d)
		{"huber delta", "huber_loss", Linear, []float32{-3}, []float32{0}, 1, 1, 4, []float32{-2}, nil, 2},
		// sample weights: Σ w·l / n (Keras' sum_over_batch_size), (2·1 + 0·4)/2
		{"mse weighted", "mse", Linear, []float32{1, 2}, []float32{0, 0}, 2, 1, 1, []float32{2, 0}, []float32{2, 0}, 0},
		{"scce weighted", "sparse_categorical_crossentropy", Softmax, []float32{0, ln3, 0, ln3}, []float32{1, 0}, 2, 2, (0.5*-ln(0.75) + 3*ln(4)) / 2, []float32{0.0625, -0.0625, -1.125, 1.125}, []float32{0.5, 3}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := parseActivation(tt.act)
			if err != nil {
				t.Fatal(err)
			}
			delta := tt.delta
			if delta == 0 {
				delta = 1
			}
			l, err := parseLoss(tt.loss, k, delta)
			if err != nil {
				t.Fatal(err)
			}
			a := make([]float32, len(tt.z))
			activate(k, tt.z, a, tt.n, tt.units)
			if got := l.eval(tt.z, a, tt.y, tt.sw, nil, nil, tt.n, tt.units, 0, 0) / float64(tt.n); !close(got, tt.want, 1e-6) {
				t.Errorf("loss = %.9g, want %.9g", got, tt.want)
			}
			g := make([]float32, len(tt.z))
			if got := l.eval(tt.z, a, tt.y, tt.sw, g, nil, tt.n, tt.units, 1/float64(tt.n), 0) / float64(tt.n); !close(got, tt.want, 1e-6) {
				t.Errorf("loss with gradient = %.9g, want %.9g", got, tt.want)
			}
			if k == actSoftmax && l.fused {
				// With the softmax's kept normalisers: the same bits.
				lse := make([]float64, tt.n)
				for r := range tt.n {
					lse[r] = softmaxRow(tt.z[r*tt.units:(r+1)*tt.units], a[r*tt.units:(r+1)*tt.units])
				}
				g2 := make([]float32, len(tt.z))
				want := l.eval(tt.z, a, tt.y, tt.sw, g, nil, tt.n, tt.units, 1/float64(tt.n), 0)
				if got := l.eval(tt.z, a, tt.y, tt.sw, g2, lse, tt.n, tt.units, 1/float64(tt.n), 0); got != want {
					t.Errorf("loss from the kept normalisers = %v, recomputed %v", got, want)
				}
				for i := range g {
					if g[i] != g2[i] {
						t.Errorf("grad from the kept normalisers = %v, recomputed %v", g2, g)
						break
					}
				}
			}
			for i := range tt.grad {
				if !close(float64(g[i]), float64(tt.grad[i]), 1e-6) {
					t.Errorf("grad = %v, want %v", g, tt.grad)
					break
				}
			}
		})
	}
}

func TestLossFusion(t *testing.T) {
	for _, tt := range []struct {
		loss  string
		act   actKind
		fused bool
	}{
		{"binary_crossentropy", actSigmoid, true},
		{"binary_crossentropy", actSoftmax, false},
		{"sparse_categorical_crossentropy", actSoftmax, true},
		{"categorical_crossentropy", actSoftmax, true},
		{"categorical_crossentropy", actSigmoid, false},
		{"mse", actSoftmax, false},
	} {
		l, err := parseLoss(tt.loss, tt.act, 1)
		if err != nil || l.fused != tt.fused {
			t.Errorf("%s after activation %d: fused=%v err=%v, want fused=%v", tt.loss, tt.act, l.fused, err, tt.fused)
		}
	}
	if _, err := parseLoss("hinge", actLinear, 1); !errors.Is(err, ErrUnknownLoss) {
		t.Errorf("hinge: %v, want ErrUnknownLoss", err)
	}
}

// Metric values computed by hand, including streaming over several batches.
func TestMetricTable(t *testing.T) {
	type batch struct {
		a, y []float32
		n    int
	}
	tests := []struct {
		metric  string
		loss    string
		units   int
		batches []batch
		want    float64
	}{
		// argmax 1 (hit), 0 (miss), tie → first index 0 (hit)
		{"accuracy", "sparse_categorical_crossentropy", 2, []batch{{[]float32{0.1, 0.9, 0.8, 0.2, 0.5, 0.5}, []float32{1, 1, 0}, 3}}, 2.0 / 3},
		{"accuracy", "categorical_crossentropy", 2, []batch{{[]float32{0.1, 0.9, 0.8, 0.2, 0.5, 0.5}, []float32{0, 1, 0, 1, 1, 0}, 3}}, 2.0 / 3},
		// 0.7→1 hit, 0.2→0 hit, 0.5→0 (strict threshold) miss, 0.9→1 hit
		{"accuracy", "binary_crossentropy", 2, []batch{{[]float32{0.7, 0.2, 0.5, 0.9}, []float32{1, 0, 1, 1}, 2}}, 3.0 / 4},
		{"binary_accuracy", "mse", 1, []batch{{[]float32{0.7, 0.2}, []float32{1, 1}, 2}}, 0.5},
		{"acc", "mse", 1, []batch{{[]float32{0.7, 0.2}, []float32{1, 1}, 2}}, 0.5},
		// running means weight batches by their rows: (1 + 0 + 1) / 3
		{"sparse_categorical_accuracy", "sparse_categorical_crossentropy", 2, []batch{
			{[]float32{0, 1, 1, 0}, []float32{1, 1}, 2}, {[]float32{0, 1}, []float32{1}, 1}}, 2.0 / 3},
		{"mse", "mse", 2, []batch{{[]float32{1, 2}, []float32{0, 4}, 1}}, 2.5},
		{"mae", "mse", 2, []batch{{[]float32{1, 2}, []float32{0, 4}, 1}}, 1.5},
		{"rmse", "mse", 2, []batch{{[]float32{1, 2}, []float32{0, 4}, 1}}, math.Sqrt(2.5)},
		// rmse streams the squared errors: √((9+1)/2), not the mean of 3 and 1
		{"root_mean_squared_error", "mse", 1, []batch{{[]float32{3}, []float32{0}, 1}, {[]float32{1}, []float32{0}, 1}}, math.Sqrt(5)},
		// mse over batches of 2 rows and 1 row: (1+9+4)/3
		{"mean_squared_error", "mae", 1, []batch{{[]float32{1, 3}, []float32{0, 0}, 2}, {[]float32{-2}, []float32{0}, 1}}, 14.0 / 3},
	}
	for _, tt := range tests {
		t.Run(tt.metric+"/"+tt.loss, func(t *testing.T) {
			l, err := parseLoss(tt.loss, actLinear, 1)
			if err != nil {
				t.Fatal(err)
			}
			m, err := parseMetric(tt.metric, l, tt.units)
			if err != nil {
				t.Fatal(err)
			}
			m.reset()
			for _, b := range tt.batches {
				m.update(b.a, b.y, nil, b.n, tt.units)
			}
			if got := m.result(); !close(got, tt.want, 1e-12) {
				t.Errorf("%s = %v, want %v", tt.metric, got, tt.want)
			}
		})
	}
}

func TestMetricResolution(t *testing.T) {
	for _, tt := range []struct {
		metric, loss string
		units        int
		want         metricKind
	}{
		{"accuracy", "sparse_categorical_crossentropy", 10, metricSparseCategoricalAccuracy},
		{"accuracy", "categorical_crossentropy", 10, metricCategoricalAccuracy},
		{"accuracy", "binary_crossentropy", 3, metricBinaryAccuracy},
		{"acc", "mse", 1, metricBinaryAccuracy},
		{"accuracy", "mse", 4, metricCategoricalAccuracy},
		{"rmse", "mae", 2, metricRMSE},
	} {
		l, _ := parseLoss(tt.loss, actLinear, 1)
		m, err := parseMetric(tt.metric, l, tt.units)
		if err != nil || m.kind != tt.want || m.name != tt.metric {
			t.Errorf("%s with %s/%d units: kind %d name %q err %v, want kind %d", tt.metric, tt.loss, tt.units, m.kind, m.name, err, tt.want)
		}
	}
	l, _ := parseLoss("sparse_categorical_crossentropy", actSoftmax, 1)
	if _, err := parseMetric("mse", l, 10); !errors.Is(err, ErrUnknownMetric) {
		t.Errorf("mse with sparse labels: %v, want ErrUnknownMetric", err)
	}
	if _, err := parseMetric("f1", l, 10); !errors.Is(err, ErrUnknownMetric) {
		t.Errorf("f1: %v, want ErrUnknownMetric", err)
	}
}

// Evaluate end to end on an identity model, whose outputs equal its inputs,
// with a partial last batch.
func TestEvaluateKnownValues(t *testing.T) {
	m := NewSequential(Input(2), Dense(2, Linear))
	if err := m.Compile(CompileConfig{Loss: "mse", Metrics: []string{"mae", "rmse", "accuracy"}}); err != nil {
		t.Fatal(err)
	}
	copy(denses(m)[0].w.w, []float32{1, 0, 0, 1})
	x := NewMatrixFrom(3, 2, []float32{1, 2, 0, 0, 0.9, 0.1})
	y := NewMatrixFrom(3, 2, []float32{0, 4, 1, 1, 0, 1})
	logs, err := m.Evaluate(context.Background(), x, y, EvaluateConfig{BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	sq := (1 + 4) + (1 + 1) + (0.81 + 0.81) // squared errors
	want := Logs{
		"loss": sq / 6,
		"mae":  ((1 + 2) + (1 + 1) + (0.9 + 0.9)) / 6,
		"rmse": math.Sqrt(sq / 6),
		// categorical accuracy, argmax of output vs target: 1=1, 0=0 (ties
		// resolve to the first index), 0≠1.
		"accuracy": 2.0 / 3,
	}
	for k, v := range want {
		if !close(logs[k], v, 1e-6) {
			t.Errorf("%s = %v, want %v", k, logs[k], v)
		}
	}
	if len(logs) != len(want) {
		t.Errorf("logs %v have unexpected keys", logs)
	}
}

// Sample weights weigh each row's contribution to a metric: Σ w·m / Σ w.
func TestMetricSampleWeights(t *testing.T) {
	for _, tt := range []struct {
		metric, loss string
		units        int
		a, y, sw     []float32
		want         float64
	}{
		// rows hit, miss, hit with weights 1, 3, 0: 1/4
		{"accuracy", "sparse_categorical_crossentropy", 2, []float32{0.1, 0.9, 0.8, 0.2, 0.4, 0.6}, []float32{1, 1, 1}, []float32{1, 3, 0}, 0.25},
		// squared errors 1, 4 with weights 3, 1: (3 + 4)/4
		{"mse", "mse", 1, []float32{1, 2}, []float32{0, 0}, []float32{3, 1}, 7.0 / 4},
		{"rmse", "mse", 1, []float32{1, 2}, []float32{0, 0}, []float32{3, 1}, math.Sqrt(7.0 / 4)},
		{"mae", "mse", 1, []float32{1, -2}, []float32{0, 0}, []float32{1, 1}, 1.5},
		// binary accuracy over 2 outputs per row: row 0 both right (w 2), row 1 one right (w 1): (4 + 1)/6
		{"binary_accuracy", "binary_crossentropy", 2, []float32{0.9, 0.1, 0.9, 0.9}, []float32{1, 0, 1, 0}, []float32{2, 1}, 5.0 / 6},
	} {
		l, _ := parseLoss(tt.loss, actLinear, 1)
		m, err := parseMetric(tt.metric, l, tt.units)
		if err != nil {
			t.Fatal(err)
		}
		m.update(tt.a, tt.y, tt.sw, len(tt.sw), tt.units)
		if got := m.result(); !close(got, tt.want, 1e-12) {
			t.Errorf("%s weighted = %v, want %v", tt.metric, got, tt.want)
		}
	}
}

func TestMonitorMaximized(t *testing.T) {
	for key, want := range map[string]bool{
		"loss": false, "val_loss": false, "val_aux_output_loss": false, "accuracy": true, "val_acc": true,
		"val_output_sparse_categorical_accuracy": true, "rmse": false, "val_main_root_mean_squared_error": false,
		"mean_absolute_error": false, "val_x_binary_accuracy": true,
	} {
		got, ok := monitorMaximized(key)
		if !ok || got != want {
			t.Errorf("%s: maximize %v ok %v, want %v", key, got, ok, want)
		}
	}
	if _, ok := monitorMaximized("val_f1"); ok {
		t.Error("val_f1 resolved")
	}
}
