package nn

import (
	"fmt"
	"math"
)

// head is one output of a compiled model with its loss and metrics.
type head struct {
	name   string
	u      *unitBase
	act    activated // the output unit, if a loss may be fused with it
	loss   loss
	weight float64
	units  int // output width
	ycols  int // target width

	metrics     []metric // running over a training epoch
	evalMetrics []metric // for Evaluate and validation
	lossKey     string   // "<name>_loss" with several outputs, else ""
	batch       float64  // Σ wᵣ·lᵣ over the last batch
	sum         float64  // Σ wᵣ·lᵣ over the rows seen in an epoch or evaluation
}

// eval returns acc plus the head's Σ wᵣ·lᵣ on the last forward pass of n
// rows and, if grad, writes the loss gradient into the output unit's
// buffer.
func (h *head) eval(y, sw []float32, n int, grad bool, acc float64) float64 {
	var z, g []float32
	if h.loss.fused {
		z = h.act.preActivation(n)
	}
	if grad && h.u.wantsGrad {
		g = h.u.g[:n*h.units]
	}
	var lse []float64 // the softmax's normalisers, when it kept them
	if p, ok := h.act.(interface{ logSumExps(int) []float64 }); ok && h.loss.fused {
		lse = p.logSumExps(n)
	}
	return h.loss.eval(z, h.u.out, y, sw, g, lse, n, h.units, h.weight/float64(n), acc)
}

// compileHeads resolves the losses, loss weights and metrics of the outputs.
func compileHeads(g *graph, units []unit, cfg CompileConfig) ([]*head, error) {
	n := len(g.outputs)
	losses := cfg.Losses
	switch {
	case losses == nil:
		losses = make([]string, n)
		for i := range losses {
			losses[i] = cfg.Loss
		}
	case cfg.Loss != "":
		return nil, fmt.Errorf("%w: CompileConfig has both Loss and Losses", ErrInvalidConfig)
	case len(losses) != n:
		return nil, fmt.Errorf("%w: CompileConfig.Losses has %d losses for %d outputs", ErrInvalidConfig, len(losses), n)
	}
	weights := cfg.LossWeights
	if weights == nil {
		weights = make([]float64, n)
		for i := range weights {
			weights[i] = 1
		}
	} else if len(weights) != n {
		return nil, fmt.Errorf("%w: CompileConfig.LossWeights has %d weights for %d outputs", ErrInvalidConfig, len(weights), n)
	}
	delta := cfg.HuberDelta
	if delta == 0 {
		delta = 1
	}
	if !(delta > 0) || math.IsInf(delta, 0) {
		return nil, fmt.Errorf("%w: CompileConfig.HuberDelta is %v, want a positive finite value", ErrInvalidConfig, cfg.HuberDelta)
	}
	heads := make([]*head, n)
	for k, o := range g.outputs {
		u := units[o]
		b := u.base()
		w := weights[k]
		if !(w >= 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("%w: CompileConfig.LossWeights[%d] is %v, want a finite value ≥ 0", ErrInvalidConfig, k, w)
		}
		h := &head{name: g.names[o], u: b, weight: w, units: b.size}
		act := actLinear
		if a, ok := u.(activated); ok && b.consumers == 0 {
			h.act, act = a, a.activation()
		}
		l, err := parseLoss(losses[k], act, delta)
		if err != nil {
			if n > 1 {
				return nil, fmt.Errorf("%w (output %q)", err, h.name)
			}
			return nil, err
		}
		h.loss = l
		h.ycols = l.yCols(b.size)
		b.gradIsZ = l.fused
		prefix := ""
		if n > 1 {
			prefix = h.name + "_"
			h.lossKey = prefix + "loss"
		}
		seen := map[string]bool{"loss": true}
		for _, name := range cfg.Metrics {
			if name == "loss" {
				return nil, fmt.Errorf("%w: metric %q clashes with the loss", ErrInvalidConfig, name)
			}
			mt, err := parseMetric(name, l, b.size)
			if err != nil {
				return nil, err
			}
			if seen[mt.name] {
				return nil, fmt.Errorf("%w: metric %q is given twice or clashes with \"loss\"", ErrInvalidConfig, name)
			}
			seen[mt.name] = true
			mt.key = prefix + mt.name
			h.metrics = append(h.metrics, mt)
		}
		h.evalMetrics = append([]metric(nil), h.metrics...)
		heads[k] = h
	}
	return heads, nil
}
