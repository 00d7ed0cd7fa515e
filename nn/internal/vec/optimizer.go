package vec

import "math"

// SGD sets w[i] -= lr·g[i] for every i < len(w) (g at least as long).
func SGD(w, g []float32, lr float32) {
	g = g[:len(w)]
	i := 0
	if useAVX2 {
		i = len(w) &^ 7
		if i > 0 {
			sgdStep(&w[0], &g[0], i, lr)
		}
	}
	for ; i < len(w); i++ {
		w[i] -= float32(lr * g[i])
	}
}

// Adam applies one Adam update to each element of w, with gradient g and
// moments m and v (all at least as long as w): with c1 = 1−β₁, c2 = 1−β₂
// and alpha the bias-corrected step size,
//
//	m += (g−m)·c1;  v += (g²−v)·c2;  w −= alpha·m / (√v + eps)
//
// each operation rounded to float32 in that order (no fused multiply-add),
// in the kernel and in the Go loop alike.
func Adam(w, g, m, v []float32, alpha, c1, c2, eps float32) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	i := 0
	if useAVX2 {
		i = len(w) &^ 7
		if i > 0 {
			adamStep(&w[0], &g[0], &m[0], &v[0], i, alpha, c1, c2, eps)
		}
	}
	for ; i < len(w); i++ {
		gi := g[i]
		m[i] += float32((gi - m[i]) * c1)
		v[i] += float32((float32(gi*gi) - v[i]) * c2)
		w[i] -= float32(alpha*m[i]) / (float32(math.Sqrt(float64(v[i]))) + eps)
	}
}
