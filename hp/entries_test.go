package hp

import (
	"errors"
	"testing"
)

func entriesBuild(h *HyperParameters) (units int, lr float64, act string) {
	return h.Int("units", 16, 256, Step(16)), h.Float("lr", 1e-4, 1e-1, Log), h.ChoiceString("act", []string{"relu", "tanh"})
}

func TestEntries(t *testing.T) {
	pre, err := NewSpace(Param{Name: "lr", Kind: KindFixed, Values: []any{0.01}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		e     Entries
		kinds map[string]Kind
		err   error
	}{
		{"tune new", Entries{Space: pre}, map[string]Kind{"units": KindInt, "lr": KindFixed, "act": KindChoice}, nil},
		{"fix new", Entries{Space: pre, FixNew: true}, map[string]Kind{"units": KindFixed, "lr": KindFixed, "act": KindFixed}, nil},
		{"refuse new", Entries{Space: pre, RefuseNew: true}, nil, ErrNewEntry},
	} {
		h := New()
		h.SetEntries(&tc.e)
		units, lr, act := entriesBuild(h)
		if !errors.Is(h.Err(), tc.err) {
			t.Errorf("%s: err = %v, want %v", tc.name, h.Err(), tc.err)
			continue
		}
		if tc.err != nil {
			continue
		}
		if lr != 0.01 || units != 16 || act != "relu" {
			t.Errorf("%s: values %v %v %v, want the predefined lr 0.01 and defaults", tc.name, units, lr, act)
		}
		for name, k := range tc.kinds {
			if p, ok := h.Space().Param(name); !ok || p.Kind != k {
				t.Errorf("%s: %s is %v, want %s", tc.name, name, p, k)
			}
		}
	}
}
