package oracle

import (
	"math"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/trials"
)

// Trials of a multi-objective study. A trial is judged at its best epoch
// on the first objective (the epoch its score and checkpoint come from);
// its objective vector is its metrics there, one coordinate per objective,
// negated where the objective is maximized so that every coordinate is
// minimized, as the functions of pareto.go want.

// MultiObjective markers: random and grid search use no score.
func (r *RandomSearch) MultiObjective() {}

// MultiObjective marks GridSearch as usable with several objectives.
func (g *GridSearch) MultiObjective() {}

// objectives returns the study's objectives: Objectives, or Objective alone.
func (s State) objectives() []goal.Objective {
	if len(s.Objectives) > 0 {
		return s.Objectives
	}
	return []goal.Objective{s.Objective}
}

// Vector returns the objective vector of metrics (all coordinates
// minimized), and false when a metric is missing or not finite.
func Vector(metrics map[string]float64, objs []goal.Objective) ([]float64, bool) {
	v := make([]float64, len(objs))
	for i, o := range objs {
		x, ok := metrics[o.Name]
		if !ok || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		if o.Direction == goal.Maximize {
			x = -x
		}
		v[i] = x
	}
	return v, true
}

// scored returns the completed trials of ts that have every objective, and
// their vectors.
func scored(ts []*trials.Trial, objs []goal.Objective) ([]*trials.Trial, [][]float64) {
	var out []*trials.Trial
	var points [][]float64
	for _, t := range ts {
		if t.Status != trials.Completed {
			continue
		}
		if v, ok := Vector(t.Metrics, objs); ok {
			out = append(out, t)
			points = append(points, v)
		}
	}
	return out, points
}

// FrontTrials returns the completed trials that no other completed trial
// dominates on objs, in id order: the Pareto front of a study. Trials
// missing an objective are left out.
func FrontTrials(ts []*trials.Trial, objs []goal.Objective) []*trials.Trial {
	cand, points := scored(ts, objs)
	front := ParetoFront(points)
	out := make([]*trials.Trial, len(front))
	for i, j := range front {
		out[i] = cand[j]
	}
	return out
}
