package data

import (
	"fmt"
	"math"

	"github.com/tunekit/tune/nn"
)

// spiralTurns is how many turns each spiral arm makes from the centre to
// radius 1.
const spiralTurns = 1.25

// Spirals returns a synthetic classification dataset of n points in 2
// features, on `classes` interleaved spiral arms around the origin (two
// classes give the classic two-spirals problem). It is deterministic for a
// seed.
//
// Row i belongs to class i mod classes, so classes are balanced and any
// prefix or suffix of the rows (as taken by SplitLast) is balanced too. Each
// point lies at a uniformly random radius t in [0, 1) on its arm, at angle
// 2π·class/classes + 2π·1.25·t, plus independent Gaussian noise of standard
// deviation noise on each coordinate (0.05–0.2 is a moderately hard problem).
// x is n×2; y is n×1 class ids.
//
// Spirals panics if n < 0, classes < 1 or noise is negative or NaN: these are
// programming errors, not data errors.
func Spirals(n, classes int, noise float64, seed int64) (x, y *nn.Matrix) {
	if n < 0 || classes < 1 || !(noise >= 0) {
		panic(fmt.Sprintf("data: Spirals(n=%d, classes=%d, noise=%v): need n ≥ 0, classes ≥ 1, noise ≥ 0", n, classes, noise))
	}
	r := newRNG(seed, streamSpirals)
	x = nn.NewMatrix(n, 2)
	y = nn.NewMatrix(n, 1)
	for i := range n {
		c := i % classes
		t := r.float64()
		a := 2*math.Pi*float64(c)/float64(classes) + 2*math.Pi*spiralTurns*t
		x.Data[2*i] = float32(t*math.Cos(a) + noise*r.norm())
		x.Data[2*i+1] = float32(t*math.Sin(a) + noise*r.norm())
		y.Data[i] = float32(c)
	}
	return x, y
}

// Blobs returns a synthetic classification dataset of n points in `features`
// dimensions drawn from `centers` isotropic Gaussian clusters of standard
// deviation std, like scikit-learn's make_blobs: the centres are uniform in
// [-10, 10) per feature. Row i belongs to cluster i mod centers. It is
// deterministic for a seed. x is n×features; y is n×1 cluster ids.
//
// Blobs panics if n < 0, centers < 1, features < 1 or std is negative or NaN.
func Blobs(n, centers, features int, std float64, seed int64) (x, y *nn.Matrix) {
	if n < 0 || centers < 1 || features < 1 || !(std >= 0) {
		panic(fmt.Sprintf("data: Blobs(n=%d, centers=%d, features=%d, std=%v): need n ≥ 0, centers ≥ 1, features ≥ 1, std ≥ 0", n, centers, features, std))
	}
	r := newRNG(seed, streamBlobs)
	mu := make([]float64, centers*features)
	for i := range mu {
		mu[i] = -10 + 20*r.float64()
	}
	x = nn.NewMatrix(n, features)
	y = nn.NewMatrix(n, 1)
	for i := range n {
		c := i % centers
		row := x.Row(i)
		for j := range row {
			row[j] = float32(mu[c*features+j] + std*r.norm())
		}
		y.Data[i] = float32(c)
	}
	return x, y
}
