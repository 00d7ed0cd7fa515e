package nn

import (
	"fmt"
	"math"
	"testing"
)

// The gradient checks compare the float32 backward pass with central finite
// differences of an independent float64 implementation of the forward pass
// (refLoss below), evaluated at the same weights. refLoss is also checked
// against the float32 forward loss, so the gradients are those of the
// function the package actually computes.

var allActivations = []Activation{Linear, ReLU, Sigmoid, Tanh, Softmax, Softplus, ELU, SELU, LeakyReLU}

var allLosses = []string{"mse", "mae", "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"}

func refActivate(act Activation, z []float64) []float64 {
	a := make([]float64, len(z))
	switch act {
	case Softmax:
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
		case Linear:
			a[i] = v
		case ReLU:
			a[i] = math.Max(v, 0)
		case Sigmoid:
			a[i] = 1 / (1 + math.Exp(-v))
		case Tanh:
			a[i] = math.Tanh(v)
		case Softplus:
			a[i] = math.Log(1 + math.Exp(v))
		case ELU:
			a[i] = v
			if v <= 0 {
				a[i] = math.Exp(v) - 1
			}
		case SELU:
			a[i] = 1.0507009873554805 * v
			if v <= 0 {
				a[i] = 1.0507009873554805 * 1.6732632423543772 * (math.Exp(v) - 1)
			}
		case LeakyReLU:
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
func refSampleLoss(lossName string, a, y []float64) float64 {
	var s float64
	switch lossName {
	case "mse":
		for i := range a {
			s += (a[i] - y[i]) * (a[i] - y[i])
		}
		return s / float64(len(a))
	case "mae":
		for i := range a {
			s += math.Abs(a[i] - y[i])
		}
		return s / float64(len(a))
	case "binary_crossentropy":
		for i := range a {
			p := refClip(a[i])
			s -= y[i]*math.Log(p) + (1-y[i])*math.Log(1-p)
		}
		return s / float64(len(a))
	case "categorical_crossentropy":
		for i := range a {
			s -= y[i] * math.Log(refClip(a[i]))
		}
		return s
	case "sparse_categorical_crossentropy":
		return -math.Log(refClip(a[int(y[0])]))
	}
	panic(lossName)
}

type refLayer struct {
	in, out int
	act     Activation
	w, b    []float64
}

// refLoss is the mean loss of a stack of dense layers over the rows of x.
func refLoss(layers []refLayer, lossName string, x, y []float64, n, ycols int) float64 {
	var total float64
	for r := range n {
		h := x[r*layers[0].in : (r+1)*layers[0].in]
		for _, l := range layers {
			z := make([]float64, l.out)
			for j := range l.out {
				z[j] = l.b[j]
				for i := range l.in {
					z[j] += h[i] * l.w[i*l.out+j]
				}
			}
			h = refActivate(l.act, z)
		}
		total += refSampleLoss(lossName, h, y[r*ycols:(r+1)*ycols])
	}
	return total / float64(n)
}

// targets returns n rows of targets suited to lossName for units outputs.
func targets(r *rng, lossName string, n, units int) (*Matrix, []float64) {
	cols := units
	if lossName == "sparse_categorical_crossentropy" {
		cols = 1
	}
	y := NewMatrix(n, cols)
	for i := range n {
		row := y.Row(i)
		switch lossName {
		case "mse", "mae":
			for j := range row {
				row[j] = float32(2*r.float64() - 1)
			}
		case "binary_crossentropy": // hard and soft labels
			for j := range row {
				row[j] = float32(r.intn(2))
			}
			row[0] = 0.3
		case "categorical_crossentropy":
			row[r.intn(units)] = 1
			if i == 0 { // a soft label row
				for j := range row {
					row[j] = 1 / float32(units)
				}
			}
		case "sparse_categorical_crossentropy":
			row[0] = float32(r.intn(units))
		}
	}
	y64 := make([]float64, len(y.Data))
	for i, v := range y.Data {
		y64[i] = float64(v)
	}
	return y, y64
}

// checkGradients compiles a model of the given layer sizes and activations
// and compares its gradients with finite differences of refLoss.
func checkGradients(t *testing.T, sizes []int, acts []Activation, lossName string, seed int64) {
	t.Helper()
	layers := []Layer{Input(sizes[0])}
	for i, act := range acts {
		layers = append(layers, Dense(sizes[i+1], act))
	}
	m := NewSequential(layers...)
	if err := m.Compile(CompileConfig{Loss: lossName, Optimizer: &SGD{}, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	r := newRNG(seed, 99)
	// Biases away from zero and weights scaled up so that activations are
	// far from linear and gradients are not tiny.
	for _, d := range m.denses {
		for i := range d.w {
			d.w[i] *= 1.5
		}
		for i := range d.b {
			d.b[i] = float32(r.float64() - 0.5)
		}
	}
	const n = 3
	m.reserve(n + 2) // a partial batch: buffers larger than the batch
	x := NewMatrix(n, sizes[0])
	for i := range x.Data {
		x.Data[i] = float32(2*r.float64() - 1)
	}
	units := sizes[len(sizes)-1]
	y, y64 := targets(&r, lossName, n, units)

	sum := m.computeGradients(x.Data, y.Data, n)

	ref := make([]refLayer, len(m.denses))
	for i, d := range m.denses {
		ref[i] = refLayer{in: d.in, out: d.out, act: acts[i], w: make([]float64, len(d.w)), b: make([]float64, len(d.b))}
		for j, v := range d.w {
			ref[i].w[j] = float64(v)
		}
		for j, v := range d.b {
			ref[i].b[j] = float64(v)
		}
	}
	x64 := make([]float64, len(x.Data))
	for i, v := range x.Data {
		x64[i] = float64(v)
	}
	f := func() float64 { return refLoss(ref, lossName, x64, y64, n, y.Cols) }
	if got, want := sum/n, f(); math.Abs(got-want) > 1e-5*(1+math.Abs(want)) {
		t.Fatalf("forward loss %v, float64 reference %v", got, want)
	}

	const h = 1e-6
	var nonzero int
	check := func(what string, p *float64, analytic float32) {
		old := *p
		*p = old + h
		up := f()
		*p = old - h
		down := f()
		*p = old
		num := (up - down) / (2 * h)
		if math.Abs(float64(analytic)-num) > 2e-5+2e-4*math.Abs(num) {
			t.Errorf("%s: backprop %.7g, finite difference %.7g", what, analytic, num)
		}
		if num != 0 {
			nonzero++
		}
	}
	for li, d := range m.denses {
		for j := range d.w {
			check(fmt.Sprintf("layer %d w[%d]", li, j), &ref[li].w[j], d.dw[j])
		}
		for j := range d.b {
			check(fmt.Sprintf("layer %d b[%d]", li, j), &ref[li].b[j], d.db[j])
		}
	}
	if nonzero == 0 {
		t.Fatalf("every gradient is zero: the check tests nothing")
	}
}

// Every output activation with every loss (the fused softmax/sigmoid
// cross-entropies included).
func TestGradientsOutputActivationByLoss(t *testing.T) {
	for _, lossName := range allLosses {
		for _, act := range allActivations {
			t.Run(lossName+"/"+string(act), func(t *testing.T) {
				checkGradients(t, []int{4, 5, 3}, []Activation{Tanh, act}, lossName, 7)
			})
		}
	}
}

// Every activation as a hidden layer, under a regression and a classification head.
func TestGradientsHiddenActivation(t *testing.T) {
	for _, act := range allActivations {
		t.Run(string(act), func(t *testing.T) {
			checkGradients(t, []int{3, 6, 4, 2}, []Activation{act, act, Linear}, "mse", 11)
			checkGradients(t, []int{3, 6, 4}, []Activation{act, Softmax}, "sparse_categorical_crossentropy", 12)
		})
	}
}

// A single sigmoid output with binary cross-entropy: the common binary
// classifier, with one unit (units == 1 edge case).
func TestGradientsBinaryClassifier(t *testing.T) {
	checkGradients(t, []int{5, 8, 1}, []Activation{ReLU, Sigmoid}, "binary_crossentropy", 3)
}
