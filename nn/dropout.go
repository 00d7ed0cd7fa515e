package nn

import "math"

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

// dropoutStream is the random stream of the dropout layer at position index
// in a given epoch.
func dropoutStream(epoch, index int) uint64 {
	return 1<<62 | uint64(epoch)<<20 | uint64(index)
}

// dropoutUnit keeps the mask of its last training forward pass.
type dropoutUnit struct {
	unitBase
	rate     float64
	index    int
	r        rng
	mask     []float32 // 0 or 1/(1−rate)
	masked   []float32
	training bool // the last forward pass applied the mask
}

// reseed starts the masks of an epoch of a Fit with the given seed.
func (u *dropoutUnit) reseed(seed int64, epoch int) {
	u.r = newRNG(seed, dropoutStream(epoch, u.index))
}

func (u *dropoutUnit) reserve(rows int) {
	u.mask = make([]float32, rows*u.size)
	u.masked = make([]float32, rows*u.size)
}

func (u *dropoutUnit) forward(n int, training bool) {
	x := u.ins[0].out[:n*u.size]
	u.training = training && u.rate > 0
	if !u.training {
		u.out = x
		return
	}
	keep := float32(1 / (1 - u.rate))
	kb := math.Float32bits(keep)
	// u.r.float64() >= rate, i.e. (next()>>11)/2⁵³ >= rate, exactly as an
	// integer comparison (x>>11 < 2⁵³ converts exactly), and without a
	// branch: a dropped input is mispredicted otherwise.
	thresh := uint64(math.Ceil(u.rate * (1 << 53)))
	mask, out := u.mask[:len(x)], u.masked[:len(x)]
	for i, v := range x {
		m := bitsIf(u.r.next()>>11 >= thresh)
		mask[i] = math.Float32frombits(kb & m)
		out[i] = math.Float32frombits(math.Float32bits(v*keep) & m)
	}
	u.out = out
}

func (u *dropoutUnit) backward(n int) {
	if !u.ins[0].wantsGrad {
		return
	}
	g := u.g[:n*u.size]
	if !u.training {
		u.gradTo(0, g)
		return
	}
	u.gradMulTo(0, g, u.mask[:n*u.size])
}

// bitsIf returns all ones if c, else 0 (compiled to a flag set, no branch).
func bitsIf(c bool) uint32 {
	var m uint32
	if c {
		m = ^uint32(0)
	}
	return m
}
