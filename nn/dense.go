package nn

import "math"

// dense is a compiled Dense layer: its weights, gradients and the batch
// buffers reused by every training step.
type dense struct {
	name    string
	in, out int
	act     actKind

	w, b   []float32 // kernel in×out (row-major, Keras' layout) and bias
	dw, db []float32 // gradients of the batch mean loss

	// Batch buffers with room for cap rows; a batch of n rows uses the
	// first n·out values.
	x    []float32 // input of the last forward pass (not owned)
	z, a []float32 // pre-activations and outputs
	g    []float32 // dL/da, turned into dL/dz in place by backward
}

func newDense(name string, in, out int, act actKind) *dense {
	return &dense{
		name: name, in: in, out: out, act: act,
		w: make([]float32, in*out), b: make([]float32, out),
		dw: make([]float32, in*out), db: make([]float32, out),
	}
}

// initWeights draws the kernel from glorot_uniform, U(−l, l) with
// l = √(6/(in+out)), and zeroes the bias.
func (d *dense) initWeights(r rng) {
	limit := math.Sqrt(6 / float64(d.in+d.out))
	for i := range d.w {
		d.w[i] = float32((2*r.float64() - 1) * limit)
	}
	clear(d.b)
}

// reserve makes room for batches of up to n rows.
func (d *dense) reserve(n int) {
	if len(d.z) >= n*d.out {
		return
	}
	d.z = make([]float32, n*d.out)
	d.a = make([]float32, n*d.out)
	d.g = make([]float32, n*d.out)
}

// forward computes the outputs for the n rows of x: a = act(x·W + b).
func (d *dense) forward(x []float32, n int) {
	d.x = x[:n*d.in]
	z := d.z[:n*d.out]
	for r := range n {
		copy(z[r*d.out:(r+1)*d.out], d.b)
	}
	gemm(false, false, n, d.out, d.in, d.x, d.w, z, 1)
	activate(d.act, z, d.a, n, d.out)
}

// backward takes d.g holding dL/da for the last forward pass (dL/dz if
// gradIsZ) and computes dw, db and, if dx is not nil, dL/dx into dx.
func (d *dense) backward(n int, gradIsZ bool, dx []float32) {
	g := d.g[:n*d.out]
	if !gradIsZ {
		activationBackward(d.act, d.z, d.a, g, n, d.out)
	}
	gemm(true, false, d.in, d.out, n, d.x, g, d.dw, 0) // dW = xᵀ·dz
	clear(d.db)
	for r := range n {
		for j, v := range g[r*d.out : (r+1)*d.out] {
			d.db[j] += v
		}
	}
	if dx != nil {
		gemm(false, true, n, d.in, d.out, g, d.w, dx[:n*d.in], 0) // dx = dz·Wᵀ
	}
}
