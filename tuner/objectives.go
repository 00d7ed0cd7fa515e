package tuner

import (
	"fmt"
	"slices"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
)

// Built-in metrics a Training reports when an objective names them, for
// trading a model's quality against its cost. All are minimized.
const (
	// MetricParams is the model's number of trainable and other weights.
	MetricParams = "params"
	// MetricEpochSeconds is the wall time of the epoch's training.
	MetricEpochSeconds = "epoch_seconds"
	// MetricLatency is the time to predict one example, in milliseconds:
	// the median of several predictions of one validation (or training)
	// row, measured once the trial has trained. It is known only at the
	// end of a trial, so the pareto pruner ignores studies that use it.
	MetricLatency = "latency_ms"
)

// builtinMetrics are the built-in metrics and their directions.
var builtinMetrics = map[string]goal.Direction{
	MetricParams: goal.Minimize, MetricEpochSeconds: goal.Minimize, MetricLatency: goal.Minimize,
}

// setObjectives checks Objectives and sets Objective and Direction from
// the first.
func (o *Options) setObjectives() error {
	if len(o.Objectives) == 0 {
		return nil
	}
	out := make([]goal.Objective, len(o.Objectives))
	for i, ob := range o.Objectives {
		d := ob.Direction
		if d == "" {
			d = builtinMetrics[ob.Name]
		}
		obj, err := goal.New(ob.Name, d)
		if err != nil {
			return fmt.Errorf("tuner: objective %d: %w; set its direction", i+1, err)
		}
		if slices.ContainsFunc(out[:i], func(p goal.Objective) bool { return p.Name == obj.Name }) {
			return fmt.Errorf("tuner: objective %q is listed twice", obj.Name)
		}
		out[i] = obj
	}
	first := out[0]
	if o.Objective != "" && o.Objective != first.Name || o.Direction != "" && o.Direction != first.Direction {
		return fmt.Errorf("tuner: Objective %q (%s) is not the first of Objectives, %s", o.Objective, o.Direction, first)
	}
	o.Objectives, o.Objective, o.Direction = out, first.Name, first.Direction
	return nil
}

// checkMultiObjective refuses an oracle or pruner that ranks one score in
// a study of several objectives.
func (o *Options) checkMultiObjective() error {
	if len(o.Objectives) < 2 {
		return nil
	}
	if _, ok := o.Oracle.(oracle.MultiObjective); !ok {
		return fmt.Errorf("tuner: oracle %s optimizes one objective; with %d objectives use nsga2, random or grid", o.Oracle.Name(), len(o.Objectives))
	}
	if o.Pruner != nil {
		if _, ok := o.Pruner.(*oracle.ParetoStopping); !ok {
			return fmt.Errorf("tuner: pruner %s ranks one objective; with %d objectives use the pareto pruner", o.Pruner.Name(), len(o.Objectives))
		}
	}
	return nil
}

// multi returns the objectives of a multi-objective study, nil otherwise.
func (o *Options) multi() []goal.Objective {
	if len(o.Objectives) < 2 {
		return nil
	}
	return o.Objectives
}

// wants reports whether an objective names metric.
func (o *Options) wants(metric string) bool {
	return slices.ContainsFunc(o.Objectives, func(ob goal.Objective) bool { return ob.Name == metric })
}

// ParetoFront returns the completed trials that no other completed trial
// dominates on the study's objectives, in id order (for one objective, the
// best trial and its ties).
func (t *Tuner) ParetoFront() ([]*trials.Trial, error) {
	ts, err := t.store.Trials()
	if err != nil {
		return nil, err
	}
	objs := t.opts.Objectives
	if len(objs) == 0 {
		objs = []goal.Objective{t.opts.objective}
	}
	front := oracle.FrontTrials(ts, objs)
	if len(front) == 0 {
		return nil, ErrNoResults
	}
	return front, nil
}
