package nn

// Concatenate returns a layer that joins the features of two or more flat
// inputs, in order, like Keras' Concatenate on the last axis:
//
//	concat := nn.Concatenate().Apply(wide, deep)
func Concatenate(opts ...LayerOption) Layer { return &concatLayer{o: newOptions(opts)} }

type concatLayer struct{ o layerOptions }

func (l *concatLayer) Apply(in ...*Node) *Node      { return apply(l, in) }
func (l *concatLayer) opts() *layerOptions          { return &l.o }
func (*concatLayer) typeName() string               { return "Concatenate" }
func (*concatLayer) arity() (int, int)              { return 2, -1 }
func (*concatLayer) hasWeights() bool               { return false }
func (*concatLayer) paramCounts([][]int) (int, int) { return 0, 0 }
func (*concatLayer) encode(*layerJSON)              {}

func (l *concatLayer) outputShape(in [][]int) ([]int, error) {
	size := 0
	for i, s := range in {
		if len(s) != 1 {
			return nil, specErr(ErrInvalidModel, "input %d has shape %s; Concatenate needs flat inputs (add Flatten() before it)", i, shapeString(s))
		}
		if size > maxParams-s[0] {
			return nil, specErr(ErrInvalidModel, "the concatenation is too large")
		}
		size += s[0]
	}
	return []int{size}, nil
}

func (l *concatLayer) build(c *buildContext) (unit, error) {
	u := &concatUnit{unitBase: c.newBase()}
	for _, s := range c.inShapes {
		u.widths = append(u.widths, s[0])
	}
	return u, nil
}

// concatUnit copies its inputs' rows side by side.
type concatUnit struct {
	unitBase
	widths []int
	buf    []float32
}

func (u *concatUnit) reserve(rows int) { u.buf = make([]float32, rows*u.size) }

func (u *concatUnit) forward(n int, _ bool) {
	out := u.buf[:n*u.size]
	off := 0
	for i, w := range u.widths {
		src := u.ins[i].out
		for r := range n {
			copy(out[r*u.size+off:r*u.size+off+w], src[r*w:(r+1)*w])
		}
		off += w
	}
	u.out = out
}

func (u *concatUnit) backward(n int) {
	g := u.g[:n*u.size]
	off := 0
	for i, w := range u.widths {
		in := u.ins[i]
		if in.wantsGrad {
			dst := in.g[:n*w]
			for r := range n {
				src := g[r*u.size+off : r*u.size+off+w]
				d := dst[r*w : (r+1)*w]
				if u.accum[i] {
					for j, v := range src {
						d[j] += v
					}
				} else {
					copy(d, src)
				}
			}
		}
		off += w
	}
}
