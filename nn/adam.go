package nn

import (
	"fmt"
	"math"

	"github.com/tunekit/tune/nn/internal/vec"
)

// Adam is the Adam optimizer, updating as Keras does:
//
//	m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  w ← w − lr·√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v + ε)
//
// Zero fields take Keras' defaults: LearningRate 0.001, Beta1 0.9,
// Beta2 0.999, Epsilon 1e-7. See Optimizer for the clipping fields.
type Adam struct {
	LearningRate float64
	Beta1        float64
	Beta2        float64
	Epsilon      float64

	ClipValue, ClipNorm, GlobalClipNorm float64
}

// AdamW is Adam with decoupled weight decay, as Keras' AdamW: before each
// Adam update every weight shrinks by lr·WeightDecay·w. Zero fields take
// Keras' defaults: WeightDecay 0.004 and Adam's (use Adam for no decay).
type AdamW struct {
	LearningRate float64
	WeightDecay  float64
	Beta1        float64
	Beta2        float64
	Epsilon      float64

	ClipValue, ClipNorm, GlobalClipNorm float64
}

func errNilOptimizer(name string) error {
	return fmt.Errorf("%w: nil *%s", ErrInvalidConfig, name)
}

func (o *Adam) newUpdater(params []param) (updater, error) {
	if o == nil {
		return nil, errNilOptimizer("Adam")
	}
	return newAdam("Adam", params, o.LearningRate, 0, o.Beta1, o.Beta2, o.Epsilon, clipping{o.ClipValue, o.ClipNorm, o.GlobalClipNorm})
}

func (o *AdamW) newUpdater(params []param) (updater, error) {
	if o == nil {
		return nil, errNilOptimizer("AdamW")
	}
	wd := orDefault(o.WeightDecay, 0.004)
	if err := checkPositive("AdamW", "WeightDecay", wd); err != nil {
		return nil, err
	}
	return newAdam("AdamW", params, o.LearningRate, wd, o.Beta1, o.Beta2, o.Epsilon, clipping{o.ClipValue, o.ClipNorm, o.GlobalClipNorm})
}

func newAdam(name string, params []param, lr, wd, beta1, beta2, eps float64, c clipping) (updater, error) {
	b, err := newOptBase(name, params, orDefault(lr, 0.001), c)
	if err != nil {
		return nil, err
	}
	u := &adamState{optBase: b, name: name, weightDecay: wd,
		beta1: orDefault(beta1, 0.9), beta2: orDefault(beta2, 0.999), eps: orDefault(eps, 1e-7)}
	if err := checkRange(name, "Beta1", u.beta1, 0, 1, true); err != nil {
		return nil, err
	}
	if err := checkRange(name, "Beta2", u.beta2, 0, 1, true); err != nil {
		return nil, err
	}
	if err := checkPositive(name, "Epsilon", u.eps); err != nil {
		return nil, err
	}
	u.m = u.addSlots("m", 0)
	u.v = u.addSlots("v", 0)
	return u, nil
}

type adamState struct {
	optBase
	name              string
	weightDecay       float64
	beta1, beta2, eps float64
	m, v              [][]float32
}

func (s *adamState) config() optimizerJSON {
	j := optimizerJSON{Type: s.name, Beta1: s.beta1, Beta2: s.beta2, Epsilon: s.eps, WeightDecay: s.weightDecay}
	s.clipConfig(&j)
	return j
}

func (s *adamState) step() {
	s.begin()
	t := float64(s.iterations)
	alpha := float32(s.lr * math.Sqrt(1-math.Pow(s.beta2, t)) / (1 - math.Pow(s.beta1, t)))
	b1, b2, eps := float32(s.beta1), float32(s.beta2), float32(s.eps)
	decay := float32(s.lr * s.weightDecay)
	for k, p := range s.params {
		w, g := p.w, p.g[:len(p.w)]
		m, v := s.m[k][:len(w)], s.v[k][:len(w)]
		if decay != 0 {
			for i := range w {
				w[i] -= w[i] * decay
			}
		}
		vec.Adam(w, g, m, v, alpha, 1-b1, 1-b2, eps) // one sweep, vector kernels
	}
}
