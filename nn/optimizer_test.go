package nn

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// Three steps of each optimizer on two weights with changing gradients,
// against the Keras update rules written out in float64.
func TestOptimizerSteps(t *testing.T) {
	w0 := []float64{1, -2}
	grads := [][]float64{{0.5, 0.1}, {-1, 0.1}, {0.25, -3}}

	type rule func(w []float64, steps [][]float64) []float64
	sgd := func(lr, mom float64, nesterov bool) rule {
		return func(w []float64, steps [][]float64) []float64 {
			w = slices.Clone(w)
			v := make([]float64, len(w))
			for _, g := range steps {
				for i := range w {
					v[i] = mom*v[i] - lr*g[i]
					if nesterov {
						w[i] += mom*v[i] - lr*g[i]
					} else {
						w[i] += v[i]
					}
				}
			}
			return w
		}
	}
	adam := func(lr, b1, b2, eps float64) rule {
		return func(w []float64, steps [][]float64) []float64 {
			w = slices.Clone(w)
			m, v := make([]float64, len(w)), make([]float64, len(w))
			for t, g := range steps {
				alpha := lr * math.Sqrt(1-math.Pow(b2, float64(t+1))) / (1 - math.Pow(b1, float64(t+1)))
				for i := range w {
					m[i] = b1*m[i] + (1-b1)*g[i]
					v[i] = b2*v[i] + (1-b2)*g[i]*g[i]
					w[i] -= alpha * m[i] / (math.Sqrt(v[i]) + eps)
				}
			}
			return w
		}
	}
	adamw := func(lr, wd, b1, b2, eps float64) rule {
		return func(w []float64, steps [][]float64) []float64 {
			w = slices.Clone(w)
			m, v := make([]float64, len(w)), make([]float64, len(w))
			for t, g := range steps {
				alpha := lr * math.Sqrt(1-math.Pow(b2, float64(t+1))) / (1 - math.Pow(b1, float64(t+1)))
				for i := range w {
					w[i] -= w[i] * lr * wd
					m[i] = b1*m[i] + (1-b1)*g[i]
					v[i] = b2*v[i] + (1-b2)*g[i]*g[i]
					w[i] -= alpha * m[i] / (math.Sqrt(v[i]) + eps)
				}
			}
			return w
		}
	}
	adagrad := func(lr, init, eps float64) rule {
		return func(w []float64, steps [][]float64) []float64 {
			w = slices.Clone(w)
			a := []float64{init, init}
			for _, g := range steps {
				for i := range w {
					a[i] += g[i] * g[i]
					w[i] -= lr * g[i] / math.Sqrt(a[i]+eps)
				}
			}
			return w
		}
	}
	// clipped wraps a rule with gradient clipping applied to each step.
	clipped := func(r rule, clip func(g []float64) []float64) rule {
		return func(w []float64, steps [][]float64) []float64 {
			var c [][]float64
			for _, g := range steps {
				c = append(c, clip(slices.Clone(g)))
			}
			return r(w, c)
		}
	}
	byNorm := func(max float64) func([]float64) []float64 {
		return func(g []float64) []float64 {
			n := math.Hypot(g[0], g[1])
			if n > max {
				g[0], g[1] = g[0]*max/n, g[1]*max/n
			}
			return g
		}
	}
	byValue := func(max float64) func([]float64) []float64 {
		return func(g []float64) []float64 {
			for i := range g {
				g[i] = math.Max(-max, math.Min(max, g[i]))
			}
			return g
		}
	}
	rmsprop := func(lr, rho, mom, eps float64) rule {
		return func(w []float64, steps [][]float64) []float64 {
			w = slices.Clone(w)
			s, u := make([]float64, len(w)), make([]float64, len(w))
			for _, g := range steps {
				for i := range w {
					s[i] = rho*s[i] + (1-rho)*g[i]*g[i]
					d := lr * g[i] / math.Sqrt(s[i]+eps)
					u[i] = mom*u[i] + d
					w[i] -= u[i]
				}
			}
			return w
		}
	}
	for _, tt := range []struct {
		name string
		opt  Optimizer
		want rule
	}{
		{"sgd default lr", &SGD{}, sgd(0.01, 0, false)},
		{"sgd", &SGD{LearningRate: 0.1}, sgd(0.1, 0, false)},
		{"momentum", &SGD{LearningRate: 0.1, Momentum: 0.9}, sgd(0.1, 0.9, false)},
		{"nesterov", &SGD{LearningRate: 0.1, Momentum: 0.9, Nesterov: true}, sgd(0.1, 0.9, true)},
		{"adam defaults", &Adam{}, adam(0.001, 0.9, 0.999, 1e-7)},
		{"adam", &Adam{LearningRate: 0.1, Beta1: 0.5, Beta2: 0.8, Epsilon: 1e-3}, adam(0.1, 0.5, 0.8, 1e-3)},
		{"rmsprop defaults", &RMSprop{}, rmsprop(0.001, 0.9, 0, 1e-7)},
		{"rmsprop momentum", &RMSprop{LearningRate: 0.1, Rho: 0.5, Momentum: 0.7, Epsilon: 1e-3}, rmsprop(0.1, 0.5, 0.7, 1e-3)},
		{"adamw defaults", &AdamW{}, adamw(0.001, 0.004, 0.9, 0.999, 1e-7)},
		{"adamw", &AdamW{LearningRate: 0.1, WeightDecay: 0.5, Beta1: 0.5, Beta2: 0.8, Epsilon: 1e-3}, adamw(0.1, 0.5, 0.5, 0.8, 1e-3)},
		{"adagrad defaults", &Adagrad{}, adagrad(0.001, 0.1, 1e-7)},
		{"adagrad", &Adagrad{LearningRate: 0.5, InitialAccumulatorValue: 1, Epsilon: 1e-3}, adagrad(0.5, 1, 1e-3)},
		// One tensor of two weights: ClipNorm and GlobalClipNorm agree.
		{"sgd clipnorm", &SGD{LearningRate: 0.1, ClipNorm: 0.5}, clipped(sgd(0.1, 0, false), byNorm(0.5))},
		{"adam global clipnorm", &Adam{LearningRate: 0.1, GlobalClipNorm: 0.5}, clipped(adam(0.1, 0.9, 0.999, 1e-7), byNorm(0.5))},
		{"rmsprop clipvalue", &RMSprop{LearningRate: 0.1, ClipValue: 0.3}, clipped(rmsprop(0.1, 0.9, 0, 1e-7), byValue(0.3))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := param{w: []float32{float32(w0[0]), float32(w0[1])}, g: make([]float32, 2)}
			u, err := tt.opt.newUpdater([]param{p})
			if err != nil {
				t.Fatal(err)
			}
			for k, g := range grads {
				p.g[0], p.g[1] = float32(g[0]), float32(g[1])
				u.step()
				if u.base().iterations != int64(k+1) {
					t.Fatalf("iterations %d after %d steps", u.base().iterations, k+1)
				}
				want := tt.want(w0, grads[:k+1])
				for i := range want {
					if math.Abs(float64(p.w[i])-want[i]) > 1e-6*(1+math.Abs(want[i])) {
						t.Fatalf("after step %d: w = %v, want %v", k+1, p.w, want)
					}
				}
			}
		})
	}
	if _, err := (&Adam{Beta1: 1}).newUpdater(nil); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("Beta1 1: %v", err)
	}
}

func TestEpochOrder(t *testing.T) {
	a, b, c, d := make([]int, 50), make([]int, 50), make([]int, 50), make([]int, 50)
	epochOrder(a, 1, 0)
	epochOrder(b, 1, 0)
	epochOrder(c, 1, 1)
	epochOrder(d, 2, 0)
	if !slices.Equal(a, b) {
		t.Error("same (seed, epoch) gave different orders")
	}
	if slices.Equal(a, c) || slices.Equal(a, d) {
		t.Error("another epoch or seed gave the same order")
	}
	slices.Sort(c)
	for i, v := range c {
		if v != i {
			t.Fatal("not a permutation")
		}
	}
}

// GlobalClipNorm scales all tensors together, ClipNorm each on its own.
func TestClipNormGlobalVersusPerTensor(t *testing.T) {
	run := func(opt Optimizer) [2]float32 {
		a := param{w: []float32{0}, g: []float32{3}}
		b := param{w: []float32{0}, g: []float32{4}}
		u, err := opt.newUpdater([]param{a, b})
		if err != nil {
			t.Fatal(err)
		}
		u.step()
		return [2]float32{a.w[0], b.w[0]}
	}
	// global norm 5 → scale 1/5: steps −0.6, −0.8
	if got := run(&SGD{LearningRate: 1, GlobalClipNorm: 1}); math.Abs(float64(got[0])+0.6) > 1e-6 || math.Abs(float64(got[1])+0.8) > 1e-6 {
		t.Errorf("global: %v", got)
	}
	// per tensor: each clipped to 1
	if got := run(&SGD{LearningRate: 1, ClipNorm: 1}); got != [2]float32{-1, -1} {
		t.Errorf("per tensor: %v", got)
	}
}
