package oracle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// State is everything an oracle may base a decision on.
type State struct {
	Space     *hp.Space
	Objective goal.Objective
	// Objectives, in a multi-objective study, are every objective, the
	// first equal to Objective; nil in a study of one objective.
	Objectives []goal.Objective
	Seed       int64
	// Trials are all stored trials in id order, whatever their status.
	// They are shared with the caller: read them, do not change them.
	Trials []*trials.Trial
	// History, when not nil, holds the same trials as Trials with indexes
	// kept up to date as trials change (the tuner keeps one), so that an
	// oracle need not derive them from Trials on every call. It is derived
	// from Trials: an oracle given it stays a function of Trials.
	History *trials.History
	// Prior, when not nil, are trials of other studies that warm-start
	// this one (tuner.Options.WarmStart): completed and pruned trials
	// with a finite score whose values fit Space, with ids from −len(Prior)
	// to −1. They are not this study's trials: they are not in Trials, do
	// not count as tried, and leave the draws (seeded by len(Trials))
	// alone. The oracles that learn from a history (PriorUser:
	// BayesianOptimization, TPE) take them as observations older than
	// every trial; the others ignore them.
	Prior []*trials.Trial
}

// PriorUser is implemented by the oracles that learn from State.Prior.
type PriorUser interface {
	Oracle
	UsesPrior()
}

// observed returns the prior trials followed by the study's own, in id
// order: what an oracle that learns from State.Prior models.
func (s State) observed() []*trials.Trial {
	if len(s.Prior) == 0 {
		return s.Trials
	}
	return append(slices.Clip(s.Prior), s.Trials...)
}

// Proposal is the next trial to run.
type Proposal struct {
	Values hp.Values
	// Schedule is zero except for oracles that schedule training budgets
	// (Hyperband): train from InitialEpoch to Epochs, warm-started from
	// Parent's best checkpoint. The stored trial embeds the same type.
	trials.Schedule
}

// Oracle proposes trials.
type Oracle interface {
	// Name identifies the algorithm in a stored study ("random", …).
	Name() string
	// Next returns the next proposal, ErrWait or ErrExhausted.
	Next(s State) (Proposal, error)
}

// MultiObjective is implemented by oracles that can serve a study of
// several objectives (State.Objectives): they rank trials by Pareto
// dominance (NSGA2) or not at all (RandomSearch, GridSearch). The others
// optimize one score and are refused for such a study.
type MultiObjective interface {
	Oracle
	MultiObjective()
}

// Bounded is implemented by oracles that end a search by themselves
// (GridSearch, Hyperband); a tuner puts no default cap on their trials.
type Bounded interface {
	Oracle
	Bounded()
}

// New returns the oracle called name ("random", "grid", "hyperband",
// "bayesian", "tpe" or "nsga2") with its settings decoded from config, JSON as stored in a
// study (empty for the defaults). Unknown settings are errors.
func New(name string, config json.RawMessage) (Oracle, error) {
	var o Oracle
	switch name {
	case "random", "":
		o = &RandomSearch{}
	case "grid":
		o = &GridSearch{}
	case "hyperband":
		o = &Hyperband{}
	case "bayesian":
		o = &BayesianOptimization{}
	case "tpe":
		o = &TPE{}
	case "nsga2":
		o = &NSGA2{}
	default:
		return nil, fmt.Errorf("%w %q (want random, grid, hyperband, bayesian, tpe or nsga2)", ErrUnknown, name)
	}
	if err := decodeSettings(o, name, config); err != nil {
		return nil, err
	}
	return o, nil
}

// NewPruner returns the pruner called name ("median",
// "successive_halving" or "pareto") with its settings decoded from config.
func NewPruner(name string, config json.RawMessage) (Pruner, error) {
	var p Pruner
	switch name {
	case "median":
		p = &MedianStopping{}
	case "successive_halving":
		p = &SuccessiveHalving{}
	case "pareto":
		p = &ParetoStopping{}
	default:
		return nil, fmt.Errorf("%w %q (want median, successive_halving or pareto)", ErrUnknownPruner, name)
	}
	if err := decodeSettings(p, name, config); err != nil {
		return nil, err
	}
	return p, nil
}

// decodeSettings fills v from JSON and validates it when it can.
func decodeSettings(v any, name string, config json.RawMessage) error {
	if len(config) > 0 {
		if err := checkSettingNames(v, config); err != nil {
			return fmt.Errorf("%s settings: %w", name, err)
		}
		dec := json.NewDecoder(bytes.NewReader(config))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) && te.Field != "" {
				err = &SettingError{Setting: te.Field, Err: err}
			}
			return fmt.Errorf("%s settings: %w", name, err)
		}
	}
	if c, ok := v.(interface{ Validate() error }); ok {
		// Validate's errors already name the oracle or pruner.
		return c.Validate()
	}
	return nil
}

// checkSettingNames returns a *SettingError wrapping ErrUnknownSetting for
// the first key of config that is none of v's JSON field names. A config
// that is not an object is left to the decoder to report.
func checkSettingNames(v any, config json.RawMessage) error {
	var keys map[string]json.RawMessage
	if json.Unmarshal(config, &keys) != nil {
		return nil
	}
	known := map[string]bool{}
	t := reflect.TypeOf(v).Elem()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" {
			name = t.Field(i).Name
		}
		known[name] = true
	}
	names := slices.Sorted(maps.Keys(keys))
	for _, k := range names {
		if !known[k] {
			return &SettingError{Setting: k, Err: fmt.Errorf("%w %q", ErrUnknownSetting, k)}
		}
	}
	return nil
}

// rng returns the generator for the draws of trial number n (0-based).
func rng(seed int64, n int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), uint64(n)))
}

// tried returns whether a set of values, by its Key, was already proposed:
// from the History's index when there is one, else from the trials.
func (s State) tried() func(key string) bool {
	if s.History != nil {
		return s.History.Tried
	}
	seen := tried(s.Trials)
	return func(key string) bool { return seen[key] }
}

// tried returns the keys of every set of values already proposed.
func tried(ts []*trials.Trial) map[string]bool {
	seen := make(map[string]bool, len(ts))
	for _, t := range ts {
		seen[t.Values.Key()] = true
	}
	return seen
}
