package gp

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/floats"
)

// The hyperparameters are fitted within these bounds: inputs live in the
// unit cube and targets are standardized, so shorter or longer length
// scales, or a much smaller or larger signal variance, only describe noise
// or a flat function.
const (
	MinLengthScale    = 1e-2
	MaxLengthScale    = 1e2
	MinSignalVariance = 1e-2
	MaxSignalVariance = 1e2
)

// fitTolerance is the change in log marginal likelihood below which
// fitting stops: far below what separates one model from another.
const fitTolerance = 1e-3

// FitOptions configure Fit.
type FitOptions struct {
	// Noise is the variance added to the diagonal, in standardized units.
	Noise float64
	// Restarts is the number of random starting points drawn from Rand,
	// besides the fixed one (length scales 0.5, signal variance 1). With
	// a nil Rand there are none.
	Restarts int
	Rand     *rand.Rand
	// Optimizations is how many of the starting points, the most likely
	// ones, L-BFGS starts from. Zero means 2, or 1 with more than 64
	// observations, where each evaluation costs O(n³) and the best
	// starting point is rarely beaten by more than a fraction of a nat.
	Optimizations int
	// MaxIterations bounds the L-BFGS iterations of each optimization
	// (0 means 50).
	MaxIterations int
	// Isotropic fits one length scale shared by every dimension instead of
	// one per dimension: two hyperparameters, which a handful of points can
	// pin down where d + 1 cannot.
	Isotropic bool
}

// Fit returns a GP conditioned on x (n rows of d values) and y whose
// hyperparameters maximize the log marginal likelihood within the bounds
// above. The likelihood is evaluated at every starting point, and L-BFGS
// (see lbfgs) runs from the best few, on the log hyperparameters mapped
// into their bounds by a logistic function, with the analytic gradient
//
//	∂ log p(y|X)/∂θ = ½ tr((ββᵀ − K⁻¹) ∂K/∂θ),  β = K⁻¹y.
//
// The best point seen by any optimization is kept, so an optimizer that
// stops early (a failed line search) still contributes. The result is
// deterministic given the state of Rand.
func Fit(x []float64, d int, y []float64, opt FitOptions) (*GP, error) {
	n := len(y)
	if n == 0 {
		return nil, errors.New("gp: no data")
	}
	if d <= 0 || len(x) != n*d {
		panic(fmt.Sprintf("gp: %d inputs of %d values for %d targets", len(x), d, n))
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("gp: target %d is %v", i, v)
		}
	}
	mean, std := standardization(y)
	iters := opt.MaxIterations
	if iters <= 0 {
		iters = 50
	}
	runs := opt.Optimizations
	if runs <= 0 {
		runs = 2
		if n > 64 {
			runs = 1
		}
	}
	p := newLML(x, d, y, mean, std, opt.Noise)
	if opt.Isotropic {
		p.shareScale()
	}
	ns := p.scales
	thetas := [][]float64{make([]float64, ns+1)}
	for k := range ns {
		thetas[0][k] = math.Log(0.5)
	}
	if opt.Rand != nil {
		for range opt.Restarts {
			t := make([]float64, ns+1)
			for k := range ns {
				t[k] = math.Log(0.05) + opt.Rand.Float64()*math.Log(100)
			}
			t[ns] = math.Log(0.3) + opt.Rand.Float64()*math.Log(10)
			thetas = append(thetas, t)
		}
	}
	p.multiStart(thetas, runs, iters)
	if p.best == nil {
		return nil, ErrSingular
	}
	params := Params{LengthScales: make([]float64, d), SignalVariance: math.Exp(p.best[ns])}
	for k := range d {
		params.LengthScales[k] = math.Exp(p.best[min(k, ns-1)])
	}
	return newGP(x, d, y, mean, std, opt.Noise, params)
}

// multiStart evaluates the likelihood at every θ in thetas and runs
// L-BFGS from the best runs of them. The best point seen is kept in p
// whatever the optimizers' outcomes.
func (p *lml) multiStart(thetas [][]float64, runs, iters int) {
	type start struct {
		z []float64
		f float64
	}
	starts := make([]start, len(thetas))
	for i, t := range thetas {
		z := make([]float64, len(t))
		for k, v := range t {
			z[k] = p.toZ(k, v)
		}
		starts[i] = start{z, p.value(z)}
	}
	slices.SortStableFunc(starts, func(a, b start) int { return cmp.Compare(a.f, b.f) })
	for _, s := range starts[:min(runs, len(starts))] {
		if !math.IsInf(s.f, 1) {
			lbfgs(p.evalGrad, s.z, iters, 1e-3, fitTolerance)
		}
	}
}

// lml evaluates the negative log marginal likelihood and its gradient as a
// function of unbounded z, with θ_k = lo_k + (hi_k − lo_k)·σ(z_k), where
// θ = (log ℓ_1 … log ℓ_s, log σ²) and s is d, or 1 for an isotropic kernel.
type lml struct {
	n, d   int
	scales int // length scales: d, or 1 shared by every dimension
	// sq holds, per dimension k, the squared differences (x_ik − x_jk)²
	// of the pairs i > j, pair i(i−1)/2 + j.
	sq    [][]float64
	y     []float64 // standardized targets
	noise float64

	a, l, m, inv []float64
	beta         []float64
	r2, kp, gp   []float64 // per pair: r², σ²·f(r), then W·σ²·g(r)
	theta, gradT []float64

	// the last evaluation with gradient
	lastZ []float64
	lastF float64
	gradZ []float64
	// the best θ seen and its value
	best  []float64
	bestF float64
}

func newLML(x []float64, d int, y []float64, mean, std, noise float64) *lml {
	n := len(y)
	pairs := n * (n - 1) / 2
	p := &lml{
		n: n, d: d, scales: d, sq: make([][]float64, d), y: make([]float64, n), noise: noise,
		a: make([]float64, n*n), l: make([]float64, n*n), m: make([]float64, n*n), inv: make([]float64, n*n),
		beta: make([]float64, n), r2: make([]float64, pairs), kp: make([]float64, pairs), gp: make([]float64, pairs),
		theta: make([]float64, d+1), gradT: make([]float64, d+1), gradZ: make([]float64, d+1), bestF: math.Inf(1),
	}
	for i, v := range y {
		p.y[i] = (v - mean) / std
	}
	for k := range d {
		sq := make([]float64, pairs)
		q := 0
		for i := range n {
			for j := 0; j < i; j++ {
				t := x[i*d+k] - x[j*d+k]
				sq[q] = t * t
				q++
			}
		}
		p.sq[k] = sq
	}
	return p
}

// shareScale makes the kernel isotropic: θ = (log ℓ, log σ²).
func (p *lml) shareScale() {
	p.scales = 1
	p.theta, p.gradT, p.gradZ = p.theta[:2], p.gradT[:2], p.gradZ[:2]
}

func (p *lml) bounds(k int) (lo, hi float64) {
	if k < p.scales {
		return math.Log(MinLengthScale), math.Log(MaxLengthScale)
	}
	return math.Log(MinSignalVariance), math.Log(MaxSignalVariance)
}

// toZ inverts the logistic map for hyperparameter k, clamping θ into its
// bounds.
func (p *lml) toZ(k int, theta float64) float64 {
	lo, hi := p.bounds(k)
	s := (theta - lo) / (hi - lo)
	s = math.Min(math.Max(s, 1e-6), 1-1e-6)
	return math.Log(s / (1 - s))
}

func (p *lml) setZ(z []float64) {
	for k := range p.scales + 1 {
		lo, hi := p.bounds(k)
		p.theta[k] = lo + (hi-lo)/(1+math.Exp(-z[k]))
	}
}

func (p *lml) record(f float64) {
	if f < p.bestF {
		p.bestF = f
		p.best = append(p.best[:0], p.theta...)
	}
}

// value returns the negative log marginal likelihood at z, without the
// gradient.
func (p *lml) value(z []float64) float64 {
	p.setZ(z)
	f := p.negLML(false)
	p.record(f)
	return f
}

// evalGrad is eval as an Objective.
func (p *lml) evalGrad(z, grad []float64) float64 {
	f := p.eval(z)
	copy(grad, p.gradZ)
	return f
}

// eval returns the negative log marginal likelihood at z and leaves its
// gradient in p.gradZ. It returns +Inf when the kernel matrix cannot be
// factored.
func (p *lml) eval(z []float64) float64 {
	if p.lastZ != nil && floats.Equal(z, p.lastZ) {
		return p.lastF
	}
	p.setZ(z)
	f := p.negLML(true)
	for k := range p.scales + 1 {
		lo, hi := p.bounds(k)
		s := 1 / (1 + math.Exp(-z[k]))
		p.gradZ[k] = p.gradT[k] * (hi - lo) * s * (1 - s)
	}
	if math.IsInf(f, 1) {
		clear(p.gradZ)
	}
	p.record(f)
	p.lastZ = append(p.lastZ[:0], z...)
	p.lastF = f
	return f
}

// negLML computes −log p(y|X, θ) and, when grad is true, its gradient with
// respect to θ into p.gradT.
func (p *lml) negLML(grad bool) float64 {
	n, d, ns := p.n, p.d, p.scales
	sf2 := math.Exp(p.theta[ns])
	clear(p.r2)
	for k := range d {
		floats.AddScaled(p.r2, math.Exp(-2*p.theta[min(k, ns-1)]), p.sq[k])
	}
	q := 0
	for i := range n {
		row := p.a[i*n : i*n+i]
		for j := range row {
			f, g := matern52(p.r2[q])
			p.kp[q], p.gp[q] = sf2*f, sf2*g
			row[j] = p.kp[q]
			q++
		}
		p.a[i*n+i] = sf2 + p.noise
	}
	if _, err := factor(p.a, n, p.l); err != nil {
		clear(p.gradT)
		return math.Inf(1)
	}
	copy(p.beta, p.y)
	solveLower(p.l, n, p.beta)
	solveUpper(p.l, n, p.beta)
	nll := 0.5*floats.Dot(p.y, p.beta) + 0.5*float64(n)*math.Log(2*math.Pi)
	for i := range n {
		nll += math.Log(p.l[i*n+i])
	}
	if math.IsNaN(nll) {
		clear(p.gradT)
		return math.Inf(1)
	}
	if !grad {
		return nll
	}
	inverse(p.l, n, p.m, p.inv)
	// ∂log p/∂θ = ½ Σ_ij W_ij ∂K_ij/∂θ with W = ββᵀ − K⁻¹. K is symmetric
	// and ∂K_ii/∂ log ℓ = 0, so the length scales sum over pairs only:
	// ∂K_ij/∂ log ℓ_k = σ²·g(r)·(x_ik − x_jk)²/ℓ_k².
	var dsf float64
	q = 0
	for i := range n {
		bi := p.beta[i]
		row := p.inv[i*n : i*n+i]
		for j, invij := range row {
			w := bi*p.beta[j] - invij
			p.gp[q] *= w
			dsf += w * p.kp[q]
			q++
		}
		dsf += 0.5 * (bi*bi - p.inv[i*n+i]) * sf2
	}
	clear(p.gradT[:ns])
	for k := range d {
		j := min(k, ns-1)
		p.gradT[j] -= floats.Dot(p.gp, p.sq[k]) * math.Exp(-2*p.theta[j])
	}
	p.gradT[ns] = -dsf
	return nll
}
