package nn

import "github.com/tunekit/tune/nn/internal/vec"

// SGD is stochastic gradient descent with optional (Nesterov) momentum,
// updating as Keras does:
//
//	v ← momentum·v − lr·g;  w ← w + v            (w ← w + momentum·v − lr·g with Nesterov)
//
// A zero LearningRate means 0.01. See Optimizer for the clipping fields.
type SGD struct {
	LearningRate float64
	Momentum     float64
	Nesterov     bool

	ClipValue, ClipNorm, GlobalClipNorm float64
}

func (o *SGD) newUpdater(params []param) (updater, error) {
	if o == nil {
		return nil, errNilOptimizer("SGD")
	}
	b, err := newOptBase("SGD", params, orDefault(o.LearningRate, 0.01), clipping{o.ClipValue, o.ClipNorm, o.GlobalClipNorm})
	if err != nil {
		return nil, err
	}
	u := &sgdState{optBase: b, momentum: o.Momentum, nesterov: o.Nesterov}
	if err := checkRange("SGD", "Momentum", u.momentum, 0, 1, true); err != nil {
		return nil, err
	}
	if u.momentum > 0 {
		u.velocity = u.addSlots("momentum", 0)
	}
	return u, nil
}

type sgdState struct {
	optBase
	momentum float64
	nesterov bool
	velocity [][]float32
}

func (s *sgdState) config() optimizerJSON {
	j := optimizerJSON{Type: "SGD", Momentum: s.momentum, Nesterov: s.nesterov}
	s.clipConfig(&j)
	return j
}

func (s *sgdState) step() {
	s.begin()
	lr, mom := float32(s.lr), float32(s.momentum)
	for k, p := range s.params {
		w, g := p.w, p.g[:len(p.w)]
		if s.velocity == nil {
			vec.SGD(w, g, lr) // w[i] -= lr·g[i]
			continue
		}
		v := s.velocity[k][:len(w)]
		for i, gi := range g {
			v[i] = mom*v[i] - lr*gi
			if s.nesterov {
				w[i] += mom*v[i] - lr*gi
			} else {
				w[i] += v[i]
			}
		}
	}
}
