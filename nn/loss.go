package nn

import (
	"fmt"
	"math"
)

type lossKind uint8

const (
	lossMSE lossKind = iota
	lossMAE
	lossHuber
	lossBCE
	lossCCE
	lossSCCE
)

var lossKinds = map[string]lossKind{
	"mse": lossMSE, "mean_squared_error": lossMSE,
	"mae": lossMAE, "mean_absolute_error": lossMAE,
	"huber": lossHuber, "huber_loss": lossHuber,
	"binary_crossentropy":             lossBCE,
	"categorical_crossentropy":        lossCCE,
	"sparse_categorical_crossentropy": lossSCCE,
}

// lossNames are the canonical names, as Save writes them.
var lossNames = [...]string{
	lossMSE: "mse", lossMAE: "mae", lossHuber: "huber",
	lossBCE: "binary_crossentropy", lossCCE: "categorical_crossentropy", lossSCCE: "sparse_categorical_crossentropy",
}

// probEpsilon is Keras' backend epsilon: cross-entropies on outputs that are
// not fused with their activation clip probabilities to [ε, 1−ε].
const probEpsilon = 1e-7

// loss is a compiled loss. Every loss is the mean over the batch of a
// per-sample value, weighted by the sample weights (Keras'
// sum_over_batch_size reduction: Σ wᵢ·lᵢ / n); mse, mae, huber and
// binary_crossentropy average over the outputs of a sample first, as Keras
// does.
//
// Cross-entropies take probabilities (Keras' from_logits=False). When the
// output activation is softmax (categorical) or sigmoid (binary) the loss is
// computed from the pre-activations with log-sum-exp and its gradient with
// respect to them is the well-conditioned a − y: the loss is fused.
type loss struct {
	kind  lossKind
	fused bool
	delta float64 // huber
}

func parseLoss(name string, out actKind, delta float64) (loss, error) {
	k, ok := lossKinds[name]
	if !ok {
		return loss{}, fmt.Errorf("%w %q (want mse, mae, huber, binary_crossentropy, categorical_crossentropy or sparse_categorical_crossentropy)",
			ErrUnknownLoss, name)
	}
	fused := (k == lossBCE && out == actSigmoid) || ((k == lossCCE || k == lossSCCE) && out == actSoftmax)
	return loss{kind: k, fused: fused, delta: delta}, nil
}

func (l loss) name() string { return lossNames[l.kind] }

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

// eval returns acc + Σ wᵣ·lᵣ over the n rows of a batch, added row by row
// (so that a sum over many batches does not depend on how rows are
// batched), given the pre-activations z (used only when fused), the
// outputs a, the targets y and the sample weights sw (nil: all 1). If g is
// not nil it also writes there scale·wᵣ·∂lᵣ/∂z (fused) or ∂lᵣ/∂a: with
// scale = lossWeight/n, the gradient of the weighted batch mean.
//
// lse, if not nil, holds log Σ exp(z) of each row (a softmax output's
// normalisers, kept by its forward pass), which the fused cross-entropies
// then read instead of exponentiating z again: their loss and gradient take
// one pass over the row.
func (l loss) eval(z, a, y, sw, g []float32, lse []float64, n, units int, scale, acc float64) float64 {
	a, y = a[:n*units], y[:n*l.yCols(units)]
	total := acc
	for r := range n {
		w := 1.0
		if sw != nil {
			w = float64(sw[r])
		}
		ar := a[r*units : (r+1)*units]
		var zr, gr []float32
		if l.fused {
			zr = z[r*units : (r+1)*units]
		}
		if g != nil {
			gr = g[r*units : (r+1)*units]
		}
		var yr []float32
		if l.kind == lossSCCE {
			yr = y[r : r+1]
		} else {
			yr = y[r*units : (r+1)*units]
		}
		rowLSE := math.NaN()
		if lse != nil {
			rowLSE = lse[r]
		}
		total += w * l.sample(zr, ar, yr, gr, w*scale, rowLSE, lse != nil)
	}
	return total
}

// sample returns the loss of one sample and, if g is not nil, writes
// gs·∂l/∂z (fused) or gs·∂l/∂a into it; lse is log Σ exp(z) if haveLSE.
func (l loss) sample(z, a, y, g []float32, gs, lse float64, haveLSE bool) float64 {
	if !haveLSE && l.fused && (l.kind == lossCCE || l.kind == lossSCCE) {
		lse = logSumExp(z)
	}
	units := float64(len(a))
	var s float64
	switch l.kind {
	case lossMSE:
		for i, p := range a {
			d := float64(p) - float64(y[i])
			s += d * d
			if g != nil {
				g[i] = float32(gs * 2 * d / units)
			}
		}
		return s / units
	case lossMAE:
		for i, p := range a {
			d := float64(p) - float64(y[i])
			s += math.Abs(d)
			if g != nil {
				g[i] = float32(gs * sign(d) / units)
			}
		}
		return s / units
	case lossHuber:
		for i, p := range a {
			d := float64(p) - float64(y[i])
			ad := math.Abs(d)
			if ad <= l.delta {
				s += 0.5 * d * d
			} else {
				s += l.delta * (ad - 0.5*l.delta)
				d = l.delta * sign(d)
			}
			if g != nil {
				g[i] = float32(gs * d / units)
			}
		}
		return s / units
	case lossBCE:
		for i, p := range a {
			t := float64(y[i])
			if l.fused { // max(z,0) − z·t + log(1 + e^−|z|), gradient σ(z) − t
				v := float64(z[i])
				s += max(v, 0) - v*t + math.Log1p(math.Exp(-math.Abs(v)))
				if g != nil {
					g[i] = float32(gs * (float64(p) - t) / units)
				}
				continue
			}
			q := clipProb(p)
			s -= t*math.Log(q) + (1-t)*math.Log(1-q)
			if g != nil {
				g[i] = float32(gs * clipGrad(p, (1-t)/(1-q)-t/q) / units)
			}
		}
		return s / units
	case lossCCE:
		if l.fused { // Σt·lse(z) − Σ t_j·z_j, gradient a_j·Σt − t_j
			var st, tz float64
			for j, t := range y {
				st += float64(t)
				tz += float64(t) * float64(z[j])
			}
			if g != nil {
				for j, p := range a {
					g[j] = float32(gs * (float64(p)*st - float64(y[j])))
				}
			}
			return st*lse - tz
		}
		for j, p := range a {
			q, t := clipProb(p), float64(y[j])
			s -= t * math.Log(q)
			if g != nil {
				g[j] = float32(gs * clipGrad(p, -t/q))
			}
		}
		return s
	case lossSCCE:
		c := int(y[0])
		if l.fused { // lse(z) − z_c, gradient a − onehot(c)
			if g != nil {
				for j, p := range a {
					g[j] = float32(gs * float64(p))
				}
				g[c] = float32(gs * (float64(a[c]) - 1))
			}
			return lse - float64(z[c])
		}
		q := clipProb(a[c])
		if g != nil {
			clear(g)
			g[c] = float32(gs * clipGrad(a[c], -1/q))
		}
		return -math.Log(q)
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
