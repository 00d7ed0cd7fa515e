package study

import (
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/tuner"
)

// ObjectiveSpec is one entry of a multi-objective study's objectives list:
// a metric and its direction ({metric: val_accuracy, direction: max}), or
// the metric's name alone, its direction inferred.
type ObjectiveSpec struct {
	Metric    string         `yaml:"metric"`
	Direction goal.Direction `yaml:"direction"`
}

// UnmarshalYAML takes a mapping or a plain metric name.
func (o *ObjectiveSpec) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return n.Decode(&o.Metric)
	}
	type plain ObjectiveSpec
	return n.Decode((*plain)(o))
}

// builtinObjectives are the metrics a trial reports besides the model's.
var builtinObjectives = []string{tuner.MetricParams, tuner.MetricEpochSeconds, tuner.MetricLatency}

// checkObjectives checks a multi-objective study's list and makes its first
// entry the objective.
func (s *Study) checkObjectives() error {
	line := s.line("objectives")
	if s.has("objective") || s.has("direction") {
		return errorf(line, "objectives: set objective (one) or objectives (several), not both")
	}
	for i := range s.Objectives {
		o := &s.Objectives[i]
		switch {
		case o.Metric == "":
			return errorf(line, "objectives: entry %d has no metric", i+1)
		case slices.ContainsFunc(s.Objectives[:i], func(p ObjectiveSpec) bool { return p.Metric == o.Metric }):
			return errorf(line, "objectives: %q is listed twice", o.Metric)
		case slices.Contains(builtinObjectives, o.Metric):
			if o.Direction == "" {
				o.Direction = goal.Minimize
			}
		default:
			if err := s.checkMetric("objective", o.Metric, line); err != nil {
				return err
			}
			if o.Direction == "" {
				o.Direction, _ = goal.InferDirection(o.Metric)
			}
		}
		if !o.Direction.Valid() {
			return errorf(line, "objectives: %s direction %q: want min or max", o.Metric, o.Direction)
		}
	}
	s.Objective, s.Direction = s.Objectives[0].Metric, s.Objectives[0].Direction
	return nil
}

// objectives returns the tuner's objectives, nil for a study of one.
func (s *Study) objectives() []goal.Objective {
	var out []goal.Objective
	for _, o := range s.Objectives {
		out = append(out, goal.Objective{Name: o.Metric, Direction: o.Direction})
	}
	return out
}
