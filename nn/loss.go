package nn

import (
	"fmt"
	"math"
)

type lossKind uint8

const (
	lossMSE lossKind = iota
	lossMAE
	lossBCE
	lossCCE
	lossSCCE
)

var lossKinds = map[string]lossKind{
	"mse": lossMSE, "mean_squared_error": lossMSE,
	"mae": lossMAE, "mean_absolute_error": lossMAE,
	"binary_crossentropy":             lossBCE,
	"categorical_crossentropy":        lossCCE,
	"sparse_categorical_crossentropy": lossSCCE,
}

// probEpsilon is Keras' backend epsilon: cross-entropies on outputs that are
// not fused with their activation clip probabilities to [ε, 1−ε].
const probEpsilon = 1e-7

// loss is a compiled loss. Every loss is the mean over the batch of a
// per-sample value; mse, mae and binary_crossentropy average over the
// outputs of a sample first, as Keras does.
//
// Cross-entropies take probabilities (Keras' from_logits=False). When the
// output activation is softmax (categorical) or sigmoid (binary) the loss is
// computed from the pre-activations with log-sum-exp and its gradient with
// respect to them is the well-conditioned a − y: the loss is fused.
type loss struct {
	kind  lossKind
	fused bool
}

func parseLoss(name string, out actKind) (loss, error) {
	k, ok := lossKinds[name]
	if !ok {
		return loss{}, fmt.Errorf("%w %q (want mse, mae, binary_crossentropy, categorical_crossentropy or sparse_categorical_crossentropy)",
			ErrUnknownLoss, name)
	}
	fused := (k == lossBCE && out == actSigmoid) || ((k == lossCCE || k == lossSCCE) && out == actSoftmax)
	return loss{kind: k, fused: fused}, nil
}

// yCols is the number of target columns the loss expects for units outputs.
func (l loss) yCols(units int) int {
	if l.kind == lossSCCE {
		return 1
	}
	return units
}

// checkTargets reports targets the loss cannot use.
func (l loss) checkTargets(y *Matrix, units int, name string) error {
	if l.kind != lossSCCE {
		return nil
	}
	for r, v := range y.Data {
		if !(v >= 0 && v < float32(units) && v == float32(math.Trunc(float64(v)))) {
			return fmt.Errorf("%w: %s row %d is %v; sparse_categorical_crossentropy needs a class index in [0, %d)",
				ErrLabel, name, r, v, units)
		}
	}
	return nil
}

// sum returns the sum over the n rows of the per-sample loss, given the
// pre-activations z, the outputs a and the targets y of the batch.
func (l loss) sum(z, a, y []float32, n, units int) float64 {
	return l.eval(z, a, y, nil, n, units)
}

// sumAndGrad is sum that also writes into g the gradient of the batch mean
// loss: with respect to z when the loss is fused, else with respect to a.
func (l loss) sumAndGrad(z, a, y, g []float32, n, units int) float64 {
	return l.eval(z, a, y, g[:n*units], n, units)
}

func (l loss) eval(z, a, y, g []float32, n, units int) float64 {
	z, a, y = z[:n*units], a[:n*units], y[:n*l.yCols(units)]
	inv := 1 / float64(n*units) // per-element weight of the mean over batch and outputs
	var total float64
	switch l.kind {
	case lossMSE:
		for i, p := range a {
			d := float64(p) - float64(y[i])
			total += d * d
			if g != nil {
				g[i] = float32(2 * d * inv)
			}
		}
		return total / float64(units)
	case lossMAE:
		for i, p := range a {
			d := float64(p) - float64(y[i])
			total += math.Abs(d)
			if g != nil {
				g[i] = float32(sign(d) * inv)
			}
		}
		return total / float64(units)
	case lossBCE:
		for i, p := range a {
			t := float64(y[i])
			if l.fused { // max(z,0) − z·t + log(1 + e^−|z|), gradient σ(z) − t
				v := float64(z[i])
				total += max(v, 0) - v*t + math.Log1p(math.Exp(-math.Abs(v)))
				if g != nil {
					g[i] = float32((float64(p) - t) * inv)
				}
				continue
			}
			q := clipProb(p)
			total -= t*math.Log(q) + (1-t)*math.Log(1-q)
			if g != nil {
				g[i] = float32(clipGrad(p, (1-t)/(1-q)-t/q) * inv)
			}
		}
		return total / float64(units)
	case lossCCE:
		for r := range n {
			zr, ar, yr := z[r*units:(r+1)*units], a[r*units:(r+1)*units], y[r*units:(r+1)*units]
			if l.fused { // Σt·lse(z) − Σ t_j·z_j, gradient a_j·Σt − t_j
				var st, tz float64
				for j, t := range yr {
					st += float64(t)
					tz += float64(t) * float64(zr[j])
				}
				total += st*logSumExp(zr) - tz
				if g != nil {
					for j, p := range ar {
						g[r*units+j] = float32((float64(p)*st - float64(yr[j])) / float64(n))
					}
				}
				continue
			}
			for j, p := range ar {
				q, t := clipProb(p), float64(yr[j])
				total -= t * math.Log(q)
				if g != nil {
					g[r*units+j] = float32(clipGrad(p, -t/q) / float64(n))
				}
			}
		}
		return total
	case lossSCCE:
		for r := range n {
			c := int(y[r])
			zr, ar := z[r*units:(r+1)*units], a[r*units:(r+1)*units]
			if l.fused { // lse(z) − z_c, gradient a − onehot(c)
				total += logSumExp(zr) - float64(zr[c])
				if g != nil {
					gr := g[r*units : (r+1)*units]
					for j, p := range ar {
						gr[j] = float32(float64(p) / float64(n))
					}
					gr[c] = float32((float64(ar[c]) - 1) / float64(n))
				}
				continue
			}
			q := clipProb(ar[c])
			total -= math.Log(q)
			if g != nil {
				gr := g[r*units : (r+1)*units]
				clear(gr)
				gr[c] = float32(clipGrad(ar[c], -1/q) / float64(n))
			}
		}
		return total
	}
	panic(fmt.Sprintf("nn: loss kind %d not implemented", l.kind))
}

func clipProb(p float32) float64 { return min(max(float64(p), probEpsilon), 1-probEpsilon) }

// clipGrad passes d through where p is inside the clipping range and blocks
// it outside, as the derivative of clipping does.
func clipGrad(p float32, d float64) float64 {
	if float64(p) < probEpsilon || float64(p) > 1-probEpsilon {
		return 0
	}
	return d
}

func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}
