package nn

import (
	"fmt"
	"math"
	"testing"
)

// The gradient checks compare the float32 backward pass with central finite
// differences of an independent float64 implementation of the forward pass
// (refLoss below), evaluated at the same weights and (for Dropout) the same
// masks. refLoss is also checked against the float32 forward loss, so the
// gradients are those of the function the package actually computes.

var allActivations = []Activation{Linear, ReLU, Sigmoid, Tanh, Softmax, Softplus, ELU, SELU, LeakyReLU}

var allLosses = []string{"mse", "mae", "huber", "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"}

func refActivate(act actKind, z []float64) []float64 {
	a := make([]float64, len(z))
	if act == actSoftmax {
		var s float64
		for i, v := range z {
			a[i] = math.Exp(v)
			s += a[i]
		}
		for i := range a {
			a[i] /= s
		}
		return a
	}
	for i, v := range z {
		switch act {
		case actLinear:
			a[i] = v
		case actReLU:
			a[i] = math.Max(v, 0)
		case actSigmoid:
			a[i] = 1 / (1 + math.Exp(-v))
		case actTanh:
			a[i] = math.Tanh(v)
		case actSoftplus:
			a[i] = math.Log(1 + math.Exp(v))
		case actELU:
			a[i] = v
			if v <= 0 {
				a[i] = math.Exp(v) - 1
			}
		case actSELU:
			a[i] = 1.0507009873554805 * v
			if v <= 0 {
				a[i] = 1.0507009873554805 * 1.6732632423543772 * (math.Exp(v) - 1)
			}
		case actLeakyReLU:
			a[i] = v
			if v <= 0 {
				a[i] = 0.2 * v
			}
		default:
			panic(act)
		}
	}
	return a
}

func refClip(p float64) float64 { return math.Min(math.Max(p, 1e-7), 1-1e-7) }

// refSampleLoss is the loss of one sample with outputs a and target row y.
func refSampleLoss(l loss, a, y []float64) float64 {
	var s float64
	switch l.kind {
	case lossMSE:
		for i := range a {
			s += (a[i] - y[i]) * (a[i] - y[i])
		}
		return s / float64(len(a))
	case lossMAE:
		for i := range a {
			s += math.Abs(a[i] - y[i])
		}
		return s / float64(len(a))
	case lossHuber:
		for i := range a {
			d := math.Abs(a[i] - y[i])
			if d <= l.delta {
				s += d * d / 2
			} else {
				s += l.delta*d - l.delta*l.delta/2
			}
		}
		return s / float64(len(a))
	case lossBCE:
		for i := range a {
			p := refClip(a[i])
			s -= y[i]*math.Log(p) + (1-y[i])*math.Log(1-p)
		}
		return s / float64(len(a))
	case lossCCE:
		for i := range a {
			s -= y[i] * math.Log(refClip(a[i]))
		}
		return s
	case lossSCCE:
		return -math.Log(refClip(a[int(y[0])]))
	}
	panic(l.kind)
}

// refModel evaluates a compiled model in float64 from its own copy of the
// weights.
type refModel struct {
	m *Model
	w map[*tensor][]float64
}

func newRefModel(m *Model) *refModel {
	r := &refModel{m: m, w: map[*tensor][]float64{}}
	for _, t := range m.tensors {
		v := make([]float64, len(t.w))
		for i, x := range t.w {
			v[i] = float64(x)
		}
		r.w[t] = v
	}
	return r
}

// loss is the training-mode total loss of a batch: Σ weightₖ·(1/n)·Σ wᵣ·lₖᵣ.
func (r *refModel) loss(x, y [][]float64, sw []float64, n int) float64 {
	m := r.m
	outs := map[*unitBase][]float64{}
	for i, in := range m.inputs {
		outs[&in.unitBase] = x[i]
	}
	for _, u := range m.units {
		b := u.base()
		if _, ok := u.(*inputUnit); ok {
			continue
		}
		var ins [][]float64
		for _, in := range b.ins {
			ins = append(ins, outs[in])
		}
		out := make([]float64, n*b.size)
		f := b.size
		switch u := u.(type) {
		case *flattenUnit:
			copy(out, ins[0])
		case *dense:
			w, bias := r.w[u.w], r.w[u.b]
			for s := range n {
				z := make([]float64, u.nout)
				for j := range z {
					z[j] = bias[j]
					for i := range u.nin {
						z[j] += ins[0][s*u.nin+i] * w[i*u.nout+j]
					}
				}
				copy(out[s*f:], refActivate(u.act, z))
			}
		case *activationUnit:
			for s := range n {
				copy(out[s*f:], refActivate(u.act, ins[0][s*f:(s+1)*f]))
			}
		case *dropoutUnit:
			for i := range out {
				out[i] = ins[0][i]
				if u.training {
					out[i] *= float64(u.scaleAt(i))
				}
			}
		case *batchNorm:
			gamma, beta := r.w[u.gamma], r.w[u.beta]
			for j := range f {
				var mean, v float64
				for s := range n {
					mean += ins[0][s*f+j]
				}
				mean /= float64(n)
				for s := range n {
					d := ins[0][s*f+j] - mean
					v += d * d
				}
				v /= float64(n)
				for s := range n {
					out[s*f+j] = gamma[j]*(ins[0][s*f+j]-mean)/math.Sqrt(v+u.epsilon) + beta[j]
				}
			}
		case *normalization:
			mean, variance := r.w[u.mean], r.w[u.variance]
			for i := range out {
				j := i % f
				out[i] = (ins[0][i] - mean[j]) / math.Max(math.Sqrt(variance[j]), 1e-7)
			}
		case *concatUnit:
			off := 0
			for k, w := range u.widths {
				for s := range n {
					copy(out[s*f+off:s*f+off+w], ins[k][s*w:(s+1)*w])
				}
				off += w
			}
		case *conv:
			var bias []float64
			if u.b != nil {
				bias = r.w[u.b]
			}
			refConv(&u.win, u.f, u.act, r.w[u.w], bias, ins[0], out, n)
		case *pool:
			refPool(&u.win, u.max, ins[0], out, n)
		case *globalPool:
			refGlobalPool(u.positions, u.size, ins[0], out, n)
		default:
			panic(fmt.Sprintf("no reference for %T", u))
		}
		outs[b] = out
	}
	var total float64
	for k, h := range m.heads {
		a := outs[h.u]
		var s float64
		for row := range n {
			w := 1.0
			if sw != nil {
				w = sw[row]
			}
			s += w * refSampleLoss(h.loss, a[row*h.units:(row+1)*h.units], y[k][row*h.ycols:(row+1)*h.ycols])
		}
		total += h.weight * s / float64(n)
	}
	return total
}

// targets returns n rows of targets suited to l for units outputs.
func targets(r *rng, l loss, n, units int) []float32 {
	cols := l.yCols(units)
	y := make([]float32, n*cols)
	for i := range n {
		row := y[i*cols : (i+1)*cols]
		switch l.kind {
		case lossMSE, lossMAE, lossHuber:
			for j := range row {
				row[j] = float32(3*r.float64() - 1.5)
			}
		case lossBCE: // hard and soft labels
			for j := range row {
				row[j] = float32(r.intn(2))
			}
			row[0] = 0.3
		case lossCCE:
			row[r.intn(units)] = 1
			if i == 0 { // a soft label row
				for j := range row {
					row[j] = 1 / float32(units)
				}
			}
		case lossSCCE:
			row[0] = float32(r.intn(units))
		}
	}
	return y
}

func to64(x []float32) []float64 {
	v := make([]float64, len(x))
	for i, f := range x {
		v[i] = float64(f)
	}
	return v
}

// checkModelGradients compares the compiled model's gradients on a random
// batch of n rows (weighted by sw if not nil) with finite differences.
func checkModelGradients(t *testing.T, m *Model, n int, sw []float32, seed int64) {
	t.Helper()
	r := newRNG(seed, 99)
	// Biases away from zero and weights scaled up so that activations are
	// far from linear and gradients are not tiny.
	for _, u := range m.units {
		if d, ok := u.(*dense); ok {
			for i := range d.w.w {
				d.w.w[i] *= 1.5
			}
			for i := range d.b.w {
				d.b.w[i] = float32(r.float64() - 0.5)
			}
		}
		if c, ok := u.(*conv); ok && c.b != nil {
			for i := range c.b.w {
				c.b.w[i] = float32(r.float64() - 0.5)
			}
		}
		if bn, ok := u.(*batchNorm); ok {
			for i := range bn.gamma.w {
				bn.gamma.w[i] = float32(0.5 + r.float64())
				bn.beta.w[i] = float32(r.float64() - 0.5)
			}
		}
	}
	m.reserve(n + 2) // a partial batch: buffers larger than the batch
	var xs, ys [][]float32
	for _, in := range m.inputs {
		xs = append(xs, randSlice(&r, n*in.size))
	}
	for _, h := range m.heads {
		ys = append(ys, targets(&r, h.loss, n, h.units))
	}
	sum := m.computeGradients(xs, ys, sw, n)

	ref := newRefModel(m)
	var x64, y64 [][]float64
	for _, x := range xs {
		x64 = append(x64, to64(x))
	}
	for _, y := range ys {
		y64 = append(y64, to64(y))
	}
	var sw64 []float64
	if sw != nil {
		sw64 = to64(sw)
	}
	f := func() float64 { return ref.loss(x64, y64, sw64, n) }
	if got, want := sum/float64(n), f(); math.Abs(got-want) > 1e-5*(1+math.Abs(want)) {
		t.Fatalf("forward loss %v, float64 reference %v", got, want)
	}

	const h = 1e-6
	var nonzero int
	for _, tn := range m.tensors {
		if tn.g == nil {
			continue
		}
		p := ref.w[tn]
		for j := range p {
			old := p[j]
			p[j] = old + h
			up := f()
			p[j] = old - h
			down := f()
			p[j] = old
			num := (up - down) / (2 * h)
			if math.Abs(float64(tn.g[j])-num) > 2e-5+2e-4*math.Abs(num) {
				t.Errorf("%s[%d]: backprop %.7g, finite difference %.7g", tn.name, j, tn.g[j], num)
			}
			if num != 0 {
				nonzero++
			}
		}
	}
	if nonzero == 0 {
		t.Fatalf("every gradient is zero: the check tests nothing")
	}
}

func checkGradients(t *testing.T, layers []Layer, lossName string, seed int64) {
	t.Helper()
	m := NewSequential(layers...)
	if err := m.Compile(CompileConfig{Loss: lossName, Optimizer: &SGD{}, Seed: seed, HuberDelta: 0.7}); err != nil {
		t.Fatal(err)
	}
	checkModelGradients(t, m, 3, nil, seed)
}

// Every output activation with every loss (the fused softmax/sigmoid
// cross-entropies included).
func TestGradientsOutputActivationByLoss(t *testing.T) {
	for _, lossName := range allLosses {
		for _, act := range allActivations {
			t.Run(lossName+"/"+string(act), func(t *testing.T) {
				checkGradients(t, []Layer{Input(4), Dense(5, Tanh), Dense(3, act)}, lossName, 7)
			})
		}
	}
}

// Every activation as a hidden Dense activation and as an Activation
// layer, under a regression and a classification head.
func TestGradientsHiddenActivation(t *testing.T) {
	for _, act := range allActivations {
		t.Run(string(act), func(t *testing.T) {
			checkGradients(t, []Layer{Input(3), Dense(6, act), Dense(4, act), Dense(2, Linear)}, "mse", 11)
			checkGradients(t, []Layer{Input(3), Dense(6, act), Dense(4, Softmax)}, "sparse_categorical_crossentropy", 12)
			checkGradients(t, []Layer{Input(3), Dense(5, Linear), ActivationLayer(act), Dense(2, Linear)}, "mae", 13)
		})
	}
	// An Activation layer as the output: fused with the cross-entropies.
	checkGradients(t, []Layer{Input(3), Dense(4, Linear), ActivationLayer(Softmax)}, "categorical_crossentropy", 14)
	checkGradients(t, []Layer{Input(3), Dense(4, Linear), ActivationLayer(Sigmoid)}, "binary_crossentropy", 15)
}

// A single sigmoid output with binary cross-entropy: the common binary
// classifier, with one unit (units == 1 edge case).
func TestGradientsBinaryClassifier(t *testing.T) {
	checkGradients(t, []Layer{Input(5), Dense(8, ReLU), Dense(1, Sigmoid)}, "binary_crossentropy", 3)
}

// BatchNormalization (batch statistics in training), Dropout (with the
// mask of the forward pass), Normalization and Flatten after a trainable
// layer (so that their input gradients are used).
func TestGradientsLayers(t *testing.T) {
	norm := Normalization()
	if err := norm.SetStatistics([]float32{0.5, -1, 0, 2, 1}, []float32{4, 0.25, 1, 9, 0.04}); err != nil {
		t.Fatal(err)
	}
	checkGradients(t, []Layer{Input(2, 2), Flatten(), Dense(5, Tanh), Flatten(), norm, BatchNormalization(), Dense(4, ELU),
		Dropout(0.4), BatchNormalization(BatchNormEpsilon(0.01)), Dense(3, Softmax)}, "sparse_categorical_crossentropy", 5)
	m := NewSequential(Input(4), Dense(6, ReLU), BatchNormalization(), Dense(2, Linear))
	mustCompile(t, m, CompileConfig{Loss: "mse"})
	checkModelGradients(t, m, 7, nil, 6) // a larger batch for the batch statistics
}

// A graph: two inputs, Concatenate, a node used by two layers (gradients
// add up), an output also used by a later layer (unfused loss), loss
// weights and sample weights.
func TestGradientsGraph(t *testing.T) {
	a, b := NewInput("a", 3), NewInput("b", 2)
	h := Dense(4, Tanh).Apply(a)
	c := Concatenate().Apply(h, b, h)
	mid := Dense(3, Softmax, Name("mid")).Apply(c)
	out := Dense(2, Sigmoid, Name("out")).Apply(Concatenate().Apply(mid, h))
	reg := Dense(1, Linear, Name("reg")).Apply(ActivationLayer(ReLU).Apply(h))
	m, err := NewModel([]*Node{a, b}, []*Node{mid, out, reg})
	if err != nil {
		t.Fatal(err)
	}
	mustCompile(t, m, CompileConfig{Losses: []string{"categorical_crossentropy", "binary_crossentropy", "huber"},
		LossWeights: []float64{0.3, 1, 2}, Seed: 4})
	if m.heads[0].loss.fused || !m.heads[1].loss.fused {
		t.Fatalf("fusion: mid %v out %v, want false true", m.heads[0].loss.fused, m.heads[1].loss.fused)
	}
	checkModelGradients(t, m, 4, []float32{1, 0.5, 0, 2}, 8)

	m2, _ := wideDeep(t, 3)
	checkModelGradients(t, m2, 5, nil, 9)
}
