package data

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/tunekit/tune/nn"
)

// A model trained on a scaled target reports metrics that Unscale turns
// into the target's units; they equal the metrics computed by hand from
// the inverse-transformed predictions.
func TestTargetScalerMetricsInTargetUnits(t *testing.T) {
	x, y := nn.NewMatrix(64, 2), nn.NewMatrix(64, 1)
	for i := range 64 {
		a, b := float32(i%8)/8, float32(i/8)/8
		x.Set(i, 0, a)
		x.Set(i, 1, b)
		y.Data[i] = 1000 + 400*a - 250*b + float32(i%3)*30 // a price in dollars
	}
	for _, kind := range []string{TargetMinMax, TargetStandard} {
		ts, err := FitTarget(kind, y)
		if err != nil {
			t.Fatal(err)
		}
		ys, err := ts.Transform(y)
		if err != nil {
			t.Fatal(err)
		}
		m := nn.NewSequential(nn.Input(2), nn.Dense(8, nn.ReLU), nn.Dense(1, ""))
		if err := m.Compile(nn.CompileConfig{Loss: "mse", Optimizer: &nn.Adam{LearningRate: 0.01}, Metrics: []string{"mae", "rmse"}, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Fit(context.Background(), x, ys, nn.FitConfig{Epochs: 5, BatchSize: 16, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		logs, err := m.Evaluate(context.Background(), x, ys, nn.EvaluateConfig{})
		if err != nil {
			t.Fatal(err)
		}
		ps, err := m.Predict(x)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ts.InverseTransform(ps)
		if err != nil {
			t.Fatal(err)
		}
		var se, ae float64
		for i, v := range p.Data {
			d := float64(v) - float64(y.Data[i])
			se += d * d
			ae += math.Abs(d)
		}
		n := float64(y.Rows)
		hand := map[string]float64{"loss": se / n, "mae": ae / n, "rmse": math.Sqrt(se / n)}
		for name, want := range hand {
			got, ok := ts.Unscale("val_"+name, logs[name], "mse")
			if !ok || math.Abs(got-want) > 1e-3*want {
				t.Errorf("%s: %s in target units %v (ok %v), by hand %v", kind, name, got, ok, want)
			}
		}
		if _, ok := ts.Unscale("accuracy", 0.5, "mse"); ok {
			t.Error("accuracy converted")
		}
	}
}

func TestFitTarget(t *testing.T) {
	y := &nn.Matrix{Rows: 4, Cols: 1, Data: []float32{2, 4, 6, 8}}
	for _, tt := range []struct {
		kind         string
		shift, scale float64
	}{
		{"", 0, 1}, {TargetNone, 0, 1}, {TargetMinMax, 2, 6}, {TargetStandard, 5, math.Sqrt(5)},
	} {
		ts, err := FitTarget(tt.kind, y)
		if err != nil || ts.Shift != tt.shift || math.Abs(ts.Scale-tt.scale) > 1e-12 {
			t.Errorf("FitTarget(%q) = %+v, %v; want shift %v scale %v", tt.kind, ts, err, tt.shift, tt.scale)
			continue
		}
		s, _ := ts.Transform(y)
		back, _ := ts.InverseTransform(s)
		for i, v := range back.Data {
			if math.Abs(float64(v-y.Data[i])) > 1e-5 {
				t.Errorf("%q: round trip %v, want %v", tt.kind, back.Data, y.Data)
				break
			}
		}
	}
	if ts, _ := FitTarget(TargetStandard, &nn.Matrix{Rows: 2, Cols: 1, Data: []float32{3, 3}}); ts.Scale != 1 {
		t.Errorf("constant target scale %v", ts.Scale)
	}
	if _, err := FitTarget("log", y); !errors.Is(err, ErrOptions) {
		t.Errorf("unknown kind: %v", err)
	}
	if _, err := FitTarget(TargetMinMax, &nn.Matrix{Rows: 1, Cols: 2, Data: []float32{1, 2}}); !errors.Is(err, ErrShape) {
		t.Errorf("two columns: %v", err)
	}
	var unfitted TargetScaler
	if _, err := unfitted.Transform(y); !errors.Is(err, ErrNotFitted) {
		t.Errorf("unfitted: %v", err)
	}
}
