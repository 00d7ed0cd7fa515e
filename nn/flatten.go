package nn

// Flatten returns a layer that flattens each sample to one dimension. Data
// are already rows, so Flatten only changes the recorded shape.
func Flatten(opts ...LayerOption) Layer { return &flattenLayer{o: newOptions(opts)} }

type flattenLayer struct{ o layerOptions }

func (l *flattenLayer) Apply(in ...*Node) *Node             { return apply(l, in) }
func (l *flattenLayer) opts() *layerOptions                 { return &l.o }
func (*flattenLayer) typeName() string                      { return "Flatten" }
func (*flattenLayer) arity() (int, int)                     { return 1, 1 }
func (*flattenLayer) hasWeights() bool                      { return false }
func (*flattenLayer) paramCounts([][]int) (int, int)        { return 0, 0 }
func (*flattenLayer) encode(*layerJSON)                     {}
func (*flattenLayer) outputShape(in [][]int) ([]int, error) { return []int{shapeSize(in[0])}, nil }

func (l *flattenLayer) build(c *buildContext) (unit, error) {
	return &flattenUnit{unitBase: c.newBase()}, nil
}

// flattenUnit passes its input through: out aliases the input's out, and
// g the input's g when this unit writes that first (as the gradients of the
// input's other consumers are added afterwards), so that its backward pass
// has nothing to copy.
type flattenUnit struct{ unitBase }

func (u *flattenUnit) reserve(int) {
	if in := u.ins[0]; u.aliasesGrad() {
		u.g = in.g[:len(u.g)]
	}
}

func (u *flattenUnit) aliasesGrad() bool { return u.ins[0].wantsGrad && !u.accum[0] }

func (u *flattenUnit) forward(n int, _ bool) { u.out = u.ins[0].out[:n*u.size] }

func (u *flattenUnit) backward(n int) {
	if u.ins[0].wantsGrad && !u.aliasesGrad() {
		u.gradTo(0, u.g[:n*u.size])
	}
}
