package nn

// Reshape returns a layer giving each sample the target shape, like Keras'
// Reshape; one dimension may be -1, inferred from the others. Samples are
// stored flattened, so only the recorded shape changes.
func Reshape(target []int, opts ...LayerOption) Layer {
	return &reshapeLayer{target: append([]int(nil), target...), o: newOptions(opts)}
}

type reshapeLayer struct {
	target []int
	o      layerOptions
}

func (l *reshapeLayer) Apply(in ...*Node) *Node      { return apply(l, in) }
func (l *reshapeLayer) opts() *layerOptions          { return &l.o }
func (*reshapeLayer) typeName() string               { return "Reshape" }
func (*reshapeLayer) arity() (int, int)              { return 1, 1 }
func (*reshapeLayer) hasWeights() bool               { return false }
func (*reshapeLayer) paramCounts([][]int) (int, int) { return 0, 0 }
func (l *reshapeLayer) encode(j *layerJSON)          { j.TargetShape = append([]int{}, l.target...) }

func (l *reshapeLayer) outputShape(in [][]int) ([]int, error) {
	size := shapeSize(in[0])
	if len(l.target) == 0 || len(l.target) > maxRank {
		return nil, specErr(ErrInvalidModel, "target shape of rank %d (want 1 to %d)", len(l.target), maxRank)
	}
	out := append([]int(nil), l.target...)
	infer, known := -1, 1
	for i, d := range out {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d <= 0:
			return nil, specErr(ErrInvalidModel, "target shape %s: dimensions must be positive (one may be -1)", shapeString(l.target))
		default:
			if known > size/d+1 {
				return nil, specErr(ErrInvalidModel, "target shape %s does not fit %d values", shapeString(l.target), size)
			}
			known *= d
		}
	}
	if infer >= 0 && known > 0 && size%known == 0 {
		out[infer] = size / known
		known = size
	}
	if known != size {
		return nil, specErr(ErrInvalidModel, "target shape %s does not fit an input of shape %s", shapeString(l.target), shapeString(in[0]))
	}
	return out, nil
}

func (l *reshapeLayer) build(c *buildContext) (unit, error) {
	return &flattenUnit{unitBase: c.newBase()}, nil
}
