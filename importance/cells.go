package importance

import (
	"math"

	"github.com/tunekit/tune/hp"
)

// cells is the grid one hyperparameter's densities are estimated on:
// positions on the unit interval, and whether the values are categories
// (counted) rather than points of a range (smoothed). The last cell holds
// the trials where the hyperparameter is inactive, if it can be.
type cells struct {
	at          []float64 // unit-interval centre of each value cell
	categorical bool
	conditional bool
}

func newCells(p *hp.Param, grid int) *cells {
	c := &cells{conditional: len(p.Conditions) > 0}
	n := p.Count()
	switch {
	case p.Kind == hp.KindChoice || p.Kind == hp.KindBoolean:
		c.categorical = true
	case n == 0 || n > grid:
		n = grid
	}
	c.at = make([]float64, n)
	for i := range c.at {
		c.at[i] = (float64(i) + 0.5) / float64(n)
	}
	return c
}

// density estimates the distribution of p's values among obs over the
// cells: it has one entry per cell, plus the inactive cell when the
// hyperparameter is conditional or some trial lacks it, and sums to 1.
func (c *cells) density(p *hp.Param, obs []Observation) []float64 {
	var us []float64
	for _, o := range obs {
		v, ok := o.Values[p.Name]
		if !ok {
			continue
		}
		if u, err := p.ToUnit(v); err == nil {
			us = append(us, u)
		}
	}
	n := len(c.at)
	out := make([]float64, n+1)
	if len(us) > 0 {
		if c.categorical {
			c.count(us, out[:n])
		} else {
			c.smooth(us, out[:n])
		}
	} else {
		for i := range out[:n] {
			out[i] = 1 / float64(n)
		}
	}
	if !c.conditional && len(us) == len(obs) {
		return out[:n]
	}
	// Active or not is a category of its own, with the same prior as a
	// choice's values: weight 1 spread over the two.
	m := float64(len(obs))
	active := (float64(len(us)) + 0.5) / (m + 1)
	for i := range out[:n] {
		out[i] *= active
	}
	out[n] = 1 - active
	return out
}

// count fills dst with category frequencies and a prior of total weight 1.
func (c *cells) count(us []float64, dst []float64) {
	n := len(dst)
	for i := range dst {
		dst[i] = 1 / float64(n)
	}
	for _, u := range us {
		dst[min(int(u*float64(n)), n-1)]++
	}
	total := float64(len(us)) + 1
	for i := range dst {
		dst[i] /= total
	}
}

// smooth fills dst with a Gaussian kernel density of us at the cell
// centres, normalized over the cells. The bandwidth is Scott's rule, at
// least half a cell.
func (c *cells) smooth(us []float64, dst []float64) {
	var mean, sq float64
	for _, u := range us {
		mean += u
	}
	mean /= float64(len(us))
	for _, u := range us {
		sq += (u - mean) * (u - mean)
	}
	sd := math.Sqrt(sq / float64(len(us)))
	h := 1.06 * sd * math.Pow(float64(len(us)), -0.2)
	h = max(h, 0.5/float64(len(dst)))
	var total float64
	for i, x := range c.at {
		var s float64
		for _, u := range us {
			z := (x - u) / h
			s += math.Exp(-0.5 * z * z)
		}
		dst[i] = s
		total += s
	}
	for i := range dst {
		dst[i] /= total
	}
}
