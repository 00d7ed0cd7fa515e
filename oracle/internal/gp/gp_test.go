package gp

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func near(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// TestPosteriorByHand checks a two-point 1-D posterior against the 2×2
// formulas. With X = {0, 1}, y = {−1, 1} (already standardized: mean 0,
// standard deviation 1), ℓ = 1, σ² = 1 and noise 0.1, the kernel matrix is
// [[a, ρ], [ρ, a]] with a = 1.1 and ρ = f(1) = (1 + √5 + 5/3)·e^−√5, so
//
//	at x = 0.5, k* = (c, c), c = f(0.5):  mean = 0,  var = 1 − 2c²/(a + ρ)
//	at x = 0,   k* = (1, ρ):  mean = (ρ − 1)/(a − ρ),
//	                          var = 1 − (a − 2ρ² + aρ²)/(a² − ρ²).
func TestPosteriorByHand(t *testing.T) {
	g, err := New([]float64{0, 1}, 1, []float64{-1, 1}, 0.1, Params{LengthScales: []float64{1}, SignalVariance: 1})
	if err != nil {
		t.Fatal(err)
	}
	rho := (1 + math.Sqrt(5) + 5.0/3) * math.Exp(-math.Sqrt(5))
	c := (1 + math.Sqrt(5)/2 + 5.0/12) * math.Exp(-math.Sqrt(5)/2)
	if !near(rho, 0.5239941088318203, 1e-15) || !near(c, 0.8286491424181253, 1e-15) {
		t.Fatalf("ρ = %v, c = %v", rho, c)
	}
	a := 1.1
	for _, tc := range []struct {
		x, mean, variance float64
	}{
		{0.5, 0, 0.15435727568713198}, // 1 − 2c²/(a + ρ)
		{0, -0.8263906645170014, 0.08824070432320308},
		{1, 0.8263906645170014, 0.08824070432320308}, // by symmetry
	} {
		m, v := g.Predict([]float64{tc.x})
		if !near(m, tc.mean, 1e-12) || !near(v, tc.variance, 1e-12) {
			t.Errorf("x = %v: mean %v var %v, want %v %v", tc.x, m, v, tc.mean, tc.variance)
		}
	}
	if got := 1 - 2*c*c/(a+rho); !near(got, 0.15435727568713198, 1e-14) {
		t.Errorf("formula %v", got)
	}
	// log p(y) = −½ yᵀK⁻¹y − ½ log|K| − log 2π; yᵀK⁻¹y = 2/(a − ρ).
	want := -1/(a-rho) - 0.5*math.Log(a*a-rho*rho) - math.Log(2*math.Pi)
	if got := g.LogMarginalLikelihood(); !near(got, want, 1e-12) {
		t.Errorf("log marginal likelihood %v, want %v", got, want)
	}
}

func randomData(r *rand.Rand, n, d int) (x, y []float64) {
	x = make([]float64, n*d)
	y = make([]float64, n)
	for i := range n {
		var s float64
		for k := range d {
			x[i*d+k] = r.Float64()
			s += math.Sin(3*x[i*d+k]*float64(k+1)) + x[i*d+k]*x[i*d+k]
		}
		y[i] = 10*s + 3
	}
	return x, y
}

func randomParams(r *rand.Rand, d int) Params {
	p := Params{LengthScales: make([]float64, d), SignalVariance: 0.5 + r.Float64()}
	for k := range p.LengthScales {
		p.LengthScales[k] = 0.2 + r.Float64()
	}
	return p
}

// reference computes the posterior with gonum/mat's dense LU solves,
// independently of the Cholesky code.
func reference(x []float64, d int, y []float64, noise float64, p Params, xs []float64) (mean, variance, lml float64) {
	n := len(y)
	var mu, sd float64
	for _, v := range y {
		mu += v
	}
	mu /= float64(n)
	for _, v := range y {
		sd += (v - mu) * (v - mu)
	}
	sd = math.Sqrt(sd / float64(n))
	if sd == 0 {
		sd = 1
	}
	kern := func(a, b []float64) float64 {
		var r2 float64
		for k := range a {
			r2 += (a[k] - b[k]) * (a[k] - b[k]) / (p.LengthScales[k] * p.LengthScales[k])
		}
		r := math.Sqrt(r2)
		return p.SignalVariance * (1 + math.Sqrt(5)*r + 5*r2/3) * math.Exp(-math.Sqrt(5)*r)
	}
	K := mat.NewDense(n, n, nil)
	ks := mat.NewVecDense(n, nil)
	ys := mat.NewVecDense(n, nil)
	for i := range n {
		for j := range n {
			K.Set(i, j, kern(x[i*d:i*d+d], x[j*d:j*d+d]))
		}
		K.Set(i, i, K.At(i, i)+noise)
		ks.SetVec(i, kern(xs, x[i*d:i*d+d]))
		ys.SetVec(i, (y[i]-mu)/sd)
	}
	var a, b mat.VecDense
	if err := a.SolveVec(K, ys); err != nil {
		panic(err)
	}
	if err := b.SolveVec(K, ks); err != nil {
		panic(err)
	}
	m := mat.Dot(ks, &a)
	v := p.SignalVariance - mat.Dot(ks, &b)
	logDet, _ := mat.LogDet(K)
	lml = -0.5*mat.Dot(ys, &a) - 0.5*logDet - 0.5*float64(n)*math.Log(2*math.Pi)
	return mu + sd*m, sd * sd * v, lml
}

func TestPosteriorMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct{ n, d int }{{1, 1}, {5, 2}, {40, 5}} {
		x, y := randomData(r, tc.n, tc.d)
		p := randomParams(r, tc.d)
		g, err := New(x, tc.d, y, 1e-3, p)
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			xs := make([]float64, tc.d)
			for k := range xs {
				xs[k] = r.Float64()
			}
			wm, wv, wl := reference(x, tc.d, y, 1e-3, p, xs)
			m, v := g.Predict(xs)
			if !near(m, wm, 1e-8) || !near(v, wv, 1e-8) {
				t.Errorf("n=%d d=%d: mean %v var %v, reference %v %v", tc.n, tc.d, m, v, wm, wv)
			}
			if l := g.LogMarginalLikelihood(); !near(l, wl, 1e-9) {
				t.Errorf("n=%d d=%d: log marginal likelihood %v, reference %v", tc.n, tc.d, l, wl)
			}
		}
	}
}

func TestPredictGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const d = 3
	x, y := randomData(r, 20, d)
	g, err := New(x, d, y, 1e-4, randomParams(r, d))
	if err != nil {
		t.Fatal(err)
	}
	dm, dv := make([]float64, d), make([]float64, d)
	for range 10 {
		xs := make([]float64, d)
		for k := range xs {
			xs[k] = r.Float64()
		}
		m0, v0 := g.PredictGrad(xs, dm, dv)
		if m, v := g.Predict(xs); m != m0 || v != v0 {
			t.Fatalf("PredictGrad %v %v, Predict %v %v", m0, v0, m, v)
		}
		for k := range d {
			const h = 1e-6
			xp := append([]float64(nil), xs...)
			xm := append([]float64(nil), xs...)
			xp[k] += h
			xm[k] -= h
			mp, vp := g.Predict(xp)
			mm, vm := g.Predict(xm)
			if fd := (mp - mm) / (2 * h); !near(dm[k], fd, 1e-5) {
				t.Errorf("∂mean/∂x%d = %v, finite difference %v", k, dm[k], fd)
			}
			if fd := (vp - vm) / (2 * h); !near(dv[k], fd, 1e-5) {
				t.Errorf("∂var/∂x%d = %v, finite difference %v", k, dv[k], fd)
			}
		}
	}
}

// TestLogMarginalLikelihoodGradient: the analytic gradient matches finite
// differences, with a length scale per dimension and with one shared by
// all (isotropic), and the value is the log marginal likelihood of the GP
// with those hyperparameters.
func TestLogMarginalLikelihoodGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	const d = 4
	x, y := randomData(r, 25, d)
	mean, std := standardization(y)
	for _, iso := range []bool{false, true} {
		p := newLML(x, d, y, mean, std, 1e-4)
		if iso {
			p.shareScale()
		}
		ns := p.scales
		for range 5 {
			for k := range p.theta {
				p.theta[k] = math.Log(0.1 + 2*r.Float64())
			}
			theta := append([]float64(nil), p.theta...)
			f0 := p.negLML(true)
			grad := append([]float64(nil), p.gradT...)
			// The value agrees with a GP built from the same parameters.
			params := Params{LengthScales: make([]float64, d), SignalVariance: math.Exp(theta[ns])}
			for k := range d {
				params.LengthScales[k] = math.Exp(theta[min(k, ns-1)])
			}
			g, err := New(x, d, y, 1e-4, params)
			if err != nil {
				t.Fatal(err)
			}
			if !near(-f0, g.LogMarginalLikelihood(), 1e-10) {
				t.Errorf("iso %v: negLML %v, GP log marginal likelihood %v", iso, f0, g.LogMarginalLikelihood())
			}
			for k := range theta {
				const h = 1e-5
				copy(p.theta, theta)
				p.theta[k] += h
				fp := p.negLML(true)
				copy(p.theta, theta)
				p.theta[k] -= h
				fm := p.negLML(true)
				if fd := (fp - fm) / (2 * h); !near(grad[k], fd, 1e-5) {
					t.Errorf("iso %v θ=%v: ∂/∂θ%d = %v, finite difference %v", iso, theta, k, grad[k], fd)
				}
			}
		}
		// Through the logistic map too.
		z := []float64{0.3, -0.2, 1.1, -1.5, 0.4}[:ns+1]
		gz := make([]float64, len(z))
		p.evalGrad(z, gz)
		for k := range z {
			const h = 1e-6
			zp := append([]float64(nil), z...)
			zm := append([]float64(nil), z...)
			zp[k] += h
			zm[k] -= h
			if fd := (p.eval(zp) - p.eval(zm)) / (2 * h); !near(gz[k], fd, 1e-5) {
				t.Errorf("iso %v: ∂/∂z%d = %v, finite difference %v", iso, k, gz[k], fd)
			}
		}
	}
}

func TestFitFindsRelevantDimension(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const n, d = 40, 2
	x := make([]float64, n*d)
	y := make([]float64, n)
	for i := range n {
		x[i*d], x[i*d+1] = r.Float64(), r.Float64()
		y[i] = math.Sin(6 * x[i*d]) // only dimension 0 matters
	}
	g, err := Fit(x, d, y, FitOptions{Noise: 1e-4, Restarts: 2, Rand: r})
	if err != nil {
		t.Fatal(err)
	}
	ls := g.Params().LengthScales
	if !(ls[1] > 5*ls[0]) {
		t.Errorf("length scales %v: the irrelevant dimension should be much longer", ls)
	}
	start, _ := New(x, d, y, 1e-4, Params{LengthScales: []float64{0.5, 0.5}, SignalVariance: 1})
	if g.LogMarginalLikelihood() < start.LogMarginalLikelihood() {
		t.Errorf("fit %v is worse than its start %v", g.LogMarginalLikelihood(), start.LogMarginalLikelihood())
	}
	m, _ := g.Predict([]float64{0.25, 0.9})
	if !near(m, math.Sin(1.5), 0.02) {
		t.Errorf("prediction %v, want about %v", m, math.Sin(1.5))
	}
}

// TestSingularKernel: duplicate inputs without noise make K singular; the
// factorization adds jitter instead of failing, and bad numbers give an
// error, never a panic.
func TestSingularKernel(t *testing.T) {
	x := []float64{0.2, 0.2, 0.2, 0.7, 0.7}
	y := []float64{1, 1, 1.5, 3, 3}
	p := Params{LengthScales: []float64{0.3}, SignalVariance: 1}
	g, err := New(x, 1, y, 0, p)
	if err != nil {
		t.Fatal(err)
	}
	if g.Jitter() <= 0 {
		t.Errorf("jitter %v, want > 0", g.Jitter())
	}
	m, v := g.Predict([]float64{0.2})
	if math.IsNaN(m) || math.IsNaN(v) || v < 0 || math.Abs(m-1.1667) > 0.1 {
		t.Errorf("at a duplicated input: mean %v var %v", m, v)
	}
	if _, err := Fit(x, 1, y, FitOptions{Noise: 0, Restarts: 2, Rand: rand.New(rand.NewPCG(1, 1))}); err != nil {
		t.Errorf("Fit on duplicates: %v", err)
	}
	// Ill-conditioned: a length scale so long that all points coincide.
	if _, err := New([]float64{0, 0.5, 1}, 1, []float64{1, 2, 3}, 0, Params{LengthScales: []float64{1e8}, SignalVariance: 1}); err != nil {
		t.Errorf("long length scale: %v", err)
	}
	// Not finite: an error, no panic.
	if _, err := New([]float64{0, math.NaN()}, 1, []float64{1, 2}, 1e-4, p); err == nil {
		t.Error("NaN input accepted")
	}
	if _, err := Fit([]float64{0, math.Inf(1)}, 1, []float64{1, 2}, FitOptions{Noise: 1e-4}); !errors.Is(err, ErrSingular) {
		t.Errorf("Inf input: %v", err)
	}
	if _, err := Fit([]float64{0, 1}, 1, []float64{1, math.NaN()}, FitOptions{Noise: 1e-4}); err == nil {
		t.Error("NaN target accepted")
	}
	l := make([]float64, 4)
	if _, err := factor([]float64{math.NaN(), 0, 0, 1}, 2, l); !errors.Is(err, ErrSingular) {
		t.Errorf("NaN matrix: %v", err)
	}
	if _, err := factor([]float64{1, 0, 2, 1}, 2, l); !errors.Is(err, ErrSingular) {
		t.Errorf("indefinite matrix: %v", err)
	}
}

func TestLogEI(t *testing.T) {
	direct := func(z float64) float64 {
		return math.Exp(-z*z/2)/math.Sqrt(2*math.Pi) + z*0.5*math.Erfc(-z/math.Sqrt2)
	}
	for _, z := range []float64{3, 1, 0, -1, -5, -11.9} {
		lh, _ := logH(z)
		if !near(lh, math.Log(direct(z)), 1e-9) {
			t.Errorf("log h(%v) = %v, want %v", z, lh, math.Log(direct(z)))
		}
	}
	// Continuous where the series takes over, and finite far out.
	a, _ := logH(-12 + 1e-9)
	b, _ := logH(-12 - 1e-9)
	if !near(a, b, 1e-7) {
		t.Errorf("log h jumps at −12: %v, %v", a, b)
	}
	if lh, d := logH(-1e4); math.IsInf(lh, 0) || math.IsNaN(d) {
		t.Errorf("log h(−1e4) = %v, %v", lh, d)
	}
	for _, z := range []float64{2, -3, -11.99, -12.01, -30} {
		const h = 1e-6
		_, d := logH(z)
		lp, _ := logH(z + h)
		lm, _ := logH(z - h)
		if fd := (lp - lm) / (2 * h); !near(d, fd, 1e-5) {
			t.Errorf("d log h/dz at %v = %v, finite difference %v", z, d, fd)
		}
	}
	e := LogEI{Best: 0.3}
	for _, ms := range [][2]float64{{0, 1}, {1, 0.1}, {0.5, 2}, {20, 0.5}} {
		_, dm, ds := e.Score(ms[0], ms[1])
		const h = 1e-6
		ap, _, _ := e.Score(ms[0]+h, ms[1])
		am, _, _ := e.Score(ms[0]-h, ms[1])
		if fd := (ap - am) / (2 * h); !near(dm, fd, 1e-5) {
			t.Errorf("∂/∂mean at %v = %v, finite difference %v", ms, dm, fd)
		}
		ap, _, _ = e.Score(ms[0], ms[1]+h)
		am, _, _ = e.Score(ms[0], ms[1]-h)
		if fd := (ap - am) / (2 * h); !near(ds, fd, 1e-5) {
			t.Errorf("∂/∂sd at %v = %v, finite difference %v", ms, ds, fd)
		}
	}
}

func TestOptimizers(t *testing.T) {
	rosen := func(x, g []float64) float64 {
		a, b := 1-x[0], x[1]-x[0]*x[0]
		g[0] = -2*a - 400*x[0]*b
		g[1] = 200 * b
		return a*a + 100*b*b
	}
	x := []float64{-1.2, 1}
	if f := lbfgs(rosen, x, 200, 1e-8, 1e-14); f > 1e-8 || !near(x[0], 1, 1e-4) || !near(x[1], 1, 1e-4) {
		t.Errorf("L-BFGS on Rosenbrock: f(%v) = %v", x, f)
	}
	// Maximize −|x − c|² with c outside the box in dimension 0; dimension
	// 2 is frozen.
	c := []float64{1.5, 0.3, 0.8}
	f := func(x, g []float64) float64 {
		var s float64
		for i := range x {
			g[i] = -2 * (x[i] - c[i])
			s -= (x[i] - c[i]) * (x[i] - c[i])
		}
		return s
	}
	y := []float64{0.1, 0.9, 0.1}
	v, _ := MaximizeBox(f, y, []bool{true, true, false}, 100)
	if !near(y[0], 1, 1e-6) || !near(y[1], 0.3, 1e-5) || y[2] != 0.1 || !near(v, -0.25-0.49, 1e-6) {
		t.Errorf("MaximizeBox: f(%v) = %v", y, v)
	}
}

func TestPredictMany(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	const d, m = 3, 17
	x, y := randomData(r, 25, d)
	g, err := New(x, d, y, 1e-4, randomParams(r, d))
	if err != nil {
		t.Fatal(err)
	}
	xs := make([]float64, m*d)
	for i := range xs {
		xs[i] = r.Float64()
	}
	copy(xs, x[:d]) // a training point, where the variance is tiny
	mean, variance := make([]float64, m), make([]float64, m)
	for i := range mean {
		mean[i] = 99 // overwritten
	}
	g.PredictMany(xs, mean, variance)
	for j := range m {
		wm, wv := g.Predict(xs[j*d : j*d+d])
		if !near(mean[j], wm, 1e-10) || !near(variance[j], wv, 1e-8) {
			t.Errorf("point %d: %v %v, Predict %v %v", j, mean[j], variance[j], wm, wv)
		}
	}
}

// TestFitIsotropic: on a function of the first of two inputs, a fit with
// per-dimension length scales makes the second much longer; an isotropic
// fit gives both the same length scale, at least as likely as its start
// and between the two per-dimension ones.
func TestFitIsotropic(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const n, d = 30, 2
	x := make([]float64, n*d)
	y := make([]float64, n)
	for i := range n {
		x[i*d], x[i*d+1] = r.Float64(), r.Float64()
		y[i] = math.Sin(6 * x[i*d])
	}
	ard, err := Fit(x, d, y, FitOptions{Noise: 1e-4, Restarts: 2, Rand: rand.New(rand.NewPCG(1, 1))})
	if err != nil {
		t.Fatal(err)
	}
	iso, err := Fit(x, d, y, FitOptions{Noise: 1e-4, Restarts: 2, Rand: rand.New(rand.NewPCG(1, 1)), Isotropic: true})
	if err != nil {
		t.Fatal(err)
	}
	a, s := ard.Params().LengthScales, iso.Params().LengthScales
	if s[0] != s[1] || !(a[1] > 5*a[0]) || !(s[0] > a[0] && s[0] < a[1]) {
		t.Errorf("length scales: per dimension %v, isotropic %v", a, s)
	}
	start, _ := New(x, d, y, 1e-4, Params{LengthScales: []float64{0.5, 0.5}, SignalVariance: 1})
	if iso.LogMarginalLikelihood() < start.LogMarginalLikelihood() || iso.LogMarginalLikelihood() > ard.LogMarginalLikelihood() {
		t.Errorf("log marginal likelihood: isotropic %v, its start %v, per dimension %v",
			iso.LogMarginalLikelihood(), start.LogMarginalLikelihood(), ard.LogMarginalLikelihood())
	}
}
