package nn

// Input returns the first layer of a Sequential model; it records the shape
// of one sample, e.g. Input(28, 28) or Input(8). Samples are always stored
// flattened, one per Matrix row, so x needs the product of the dimensions as
// columns.
func Input(shape ...int) Layer { return &inputLayer{shape: append([]int(nil), shape...)} }

// NewInput returns an input of a functional model (see NewModel): a named
// placeholder for samples of the given shape, stored flattened one per row
// like Input. An empty name is replaced by "input_layer", "input_layer_1",
// ... when the model is built.
func NewInput(name string, shape ...int) *Node {
	l := &inputLayer{shape: append([]int(nil), shape...)}
	l.o.name = name
	nd := &Node{layer: l}
	if err := checkLayerName(name); err != nil {
		nd.err = err
		return nd
	}
	nd.shape, nd.err = l.outputShape(nil)
	return nd
}

type inputLayer struct {
	shape []int
	o     layerOptions
}

// Apply on an Input layer is a mistake: inputs are made with NewInput.
func (l *inputLayer) Apply(in ...*Node) *Node {
	return &Node{layer: l, inputs: in, err: specErr(ErrInvalidModel, "Input cannot be applied to nodes; use NewInput for a functional model's inputs")}
}
func (l *inputLayer) opts() *layerOptions          { return &l.o }
func (*inputLayer) typeName() string               { return "InputLayer" }
func (*inputLayer) arity() (int, int)              { return 0, 0 }
func (*inputLayer) hasWeights() bool               { return false }
func (*inputLayer) paramCounts([][]int) (int, int) { return 0, 0 }
func (l *inputLayer) encode(j *layerJSON)          { j.Shape = append([]int(nil), l.shape...) }

func (l *inputLayer) outputShape([][]int) ([]int, error) {
	if len(l.shape) == 0 {
		return nil, specErr(ErrInvalidModel, "Input needs at least one dimension")
	}
	if len(l.shape) > maxRank {
		return nil, specErr(ErrInvalidModel, "Input shape %s has more than %d dimensions", shapeString(l.shape), maxRank)
	}
	if err := checkShape(l.shape); err != nil {
		return nil, specErr(ErrInvalidModel, "Input %s", err.(*specError).msg)
	}
	return append([]int(nil), l.shape...), nil
}

func (l *inputLayer) build(c *buildContext) (unit, error) {
	return &inputUnit{unitBase: c.newBase()}, nil
}

// inputUnit is a model input: the engine points out at each batch's rows.
type inputUnit struct{ unitBase }

func (*inputUnit) reserve(int)       {}
func (*inputUnit) forward(int, bool) {}
func (*inputUnit) backward(int)      {}
