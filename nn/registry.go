package nn

import (
	"maps"
	"slices"
)

// The registries below answer "does nn know this name?" without building a
// model, for validators such as the study file's. Each returns a new
// sorted slice of every name Compile accepts (aliases included).

// Activations returns the activation names Dense accepts.
func Activations() []string {
	out := make([]string, 0, len(activationKinds))
	for a := range activationKinds {
		if a != "" {
			out = append(out, string(a))
		}
	}
	slices.Sort(out)
	return out
}

// Losses returns the loss names CompileConfig.Loss accepts.
func Losses() []string { return slices.Sorted(maps.Keys(lossKinds)) }

// Metrics returns the metric names CompileConfig.Metrics accepts beside
// "accuracy" and "acc", which pick one of the accuracies by the loss, and
// the Keras class names (such as "BinaryAccuracy").
func Metrics() []string { return slices.Sorted(maps.Keys(metricKinds)) }
