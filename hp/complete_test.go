package hp

import (
	"errors"
	"testing"
)

func TestSpaceComplete(t *testing.T) {
	s, err := NewSpace(
		Param{Name: "model", Kind: KindChoice, Values: []any{"mlp", "cnn"}},
		Param{Name: "units", Kind: KindInt, Min: 16, Max: 64, Step: 16, Conditions: []Condition{{Parent: "model", Values: []any{"mlp"}}}},
		Param{Name: "lr", Kind: KindFloat, Min: 1e-3, Max: 1e-1, Sampling: Log},
	)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Complete(Values{"units": 32.0, "lr": 0.01})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Values{"model": "mlp", "units": 32, "lr": 0.01}); got.Key() != want.Key() {
		t.Errorf("Complete = %v, want %v", got, want)
	}
	if got, err := s.Complete(Values{"model": "cnn"}); err != nil || got.Key() != (Values{"model": "cnn", "lr": 1e-3}).Key() {
		t.Errorf("Complete(model=cnn) = %v, %v", got, err)
	}
	for _, tc := range []struct {
		v    Values
		want error
	}{
		{Values{"dropout": 0.1}, ErrUnknown},
		{Values{"units": 40}, ErrInvalid},
		{Values{"lr": 1.0}, ErrInvalid},
		{Values{"model": "rnn"}, ErrInvalid},
		{Values{"model": "cnn", "units": 32}, ErrInvalid},
	} {
		if _, err := s.Complete(tc.v); !errors.Is(err, tc.want) {
			t.Errorf("Complete(%v): err = %v, want %v", tc.v, err, tc.want)
		}
	}
}
