package study

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/nn"
)

// scaledSuffix marks a metric computed on the scaled target.
const scaledSuffix = "_scaled"

// TargetUnits is an nn callback that puts a scaled regression target's
// metrics back into the target's units: every loss, rmse and mae of the
// logs (val_ ones too) is replaced by its value in the target's units, and
// the value as trained is kept under the name with a "_scaled" suffix
// (val_rmse_scaled). It goes before the callbacks that read the metrics
// (early stopping, the tuner's reporter).
type TargetUnits struct {
	nn.BaseCallback
	// Target is the scaling the model was trained with.
	Target *data.TargetScaler
	// Loss names the model's loss function (mse for the built-in
	// regression model), to convert "loss".
	Loss string
}

// Convert rewrites logs in place as OnEpochEnd does.
func (c *TargetUnits) Convert(logs nn.Logs) {
	if c == nil || c.Target == nil {
		return
	}
	keys := make([]string, 0, len(logs))
	for k := range logs {
		if !strings.HasSuffix(k, scaledSuffix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if u, ok := c.Target.Unscale(k, logs[k], c.Loss); ok {
			logs[k+scaledSuffix] = logs[k]
			logs[k] = u
		}
	}
}

// OnBatchEnd converts the running metrics the progress display shows.
func (c *TargetUnits) OnBatchEnd(_ *nn.Model, _ int, logs nn.Logs) error {
	c.Convert(logs)
	return nil
}

// OnEpochEnd converts the epoch's metrics.
func (c *TargetUnits) OnEpochEnd(_ *nn.Model, _ int, logs nn.Logs) error {
	c.Convert(logs)
	return nil
}

// targetUnits returns the callback for d's target scaling, nil without
// one.
func targetUnits(t *data.TargetScaler) *TargetUnits {
	if t == nil || t.Kind == data.TargetNone {
		return nil
	}
	return &TargetUnits{Target: t, Loss: "mse"}
}

// TargetUnits returns the callback that reports the metrics of a model
// trained on target t's scaled values in the target's units; nil when t is
// nil (no scaling).
func (s *Study) TargetUnits(t *data.TargetScaler) *TargetUnits { return targetUnits(t) }

// FoldTarget makes a regression model trained on target t's scaled
// values answer in the target's units: its linear output layer (the
// built-in models' "output") y′ = W·x + b becomes y = (W·Scale)·x +
// (b·Scale + Shift). A nil or none t leaves m as it is.
func FoldTarget(m *nn.Model, t *data.TargetScaler) error {
	if t == nil || t.Kind == data.TargetNone {
		return nil
	}
	values, names, _ := m.Weights()
	kernel, bias := slices.Index(names, "output/kernel"), slices.Index(names, "output/bias")
	if kernel < 0 || bias < 0 {
		return fmt.Errorf("study: the model has no output layer to scale back (%s)", strings.Join(names, ", "))
	}
	for i := range values[kernel] {
		values[kernel][i] *= float32(t.Scale)
	}
	for i := range values[bias] {
		values[bias][i] = float32(float64(values[bias][i])*t.Scale + t.Shift)
	}
	return m.SetWeights(values)
}
