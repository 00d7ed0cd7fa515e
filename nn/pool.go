package nn

import "math"

// MaxPooling2D returns a layer taking the largest value of each channel in
// poolSize×poolSize windows of a (height, width, channels) input, like
// Keras' MaxPooling2D. The stride defaults to the pool size; Strides and
// Padding change it and the borders. The forward pass records which input
// each output came from, so the backward pass is a scatter.
func MaxPooling2D(poolSize int, opts ...LayerOption) Layer {
	return &poolLayer{max: true, size: poolSize, o: newOptions(opts)}
}

// AveragePooling2D returns a layer averaging each channel over
// poolSize×poolSize windows, like Keras' AveragePooling2D. With same
// padding a border window averages only the inputs it covers.
func AveragePooling2D(poolSize int, opts ...LayerOption) Layer {
	return &poolLayer{size: poolSize, o: newOptions(opts)}
}

type poolLayer struct {
	max  bool
	size int
	o    layerOptions
}

func (l *poolLayer) Apply(in ...*Node) *Node      { return apply(l, in) }
func (l *poolLayer) opts() *layerOptions          { return &l.o }
func (*poolLayer) arity() (int, int)              { return 1, 1 }
func (*poolLayer) hasWeights() bool               { return false }
func (*poolLayer) paramCounts([][]int) (int, int) { return 0, 0 }

func (l *poolLayer) typeName() string {
	if l.max {
		return "MaxPooling2D"
	}
	return "AveragePooling2D"
}

func (l *poolLayer) strides() (int, int) {
	if l.o.has("Strides") {
		return l.o.strides[0], l.o.strides[1]
	}
	return l.size, l.size
}

func (l *poolLayer) window(in []int) (window, error) {
	sh, sw := l.strides()
	return newWindow(in, l.size, l.size, sh, sw, l.o.padding)
}

func (l *poolLayer) outputShape(in [][]int) ([]int, error) {
	w, err := l.window(in[0])
	if err != nil {
		return nil, err
	}
	return []int{w.outH, w.outW, w.inC}, nil
}

func (l *poolLayer) encode(j *layerJSON) {
	j.PoolSize = []int{l.size, l.size}
	sh, sw := l.strides()
	j.Strides = []int{sh, sw}
	j.Padding = paddingName(l.o.padding)
}

func (l *poolLayer) build(c *buildContext) (unit, error) {
	w, err := l.window(c.inShapes[0])
	if err != nil {
		return nil, err
	}
	return &pool{unitBase: c.newBase(), win: w, max: l.max}, nil
}

// pool is a compiled pooling layer.
type pool struct {
	unitBase
	win   window
	max   bool
	y     []float32
	arg   []int32   // max: the input index (within its sample) of each output
	scale []float32 // average: 1/(inputs covered) per output position
	// reluIn: the input is a ReLU layer whose only consumer is this max
	// pooling over tiled windows, which applies the ReLU's derivative (see
	// pool_max.go).
	reluIn bool
	// fused: the input is a Conv2D that runs this pooling's forward and
	// backward passes chunk by chunk (see conv_pool.go), and those of
	// dropout, this pooling's only consumer, if not nil.
	fused   bool
	dropout *dropoutUnit
}

func (u *pool) reserve(rows int) {
	u.y = make([]float32, rows*u.size)
	if u.max {
		u.arg = make([]int32, rows*u.size)
		return
	}
	w := &u.win
	u.scale = make([]float32, w.positions())
	for oy := range w.outH {
		for ox := range w.outW {
			y0, x0 := oy*w.sh-w.padT, ox*w.sw-w.padL
			hy := min(y0+w.kh, w.inH) - max(y0, 0)
			hx := min(x0+w.kw, w.inW) - max(x0, 0)
			u.scale[oy*w.outW+ox] = 1 / float32(hy*hx)
		}
	}
}

func (u *pool) forward(n int, _ bool) {
	if u.fused { // the input Conv2D wrote y
		u.out = u.y[:n*u.size]
		return
	}
	w := &u.win
	x, y := u.ins[0].out[:n*w.inSize()], u.y[:n*u.size]
	c := w.inC
	if u.fastMax() {
		u.forwardSamples(x, 0, n)
		u.out = y
		return
	}
	for s := range n {
		xs := x[s*w.inSize() : (s+1)*w.inSize()]
		for oy := range w.outH {
			y0 := oy*w.sh - w.padT
			ylo, yhi := max(y0, 0), min(y0+w.kh, w.inH)
			for ox := range w.outW {
				x0 := ox*w.sw - w.padL
				xlo, xhi := max(x0, 0), min(x0+w.kw, w.inW)
				o := s*u.size + (oy*w.outW+ox)*c
				dst := y[o : o+c]
				if u.max {
					arg := u.arg[o : o+c]
					for i := range dst {
						dst[i], arg[i] = float32(math.Inf(-1)), int32((ylo*w.inW+xlo)*c+i)
					}
					for iy := ylo; iy < yhi; iy++ {
						for ix := xlo; ix < xhi; ix++ {
							at := (iy*w.inW + ix) * c
							for i, v := range xs[at : at+c] {
								if v > dst[i] {
									dst[i], arg[i] = v, int32(at+i)
								}
							}
						}
					}
					continue
				}
				clear(dst)
				for iy := ylo; iy < yhi; iy++ {
					for ix := xlo; ix < xhi; ix++ {
						at := (iy*w.inW + ix) * c
						for i, v := range xs[at : at+c] {
							dst[i] += v
						}
					}
				}
				sc := u.scale[oy*w.outW+ox]
				for i := range dst {
					dst[i] *= sc
				}
			}
		}
	}
	u.out = y
}

func (u *pool) backward(n int) {
	in := u.ins[0]
	if !in.wantsGrad || u.fused {
		return
	}
	w := &u.win
	g, dx := u.g[:n*u.size], in.g[:n*w.inSize()]
	if u.fastMax() && !u.accum[0] {
		u.backwardSamples(g, dx, 0, n)
		return
	}
	if !u.accum[0] {
		clear(dx)
	}
	c := w.inC
	for s := range n {
		ds := dx[s*w.inSize() : (s+1)*w.inSize()]
		gs := g[s*u.size : (s+1)*u.size]
		if u.max {
			for o, i := range u.arg[s*u.size : (s+1)*u.size] {
				ds[i] += gs[o]
			}
			continue
		}
		for oy := range w.outH {
			y0 := oy*w.sh - w.padT
			for ox := range w.outW {
				x0 := ox*w.sw - w.padL
				p := oy*w.outW + ox
				sc := u.scale[p]
				src := gs[p*c : (p+1)*c]
				for iy := max(y0, 0); iy < min(y0+w.kh, w.inH); iy++ {
					for ix := max(x0, 0); ix < min(x0+w.kw, w.inW); ix++ {
						d := ds[(iy*w.inW+ix)*c : (iy*w.inW+ix+1)*c]
						for i, v := range src {
							d[i] += v * sc
						}
					}
				}
			}
		}
	}
}

// GlobalAveragePooling2D returns a layer averaging each channel of a
// (height, width, channels) input over all positions, giving (channels,).
func GlobalAveragePooling2D(opts ...LayerOption) Layer {
	return &globalPoolLayer{o: newOptions(opts)}
}

type globalPoolLayer struct{ o layerOptions }

func (l *globalPoolLayer) Apply(in ...*Node) *Node      { return apply(l, in) }
func (l *globalPoolLayer) opts() *layerOptions          { return &l.o }
func (*globalPoolLayer) typeName() string               { return "GlobalAveragePooling2D" }
func (*globalPoolLayer) arity() (int, int)              { return 1, 1 }
func (*globalPoolLayer) hasWeights() bool               { return false }
func (*globalPoolLayer) paramCounts([][]int) (int, int) { return 0, 0 }
func (*globalPoolLayer) encode(*layerJSON)              {}

func (l *globalPoolLayer) outputShape(in [][]int) ([]int, error) {
	if len(in[0]) != 3 {
		return nil, specErr(ErrInvalidModel, "needs inputs of shape (height, width, channels), got %s", shapeString(in[0]))
	}
	return []int{in[0][2]}, nil
}

func (l *globalPoolLayer) build(c *buildContext) (unit, error) {
	s := c.inShapes[0]
	return &globalPool{unitBase: c.newBase(), positions: s[0] * s[1]}, nil
}

type globalPool struct {
	unitBase
	positions int
	y         []float32
}

func (u *globalPool) reserve(rows int) { u.y = make([]float32, rows*u.size) }

func (u *globalPool) forward(n int, _ bool) {
	c, in := u.size, u.positions*u.size
	x, y := u.ins[0].out[:n*in], u.y[:n*c]
	clear(y)
	inv := 1 / float32(u.positions)
	for s := range n {
		dst := y[s*c : (s+1)*c]
		for p := range u.positions {
			for i, v := range x[s*in+p*c : s*in+(p+1)*c] {
				dst[i] += v
			}
		}
		for i := range dst {
			dst[i] *= inv
		}
	}
	u.out = y
}

func (u *globalPool) backward(n int) {
	in := u.ins[0]
	if !in.wantsGrad {
		return
	}
	c, size := u.size, u.positions*u.size
	g, dx := u.g[:n*c], in.g[:n*size]
	inv := 1 / float32(u.positions)
	for s := range n {
		src := g[s*c : (s+1)*c]
		for p := range u.positions {
			d := dx[s*size+p*c : s*size+(p+1)*c]
			for i, v := range src {
				if u.accum[0] {
					d[i] += v * inv
				} else {
					d[i] = v * inv
				}
			}
		}
	}
}
