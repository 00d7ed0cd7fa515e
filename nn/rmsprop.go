package nn

import "math"

// RMSprop is the RMSprop optimizer (Keras' compile default), updating as
// Keras does:
//
//	s ← ρs + (1−ρ)g²;  Δ ← lr·g/√(s + ε);  w ← w − Δ   (with momentum: u ← momentum·u + Δ; w ← w − u)
//
// Zero fields take Keras' defaults: LearningRate 0.001, Rho 0.9, Momentum 0,
// Epsilon 1e-7. See Optimizer for the clipping fields.
type RMSprop struct {
	LearningRate float64
	Rho          float64
	Momentum     float64
	Epsilon      float64

	ClipValue, ClipNorm, GlobalClipNorm float64
}

func (o *RMSprop) newUpdater(params []param) (updater, error) {
	if o == nil {
		return nil, errNilOptimizer("RMSprop")
	}
	b, err := newOptBase("RMSprop", params, orDefault(o.LearningRate, 0.001), clipping{o.ClipValue, o.ClipNorm, o.GlobalClipNorm})
	if err != nil {
		return nil, err
	}
	u := &rmspropState{optBase: b, rho: orDefault(o.Rho, 0.9), momentum: o.Momentum, eps: orDefault(o.Epsilon, 1e-7)}
	if err := checkRange("RMSprop", "Rho", u.rho, 0, 1, true); err != nil {
		return nil, err
	}
	if err := checkRange("RMSprop", "Momentum", u.momentum, 0, 1, true); err != nil {
		return nil, err
	}
	if err := checkPositive("RMSprop", "Epsilon", u.eps); err != nil {
		return nil, err
	}
	u.s = u.addSlots("velocity", 0)
	if u.momentum > 0 {
		u.u = u.addSlots("momentum", 0)
	}
	return u, nil
}

type rmspropState struct {
	optBase
	rho, momentum, eps float64
	s, u               [][]float32
}

func (st *rmspropState) config() optimizerJSON {
	j := optimizerJSON{Type: "RMSprop", Rho: st.rho, Momentum: st.momentum, Epsilon: st.eps}
	st.clipConfig(&j)
	return j
}

func (st *rmspropState) step() {
	st.begin()
	lr, rho, mom, eps := float32(st.lr), float32(st.rho), float32(st.momentum), float32(st.eps)
	for k, p := range st.params {
		w, g := p.w, p.g[:len(p.w)]
		s := st.s[k][:len(w)]
		for i, gi := range g {
			s[i] = rho*s[i] + (1-rho)*gi*gi
			d := lr * gi / float32(math.Sqrt(float64(s[i]+eps)))
			if st.u != nil {
				st.u[k][i] = mom*st.u[k][i] + d
				d = st.u[k][i]
			}
			w[i] -= d
		}
	}
}
