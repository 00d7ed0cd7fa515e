package gp

import "math"

// An Acquisition scores a point from the posterior mean and standard
// deviation of a minimized objective there; higher is more promising. It
// also returns the partial derivatives of the score with respect to mean
// and sd, so that the score's gradient follows from the posterior's.
type Acquisition interface {
	Score(mean, sd float64) (a, dMean, dSD float64)
}

// LCB is the upper confidence bound of the negated objective, the lower
// confidence bound of the minimized one: −(mean − Beta·sd), divided by
// Scale (the targets' standard deviation) so that values are comparable
// across studies. This is Keras Tuner's acquisition, where Beta multiplies
// the standard deviation (not its square root, as in Srinivas et al.).
type LCB struct {
	Beta  float64
	Scale float64
}

// Score implements Acquisition.
func (u LCB) Score(mean, sd float64) (float64, float64, float64) {
	return (u.Beta*sd - mean) / u.Scale, -1 / u.Scale, u.Beta / u.Scale
}

// LogEI is the logarithm of the expected improvement over Best of a
// minimized objective,
//
//	EI = sd·h(z),  h(z) = φ(z) + z·Φ(z),  z = (Best − mean)/sd,
//
// computed stably far in the tail, where EI itself underflows and its
// gradient vanishes (Ament et al., Unexpected improvements to expected
// improvement for Bayesian optimization, 2023). Maximizing log EI
// maximizes EI.
type LogEI struct {
	Best float64
}

// Score implements Acquisition.
func (e LogEI) Score(mean, sd float64) (float64, float64, float64) {
	z := (e.Best - mean) / sd
	lh, dlh := logH(z)
	// ∂z/∂mean = −1/sd, ∂z/∂sd = −z/sd.
	return lh + math.Log(sd), -dlh / sd, (1 - dlh*z) / sd
}

// logH returns log h(z) and its derivative Φ(z)/h(z).
func logH(z float64) (float64, float64) {
	if z > -12 {
		phi := math.Exp(-0.5*z*z) / math.Sqrt(2*math.Pi)
		cdf := 0.5 * math.Erfc(-z/math.Sqrt2)
		h := phi + z*cdf
		if h > 0 {
			return math.Log(h), cdf / h
		}
	}
	// Asymptotic series for z → −∞: h(z) = φ(z)/z²·S(w), w = 1/z²,
	// S = 1 − 3w + 15w² − 105w³ + 945w⁴ − 10395w⁵.
	w := 1 / (z * z)
	s := 1 + w*(-3+w*(15+w*(-105+w*(945-w*10395))))
	ds := -3 + w*(30+w*(-315+w*(3780-w*51975))) // dS/dw
	lh := -0.5*z*z - 0.5*math.Log(2*math.Pi) + math.Log(w) + math.Log(s)
	// d/dz: −z − 2/z + S′(w)·(−2/z³)/S.
	dlh := -z - 2/z + ds*(-2*w/z)/s
	return lh, dlh
}
