package nn

import (
	"math"

	"github.com/tunekit/tune/nn/internal/vec"
)

// Dropout returns a layer that, during training only, sets each input to 0
// with probability rate and scales the others by 1/(1 − rate); at inference
// (Evaluate, Predict, validation) it passes its input through. The masks
// are drawn from FitConfig.Seed, the epoch and the layer's position, so
// training is deterministic and resumes identically. rate is in [0, 1).
func Dropout(rate float64, opts ...LayerOption) Layer {
	return &dropoutLayer{rate: rate, o: newOptions(opts)}
}

type dropoutLayer struct {
	rate float64
	o    layerOptions
}

func (l *dropoutLayer) Apply(in ...*Node) *Node      { return apply(l, in) }
func (l *dropoutLayer) opts() *layerOptions          { return &l.o }
func (*dropoutLayer) typeName() string               { return "Dropout" }
func (*dropoutLayer) arity() (int, int)              { return 1, 1 }
func (*dropoutLayer) hasWeights() bool               { return false }
func (*dropoutLayer) paramCounts([][]int) (int, int) { return 0, 0 }
func (l *dropoutLayer) encode(j *layerJSON)          { j.Rate = l.rate }

func (l *dropoutLayer) outputShape(in [][]int) ([]int, error) {
	if !(l.rate >= 0 && l.rate < 1) {
		return nil, specErr(ErrInvalidModel, "Dropout rate is %v, want a value in [0, 1)", l.rate)
	}
	return append([]int(nil), in[0]...), nil
}

func (l *dropoutLayer) build(c *buildContext) (unit, error) {
	u := &dropoutUnit{unitBase: c.newBase(), rate: l.rate, index: c.index}
	u.r = newRNG(c.seed, dropoutStream(0, c.index))
	return u, nil
}

// dropoutKernels says whether the vector kernels are used (tests turn them
// off).
var dropoutKernels = vec.DropoutAvailable

// dropoutStream is the random stream of the dropout layer at position index
// in a given epoch.
func dropoutStream(epoch, index int) uint64 {
	return 1<<62 | uint64(epoch)<<20 | uint64(index)
}

// dropoutUnit keeps the mask of its last training forward pass.
//
// The mask of a batch's n·size values comes from the layer's SplitMix64
// stream, one 64-bit draw per two values: value i takes the low 32 bits of
// draw i/2 if i is even, the high 32 bits if odd, and is kept if that
// number is at least ⌈rate·2³²⌉, so it is dropped with probability rate
// (to within 2⁻³²). SplitMix64's draws are a function of a counter, so the
// vector kernels (package vec) compute sixteen values' draws at once with
// the same bits as the Go loop here. The mask is one bit per value (set:
// kept), so a batch's mask is 1/32 of its values' size.
type dropoutUnit struct {
	unitBase
	rate     float64
	index    int
	r        rng
	mask     []uint64 // bit i%64 of mask[i/64]: value i was kept
	masked   []float32
	training bool // the last forward pass applied the mask
	// inPlace: the input is a max pooling run by a Conv2D, which also runs
	// this layer's passes, in place, chunk by chunk (see conv_pool.go).
	inPlace bool
}

// reseed starts the masks of an epoch of a Fit with the given seed.
func (u *dropoutUnit) reseed(seed int64, epoch int) {
	u.r = newRNG(seed, dropoutStream(epoch, u.index))
}

func (u *dropoutUnit) reserve(rows int) {
	u.mask = make([]uint64, (rows*u.size+63)/64)
	if !u.inPlace {
		u.masked = make([]float32, rows*u.size)
	}
}

// keepScale is the factor of a kept value, 1/(1 − rate).
func (u *dropoutUnit) keepScale() float32 { return float32(1 / (1 - u.rate)) }

// threshold is the smallest 32-bit draw that keeps a value, ⌈rate·2³²⌉
// (2³² − 1 for rates within 2⁻³² of 1).
func (u *dropoutUnit) threshold() uint32 {
	return uint32(min(math.Ceil(u.rate*(1<<32)), math.MaxUint32))
}

// scaleAt returns what the last training forward pass multiplied value i
// by: 1/(1 − rate) if it was kept, else 0.
func (u *dropoutUnit) scaleAt(i int) float32 {
	if u.mask[i/64]>>(i%64)&1 == 0 {
		return 0
	}
	return u.keepScale()
}

func (u *dropoutUnit) forward(n int, training bool) {
	x := u.ins[0].out[:n*u.size]
	u.training = u.active(training)
	if !u.training {
		u.out = x
		return
	}
	if !u.inPlace { // else the Conv2D running the pooling before has masked x
		u.apply(x, u.masked[:len(x)], 0)
		x = u.masked[:len(x)]
	}
	u.r.state += uint64(len(x)+1) / 2 * splitMixGamma
	u.out = x
}

// active reports whether a forward pass masks its input.
func (u *dropoutUnit) active(training bool) bool { return training && u.rate > 0 }

// apply sets out to the batch's values x masked and scaled, with their mask
// bits, where x starts at value v0 of the batch, a multiple of 64.
func (u *dropoutUnit) apply(x, out []float32, v0 int) {
	mask := u.mask[v0/64 : (v0+len(x)+63)/64]
	state := u.r.state + uint64(v0/2)*splitMixGamma
	if dropoutKernels {
		vec.DropoutForward(x, out, mask, state, u.threshold(), u.keepScale())
	} else {
		dropoutForward(x, out, mask, state, u.threshold(), u.keepScale())
	}
}

// unapply writes dst, the gradient of the batch's values from v0 (a
// multiple of 64) on, from g, the gradient of the masked values; or adds
// it, with accum.
func (u *dropoutUnit) unapply(g, dst []float32, v0 int, accum bool) {
	mask := u.mask[v0/64 : (v0+len(g)+63)/64]
	if dropoutKernels {
		vec.DropoutBackward(g, dst, mask, u.keepScale(), accum)
		return
	}
	dropoutBackward(g, dst, mask, u.keepScale(), accum)
}

// dropoutForward is the Go reference of vec.DropoutForward: it sets out to
// x masked and scaled, and mask's bits (len(x) of them, the rest of the
// last word cleared), with the draws following state.
func dropoutForward(x, out []float32, mask []uint64, state uint64, thresh uint32, keep float32) {
	for w := range mask {
		lo, hi := w*64, min(len(x), w*64+64)
		var bits uint64
		for i := lo; i < hi; i += 2 {
			state += splitMixGamma
			d := splitMix(state)
			// Branch-free: a dropped value is mispredicted otherwise.
			m := bitsIf(uint32(d) >= thresh)
			bits |= uint64(m&1) << (i - lo)
			out[i] = math.Float32frombits(math.Float32bits(x[i]*keep) & m)
			if i+1 < hi {
				m = bitsIf(uint32(d>>32) >= thresh)
				bits |= uint64(m&1) << (i + 1 - lo)
				out[i+1] = math.Float32frombits(math.Float32bits(x[i+1]*keep) & m)
			}
		}
		mask[w] = bits
	}
}

func (u *dropoutUnit) backward(n int) {
	if !u.ins[0].wantsGrad || u.inPlace {
		return
	}
	g := u.g[:n*u.size]
	if !u.training {
		u.gradTo(0, g)
		return
	}
	u.unapply(g, u.ins[0].g[:len(g)], 0, u.accum[0])
}

// dropoutBackward is the Go reference of vec.DropoutBackward: it sets (or,
// with accum, adds to) dst the gradient g masked and scaled as the forward
// pass did.
func dropoutBackward(g, dst []float32, mask []uint64, keep float32, accum bool) {
	for i, v := range g {
		m := uint32(0) - uint32(mask[i/64]>>(i%64)&1)
		s := math.Float32frombits(math.Float32bits(v*keep) & m)
		if accum {
			dst[i] += s
		} else {
			dst[i] = s
		}
	}
}

// bitsIf returns all ones if c, else 0 (compiled to a flag set, no branch).
func bitsIf(c bool) uint32 {
	var m uint32
	if c {
		m = ^uint32(0)
	}
	return m
}
