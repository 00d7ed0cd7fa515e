package nn

import (
	"fmt"
	"math"
)

// Activation names an element-wise (softmax: row-wise) activation function,
// spelled as in Keras.
type Activation string

// Activations. The empty Activation means Linear, like Keras' activation=None.
const (
	Linear    Activation = "linear"
	ReLU      Activation = "relu"
	Sigmoid   Activation = "sigmoid"
	Tanh      Activation = "tanh"
	Softmax   Activation = "softmax"
	Softplus  Activation = "softplus"   // log(1 + eˣ)
	ELU       Activation = "elu"        // x if x > 0, else eˣ − 1 (alpha 1)
	SELU      Activation = "selu"       // scale·elu(x, alpha) with the self-normalising constants
	LeakyReLU Activation = "leaky_relu" // x if x > 0, else 0.2·x (Keras' default negative slope)
)

const (
	seluAlpha      = 1.6732632423543772848170429916717
	seluScale      = 1.0507009873554804934193349852946
	leakyReLUSlope = 0.2
)

type actKind uint8

const (
	actLinear actKind = iota
	actReLU
	actSigmoid
	actTanh
	actSoftmax
	actSoftplus
	actELU
	actSELU
	actLeakyReLU
)

var activationKinds = map[Activation]actKind{
	"": actLinear, Linear: actLinear, ReLU: actReLU, Sigmoid: actSigmoid, Tanh: actTanh,
	Softmax: actSoftmax, Softplus: actSoftplus, ELU: actELU, SELU: actSELU, LeakyReLU: actLeakyReLU,
}

const activationList = "linear, relu, sigmoid, tanh, softmax, softplus, elu, selu or leaky_relu"

func parseActivation(a Activation) (actKind, error) {
	k, ok := activationKinds[a]
	if !ok {
		return 0, fmt.Errorf("%w %q (want %s)", ErrUnknownActivation, string(a), activationList)
	}
	return k, nil
}

// activate writes f(z) into a for an n×cols batch stored row-major.
func activate(k actKind, z, a []float32, n, cols int) {
	z, a = z[:n*cols], a[:n*cols]
	switch k {
	case actLinear:
		copy(a, z)
	case actReLU:
		for i, v := range z {
			a[i] = max(v, 0)
		}
	case actLeakyReLU:
		for i, v := range z {
			if v > 0 {
				a[i] = v
			} else {
				a[i] = leakyReLUSlope * v
			}
		}
	case actSigmoid:
		for i, v := range z {
			a[i] = sigmoid(v)
		}
	case actTanh:
		for i, v := range z {
			a[i] = float32(math.Tanh(float64(v)))
		}
	case actSoftplus:
		for i, v := range z {
			a[i] = float32(softplus(float64(v)))
		}
	case actELU:
		for i, v := range z {
			if v > 0 {
				a[i] = v
			} else {
				a[i] = float32(math.Expm1(float64(v)))
			}
		}
	case actSELU:
		for i, v := range z {
			if v > 0 {
				a[i] = float32(seluScale * float64(v))
			} else {
				a[i] = float32(seluScale * seluAlpha * math.Expm1(float64(v)))
			}
		}
	case actSoftmax:
		for r := range n {
			softmaxRow(z[r*cols:(r+1)*cols], a[r*cols:(r+1)*cols])
		}
	default:
		panic(fmt.Sprintf("nn: activation kind %d not implemented", k))
	}
}

// activationBackward turns g, holding dL/da, into dL/dz in place, given the
// pre-activations z and outputs a of the same n×cols batch.
func activationBackward(k actKind, z, a, g []float32, n, cols int) {
	z, a, g = z[:n*cols], a[:n*cols], g[:n*cols]
	switch k {
	case actLinear:
	case actReLU:
		for i, v := range z {
			if v <= 0 {
				g[i] = 0
			}
		}
	case actLeakyReLU:
		for i, v := range z {
			if v <= 0 {
				g[i] *= leakyReLUSlope
			}
		}
	case actSigmoid:
		for i, v := range a {
			g[i] *= v * (1 - v)
		}
	case actTanh:
		for i, v := range a {
			g[i] *= 1 - v*v
		}
	case actSoftplus: // d/dz log(1+eᶻ) = σ(z)
		for i, v := range z {
			g[i] *= sigmoid(v)
		}
	case actELU: // eᶻ = a + 1 for z ≤ 0
		for i, v := range z {
			if v <= 0 {
				g[i] *= a[i] + 1
			}
		}
	case actSELU: // scale·alpha·eᶻ = a + scale·alpha for z ≤ 0
		for i, v := range z {
			if v > 0 {
				g[i] *= seluScale
			} else {
				g[i] *= a[i] + seluScale*seluAlpha
			}
		}
	case actSoftmax: // dz_j = a_j·(g_j − Σ_i g_i·a_i)
		for r := range n {
			ar, gr := a[r*cols:(r+1)*cols], g[r*cols:(r+1)*cols]
			var dot float64
			for i, v := range ar {
				dot += float64(gr[i]) * float64(v)
			}
			for i, v := range ar {
				gr[i] = v * (gr[i] - float32(dot))
			}
		}
	default:
		panic(fmt.Sprintf("nn: activation kind %d not implemented", k))
	}
}

func sigmoid(v float32) float32 { return float32(1 / (1 + math.Exp(-float64(v)))) }

// softplus computes log(1+eˣ) without overflow.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// softmaxRow writes softmax(z) into a, shifting by the maximum for
// stability, and returns log Σ exp(z_i) as logSumExp computes it (the same
// bits), so that a fused cross-entropy need not exponentiate z again.
func softmaxRow(z, a []float32) float64 {
	zmax := z[0]
	for _, v := range z[1:] {
		zmax = max(zmax, v)
	}
	var sum float64
	for i, v := range z {
		e := math.Exp(float64(v - zmax))
		a[i] = float32(e)
		sum += e
	}
	inv := 1 / sum
	for i := range a {
		a[i] = float32(float64(a[i]) * inv)
	}
	return float64(zmax) + math.Log(sum)
}

// logSumExp returns log Σ exp(z_i), computed stably.
func logSumExp(z []float32) float64 {
	zmax := z[0]
	for _, v := range z[1:] {
		zmax = max(zmax, v)
	}
	var sum float64
	for _, v := range z {
		sum += math.Exp(float64(v - zmax))
	}
	return float64(zmax) + math.Log(sum)
}
