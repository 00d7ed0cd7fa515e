package data

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// rng is the package's seeded random source. It draws only raw 64-bit
// values from PCG (a fixed, specified algorithm) and derives integers,
// uniforms and normals itself, so a seed gives the same datasets and splits
// on every Go release and platform (up to floating-point contraction in the
// math of Spirals and Blobs on some architectures).
type rng struct{ src *rand.PCG }

func newRNG(seed int64, stream uint64) *rng {
	return &rng{src: rand.NewPCG(uint64(seed), stream)}
}

// uint64n returns a uniform integer in [0, n), n > 0 (Lemire's method).
func (r *rng) uint64n(n uint64) uint64 {
	hi, lo := bits.Mul64(r.src.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(r.src.Uint64(), n)
		}
	}
	return hi
}

// float64 returns a uniform value in [0, 1).
func (r *rng) float64() float64 {
	return float64(r.src.Uint64()>>11) / (1 << 53)
}

// norm returns a standard normal value (Box–Muller).
func (r *rng) norm() float64 {
	u := 1 - r.float64() // (0, 1]
	v := r.float64()
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*v)
}

// perm returns a uniform random permutation of [0, n) (Fisher–Yates).
func (r *rng) perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := int(r.uint64n(uint64(i + 1)))
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// Stream constants keep the generators of different functions independent
// for the same seed.
const (
	streamSpirals = 0x53504952414c53 // "SPIRALS"
	streamBlobs   = 0x424c4f4253     // "BLOBS"
	streamSplit   = 0x53504c4954     // "SPLIT"
	streamHoldout = 0x484f4c444f5554 // "HOLDOUT"
)
