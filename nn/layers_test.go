package nn

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// Dropout zeroes about rate of its inputs in training, scales the rest by
// 1/(1−rate), and passes its input through at inference.
func TestDropout(t *testing.T) {
	m := mustCompile(t, NewSequential(Input(1000), Dropout(0.3), Dense(1, Linear)), CompileConfig{Loss: "mse"})
	m.reserve(4)
	r := newRNG(1, 1)
	x := randSlice(&r, 4000)
	m.forward([][]float32{x}, 4, true)
	d := m.units[1].(*dropoutUnit)
	zeros := 0
	for i, v := range d.out {
		switch {
		case v == 0:
			zeros++
		case math.Abs(float64(v)-float64(x[i])/0.7) > 1e-6:
			t.Fatalf("kept value %v, want %v/0.7", v, x[i])
		}
	}
	if f := float64(zeros) / 4000; math.Abs(f-0.3) > 0.03 {
		t.Errorf("dropped %v of the inputs, want 0.3", f)
	}
	m.forward([][]float32{x}, 4, false)
	if !reflect.DeepEqual(d.out, x) {
		t.Error("Dropout changed its input at inference")
	}
	// Predict equals the model without Dropout.
	plain := mustCompile(t, NewSequential(Input(1000), Dense(1, Linear)), CompileConfig{Loss: "mse"})
	w, _ := m.MarshalWeights()
	if err := plain.UnmarshalWeights(w); err != nil {
		t.Fatal(err)
	}
	xm := NewMatrixFrom(4, 1000, x)
	p1, _ := m.Predict(xm)
	p2, _ := plain.Predict(xm)
	if !reflect.DeepEqual(p1, p2) {
		t.Error("Predict with Dropout differs from the model without it")
	}
}

// BatchNormalization normalises with batch statistics in training, updates
// its moving statistics with the momentum, and uses them at inference.
func TestBatchNormalization(t *testing.T) {
	m := mustCompile(t, NewSequential(Input(2), BatchNormalization(BatchNormMomentum(0.9), BatchNormEpsilon(0.01)), Dense(1, Linear)),
		CompileConfig{Loss: "mse"})
	m.reserve(4)
	x := []float32{1, 10, 2, 20, 3, 30, 6, 40}
	m.forward([][]float32{x}, 4, true)
	bn := m.units[1].(*batchNorm)
	// feature 0: mean 3, variance (4+1+0+9)/4 = 3.5; feature 1: mean 25, variance 125
	mean, variance := []float64{3, 25}, []float64{3.5, 125}
	for r := range 4 {
		for j := range 2 {
			want := (float64(x[r*2+j]) - mean[j]) / math.Sqrt(variance[j]+0.01)
			if got := float64(bn.out[r*2+j]); math.Abs(got-want) > 1e-5 {
				t.Errorf("row %d feature %d: %v, want %v", r, j, got, want)
			}
		}
	}
	for j := range 2 {
		if got, want := float64(bn.movingMean.w[j]), 0.1*mean[j]; math.Abs(got-want) > 1e-5 {
			t.Errorf("moving mean %d: %v, want %v", j, got, want)
		}
		if got, want := float64(bn.movingVar.w[j]), 0.9+0.1*variance[j]; math.Abs(got-want) > 1e-4 {
			t.Errorf("moving variance %d: %v, want %v", j, got, want)
		}
	}
	m.forward([][]float32{x}, 4, false)
	for j := range 2 {
		want := (float64(x[j]) - float64(bn.movingMean.w[j])) / math.Sqrt(float64(bn.movingVar.w[j])+0.01)
		if got := float64(bn.out[j]); math.Abs(got-want) > 1e-5 {
			t.Errorf("inference feature %d: %v, want %v", j, got, want)
		}
	}
	if s := m.Summary(); !strings.Contains(s, "Trainable params: 7") || !strings.Contains(s, "Non-trainable params: 4") {
		t.Errorf("summary:\n%s", s)
	}
}

// Normalization learns per-column means and population variances, and
// standardises with them.
func TestNormalizationAdapt(t *testing.T) {
	norm := Normalization()
	x := NewMatrixFrom(4, 2, []float32{1, 5, 2, 5, 3, 5, 6, 5})
	if err := norm.Adapt(x); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(norm.Mean(), []float32{3, 5}) || !reflect.DeepEqual(norm.Variance(), []float32{3.5, 0}) {
		t.Fatalf("mean %v variance %v", norm.Mean(), norm.Variance())
	}
	m := mustCompile(t, NewSequential(Input(2), norm, Dense(1, Linear)), CompileConfig{Loss: "mse"})
	m.reserve(4)
	m.forward([][]float32{x.Data}, 4, false)
	out := m.units[1].base().out
	if want := float32(-2 / math.Sqrt(3.5)); math.Abs(float64(out[0]-want)) > 1e-6 {
		t.Errorf("normalised %v, want %v", out[0], want)
	}
	if out[1] != 0 { // zero variance: (5 − 5)/1e-7
		t.Errorf("constant column normalised to %v", out[1])
	}
	if s := m.Summary(); !strings.Contains(s, "Non-trainable params: 5") {
		t.Errorf("summary:\n%s", s)
	}
	bad := NewMatrixFrom(1, 2, []float32{1, float32(math.NaN())})
	if err := norm.Adapt(bad); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("NaN: %v", err)
	}
	if err := norm.SetStatistics([]float32{1}, []float32{-1}); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("negative variance: %v", err)
	}
	if err := norm.Adapt(nil); !errors.Is(err, ErrEmptyData) {
		t.Errorf("nil: %v", err)
	}
}

// Each initializer draws from its distribution, deterministically by seed.
func TestInitializers(t *testing.T) {
	const in, out = 400, 200
	for _, tt := range []struct {
		init     Initializer
		mean, sd float64
		bound    float64 // 0: none
	}{
		{GlorotUniform, 0, math.Sqrt(2.0 / 600), math.Sqrt(6.0 / 600)},
		{GlorotNormal, 0, math.Sqrt(2.0 / 600), 2 * math.Sqrt(2.0/600) / truncatedNormalStd},
		{HeNormal, 0, math.Sqrt(2.0 / 400), 2 * math.Sqrt(2.0/400) / truncatedNormalStd},
		{HeUniform, 0, math.Sqrt(2.0 / 400), math.Sqrt(6.0 / 400)},
		{LecunNormal, 0, math.Sqrt(1.0 / 400), 2 * math.Sqrt(1.0/400) / truncatedNormalStd},
		{LecunUniform, 0, math.Sqrt(1.0 / 400), math.Sqrt(3.0 / 400)},
		{RandomNormal, 0, 0.05, 0},
		{RandomUniform, 0, 0.05 / math.Sqrt(3), 0.05},
		{Zeros, 0, 0, 0},
		{Ones, 1, 0, 0},
	} {
		t.Run(string(tt.init), func(t *testing.T) {
			build := func(seed int64) *dense {
				m := mustCompile(t, NewSequential(Input(in), Dense(out, Linear, KernelInitializer(tt.init))), CompileConfig{Loss: "mse", Seed: seed})
				return denses(m)[0]
			}
			d := build(1)
			var sum, sq float64
			for _, w := range d.w.w {
				if tt.bound > 0 && math.Abs(float64(w)) > tt.bound*(1+1e-6) {
					t.Fatalf("weight %v outside ±%v", w, tt.bound)
				}
				sum += float64(w)
				sq += float64(w) * float64(w)
			}
			n := float64(len(d.w.w))
			mean := sum / n
			sd := math.Sqrt(sq/n - mean*mean)
			if math.Abs(mean-tt.mean) > 0.01*(tt.sd+0.01) || math.Abs(sd-tt.sd) > 0.02*tt.sd+1e-9 {
				t.Errorf("mean %v sd %v, want %v and %v", mean, sd, tt.mean, tt.sd)
			}
			if !reflect.DeepEqual(build(1).w.w, d.w.w) {
				t.Error("same seed, different weights")
			}
			if tt.sd > 0 && reflect.DeepEqual(build(2).w.w, d.w.w) {
				t.Error("another seed, same weights")
			}
		})
	}
	m := mustCompile(t, NewSequential(Input(3), Dense(2, Linear, BiasInitializer(Ones))), CompileConfig{Loss: "mse"})
	if b := denses(m)[0].b.w; b[0] != 1 || b[1] != 1 {
		t.Errorf("bias %v, want ones", b)
	}
}

// NewModel's checks: a mistake anywhere in the graph is reported with the
// layer's name.
func TestNewModelErrors(t *testing.T) {
	a, b := NewInput("a", 3), NewInput("b", 2)
	flat := Dense(2, ReLU).Apply(a)
	img := NewInput("img", 2, 2)
	zero, badName := NewInput("c", 0), NewInput("c[0]", 1)
	cases := []struct {
		name     string
		in, out  []*Node
		want     error
		contains string
	}{
		{"no inputs", nil, []*Node{flat}, ErrInvalidModel, "no inputs"},
		{"no outputs", []*Node{a}, nil, ErrInvalidModel, "no outputs"},
		{"nil output", []*Node{a}, []*Node{nil}, ErrInvalidModel, "output 0 is nil"},
		{"input not an input", []*Node{flat}, []*Node{flat}, ErrInvalidModel, "not an input made by NewInput"},
		{"missing input", []*Node{a}, []*Node{Concatenate().Apply(flat, b)}, ErrInvalidModel, `input "b", which is not among`},
		{"unused input", []*Node{a, b}, []*Node{flat}, ErrInvalidModel, `input "b" is not used`},
		{"duplicate input", []*Node{a, a}, []*Node{flat}, ErrInvalidModel, "given twice"},
		{"duplicate output", []*Node{a}, []*Node{flat, flat}, ErrInvalidModel, "given twice"},
		{"shape", []*Node{a}, []*Node{Dense(1, "", Name("head")).Apply(Dense(0, ReLU, Name("zero")).Apply(a))}, ErrInvalidModel, `layer "zero" (Dense): units must be positive`},
		{"arity", []*Node{a}, []*Node{Dense(1, "").Apply(a, a)}, ErrInvalidModel, "takes 1 input(s), got 2"},
		{"nil input", []*Node{a}, []*Node{Dense(1, "").Apply(nil)}, ErrInvalidModel, "input 0 is nil"},
		{"input applied", []*Node{a}, []*Node{Input(3).Apply(a)}, ErrInvalidModel, "use NewInput"},
		{"bad input shape", []*Node{zero}, []*Node{zero}, ErrInvalidModel, "non-positive"},
		{"bad name", []*Node{badName}, []*Node{badName}, ErrInvalidModel, "bracket"},
		{"concat of images", []*Node{img}, []*Node{Flatten().Apply(Concatenate().Apply(img, img))}, ErrInvalidModel, "Concatenate needs flat inputs"},
	}
	shared := Dense(3, ReLU)
	x := shared.Apply(a)
	cases = append(cases, struct {
		name     string
		in, out  []*Node
		want     error
		contains string
	}{"shared layer", []*Node{a}, []*Node{shared.Apply(x)}, ErrInvalidModel, "applied a second time"})
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewModel(tt.in, tt.out)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.contains) || !strings.HasPrefix(err.Error(), "nn: ") {
				t.Errorf("err = %v, want %v containing %q", err, tt.want, tt.contains)
			}
		})
	}
	// The same Layer value may still appear in several models.
	for range 2 {
		in := NewInput("x", 2)
		if _, err := NewModel([]*Node{in}, []*Node{shared.Apply(in)}); err != nil {
			t.Fatal(err)
		}
	}
	// Add on a functional model is reported by Compile.
	m, err := NewModel([]*Node{a}, []*Node{flat})
	if err != nil {
		t.Fatal(err)
	}
	m.Add(Dense(1, ""))
	if err := m.Compile(CompileConfig{Loss: "mse"}); !errors.Is(err, ErrInvalidModel) {
		t.Errorf("Add on a functional model: %v", err)
	}
	if (&Node{}).Shape() != nil || flat.Shape()[0] != 2 {
		t.Error("Node.Shape")
	}
}
