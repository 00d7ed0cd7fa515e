package study

import (
	"slices"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/hypermodels"
	"github.com/tunekit/tune/tuner"
)

// builtin returns the study's built-in hypermodel (its model key).
func (s *Study) builtin() *hypermodels.Builtin {
	name := s.Model
	if name == "" {
		name = DefaultModel
	}
	b, ok := hypermodels.Lookup(name)
	if !ok {
		panic("study: unknown model " + name + " in a Study that Load or Parse did not check")
	}
	return b
}

// config returns the configuration of the study's hypermodel for data
// described by info.
func (s *Study) config(info *data.Profile) hypermodels.Config {
	return hypermodels.Config{
		Task:       s.Task,
		InputShape: slices.Clone(info.InputShape),
		Classes:    info.Classes,
		Tune:       s.Hyperparameters.params(),
	}
}

// HyperModel returns the study's built-in hypermodel (model: mlp,
// wide_deep; see package hypermodels) for data described by info, such as
// LoadedData.Info or FromConfig returns. It tunes the study's hyperparameters;
// the others take their defaults.
func (s *Study) HyperModel(info *data.Profile) tuner.HyperModel {
	return s.builtin().New(s.config(info))
}

// ScalingHyperModel is HyperModel with the scaling sc inside the model, so
// that the model takes raw inputs (tune retrain saves such models). A nil
// sc adds nothing.
func (s *Study) ScalingHyperModel(info *data.Profile, sc *data.FeatureScaler) (tuner.HyperModel, error) {
	c := s.config(info)
	var err error
	if c.Normalization, err = sc.Normalization(); err != nil {
		return nil, err
	}
	return s.builtin().New(c), nil
}
