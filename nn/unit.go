package nn

import kernels "github.com/tunekit/tune/nn/internal/gemm"

// unit is a compiled layer: one node of a model's graph with its weights and
// batch buffers. Units run in topological order forward and in reverse
// order backward; none allocates in forward or backward once reserve has
// sized its buffers.
type unit interface {
	base() *unitBase
	// reserve makes room for batches of up to rows rows (unitBase.reserve
	// has already sized out and g).
	reserve(rows int)
	// forward computes out for the first n rows of the inputs' out.
	forward(n int, training bool)
	// backward turns g (dL/d out, or dL/dz if gradIsZ) into the gradients of
	// the unit's trainable tensors and, for inputs that want one, dL/d input
	// (written or added, per accum).
	backward(n int)
}

// unitBase is the part every unit shares: identity, wiring and the output
// and gradient buffers.
type unitBase struct {
	name, typ string
	shape     []int // per sample
	size      int   // product of shape

	ins   []*unitBase
	accum []bool // per input: backward adds to ins[i].g rather than overwriting it

	hasParams bool // has trainable tensors
	wantsGrad bool // dL/d out is needed: the unit or one of its ancestors has trainable tensors
	consumers int  // uses of out by other units
	gradIsZ   bool // the (fused) loss writes dL/dz into g, not dL/d out

	out     []float32 // output of the last forward pass (n·size values; may alias another buffer)
	g       []float32 // gradient buffer, capRows·size, if wantsGrad
	capRows int

	tensors []*tensor // in Keras' get_weights order
}

// tensor is one weight tensor of a unit; g is nil for non-trainable ones.
type tensor struct {
	name  string // "dense_1/kernel"
	shape []int
	w, g  []float32
}

func (u *unitBase) base() *unitBase { return u }

// reserveBase sizes g for rows rows.
func (u *unitBase) reserveBase(rows int) {
	u.capRows = rows
	if u.wantsGrad {
		u.g = make([]float32, rows*u.size)
	}
}

// gradTo writes src, the gradient for input i over a batch, into that
// input's gradient buffer, adding to it if another consumer wrote first.
func (u *unitBase) gradTo(i int, src []float32) {
	dst := u.ins[i].g[:len(src)]
	if u.accum[i] {
		for j, v := range src {
			dst[j] += v
		}
		return
	}
	copy(dst, src)
}

// gradMulTo writes src·scale (element-wise) into input i's gradient, or
// adds it; scale is indexed modulo its length (one value per feature).
func (u *unitBase) gradMulTo(i int, src, scale []float32) {
	dst := u.ins[i].g[:len(src)]
	f := len(scale)
	for r := 0; r < len(src); r += f {
		s, d := src[r:r+f], dst[r:r+f]
		if u.accum[i] {
			for j, v := range s {
				d[j] += v * scale[j]
			}
		} else {
			for j, v := range s {
				d[j] = v * scale[j]
			}
		}
	}
}

func (u *unitBase) addTensor(name string, shape []int, trainable bool) *tensor {
	n := shapeSize(shape)
	t := &tensor{name: u.name + "/" + name, shape: shape, w: make([]float32, n)}
	if trainable {
		t.g = make([]float32, n)
		u.hasParams = true
	}
	u.tensors = append(u.tensors, t)
	return t
}

// activated is a unit whose output is an activation of pre-activations z:
// a loss after it may be fused with the activation.
type activated interface {
	unit
	activation() actKind
	preActivation(n int) []float32
}

// buildContext is what a layer needs to build its unit.
type buildContext struct {
	base     unitBase // name, typ, shape, size, ins filled in
	inShapes [][]int
	index    int // position in the model, for the initialisers' random stream
	seed     int64
	kernels  *kernels.Context // the model's matrix kernels
}

// newBase returns the unit base for the context.
func (c *buildContext) newBase() unitBase { return c.base }
