package nn

import "math"

// Adagrad is the Adagrad optimizer, updating as Keras does:
//
//	a ← a + g²;  w ← w − lr·g/√(a + ε)
//
// with the accumulator a starting at InitialAccumulatorValue. Zero fields
// take Keras' defaults: LearningRate 0.001, InitialAccumulatorValue 0.1,
// Epsilon 1e-7. See Optimizer for the clipping fields.
type Adagrad struct {
	LearningRate            float64
	InitialAccumulatorValue float64
	Epsilon                 float64

	ClipValue, ClipNorm, GlobalClipNorm float64
}

func (o *Adagrad) newUpdater(params []param) (updater, error) {
	if o == nil {
		return nil, errNilOptimizer("Adagrad")
	}
	b, err := newOptBase("Adagrad", params, orDefault(o.LearningRate, 0.001), clipping{o.ClipValue, o.ClipNorm, o.GlobalClipNorm})
	if err != nil {
		return nil, err
	}
	u := &adagradState{optBase: b, init: orDefault(o.InitialAccumulatorValue, 0.1), eps: orDefault(o.Epsilon, 1e-7)}
	if err := checkPositive("Adagrad", "InitialAccumulatorValue", u.init); err != nil {
		return nil, err
	}
	if err := checkPositive("Adagrad", "Epsilon", u.eps); err != nil {
		return nil, err
	}
	u.acc = u.addSlots("accumulator", float32(u.init))
	return u, nil
}

type adagradState struct {
	optBase
	init, eps float64
	acc       [][]float32
}

func (s *adagradState) config() optimizerJSON {
	j := optimizerJSON{Type: "Adagrad", InitialAccumulatorValue: s.init, Epsilon: s.eps}
	s.clipConfig(&j)
	return j
}

func (s *adagradState) step() {
	s.begin()
	lr, eps := float32(s.lr), float32(s.eps)
	for k, p := range s.params {
		w, g := p.w, p.g[:len(p.w)]
		a := s.acc[k][:len(w)]
		for i, gi := range g {
			a[i] += gi * gi
			w[i] -= lr * gi / float32(math.Sqrt(float64(a[i]+eps)))
		}
	}
}
