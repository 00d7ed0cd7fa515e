package nn

import kernels "github.com/tunekit/tune/nn/internal/gemm"

// Dense returns a fully connected layer of units outputs,
// activation(x·W + b), with a glorot_uniform kernel W and a zero bias b
// unless KernelInitializer or BiasInitializer say otherwise. The empty
// activation is Linear. Dense needs a flat input: put Flatten before it if
// the input has several dimensions.
func Dense(units int, activation Activation, opts ...LayerOption) Layer {
	return &denseLayer{units: units, activation: activation, o: newOptions(opts)}
}

type denseLayer struct {
	units      int
	activation Activation
	o          layerOptions
}

func (l *denseLayer) Apply(in ...*Node) *Node { return apply(l, in) }
func (l *denseLayer) opts() *layerOptions     { return &l.o }
func (*denseLayer) typeName() string          { return "Dense" }
func (*denseLayer) arity() (int, int)         { return 1, 1 }
func (*denseLayer) hasWeights() bool          { return true }

func (l *denseLayer) paramCounts(in [][]int) (int, int) {
	return shapeSize(in[0])*l.units + l.units, 0
}

func (l *denseLayer) outputShape(in [][]int) ([]int, error) {
	if l.units <= 0 {
		return nil, specErr(ErrInvalidModel, "units must be positive, got %d", l.units)
	}
	if _, ok := activationKinds[l.activation]; !ok {
		return nil, specErr(ErrUnknownActivation, "%q (want %s)", string(l.activation), activationList)
	}
	for _, init := range []Initializer{l.kernelInit(), l.biasInit()} {
		if err := checkInitializer(init); err != nil {
			return nil, err
		}
	}
	if err := needFlat(in[0]); err != nil {
		return nil, err
	}
	if l.units > maxParams/(in[0][0]+1) {
		return nil, specErr(ErrInvalidModel, "%d units on %d inputs is too many parameters", l.units, in[0][0])
	}
	return []int{l.units}, nil
}

func (l *denseLayer) kernelInit() Initializer {
	if l.o.kernelInit == "" {
		return GlorotUniform
	}
	return l.o.kernelInit
}

func (l *denseLayer) biasInit() Initializer {
	if l.o.biasInit == "" {
		return Zeros
	}
	return l.o.biasInit
}

func (l *denseLayer) encode(j *layerJSON) {
	j.Units = l.units
	j.Activation = string(l.activation)
	if j.Activation == "" {
		j.Activation = string(Linear)
	}
	j.KernelInitializer = string(l.kernelInit())
	j.BiasInitializer = string(l.biasInit())
}

func (l *denseLayer) build(c *buildContext) (unit, error) {
	act, err := parseActivation(l.activation)
	if err != nil {
		return nil, err
	}
	d := &dense{unitBase: c.newBase(), nin: c.inShapes[0][0], nout: l.units, act: act,
		kinit: l.kernelInit(), binit: l.biasInit(), mm: c.kernels}
	d.w = d.addTensor("kernel", []int{d.nin, d.nout}, true)
	d.b = d.addTensor("bias", []int{d.nout}, true)
	d.initWeights(c.seed, c.index)
	return d, nil
}

// dense is a compiled Dense layer: its weights, gradients and the batch
// buffers reused by every training step.
type dense struct {
	unitBase
	nin, nout    int
	act          actKind
	kinit, binit Initializer
	w, b         *tensor // kernel in×out (row-major, Keras' layout) and bias

	mm *kernels.Context // the model's matrix kernels

	x    []float32 // input of the last forward pass (not owned)
	z    []float32 // pre-activations; out is z itself for a linear activation
	a    []float32 // activations
	ones []float32 // for the bias gradient (see biasGrad)
	// reluIn: the input is a ReLU layer used by this one only, whose
	// derivative the input gradient's product applies (see fuseReLU).
	reluIn bool
	lse    []float64 // softmax: log Σ exp(z) per row of the last forward pass
}

// initWeights draws the kernel and the bias from the layer's initialisers,
// with a random stream of its own.
func (d *dense) initWeights(seed int64, index int) {
	r := newRNG(seed, uint64(index))
	d.kinit.fill(d.w.w, d.nin, d.nout, &r)
	d.binit.fill(d.b.w, d.nout, d.nout, &r) // fans of a vector: its length
}

func (d *dense) reserve(rows int) {
	d.z = make([]float32, rows*d.nout)
	d.ones = onesVector(rows)
	if d.act == actSoftmax {
		d.lse = make([]float64, rows)
	}
	if d.act != actLinear && d.act != actReLU {
		d.a = make([]float32, rows*d.nout)
	}
}

func (d *dense) activation() actKind           { return d.act }
func (d *dense) preActivation(n int) []float32 { return d.z[:n*d.nout] }

// forward computes act(x·W + b) for the n rows of the input. The bias, and
// a ReLU, are applied by the product's kernel as it stores each tile (a
// fused epilogue). A ReLU layer keeps only relu(z) in z: the backward pass
// needs only the sign of z, which relu(z) > 0 gives.
func (d *dense) forward(n int, _ bool) {
	d.x = d.ins[0].out[:n*d.nin]
	z := d.z[:n*d.nout]
	epi := kernels.None
	if d.act == actReLU {
		epi = kernels.ReLU
	}
	if n > 0 {
		d.mm.DenseForward(n, d.nout, d.nin, d.x, d.w.w, d.b.w, z, epi)
	}
	if d.act == actLinear || d.act == actReLU {
		d.out = z
		return
	}
	a := d.a[:n*d.nout]
	if d.act == actSoftmax {
		for r := range n {
			d.lse[r] = softmaxRow(z[r*d.nout:(r+1)*d.nout], a[r*d.nout:(r+1)*d.nout])
		}
	} else {
		activate(d.act, z, a, n, d.nout)
	}
	d.out = a
}

// logSumExps returns log Σ exp(z) of each of the last forward pass's n
// rows if the activation is softmax (nil otherwise), for a fused
// cross-entropy.
func (d *dense) logSumExps(n int) []float64 {
	if d.act != actSoftmax {
		return nil
	}
	return d.lse[:n]
}

// backward takes g holding dL/da for the last forward pass (dL/dz if
// gradIsZ) and computes the kernel and bias gradients and, if the input
// wants it, dL/dx.
func (d *dense) backward(n int) {
	g := d.g[:n*d.nout]
	if !d.gradIsZ {
		activationBackward(d.act, d.z, d.out, g, n, d.nout)
	}
	gemm(d.mm, true, false, d.nin, d.nout, n, d.x, g, d.w.g, 0) // dW = xᵀ·dz
	biasGrad(d.mm, g, n, d.nout, d.ones, d.b.g)
	if in := d.ins[0]; in.wantsGrad {
		if d.reluIn { // dx = dz·Wᵀ through the input's ReLU, in the product's epilogue
			if n > 0 {
				d.mm.DenseGradXReLU(n, d.nout, d.nin, g, d.w.w, d.x, in.g[:n*d.nin])
			}
			return
		}
		var beta float32
		if d.accum[0] {
			beta = 1
		}
		gemm(d.mm, false, true, n, d.nin, d.nout, g, d.w.w, in.g[:n*d.nin], beta) // dx = dz·Wᵀ
	}
}
