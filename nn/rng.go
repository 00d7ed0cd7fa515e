package nn

import (
	"math"
	"math/bits"
)

// rng is a small deterministic generator (SplitMix64). It is defined here,
// not taken from math/rand, so that weights and shuffles drawn from a seed
// stay bit-identical across Go releases.
type rng struct{ state uint64 }

// newRNG returns a generator for one (seed, stream) pair; different streams
// of one seed are independent for practical purposes.
func newRNG(seed int64, stream uint64) rng {
	r := rng{state: uint64(seed)}
	r.state = r.next() ^ (stream * 0xd1342543de82ef95)
	r.next()
	return r
}

func (r *rng) next() uint64 {
	r.state += splitMixGamma
	return splitMix(r.state)
}

// splitMixGamma is SplitMix64's state increment: draw k of a generator in
// state s is splitMix(s + k·splitMixGamma), a function of a counter.
const splitMixGamma = 0x9e3779b97f4a7c15

// splitMix is SplitMix64's output function of a state.
func splitMix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// float64 returns a uniform value in [0, 1).
func (r *rng) float64() float64 { return float64(r.next()>>11) / (1 << 53) }

// intn returns a uniform value in [0, n) (Lemire's method, unbiased); n > 0.
func (r *rng) intn(n int) int {
	bound := uint64(n)
	hi, lo := bits.Mul64(r.next(), bound)
	if lo < bound {
		thresh := -bound % bound
		for lo < thresh {
			hi, lo = bits.Mul64(r.next(), bound)
		}
	}
	return int(hi)
}

// shuffle permutes p in place (Fisher–Yates).
func (r *rng) shuffle(p []int) {
	for i := len(p) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
}

// normal returns a standard normal value (Box–Muller, one of the pair).
func (r *rng) normal() float64 {
	u1, u2 := 1-r.float64(), r.float64() // u1 in (0, 1]
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// truncatedNormal returns a standard normal value redrawn until it lies in
// [−2, 2].
func (r *rng) truncatedNormal() float64 {
	for {
		if z := r.normal(); z >= -2 && z <= 2 {
			return z
		}
	}
}
