package study

import (
	"encoding/json"
	"slices"
	"strings"
)

// zeroIsDefault lists, per oracle and pruner, the settings that the
// oracle package reads as "use the default" when they are 0, with what
// they take. A 0 written in the study file would silently become the
// default (Hyperband's max_epochs: 0 ran trials of 2 epochs), so it is an
// error instead.
var zeroIsDefault = map[string]map[string]string{
	"hyperband": {"max_epochs": "1 or more", "factor": "2 or more", "hyperband_iterations": "1 or more", "min_epochs": "1 or more"},
	"bayesian": {"num_initial_points": "1 or more", "alpha": "a positive number", "beta": "a positive number",
		"max_collisions": "1 or more"},
	"random": {"max_collisions": "1 or more"},
	"tpe": {"num_startup_trials": "1 or more", "num_candidates": "1 or more", "prior_weight": "a positive number",
		"max_collisions": "1 or more"},
	"nsga2": {"population_size": "2 or more", "crossover_prob": "a probability above 0", "swapping_prob": "a probability above 0",
		"mutation_prob": "a probability above 0", "max_collisions": "1 or more"},
	"pareto":             {"warmup_trials": "1 or more, or -1 for none", "min_trials": "1 or more", "dominated_share": "a share above 0"},
	"median":             {"warmup_trials": "1 or more, or -1 for none", "min_trials": "1 or more"},
	"successive_halving": {"min_epochs": "1 or more", "reduction_factor": "2 or more"},
}

// checkZeroSettings refuses an oracle or pruner setting written as 0 that
// the oracle would read as its default.
func (s *Study) checkZeroSettings() error {
	for _, sec := range []struct {
		section, typ string
		config       json.RawMessage
	}{{"oracle", s.Oracle.Type, s.Oracle.Config}, {"pruner", s.Pruner.Type, s.Pruner.Config}} {
		keys := zeroIsDefault[sec.typ]
		if len(keys) == 0 || len(sec.config) == 0 {
			continue
		}
		var settings map[string]any
		if json.Unmarshal(sec.config, &settings) != nil {
			continue // the oracle's own decoding reports it
		}
		names := make([]string, 0, len(settings))
		for k := range settings {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			want, ok := keys[strings.ToLower(k)]
			if v, isNum := settings[k].(float64); ok && isNum && v == 0 {
				return errorf(s.line(sec.section, k), "%s %s: %s 0 would be read as its default: want %s, or leave %s out for the default",
					sec.section, sec.typ, k, want, k)
			}
		}
	}
	return nil
}
