package nn

import "github.com/tunekit/tune/nn/internal/vec"

// Max pooling over tiled windows: the windows do not overlap and cover the
// input exactly (stride = pool size, no padding, sizes divisible), as in
// the usual MaxPooling2D(2) after a convolution. Every input then belongs to
// exactly one window, so the backward pass writes each input gradient once
// (the window's gradient where the input was the maximum, +0 elsewhere)
// instead of clearing the whole input gradient and scattering into it; and
// when the input is a ReLU layer used by nothing else, the ReLU's
// derivative is applied on the way: the forward pass records an argmax
// whose input is not positive as −1, which no input matches, so that layer
// skips its own pass (gradIsZ) and the backward pass needs no input. Both
// passes run in the AVX-512 kernels of package vec, which give the bits of
// the general loops in pool.go; without them the general loops run and
// nothing is fused. A Conv2D whose only consumer is such a pooling runs it
// chunk by chunk (see conv_pool.go).

// poolKernels says whether the kernels are used (tests turn them off).
var poolKernels = vec.Available

// tiled reports whether w's windows tile its input.
func (w *window) tiled() bool {
	return w.sh == w.kh && w.sw == w.kw && w.padT == 0 && w.padL == 0 &&
		w.outH*w.kh == w.inH && w.outW*w.kw == w.inW
}

// fastMax reports whether the max pooling runs in the kernels.
func (u *pool) fastMax() bool { return u.max && poolKernels && u.win.tiled() }

// forwardTiled is the forward pass of one sample over tiled windows.
func (u *pool) forwardTiled(xs, ys []float32, arg []int32) {
	w := &u.win
	stride, rowIn, rowOut := w.inW*w.inC, w.kh*w.inW*w.inC, w.outW*w.inC
	for oy := range w.outH {
		vec.MaxRowForward(xs[oy*rowIn:(oy+1)*rowIn], ys[oy*rowOut:(oy+1)*rowOut], arg[oy*rowOut:(oy+1)*rowOut],
			oy*rowIn, w.outW, w.kh, w.kw, stride, w.inC, u.reluIn)
	}
}

// backwardTiled writes the input gradient ds of one sample from the output
// gradient gs.
func (u *pool) backwardTiled(gs, ds []float32, arg []int32) {
	w := &u.win
	stride, rowIn, rowOut := w.inW*w.inC, w.kh*w.inW*w.inC, w.outW*w.inC
	for oy := range w.outH {
		lo, hi := oy*rowIn, (oy+1)*rowIn
		vec.MaxRowBackward(gs[oy*rowOut:(oy+1)*rowOut], ds[lo:hi], arg[oy*rowOut:(oy+1)*rowOut],
			lo, w.outW, w.kh, w.kw, stride, w.inC)
	}
}

// forwardSamples runs the forward pass of samples s0 to s1 of a batch over
// x, their input.
func (u *pool) forwardSamples(x []float32, s0, s1 int) {
	in := u.win.inSize()
	for s := s0; s < s1; s++ {
		o := s * u.size
		u.forwardTiled(x[(s-s0)*in:(s-s0+1)*in], u.y[o:o+u.size], u.arg[o:o+u.size])
	}
}

// backwardSamples writes dx, the input gradient of samples s0 to s1 of a
// batch, from g, their output gradient.
func (u *pool) backwardSamples(g, dx []float32, s0, s1 int) {
	in := u.win.inSize()
	for s := s0; s < s1; s++ {
		o := s * u.size
		u.backwardTiled(g[o-s0*u.size:o-s0*u.size+u.size], dx[(s-s0)*in:(s-s0+1)*in], u.arg[o:o+u.size])
	}
}

// fuseReLU hands the derivative of each ReLU Conv2D or Dense used by one
// layer only to that layer, which sets the ReLU's gradIsZ: a max pooling
// run by the kernels (see above), or a Dense, whose input gradient's
// product zeroes it where the ReLU's output is not positive as it stores
// each tile (gemm.DenseGradXReLU).
func fuseReLU(units []unit) {
	relu := make(map[*unitBase]bool)
	for _, u := range units {
		switch v := u.(type) {
		case *conv:
			relu[v.base()] = v.act == actReLU
		case *dense:
			relu[v.base()] = v.act == actReLU
		}
	}
	for _, u := range units {
		b := u.base()
		if len(b.ins) != 1 {
			continue
		}
		in := b.ins[0]
		if !relu[in] || in.consumers != 1 || in.gradIsZ || !in.wantsGrad {
			continue
		}
		switch v := u.(type) {
		case *pool:
			if v.fastMax() {
				v.reluIn, in.gradIsZ = true, true
			}
		case *dense:
			v.reluIn, in.gradIsZ = true, true
		}
	}
}
