package nn

import "fmt"

// SetWeights replaces every weight of a compiled model with values, given
// as Weights returns them (one flat slice per tensor, in the same order and
// of the same sizes), as Keras' set_weights does. On error, which wraps
// ErrNotCompiled or ErrWeightsMismatch, the model is unchanged.
func (m *Model) SetWeights(values [][]float32) error {
	if !m.compiled {
		return ErrNotCompiled
	}
	if len(values) != len(m.tensors) {
		return fmt.Errorf("%w: %d tensors given, the model has %d", ErrWeightsMismatch, len(values), len(m.tensors))
	}
	for i, t := range m.tensors {
		if len(values[i]) != len(t.w) {
			return fmt.Errorf("%w: tensor %s holds %d values, %d given", ErrWeightsMismatch, t.name, len(t.w), len(values[i]))
		}
	}
	for i, t := range m.tensors {
		copy(t.w, values[i])
	}
	return nil
}
