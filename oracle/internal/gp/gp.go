// Package gp is the Gaussian-process regressor behind Bayesian
// optimization: a Matérn 5/2 kernel with one length scale per input
// dimension (or one shared by all, FitOptions.Isotropic) and a signal
// variance, noise added to the diagonal, targets
// standardized, hyperparameters fitted by maximizing the log marginal
// likelihood (Rasmussen & Williams, Gaussian Processes for Machine
// Learning, 2006, ch. 2 and 5).
//
// The kernel between inputs x and x′ is
//
//	k(x, x′) = σ²·(1 + √5·r + 5r²/3)·exp(−√5·r),  r² = Σ_d ((x_d − x′_d)/ℓ_d)²
//
// and the model of standardized targets y is y = f(X) + ε with f ~ GP(0, k)
// and ε ~ N(0, noise·I). Cholesky factorizations add growing jitter when a
// matrix is numerically singular (duplicate inputs, zero noise) and return
// ErrSingular rather than panic when even that fails.
//
// A GP is not safe for concurrent use: predictions reuse scratch buffers.
package gp

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
)

// Params are the kernel hyperparameters.
type Params struct {
	// LengthScales holds ℓ_d, one per input dimension.
	LengthScales []float64
	// SignalVariance is σ², the prior variance of f in standardized units.
	SignalVariance float64
}

// GP is a Gaussian process conditioned on data.
type GP struct {
	d, n  int
	x     []float64 // n×d inputs, row-major
	y     []float64 // standardized targets
	yRaw  []float64 // targets as given
	mean  float64   // target mean and standard deviation used to standardize
	std   float64
	noise float64

	params Params
	invL2  []float64 // 1/ℓ_d²
	sf2    float64

	l      []float64 // Cholesky factor of K + (noise + jitter)·I
	beta   []float64 // (K + (noise + jitter)·I)⁻¹ y
	jitter float64

	// scratch for predictions
	k, v, w []float64
}

// New conditions a GP with hyperparameters p on inputs x (n rows of d
// columns, row-major) and targets y (n values). Targets are standardized
// by their mean and standard deviation (1 when they are all equal). noise
// is the variance added to the diagonal, in standardized units.
func New(x []float64, d int, y []float64, noise float64, p Params) (*GP, error) {
	mean, std := standardization(y)
	return newGP(x, d, y, mean, std, noise, p)
}

func standardization(y []float64) (mean, std float64) {
	if len(y) == 0 {
		return 0, 1
	}
	mean = floats.Sum(y) / float64(len(y))
	var ss float64
	for _, v := range y {
		ss += (v - mean) * (v - mean)
	}
	std = math.Sqrt(ss / float64(len(y)))
	if !(std > 0) || math.IsInf(std, 0) {
		std = 1
	}
	return mean, std
}

func newGP(x []float64, d int, y []float64, mean, std, noise float64, p Params) (*GP, error) {
	n := len(y)
	if d <= 0 || len(x) != n*d || len(p.LengthScales) != d {
		panic(fmt.Sprintf("gp: %d inputs of %d values for %d targets and %d length scales", len(x), d, n, len(p.LengthScales)))
	}
	g := &GP{
		d: d, n: n, x: append([]float64(nil), x...), y: make([]float64, n), yRaw: append([]float64(nil), y...),
		mean: mean, std: std, noise: noise,
		params: Params{LengthScales: append([]float64(nil), p.LengthScales...), SignalVariance: p.SignalVariance},
		invL2:  make([]float64, d), sf2: p.SignalVariance,
		l: make([]float64, n*n), beta: make([]float64, n),
		k: make([]float64, n), v: make([]float64, n), w: make([]float64, n),
	}
	for i, v := range y {
		g.y[i] = (v - mean) / std
		if math.IsNaN(g.y[i]) || math.IsInf(g.y[i], 0) {
			return nil, fmt.Errorf("gp: target %d is %v", i, v)
		}
	}
	for j, ls := range p.LengthScales {
		if !(ls > 0) || math.IsInf(ls, 0) {
			return nil, fmt.Errorf("gp: length scale %d is %v", j, ls)
		}
		g.invL2[j] = 1 / (ls * ls)
	}
	if !(g.sf2 > 0) || math.IsInf(g.sf2, 0) || !(noise >= 0) {
		return nil, fmt.Errorf("gp: signal variance %v, noise %v", g.sf2, noise)
	}
	a := make([]float64, n*n)
	for i := range n {
		xi := g.x[i*d : i*d+d]
		for j := 0; j < i; j++ {
			f, _ := matern52(g.r2(xi, g.x[j*d:j*d+d]))
			a[i*n+j] = g.sf2 * f
		}
		a[i*n+i] = g.sf2 + noise
	}
	var err error
	if g.jitter, err = factor(a, n, g.l); err != nil {
		return nil, err
	}
	copy(g.beta, g.y)
	solveLower(g.l, n, g.beta)
	solveUpper(g.l, n, g.beta)
	return g, nil
}

// r2 is the squared scaled distance between a and b.
func (g *GP) r2(a, b []float64) float64 {
	var s float64
	for j, il := range g.invL2 {
		t := a[j] - b[j]
		s += t * t * il
	}
	return s
}

// Len is the number of data points.
func (g *GP) Len() int { return g.n }

// Dim is the number of input dimensions.
func (g *GP) Dim() int { return g.d }

// Params returns the kernel hyperparameters.
func (g *GP) Params() Params {
	return Params{LengthScales: append([]float64(nil), g.params.LengthScales...), SignalVariance: g.params.SignalVariance}
}

// Jitter is the jitter that the Cholesky factorization had to add to the
// diagonal, beyond the noise (0 when none was needed).
func (g *GP) Jitter() float64 { return g.jitter }

// Scale returns the mean and standard deviation used to standardize the
// targets.
func (g *GP) Scale() (mean, std float64) { return g.mean, g.std }

// LogMarginalLikelihood is log p(y | X, params) of the standardized
// targets.
func (g *GP) LogMarginalLikelihood() float64 {
	lml := -0.5*floats.Dot(g.y, g.beta) - 0.5*float64(g.n)*math.Log(2*math.Pi)
	for i := range g.n {
		lml -= math.Log(g.l[i*g.n+i])
	}
	return lml
}

// minVar floors the posterior variance, relative to the signal variance,
// so that the standard deviation and its derivatives stay finite.
const minVar = 1e-12

// Predict returns the posterior mean and variance of f at x, in the units
// of the targets. The variance is of the latent function, without the
// noise.
func (g *GP) Predict(x []float64) (mean, variance float64) {
	m, v := g.predict(x, nil, nil)
	return g.mean + g.std*m, g.std * g.std * v
}

// PredictMany is Predict at m points xs (rows of d values), storing the
// posterior means and variances in mean and variance (m values each). It
// solves for all points at once, which is faster than m calls to Predict.
func (g *GP) PredictMany(xs, mean, variance []float64) {
	n, d, m := g.n, g.d, len(mean)
	if len(xs) != m*d || len(variance) != m {
		panic(fmt.Sprintf("gp: PredictMany with %d inputs, %d means and %d variances in %d dimensions", len(xs), m, len(variance), d))
	}
	// v = L⁻¹·K*ᵀ, row i holding k(x_j, X_i) for every point j, solved
	// row by row: v_i = (k_i − Σ_{k<i} L_ik·v_k)/L_ii.
	v := make([]float64, n*m)
	clear(mean)
	for i := range n {
		xi := g.x[i*d : i*d+d]
		vi := v[i*m : i*m+m]
		for j := range m {
			f, _ := matern52(g.r2(xs[j*d:j*d+d], xi))
			vi[j] = g.sf2 * f
		}
		floats.AddScaled(mean, g.beta[i], vi) // mean = K*·β, before vi changes
	}
	for i := range n {
		vi := v[i*m : i*m+m]
		for k := 0; k < i; k++ {
			if c := g.l[i*n+k]; c != 0 {
				floats.AddScaled(vi, -c, v[k*m:k*m+m])
			}
		}
		floats.Scale(1/g.l[i*n+i], vi)
	}
	for j := range variance {
		variance[j] = g.sf2
	}
	for i := range n {
		vi := v[i*m : i*m+m]
		for j, t := range vi {
			variance[j] -= t * t
		}
	}
	floor := minVar * g.sf2
	for j := range m {
		mean[j] = g.mean + g.std*mean[j]
		if !(variance[j] > floor) {
			variance[j] = floor
		}
		variance[j] *= g.std * g.std
	}
}

// PredictGrad is Predict that also stores the gradients of the mean and of
// the variance with respect to x in dmean and dvar (d values each).
func (g *GP) PredictGrad(x, dmean, dvar []float64) (mean, variance float64) {
	m, v := g.predict(x, dmean, dvar)
	s2 := g.std * g.std
	floats.Scale(g.std, dmean)
	floats.Scale(s2, dvar)
	return g.mean + g.std*m, s2 * v
}

// predict works in standardized units. When dmean is non-nil it also
// computes the gradients.
func (g *GP) predict(x, dmean, dvar []float64) (float64, float64) {
	n, d := g.n, g.d
	for i := range n {
		g.k[i], g.w[i] = matern52(g.r2(x, g.x[i*d:i*d+d]))
	}
	// k(x, X_i) = σ²·f; keep −σ²·g_i in w for the gradient.
	floats.Scale(g.sf2, g.k)
	mean := floats.Dot(g.k, g.beta)
	copy(g.v, g.k)
	solveLower(g.l, n, g.v)
	variance := g.sf2 - floats.Dot(g.v, g.v)
	floor := minVar * g.sf2
	clamped := !(variance > floor)
	if clamped {
		variance = floor
	}
	if dmean == nil {
		return mean, variance
	}
	// ∂k_i/∂x_d = −σ²·g_i·(x_d − X_id)/ℓ_d².
	// ∂mean/∂x = Σ_i β_i ∂k_i/∂x; ∂var/∂x = −2 Σ_i u_i ∂k_i/∂x with
	// u = K⁻¹k = L⁻ᵀ v.
	cg := g.w
	u := g.v
	solveUpper(g.l, n, u)
	clear(dmean)
	clear(dvar)
	for i := range n {
		c := -g.sf2 * cg[i]
		bm := c * g.beta[i]
		bv := -2 * c * u[i]
		xi := g.x[i*d : i*d+d]
		for j := range d {
			t := (x[j] - xi[j]) * g.invL2[j]
			dmean[j] += bm * t
			dvar[j] += bv * t
		}
	}
	if clamped {
		clear(dvar)
	}
	return mean, variance
}

// Condition returns a GP with the same hyperparameters and target
// standardization, conditioned also on the points xs (rows of d values)
// with targets ys, in the units of the targets. Bayesian optimization uses
// it to add hallucinated observations at points being evaluated.
func (g *GP) Condition(xs, ys []float64) (*GP, error) {
	x := append(append([]float64(nil), g.x...), xs...)
	y := append(append([]float64(nil), g.yRaw...), ys...)
	return newGP(x, g.d, y, g.mean, g.std, g.noise, g.params)
}
