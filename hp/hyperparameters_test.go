package hp

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// build is a define-by-run build function with every kind, a scope and
// conditions. It returns what it saw.
func build(h *HyperParameters) map[string]any {
	got := map[string]any{}
	got["units"] = h.Int("units", 32, 512, Step(32))
	got["lr"] = h.Float("lr", 1e-4, 1e-2, Log, Default(1e-3))
	got["act"] = h.ChoiceString("act", []string{"relu", "tanh"})
	got["batch"] = h.ChoiceInt("batch", []int{64, 128})
	got["scale"] = h.ChoiceFloat("scale", []float64{0.5, 1})
	got["bn"] = h.Boolean("bn")
	got["epochs"] = h.Fixed("epochs", 5)
	layers := h.Int("layers", 1, 3)
	got["layers"] = layers
	for i := range layers {
		b := h.Scope("block" + string(rune('1'+i)))
		got[b.prefix+"units"] = b.Int("units", 8, 64, Step(2), Log)
		got[b.prefix+"dropout"] = b.When("bn", true).Float("dropout", 0, 0.5)
	}
	return got
}

func TestRecordingReturnsDefaults(t *testing.T) {
	h := New()
	got := build(h)
	if err := h.Err(); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"units": 32, "lr": 1e-3, "act": "relu", "batch": 64, "scale": 0.5, "bn": false,
		"epochs": 5, "layers": 1, "block1/units": 8, "block1/dropout": 0.0,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("build saw %v, want %v", got, want)
	}
	// Only active hyperparameters have values; the dropout is inactive
	// because bn defaults to false.
	wantValues := Values{"units": 32, "lr": 1e-3, "act": "relu", "batch": 64, "scale": 0.5, "bn": false, "epochs": 5, "layers": 1, "block1/units": 8}
	if !reflect.DeepEqual(h.Values(), wantValues) {
		t.Errorf("Values() = %v, want %v", h.Values(), wantValues)
	}
	if !reflect.DeepEqual(h.Space().Defaults(), wantValues) {
		t.Errorf("Defaults() = %v, want %v", h.Space().Defaults(), wantValues)
	}
	if err := h.Space().Validate(h.Values()); err != nil {
		t.Error(err)
	}
	if v, ok := h.Get("block1/units"); !ok || v != 8 {
		t.Errorf("Get(block1/units) = %v, %v", v, ok)
	}
	if _, ok := h.Get("block1/dropout"); ok {
		t.Error("inactive hyperparameter has a value")
	}
	p, _ := h.Space().Param("block1/dropout")
	if !reflect.DeepEqual(p.Conditions, []Condition{{"bn", []any{true}}}) {
		t.Errorf("dropout conditions %v", p.Conditions)
	}
}

func TestFromValuesReturnsTrialValues(t *testing.T) {
	rec := New()
	build(rec)
	trial := Values{
		"units": 256, "lr": 0.005, "act": "tanh", "batch": 128, "scale": 1.0, "bn": true,
		"epochs": 5, "layers": 1, "block1/units": 32, "block1/dropout": 0.25,
	}
	h := FromValues(rec.Space(), trial)
	got := build(h)
	if err := h.Err(); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{}
	for k, v := range trial {
		want[k] = v
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("build saw %v, want %v", got, want)
	}
	if !reflect.DeepEqual(h.Values(), trial) {
		t.Errorf("Values() = %v, want %v", h.Values(), trial)
	}
	// FromValues copies: the caller's map and space are not changed.
	trial["units"] = 64
	if v, _ := h.Get("units"); v != 256 {
		t.Error("FromValues aliases the values")
	}
	if rec.Space().Len() != 10 {
		t.Errorf("recording space has %d params", rec.Space().Len())
	}
}

func TestNewNameInTrialRegistersWithDefault(t *testing.T) {
	rec := New()
	build(rec) // layers defaults to 1: only block1 is discovered
	space := rec.Space()
	if _, ok := space.Param("block3/units"); ok {
		t.Fatal("block3 known before it was reached")
	}
	trial := space.Defaults()
	trial["layers"] = 3
	trial["bn"] = true
	trial["block1/dropout"] = 0.1
	h := FromValues(space, trial)
	got := build(h)
	if err := h.Err(); err != nil {
		t.Fatal(err)
	}
	if got["block2/units"] != 8 || got["block3/units"] != 8 || got["block3/dropout"] != 0.0 || got["block1/dropout"] != 0.1 {
		t.Errorf("build saw %v", got)
	}
	if h.Space().Len() != space.Len()+4 {
		t.Errorf("space grew to %d, want %d", h.Space().Len(), space.Len()+4)
	}
	v := h.Values()
	if v["block3/units"] != 8 || v["block3/dropout"] != 0.0 {
		t.Errorf("new names have no default values: %v", v)
	}
	if err := h.Space().Validate(v); err != nil {
		t.Error(err)
	}
	if space.Len() != 10 {
		t.Error("FromValues changed the given space")
	}
}

func TestTrialValueErrors(t *testing.T) {
	rec := New()
	build(rec)
	tests := []struct {
		name, param string
		value       any
	}{
		{"int as float", "units", 64.0},
		{"float as int", "lr", 1},
		{"string as bool", "bn", "true"},
		{"int out of range", "units", 1024},
		{"int off the grid", "units", 33},
		{"float out of range", "lr", 0.5},
		{"not a choice", "act", "gelu"},
		{"choice of wrong type", "batch", "64"},
		{"fixed changed", "epochs", 6},
		{"scoped", "block1/units", 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := rec.Space().Defaults()
			v[tt.param] = tt.value
			h := FromValues(rec.Space(), v)
			got := build(h)
			err := h.Err()
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `"`+tt.param+`"`) {
				t.Fatalf("Err() = %v", err)
			}
			// The build saw the default instead of the bad value.
			p, _ := rec.Space().Param(tt.param)
			if got[tt.param] != p.Default {
				t.Errorf("build saw %v, want the default %v", got[tt.param], p.Default)
			}
		})
	}
}

func TestInactiveValueIgnored(t *testing.T) {
	h := New()
	deep := h.Boolean("deep")
	units := h.When("deep", true).Int("units", 1, 8, Default(4))
	if deep || units != 4 {
		t.Fatalf("got %v %v", deep, units)
	}
	if _, ok := h.Get("units"); ok {
		t.Error("inactive units has a value")
	}
	h2 := FromValues(h.Space(), Values{"deep": false, "units": 7})
	h2.Boolean("deep")
	if got := h2.When("deep", true).Int("units", 1, 8, Default(4)); got != 4 {
		t.Errorf("inactive param returned %d, want its default", got)
	}
	if err := h2.Err(); err != nil {
		t.Error(err)
	}
}

func TestNestedConditionsAndScopes(t *testing.T) {
	build := func(h *HyperParameters) []any {
		var seen []any
		model := h.ChoiceString("model", []string{"mlp", "cnn"})
		seen = append(seen, model)
		m := h.When("model", "mlp").Scope("mlp")
		layers := m.Int("layers", 1, 4)
		seen = append(seen, layers)
		// "layers" resolves within the scope to mlp/layers.
		deep := m.When("layers", 3, 4)
		seen = append(seen, deep.Float("dropout", 0, 0.5, Default(0.2)))
		seen = append(seen, deep.Scope("inner").Boolean("bn"))
		return seen
	}
	rec := New()
	seen := build(rec)
	if err := rec.Err(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(seen, []any{"mlp", 1, 0.2, false}) {
		t.Errorf("recording saw %v", seen)
	}
	s := rec.Space()
	p, _ := s.Param("mlp/inner/bn")
	if p == nil || !reflect.DeepEqual(p.Conditions, []Condition{{"model", []any{"mlp"}}, {"mlp/layers", []any{3, 4}}}) {
		t.Fatalf("mlp/inner/bn: %v", p)
	}
	if !reflect.DeepEqual(rec.Values(), Values{"model": "mlp", "mlp/layers": 1}) {
		t.Errorf("Values() = %v", rec.Values())
	}
	h := FromValues(s, Values{"model": "mlp", "mlp/layers": 4, "mlp/dropout": 0.4, "mlp/inner/bn": true})
	if seen := build(h); !reflect.DeepEqual(seen, []any{"mlp", 4, 0.4, true}) || h.Err() != nil {
		t.Errorf("trial saw %v, err %v", seen, h.Err())
	}
	h = FromValues(s, Values{"model": "cnn"})
	if seen := build(h); !reflect.DeepEqual(seen, []any{"cnn", 1, 0.2, false}) || h.Err() != nil {
		t.Errorf("cnn trial saw %v, err %v", seen, h.Err())
	}
	if !reflect.DeepEqual(h.Values(), Values{"model": "cnn"}) {
		t.Errorf("cnn trial values %v", h.Values())
	}
}

func TestWhenResolvesFullNames(t *testing.T) {
	h := New()
	h.Boolean("global")
	b := h.Scope("block")
	b.When("global", true).Int("x", 1, 2) // no block/global: the full name
	b.Boolean("global")
	b.When("global", true).Int("y", 1, 2) // block/global now exists
	if err := h.Err(); err != nil {
		t.Fatal(err)
	}
	x, _ := h.Space().Param("block/x")
	y, _ := h.Space().Param("block/y")
	if x.Conditions[0].Parent != "global" || y.Conditions[0].Parent != "block/global" {
		t.Errorf("parents %q, %q", x.Conditions[0].Parent, y.Conditions[0].Parent)
	}
}

func TestFromValuesNil(t *testing.T) {
	h := FromValues(nil, nil)
	if got := h.Int("a", 1, 3); got != 1 || h.Err() != nil {
		t.Fatalf("got %d, %v", got, h.Err())
	}
	if !reflect.DeepEqual(h.Values(), Values{"a": 1}) {
		t.Errorf("Values() = %v", h.Values())
	}
}

func TestRegisterParam(t *testing.T) {
	h := New()
	v, err := h.Scope("s").Register(Param{Name: "opt", Kind: KindChoice, Values: []any{"adam", "sgd"}, Default: "sgd"})
	if err != nil || v != "sgd" {
		t.Fatalf("Register = %v, %v", v, err)
	}
	if _, ok := h.Space().Param("s/opt"); !ok {
		t.Error("s/opt not registered")
	}
	h2 := FromValues(h.Space(), Values{"s/opt": "adam"})
	if v, err := h2.Scope("s").Register(Param{Name: "opt", Kind: KindChoice, Values: []any{"adam", "sgd"}, Default: "sgd"}); err != nil || v != "adam" {
		t.Errorf("trial Register = %v, %v", v, err)
	}
}

func TestViewsShareState(t *testing.T) {
	h := New()
	s := h.Scope("a")
	s.Int("x", 1, 2)
	if h.Space().Len() != 1 || s.Space() != h.Space() {
		t.Error("views do not share the space")
	}
	s.Int("bad", 2, 1)
	if h.Err() == nil {
		t.Error("error in a view not seen by the root")
	}
}
