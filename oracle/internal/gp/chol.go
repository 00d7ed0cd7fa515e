package gp

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/floats"
)

// ErrSingular is returned when a kernel matrix cannot be factored even with
// the largest jitter tried: its entries are not finite, or it is far from
// positive definite.
var ErrSingular = errors.New("gp: kernel matrix is not positive definite")

const (
	// minPivot is the smallest pivot accepted, relative to the diagonal
	// entry: below it the matrix counts as singular and jitter is added.
	minPivot = 1e-12
	// firstJitter and maxJitter bound the jitter tried, relative to the
	// mean diagonal entry; each try multiplies it by 10.
	firstJitter = 1e-10
	maxJitter   = 1e-1
)

// factor computes the lower-triangular Cholesky factor l of a + jitter·I,
// where a is n×n, row-major and symmetric (only its lower triangle is read).
// It tries no jitter first, then 1e-10 times the mean diagonal entry,
// growing tenfold up to 1e-1 times it. It returns the jitter used, or
// ErrSingular. It never panics on bad numbers.
func factor(a []float64, n int, l []float64) (float64, error) {
	if n == 0 {
		return 0, nil
	}
	var scale float64
	for i := range n {
		scale += a[i*n+i]
	}
	scale /= float64(n)
	if !(scale > 0) || math.IsInf(scale, 0) {
		return 0, ErrSingular
	}
	jitter := 0.0
	for {
		if cholesky(a, n, l, jitter) {
			return jitter, nil
		}
		if jitter == 0 {
			jitter = firstJitter * scale
		} else {
			jitter *= 10
		}
		if jitter > maxJitter*scale {
			return 0, ErrSingular
		}
	}
}

// cholesky factors a + jitter·I into l row by row and reports whether every
// pivot was positive and large enough. The upper triangle of l is zeroed.
func cholesky(a []float64, n int, l []float64, jitter float64) bool {
	for i := range n {
		li := l[i*n : i*n+n]
		for j := 0; j < i; j++ {
			lj := l[j*n : j*n+j]
			li[j] = (a[i*n+j] - floats.Dot(li[:j], lj)) / l[j*n+j]
		}
		aii := a[i*n+i] + jitter
		d := aii - floats.Dot(li[:i], li[:i])
		if !(d > minPivot*aii) || math.IsInf(d, 0) {
			return false
		}
		li[i] = math.Sqrt(d)
		clear(li[i+1:])
	}
	return true
}

// solveLower overwrites b with l⁻¹·b.
func solveLower(l []float64, n int, b []float64) {
	for i := range n {
		b[i] = (b[i] - floats.Dot(l[i*n:i*n+i], b[:i])) / l[i*n+i]
	}
}

// solveUpper overwrites b with l⁻ᵀ·b.
func solveUpper(l []float64, n int, b []float64) {
	for i := n - 1; i >= 0; i-- {
		b[i] /= l[i*n+i]
		if i > 0 {
			floats.AddScaled(b[:i], -b[i], l[i*n:i*n+i])
		}
	}
}

// inverse writes (l·lᵀ)⁻¹ into inv, lower triangle only, using m (n×n)
// as scratch for l⁻ᵀ. Both steps are contiguous dot products.
func inverse(l []float64, n int, m, inv []float64) {
	// Row j of m = l⁻ᵀ is column j of l⁻¹, the solution c of l·c = e_j:
	// c_i = (δ_ij − Σ_{j≤k<i} l_ik·c_k)/l_ii for i ≥ j.
	for j := range n {
		mj := m[j*n : j*n+n]
		clear(mj[:j])
		mj[j] = 1 / l[j*n+j]
		for i := j + 1; i < n; i++ {
			mj[i] = -floats.Dot(l[i*n+j:i*n+i], mj[j:i]) / l[i*n+i]
		}
	}
	// inv_ij = Σ_{k≥i} m_ik·m_jk for i ≥ j.
	for i := range n {
		mi := m[i*n+i : i*n+n]
		for j := 0; j <= i; j++ {
			inv[i*n+j] = floats.Dot(mi, m[j*n+i:j*n+n])
		}
	}
}
