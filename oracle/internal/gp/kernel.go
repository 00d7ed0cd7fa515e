package gp

import "math"

const sqrt5 = 2.2360679774997896964

// matern52 evaluates the Matérn 5/2 correlation at squared scaled distance
// r2 = Σ_d ((x_d − x'_d)/ℓ_d)²:
//
//	f(r) = (1 + √5·r + 5r²/3)·exp(−√5·r)
//
// and g(r) = (5/3)(1 + √5·r)·exp(−√5·r), so that ∂f/∂(r²) = −g/2. Writing
// the derivatives through g keeps them finite at r = 0.
func matern52(r2 float64) (f, g float64) {
	r := math.Sqrt(r2)
	e := math.Exp(-sqrt5 * r)
	f = (1 + sqrt5*r + 5*r2/3) * e
	g = 5.0 / 3.0 * (1 + sqrt5*r) * e
	return f, g
}
