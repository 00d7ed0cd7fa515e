package nn

// ActivationLayer returns a layer that applies an activation function to
// its input, Keras' Activation layer. Softmax needs a flat input.
func ActivationLayer(activation Activation, opts ...LayerOption) Layer {
	return &activationLayer{activation: activation, o: newOptions(opts)}
}

type activationLayer struct {
	activation Activation
	o          layerOptions
}

func (l *activationLayer) Apply(in ...*Node) *Node      { return apply(l, in) }
func (l *activationLayer) opts() *layerOptions          { return &l.o }
func (*activationLayer) typeName() string               { return "Activation" }
func (*activationLayer) arity() (int, int)              { return 1, 1 }
func (*activationLayer) hasWeights() bool               { return false }
func (*activationLayer) paramCounts([][]int) (int, int) { return 0, 0 }

func (l *activationLayer) encode(j *layerJSON) {
	j.Activation = string(l.activation)
	if j.Activation == "" {
		j.Activation = string(Linear)
	}
}

func (l *activationLayer) outputShape(in [][]int) ([]int, error) {
	k, ok := activationKinds[l.activation]
	if !ok {
		return nil, specErr(ErrUnknownActivation, "%q (want %s)", string(l.activation), activationList)
	}
	if k == actSoftmax {
		if err := needFlat(in[0]); err != nil {
			return nil, err
		}
	}
	return append([]int(nil), in[0]...), nil
}

func (l *activationLayer) build(c *buildContext) (unit, error) {
	act, err := parseActivation(l.activation)
	if err != nil {
		return nil, err
	}
	return &activationUnit{unitBase: c.newBase(), act: act}, nil
}

// activationUnit computes act(x); x is its input's output.
type activationUnit struct {
	unitBase
	act  actKind
	a    []float32
	cols int // row width for softmax
}

func (u *activationUnit) reserve(rows int) {
	u.a = make([]float32, rows*u.size)
	u.cols = u.size
}

func (u *activationUnit) activation() actKind           { return u.act }
func (u *activationUnit) preActivation(n int) []float32 { return u.ins[0].out[:n*u.size] }

func (u *activationUnit) forward(n int, _ bool) {
	z := u.ins[0].out[:n*u.size]
	if u.act == actLinear {
		u.out = z
		return
	}
	a := u.a[:n*u.size]
	activate(u.act, z, a, n, u.size)
	u.out = a
}

func (u *activationUnit) backward(n int) {
	g := u.g[:n*u.size]
	if !u.gradIsZ {
		activationBackward(u.act, u.ins[0].out, u.out, g, n, u.size)
	}
	u.gradTo(0, g)
}
