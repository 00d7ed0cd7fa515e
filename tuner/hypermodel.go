package tuner

import (
	"context"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
)

// HyperModel builds and trains a model for a set of hyperparameters, like
// Keras Tuner's HyperModel. Fit may tune training itself (batch size,
// preprocessing); it must pass cfg's callbacks on to the model's Fit.
type HyperModel interface {
	Build(h *hp.HyperParameters) (*nn.Model, error)
	Fit(ctx context.Context, h *hp.HyperParameters, m *nn.Model, x, y *nn.Matrix, cfg nn.FitConfig) (*nn.History, error)
}

// BuildFunc is a HyperModel whose Fit is the model's own.
type BuildFunc func(h *hp.HyperParameters) (*nn.Model, error)

// Build calls f.
func (f BuildFunc) Build(h *hp.HyperParameters) (*nn.Model, error) { return f(h) }

// Fit trains m with cfg.
func (f BuildFunc) Fit(ctx context.Context, _ *hp.HyperParameters, m *nn.Model, x, y *nn.Matrix, cfg nn.FitConfig) (*nn.History, error) {
	return m.Fit(ctx, x, y, cfg)
}

// Metrics maps metric names to values.
type Metrics = map[string]float64

// Evaluator is what a search runs for each execution of each trial: it
// turns hyperparameter values into metrics. It may report per-epoch
// metrics through r, and returns the final metrics, or nil to be scored on
// its best reported epoch. A Training (a hypermodel trained on data) is
// one Evaluator, an ObjectiveFunc (any Go function) another.
type Evaluator interface {
	Evaluate(ctx context.Context, h *hp.HyperParameters, r *Reporter) (Metrics, error)
}

// ObjectiveFunc is a custom objective: a Go function as an Evaluator. Its
// search space is discovered as it runs: the first trial takes every
// default.
type ObjectiveFunc func(ctx context.Context, h *hp.HyperParameters, r *Reporter) (Metrics, error)

// Evaluate calls f.
func (f ObjectiveFunc) Evaluate(ctx context.Context, h *hp.HyperParameters, r *Reporter) (Metrics, error) {
	return f(ctx, h, r)
}
