package importance

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// MinTrials is the fewest scored trials PED-ANOVA accepts.
const MinTrials = 3

// Observation is one scored trial: its values and its objective.
type Observation struct {
	Values hp.Values
	Score  float64
}

// Options tune the estimate. The zero value is the defaults.
type Options struct {
	// Quantile is the share of the best trials compared with all of them;
	// 0 means 0.1. At least 2 trials, and never all, form the top set.
	Quantile float64
	// Grid is the number of cells a continuous range is estimated on;
	// 0 means 50.
	Grid int
}

// Importance is the importance of one hyperparameter.
type Importance struct {
	Name string `json:"name"`
	// Share is Divergence over the sum of every hyperparameter's
	// divergence: the shares of a study sum to 1 (all are 0 when no
	// hyperparameter matters at all).
	Share float64 `json:"importance"`
	// Divergence is the Pearson divergence of the top trials' density of
	// the hyperparameter from all trials' density.
	Divergence float64 `json:"divergence"`
}

// PEDANOVA returns the importance of every tunable hyperparameter of space,
// most important first (ties in the space's order), from the observations
// of an objective with direction d.
func PEDANOVA(space *hp.Space, obs []Observation, d goal.Direction, opts *Options) ([]Importance, error) {
	o := Options{Quantile: 0.1, Grid: 50}
	if opts != nil {
		if opts.Quantile != 0 {
			o.Quantile = opts.Quantile
		}
		if opts.Grid != 0 {
			o.Grid = opts.Grid
		}
	}
	if !(o.Quantile > 0 && o.Quantile < 1) || o.Grid < 2 {
		return nil, fmt.Errorf("importance: quantile %v must lie in (0, 1) and grid %d be at least 2", o.Quantile, o.Grid)
	}
	var scored []Observation
	for _, ob := range obs {
		if !math.IsNaN(ob.Score) && !math.IsInf(ob.Score, 0) {
			scored = append(scored, ob)
		}
	}
	if len(scored) < MinTrials {
		return nil, fmt.Errorf("%w: %d of at least %d", ErrTooFewTrials, len(scored), MinTrials)
	}
	better := func(a, b Observation) int {
		if d == goal.Maximize {
			return cmp.Compare(b.Score, a.Score)
		}
		return cmp.Compare(a.Score, b.Score)
	}
	slices.SortStableFunc(scored, better)
	k := max(2, int(math.Ceil(o.Quantile*float64(len(scored)))))
	k = min(k, len(scored)-1)
	top := scored[:k]

	var out []Importance
	var sum float64
	if space != nil {
		for _, p := range space.Params() {
			if p.Kind == hp.KindFixed || p.Count() == 1 {
				continue
			}
			cells := newCells(&p, o.Grid)
			all := cells.density(&p, scored)
			good := cells.density(&p, top)
			div := pearson(good, all)
			sum += div
			out = append(out, Importance{Name: p.Name, Divergence: div})
		}
	}
	if len(out) == 0 {
		return nil, ErrNoSpace
	}
	for i := range out {
		if sum > 0 {
			out[i].Share = out[i].Divergence / sum
		}
	}
	slices.SortStableFunc(out, func(a, b Importance) int { return cmp.Compare(b.Share, a.Share) })
	return out, nil
}

// FromTrials measures importance over a study's completed trials.
func FromTrials(st *trials.StudyRecord, ts []*trials.Trial, opts *Options) ([]Importance, error) {
	var obs []Observation
	for _, t := range ts {
		if t.Status == trials.Completed && t.Score != nil {
			obs = append(obs, Observation{Values: t.Values, Score: *t.Score})
		}
	}
	return PEDANOVA(st.Space, obs, st.Objective.Direction, opts)
}

// pearson is the Pearson divergence Σ q (p/q − 1)² of p from q, two
// distributions over the same cells with q > 0 wherever p > 0.
func pearson(p, q []float64) float64 {
	var d float64
	for i := range p {
		if q[i] > 0 {
			r := p[i]/q[i] - 1
			d += q[i] * r * r
		}
	}
	return d
}
