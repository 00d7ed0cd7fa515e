package nn

import (
	kernels "github.com/tunekit/tune/nn/internal/gemm"
	"github.com/tunekit/tune/nn/internal/vec"
)

// Conv2D returns a 2-D convolution of filters output channels with square
// kernelSize×kernelSize windows over channels-last inputs of shape (height,
// width, channels), like Keras' Conv2D: activation(conv(x, W) + b). The
// kernel has shape (kernelSize, kernelSize, channels, filters) and is
// glorot_uniform unless KernelInitializer says otherwise; Strides, Padding
// and UseBias set the rest. The empty activation is Linear.
//
// The convolution is computed as matrix products of a few samples each:
// the input windows are copied into rows (im2col) that the packed GEMM
// kernels multiply by the kernel, adding the bias and applying a ReLU as
// they store the result.
func Conv2D(filters, kernelSize int, activation Activation, opts ...LayerOption) Layer {
	return &convLayer{filters: filters, kh: kernelSize, kw: kernelSize, activation: activation, o: newOptions(opts)}
}

type convLayer struct {
	filters, kh, kw int
	activation      Activation
	o               layerOptions
}

func (l *convLayer) Apply(in ...*Node) *Node { return apply(l, in) }
func (l *convLayer) opts() *layerOptions     { return &l.o }
func (*convLayer) typeName() string          { return "Conv2D" }
func (*convLayer) arity() (int, int)         { return 1, 1 }
func (*convLayer) hasWeights() bool          { return true }

func (l *convLayer) strides() (int, int) {
	if l.o.has("Strides") {
		return l.o.strides[0], l.o.strides[1]
	}
	return 1, 1
}

func (l *convLayer) window(in []int) (window, error) {
	sh, sw := l.strides()
	return newWindow(in, l.kh, l.kw, sh, sw, l.o.padding)
}

func (l *convLayer) paramCounts(in [][]int) (int, int) {
	n := l.kh * l.kw * in[0][2] * l.filters
	if !l.o.noBias {
		n += l.filters
	}
	return n, 0
}

func (l *convLayer) outputShape(in [][]int) ([]int, error) {
	if l.filters <= 0 {
		return nil, specErr(ErrInvalidModel, "filters must be positive, got %d", l.filters)
	}
	if _, ok := activationKinds[l.activation]; !ok {
		return nil, specErr(ErrUnknownActivation, "%q (want %s)", string(l.activation), activationList)
	}
	for _, init := range []Initializer{l.kernelInit(), l.biasInit()} {
		if err := checkInitializer(init); err != nil {
			return nil, err
		}
	}
	w, err := l.window(in[0])
	if err != nil {
		return nil, err
	}
	if k := l.kh * l.kw * w.inC; l.filters > maxParams/(k+1) {
		return nil, specErr(ErrInvalidModel, "%d filters of %d weights is too many parameters", l.filters, k)
	}
	out := []int{w.outH, w.outW, l.filters}
	return out, checkShape(out)
}

func (l *convLayer) kernelInit() Initializer {
	if l.o.kernelInit == "" {
		return GlorotUniform
	}
	return l.o.kernelInit
}

func (l *convLayer) biasInit() Initializer {
	if l.o.biasInit == "" {
		return Zeros
	}
	return l.o.biasInit
}

func (l *convLayer) encode(j *layerJSON) {
	j.Filters = l.filters
	j.KernelSize = []int{l.kh, l.kw}
	sh, sw := l.strides()
	j.Strides = []int{sh, sw}
	j.Padding = paddingName(l.o.padding)
	j.Activation = string(l.activation)
	if j.Activation == "" {
		j.Activation = string(Linear)
	}
	useBias := !l.o.noBias
	j.UseBias = &useBias
	j.KernelInitializer = string(l.kernelInit())
	j.BiasInitializer = string(l.biasInit())
}

func (l *convLayer) build(c *buildContext) (unit, error) {
	act, err := parseActivation(l.activation)
	if err != nil {
		return nil, err
	}
	w, err := l.window(c.inShapes[0])
	if err != nil {
		return nil, err
	}
	u := &conv{unitBase: c.newBase(), win: w, k: l.kh * l.kw * w.inC, f: l.filters, act: act, mm: c.kernels}
	u.w = u.addTensor("kernel", []int{l.kh, l.kw, w.inC, l.filters}, true)
	r := newRNG(c.seed, uint64(c.index))
	l.kernelInit().fill(u.w.w, u.k, l.kh*l.kw*l.filters, &r)
	u.ld, u.wb, u.gb = u.k, u.w.w, u.w.g
	if !l.o.noBias {
		u.b = u.addTensor("bias", []int{l.filters}, true)
		u.joinBias()
		l.biasInit().fill(u.b.w, l.filters, l.filters, &r)
	}
	return u, nil
}

// joinBias stores the kernel and the bias, and their gradients, as one
// (k+1)×f matrix each, [W; b], which multiplies im2col rows ending in a 1.
func (u *conv) joinBias() {
	n := u.k * u.f
	u.ld = u.k + 1
	u.wb, u.gb = make([]float32, n+u.f), make([]float32, n+u.f)
	copy(u.wb, u.w.w)
	copy(u.wb[n:], u.b.w)
	u.w.w, u.b.w = u.wb[:n:n], u.wb[n:]
	u.w.g, u.b.g = u.gb[:n:n], u.gb[n:]
}

// conv is a compiled Conv2D layer. Its kernel, (kh, kw, c, f) row-major, is
// the k×f matrix (k = kh·kw·c) that multiplies the im2col rows, one row per
// output position. With a bias, the bias is stored after the kernel, as its
// last row, and each im2col row ends in a 1 (set once, never overwritten):
// one product computes z = act(cols·W + b), the bias added by the chain's
// last fused multiply-add (1·b + acc rounds as the add it replaces), and
// one product gives the kernel and the bias gradients, [dW; db] = colsᵀ·dz.
type conv struct {
	unitBase
	win      window
	k, f     int
	ld       int       // values per im2col row: k, or k+1 with a bias
	wb, gb   []float32 // [W; b] and [dW; db], ld×f (W and dW without a bias)
	act      actKind
	w, b     *tensor // b is nil without a bias
	mm       *kernels.Context
	pool     *pool     // a max pooling this layer runs (see conv_pool.go)
	poolGrad []float32 // one chunk of its output gradient, if it has a Dropout

	cols  []float32 // im2col rows of one chunk of samples (see chunk)
	dcols []float32 // their gradient
	z, a  []float32 // pre-activations and (for activations other than linear and ReLU) activations
}

func (u *conv) reserve(rows int) {
	p := rows * u.win.positions()
	cr := min(rows, u.chunk()) * u.win.positions()
	u.cols = make([]float32, cr*u.ld)
	for i := u.k; i < len(u.cols) && u.ld > u.k; i += u.ld {
		u.cols[i] = 1 // the bias's input
	}
	if u.ins[0].wantsGrad {
		u.dcols = make([]float32, cr*u.k)
	}
	if u.pool != nil {
		p = u.reservePooled(rows)
	}
	u.z = make([]float32, p*u.f)
	if u.act != actLinear && u.act != actReLU {
		u.a = make([]float32, p*u.f)
	}
}

// chunk returns the number of samples whose im2col rows take about 256
// KiB: the forward pass writes them and multiplies them at once, while
// they are in L2, and the backward pass writes them again for the kernel
// gradient's product (a copy in L2 costs less than keeping a batch's rows,
// 11.5 MB for the lecture's CNN, and reading them back from memory),
// computes their gradient and adds it back (col2im) likewise. Rows of a
// product do not depend on how many are computed together, so chunking
// changes no result; the kernel gradient adds the chunks' products.
func (u *conv) chunk() int {
	return max(1, (256<<10)/4/max(1, u.win.positions()*u.ld))
}

func (u *conv) forward(n int, training bool) {
	pos := u.win.positions()
	p := n * pos
	epi := kernels.None
	if u.act == actReLU {
		epi = kernels.ReLU
	}
	x := u.ins[0].out[:n*u.win.inSize()]
	for s0, cs := 0, u.chunk(); s0 < n; s0 += cs {
		s1 := min(n, s0+cs)
		r0, r1 := s0*pos, s1*pos
		cols := u.cols[:(r1-r0)*u.ld]
		im2col(&u.win, x[s0*u.win.inSize():s1*u.win.inSize()], cols, s1-s0, u.ld)
		if r1 > r0 {
			z := u.z[:(r1-r0)*u.f] // a pooling's input: one chunk's room
			if u.pool == nil {
				z = u.z[r0*u.f : r1*u.f]
			}
			u.mm.DenseForward(r1-r0, u.f, u.ld, cols, u.wb, nil, z, epi)
			if u.pool != nil {
				u.poolChunk(z, s0, s1, training)
			}
		}
	}
	if u.pool != nil {
		u.out = nil // only the pooling reads it, from z
		return
	}
	z := u.z[:p*u.f]
	if u.act == actLinear || u.act == actReLU {
		u.out = z
		return
	}
	a := u.a[:p*u.f]
	activate(u.act, z, a, p, u.f)
	u.out = a
}

func (u *conv) backward(n int) {
	if u.pool != nil {
		u.backwardPooled(n)
		return
	}
	p := n * u.win.positions()
	g := u.g[:p*u.f]
	if !u.gradIsZ {
		activationBackward(u.act, u.z, u.out, g, p, u.f)
	}
	in := u.ins[0]
	var dx []float32
	if in.wantsGrad {
		dx = in.g[:n*u.win.inSize()]
		if !u.accum[0] {
			clear(dx)
		}
	}
	if n == 0 {
		clear(u.gb)
	}
	pos := u.win.positions()
	for s0, cs := 0, u.chunk(); s0 < n; s0 += cs {
		s1 := min(n, s0+cs)
		u.backwardChunk(g[s0*pos*u.f:s1*pos*u.f], dx, s0, s1)
	}
}

// backwardChunk adds the kernel and bias gradients of samples s0 to s1,
// whose dL/dz is dz, to the layer's (setting them for the first chunk), and
// their input gradient to dx (if not nil), rebuilding their im2col rows
// first.
func (u *conv) backwardChunk(dz, dx []float32, s0, s1 int) {
	size, r := u.win.inSize(), (s1-s0)*u.win.positions()
	cols := u.cols[:r*u.ld]
	im2col(&u.win, u.ins[0].out[s0*size:s1*size], cols, s1-s0, u.ld)
	beta := float32(1)
	if s0 == 0 {
		beta = 0
	}
	gemm(u.mm, true, false, u.ld, u.f, r, cols, dz, u.gb, beta) // [dW; db] += colsᵀ·dz
	if dx != nil {
		dcols := u.dcols[:r*u.k]
		gemm(u.mm, false, true, r, u.k, u.f, dz, u.w.w, dcols, 0) // dcols = dz·Wᵀ
		col2imAdd(&u.win, dcols, dx[s0*size:s1*size], s1-s0)
	}
}

// im2colKernels says whether im2col copies the positions whose windows lie
// inside the input with vec.Im2colRun (tests turn it off).
var im2colKernels = vec.Available

// im2col writes, for each of the n samples of x and each output position,
// the window's k = kh·kw·c input values (zeros outside the input) at the
// start of one row of cols, rows ld ≥ k values apart (the rest of each row
// is left alone). A window row is contiguous in a channels-last sample, so
// it is copied whole when it lies inside the input; a run of positions
// whose windows lie wholly inside is copied by the kernel in one call.
func im2col(w *window, x, cols []float32, n, ld int) {
	k := w.kh * w.kw * w.inC
	lo, hi := w.insideCols()
	o := 0
	for s := range n {
		xs := x[s*w.inSize() : (s+1)*w.inSize()]
		for oy := range w.outH {
			y0 := oy*w.sh - w.padT
			if !im2colKernels || y0 < 0 || y0+w.kh > w.inH || lo >= hi {
				for ox := range w.outW {
					im2colPos(w, xs, cols[o:o+k], oy, ox)
					o += ld
				}
				continue
			}
			for ox := range lo {
				im2colPos(w, xs, cols[o:o+k], oy, ox)
				o += ld
			}
			x0 := (y0*w.inW + lo*w.sw - w.padL) * w.inC
			vec.Im2colRun(xs[x0:], cols[o:o+(hi-lo-1)*ld+k], hi-lo, w.kh, w.kw*w.inC, w.inW*w.inC, w.sw*w.inC, ld)
			o += (hi - lo) * ld
			for ox := hi; ox < w.outW; ox++ {
				im2colPos(w, xs, cols[o:o+k], oy, ox)
				o += ld
			}
		}
	}
}

// insideCols returns the output columns lo ≤ ox < hi whose windows lie
// inside the input horizontally (lo ≥ hi if none).
func (w *window) insideCols() (lo, hi int) {
	lo = (w.padL + w.sw - 1) / w.sw
	if w.inW-w.kw+w.padL < 0 {
		return lo, lo
	}
	return lo, min(w.outW, (w.inW-w.kw+w.padL)/w.sw+1)
}

// im2colPos writes the im2col row dst of output position (oy, ox) of the
// sample xs.
func im2colPos(w *window, xs, dst []float32, oy, ox int) {
	c, rowLen := w.inC, w.kw*w.inC
	x0 := ox*w.sw - w.padL
	for ky := range w.kh {
		iy := oy*w.sh - w.padT + ky
		d := dst[ky*rowLen : (ky+1)*rowLen]
		if iy < 0 || iy >= w.inH {
			clear(d)
			continue
		}
		row := xs[iy*w.inW*c : (iy+1)*w.inW*c]
		if x0 >= 0 && x0+w.kw <= w.inW {
			copyShort(d, row[x0*c:(x0+w.kw)*c])
			continue
		}
		for kx := range w.kw {
			ix := x0 + kx
			if ix < 0 || ix >= w.inW {
				clear(d[kx*c : (kx+1)*c])
			} else {
				copy(d[kx*c:(kx+1)*c], row[ix*c:(ix+1)*c])
			}
		}
	}
}

// copyShort is copy for the short window rows of im2col (5 values for a
// 5×5 kernel over one channel), where a loop is cheaper than memmove's call.
func copyShort(dst, src []float32) {
	if len(src) > 16 {
		copy(dst, src)
		return
	}
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = v
	}
}

// col2imAdd adds each im2col row's gradient back onto the input positions
// it was copied from (the transpose of im2col).
func col2imAdd(w *window, cols, dx []float32, n int) {
	c, rowLen := w.inC, w.kw*w.inC
	o := 0
	for s := range n {
		ds := dx[s*w.inSize() : (s+1)*w.inSize()]
		for oy := range w.outH {
			for ox := range w.outW {
				x0 := ox*w.sw - w.padL
				for ky := range w.kh {
					iy := oy*w.sh - w.padT + ky
					src := cols[o : o+rowLen]
					o += rowLen
					if iy < 0 || iy >= w.inH {
						continue
					}
					row := ds[iy*w.inW*c : (iy+1)*w.inW*c]
					for kx := range w.kw {
						ix := x0 + kx
						if ix < 0 || ix >= w.inW {
							continue
						}
						d, v := row[ix*c:(ix+1)*c], src[kx*c:(kx+1)*c]
						for i := range d {
							d[i] += v[i]
						}
					}
				}
			}
		}
	}
}
