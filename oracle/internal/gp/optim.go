package gp

import (
	"math"

	"gonum.org/v1/gonum/floats"
)

// Objective returns a function's value at x and stores its gradient in
// grad. It must not keep x or grad.
type Objective func(x, grad []float64) float64

// lbfgs minimizes f from x, which it overwrites with the best point found,
// by limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2006,
// alg. 7.4 and 7.5) with a backtracking Armijo line search. It stops after
// maxIter iterations, when the gradient's largest entry is below gtol, when
// the value improves by less than ftol twice in a row, or when a line
// search fails. It returns the value at x.
//
// (gonum/optimize offers the same method, but importing it pulls in
// golang.org/x/tools through stat/distmv, a dependency the module does not
// otherwise need.)
func lbfgs(f Objective, x []float64, maxIter int, gtol, ftol float64) float64 {
	const mem = 8
	n := len(x)
	g := make([]float64, n)
	fx := f(x, g)
	if math.IsInf(fx, 0) || math.IsNaN(fx) {
		return fx
	}
	ss := make([][]float64, 0, mem)
	ys := make([][]float64, 0, mem)
	rho := make([]float64, 0, mem)
	alpha := make([]float64, mem)
	d := make([]float64, n)
	xn := make([]float64, n)
	gn := make([]float64, n)
	stall := 0
	for range maxIter {
		if floats.Norm(g, math.Inf(1)) < gtol {
			break
		}
		// Two-loop recursion: d = −H·g.
		copy(d, g)
		for i := len(ss) - 1; i >= 0; i-- {
			alpha[i] = rho[i] * floats.Dot(ss[i], d)
			floats.AddScaled(d, -alpha[i], ys[i])
		}
		if k := len(ss) - 1; k >= 0 {
			floats.Scale(floats.Dot(ss[k], ys[k])/floats.Dot(ys[k], ys[k]), d)
		} else {
			floats.Scale(1/math.Max(1, floats.Norm(g, 2)), d)
		}
		for i := range ss {
			b := rho[i] * floats.Dot(ys[i], d)
			floats.AddScaled(d, alpha[i]-b, ss[i])
		}
		floats.Scale(-1, d)
		dg := floats.Dot(d, g)
		if !(dg < 0) {
			// Not a descent direction: forget the curvature pairs.
			ss, ys, rho = ss[:0], ys[:0], rho[:0]
			copy(d, g)
			floats.Scale(-1/math.Max(1, floats.Norm(g, 2)), d)
			dg = floats.Dot(d, g)
		}
		t, fn, ok := 1.0, 0.0, false
		for range 30 {
			floats.AddScaledTo(xn, x, t, d)
			fn = f(xn, gn)
			if fn <= fx+1e-4*t*dg {
				ok = true
				break
			}
			t *= 0.5
		}
		if !ok {
			break
		}
		var s, y []float64
		if len(ss) == mem {
			s, y = ss[0], ys[0]
			ss, ys, rho = append(ss[:0], ss[1:]...), append(ys[:0], ys[1:]...), append(rho[:0], rho[1:]...)
		} else {
			s, y = make([]float64, n), make([]float64, n)
		}
		floats.SubTo(s, xn, x)
		floats.SubTo(y, gn, g)
		if sy := floats.Dot(s, y); sy > 1e-10*floats.Norm(s, 2)*floats.Norm(y, 2) {
			ss, ys, rho = append(ss, s), append(ys, y), append(rho, 1/sy)
		}
		if fx-fn <= ftol {
			stall++
		} else {
			stall = 0
		}
		copy(x, xn)
		copy(g, gn)
		fx = fn
		if stall >= 2 {
			break
		}
	}
	return fx
}

// MaximizeBox maximizes f over the box [0, 1]^n from x, which it
// overwrites with the best point found, moving only the coordinates where
// free is true (nil: all). It is the spectral projected gradient method
// (Birgin, Martínez & Raydan, 2000) with a monotone backtracking line
// search. It returns the value at x and the number of evaluations.
func MaximizeBox(f Objective, x []float64, free []bool, maxIter int) (float64, int) {
	n := len(x)
	neg := func(x, grad []float64) float64 {
		v := f(x, grad)
		floats.Scale(-1, grad)
		for i := range grad {
			if free != nil && !free[i] {
				grad[i] = 0
			}
		}
		return -v
	}
	for i := range x {
		x[i] = clamp01(x[i])
	}
	g := make([]float64, n)
	fx := neg(x, g)
	evals := 1
	if math.IsInf(fx, 0) || math.IsNaN(fx) {
		return -fx, evals
	}
	d := make([]float64, n)
	xn := make([]float64, n)
	gn := make([]float64, n)
	const lamMin, lamMax = 1e-10, 1e3
	lam := 1 / math.Max(floats.Norm(g, math.Inf(1)), 1e-10) * 0.1
	for range maxIter {
		// d = P(x − λ·g) − x.
		for i := range x {
			d[i] = clamp01(x[i]-lam*g[i]) - x[i]
		}
		if floats.Norm(d, math.Inf(1)) < 1e-7 {
			break
		}
		dg := floats.Dot(d, g)
		t, fn, ok := 1.0, 0.0, false
		for range 20 {
			for i := range x {
				xn[i] = clamp01(x[i] + t*d[i])
			}
			fn = neg(xn, gn)
			evals++
			if fn <= fx+1e-4*t*dg {
				ok = true
				break
			}
			t *= 0.5
		}
		if !ok {
			break
		}
		var sy, s2 float64
		for i := range x {
			s, y := xn[i]-x[i], gn[i]-g[i]
			sy += s * y
			s2 += s * s
		}
		if sy > 0 {
			lam = math.Min(math.Max(s2/sy, lamMin), lamMax)
		} else {
			lam = lamMax
		}
		improved := fx - fn
		copy(x, xn)
		copy(g, gn)
		fx = fn
		if improved <= 1e-10*math.Max(1, math.Abs(fx)) {
			break
		}
	}
	return -fx, evals
}

func clamp01(v float64) float64 {
	if !(v > 0) {
		return 0
	}
	return math.Min(v, 1)
}
