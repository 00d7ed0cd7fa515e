package nn

import (
	"fmt"
	"math"
)

// Optimizer configures how Fit updates weights from their gradients. Use
// &SGD{...}, &Adam{...} or &RMSprop{...}. An Optimizer value holds settings
// only: Compile gives each model its own state (moments, step count), so one
// value can configure many models, even concurrently.
type Optimizer interface {
	// newUpdater validates the settings and returns state for params.
	newUpdater(params []param) (updater, error)
}

// param is one trainable tensor and its gradient, both flat.
type param struct{ w, g []float32 }

// updater applies one optimisation step to the params it was made for.
type updater interface{ step() }

// SGD is stochastic gradient descent with optional (Nesterov) momentum,
// updating as Keras does:
//
//	v ← momentum·v − lr·g;  w ← w + v            (w ← w + momentum·v − lr·g with Nesterov)
//
// A zero LearningRate means 0.01.
type SGD struct {
	LearningRate float64
	Momentum     float64
	Nesterov     bool
}

// Adam is the Adam optimizer, updating as Keras does:
//
//	m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  w ← w − lr·√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v + ε)
//
// Zero fields take Keras' defaults: LearningRate 0.001, Beta1 0.9,
// Beta2 0.999, Epsilon 1e-7.
type Adam struct {
	LearningRate float64
	Beta1        float64
	Beta2        float64
	Epsilon      float64
}

// RMSprop is the RMSprop optimizer (Keras' compile default), updating as
// Keras does:
//
//	s ← ρs + (1−ρ)g²;  Δ ← lr·g/√(s + ε);  w ← w − Δ   (with momentum: u ← momentum·u + Δ; w ← w − u)
//
// Zero fields take Keras' defaults: LearningRate 0.001, Rho 0.9, Momentum 0,
// Epsilon 1e-7.
type RMSprop struct {
	LearningRate float64
	Rho          float64
	Momentum     float64
	Epsilon      float64
}

func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

func checkRange(opt, field string, v, lo, hi float64, hiOpen bool) error {
	if !(v >= lo && (v < hi || !hiOpen && v == hi)) {
		closing := "]"
		if hiOpen {
			closing = ")"
		}
		return fmt.Errorf("%w: %s.%s is %v, want a value in [%v, %v%s", ErrInvalidConfig, opt, field, v, lo, hi, closing)
	}
	return nil
}

func checkPositive(opt, field string, v float64) error {
	if !(v > 0) || math.IsInf(v, 0) {
		return fmt.Errorf("%w: %s.%s is %v, want a positive finite value", ErrInvalidConfig, opt, field, v)
	}
	return nil
}

func zeros(params []param) [][]float32 {
	s := make([][]float32, len(params))
	for i, p := range params {
		s[i] = make([]float32, len(p.w))
	}
	return s
}

func (o *SGD) newUpdater(params []param) (updater, error) {
	if o == nil {
		return nil, fmt.Errorf("%w: nil *SGD", ErrInvalidConfig)
	}
	u := &sgdState{params: params, lr: orDefault(o.LearningRate, 0.01), momentum: o.Momentum, nesterov: o.Nesterov}
	if err := checkPositive("SGD", "LearningRate", u.lr); err != nil {
		return nil, err
	}
	if err := checkRange("SGD", "Momentum", u.momentum, 0, 1, true); err != nil {
		return nil, err
	}
	if u.momentum > 0 {
		u.velocity = zeros(params)
	}
	return u, nil
}

type sgdState struct {
	params       []param
	lr, momentum float64
	nesterov     bool
	velocity     [][]float32
}

func (s *sgdState) step() {
	lr, mom := float32(s.lr), float32(s.momentum)
	for k, p := range s.params {
		w, g := p.w, p.g[:len(p.w)]
		if s.velocity == nil {
			for i, gi := range g {
				w[i] -= lr * gi
			}
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

func (o *Adam) newUpdater(params []param) (updater, error) {
	if o == nil {
		return nil, fmt.Errorf("%w: nil *Adam", ErrInvalidConfig)
	}
	u := &adamState{
		params: params,
		lr:     orDefault(o.LearningRate, 0.001),
		beta1:  orDefault(o.Beta1, 0.9),
		beta2:  orDefault(o.Beta2, 0.999),
		eps:    orDefault(o.Epsilon, 1e-7),
	}
	if err := checkPositive("Adam", "LearningRate", u.lr); err != nil {
		return nil, err
	}
	if err := checkRange("Adam", "Beta1", u.beta1, 0, 1, true); err != nil {
		return nil, err
	}
	if err := checkRange("Adam", "Beta2", u.beta2, 0, 1, true); err != nil {
		return nil, err
	}
	if err := checkPositive("Adam", "Epsilon", u.eps); err != nil {
		return nil, err
	}
	u.m, u.v = zeros(params), zeros(params)
	return u, nil
}

type adamState struct {
	params                []param
	lr, beta1, beta2, eps float64
	t                     int
	m, v                  [][]float32
}

func (s *adamState) step() {
	s.t++
	t := float64(s.t)
	alpha := float32(s.lr * math.Sqrt(1-math.Pow(s.beta2, t)) / (1 - math.Pow(s.beta1, t)))
	b1, b2, eps := float32(s.beta1), float32(s.beta2), float32(s.eps)
	for k, p := range s.params {
		w, g := p.w, p.g[:len(p.w)]
		m, v := s.m[k][:len(w)], s.v[k][:len(w)]
		for i, gi := range g {
			m[i] += (gi - m[i]) * (1 - b1)
			v[i] += (gi*gi - v[i]) * (1 - b2)
			w[i] -= alpha * m[i] / (float32(math.Sqrt(float64(v[i]))) + eps)
		}
	}
}

func (o *RMSprop) newUpdater(params []param) (updater, error) {
	if o == nil {
		return nil, fmt.Errorf("%w: nil *RMSprop", ErrInvalidConfig)
	}
	u := &rmspropState{
		params:   params,
		lr:       orDefault(o.LearningRate, 0.001),
		rho:      orDefault(o.Rho, 0.9),
		momentum: o.Momentum,
		eps:      orDefault(o.Epsilon, 1e-7),
	}
	if err := checkPositive("RMSprop", "LearningRate", u.lr); err != nil {
		return nil, err
	}
	if err := checkRange("RMSprop", "Rho", u.rho, 0, 1, true); err != nil {
		return nil, err
	}
	if err := checkRange("RMSprop", "Momentum", u.momentum, 0, 1, true); err != nil {
		return nil, err
	}
	if err := checkPositive("RMSprop", "Epsilon", u.eps); err != nil {
		return nil, err
	}
	u.s = zeros(params)
	if u.momentum > 0 {
		u.u = zeros(params)
	}
	return u, nil
}

type rmspropState struct {
	params                 []param
	lr, rho, momentum, eps float64
	s, u                   [][]float32
}

func (st *rmspropState) step() {
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
