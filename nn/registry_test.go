package nn

import (
	"errors"
	"testing"
)

// Every registered name compiles, so a validator that asks the registry
// agrees with Compile.
func TestRegistriesAgreeWithCompile(t *testing.T) {
	for _, a := range Activations() {
		m := NewSequential(Input(2), Dense(1, Activation(a)))
		if err := m.Compile(CompileConfig{Loss: "mse"}); err != nil {
			t.Errorf("activation %q is registered but Compile says %v", a, err)
		}
	}
	for _, l := range Losses() {
		m := NewSequential(Input(2), Dense(1, Sigmoid))
		if err := m.Compile(CompileConfig{Loss: l}); err != nil {
			t.Errorf("loss %q is registered but Compile says %v", l, err)
		}
	}
	for _, name := range Metrics() {
		m := NewSequential(Input(2), Dense(1, Sigmoid))
		if err := m.Compile(CompileConfig{Loss: "binary_crossentropy", Metrics: []string{name}}); err != nil {
			t.Errorf("metric %q is registered but Compile says %v", name, err)
		}
	}
	m := NewSequential(Input(2), Dense(1, "swish"))
	if err := m.Compile(CompileConfig{Loss: "mse"}); !errors.Is(err, ErrUnknownActivation) {
		t.Errorf("an unregistered activation compiles: %v", err)
	}
}
