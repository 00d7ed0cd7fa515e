package hp

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

// mustParam normalizes p as Space.Add does and fails the test on error.
func mustParam(t *testing.T, p Param) *Param {
	t.Helper()
	s, err := NewSpace(p)
	if err != nil {
		t.Fatalf("NewSpace(%v): %v", p, err)
	}
	q, _ := s.Param(p.Name)
	return q
}

func TestDefinitionErrors(t *testing.T) {
	tests := []struct {
		name  string
		param string // the name that must appear in the message
		want  error
		build func(h *HyperParameters)
	}{
		{"int min > max", "units", ErrInvalid, func(h *HyperParameters) { h.Int("units", 10, 1) }},
		{"float min > max", "lr", ErrInvalid, func(h *HyperParameters) { h.Float("lr", 1, 0.5) }},
		{"float NaN min", "lr", ErrInvalid, func(h *HyperParameters) { h.Float("lr", math.NaN(), 1) }},
		{"float infinite max", "lr", ErrInvalid, func(h *HyperParameters) { h.Float("lr", 0, math.Inf(1)) }},
		{"float log min 0", "lr", ErrInvalid, func(h *HyperParameters) { h.Float("lr", 0, 1, Log) }},
		{"float log min < 0", "lr", ErrInvalid, func(h *HyperParameters) { h.Float("lr", -1, 1, Log) }},
		{"float reverse_log min 0", "beta", ErrInvalid, func(h *HyperParameters) { h.Float("beta", 0, 0.999, ReverseLog) }},
		{"int log min 0", "units", ErrInvalid, func(h *HyperParameters) { h.Int("units", 0, 512, Log) }},
		{"unknown sampling", "lr", ErrInvalid, func(h *HyperParameters) { h.Float("lr", 0, 1, Sampling("cubic")) }},
		{"negative step", "units", ErrInvalid, func(h *HyperParameters) { h.Int("units", 0, 10, Step(-1)) }},
		{"NaN step", "lr", ErrInvalid, func(h *HyperParameters) { h.Float("lr", 0, 1, Step(math.NaN())) }},
		{"infinite step", "lr", ErrInvalid, func(h *HyperParameters) { h.Float("lr", 0, 1, Step(math.Inf(1))) }},
		{"int fractional step", "units", ErrInvalid, func(h *HyperParameters) { h.Int("units", 0, 10, Step(0.5)) }},
		{"log step factor 1", "units", ErrInvalid, func(h *HyperParameters) { h.Int("units", 1, 10, Log, Step(1)) }},
		{"log float step factor < 1", "lr", ErrInvalid, func(h *HyperParameters) { h.Float("lr", 1e-4, 1, Log, Step(0.5)) }},
		{"reverse_log with step", "lr", ErrInvalid, func(h *HyperParameters) { h.Float("lr", 0.1, 1, ReverseLog, Step(0.1)) }},
		{"float step too small", "lr", ErrInvalid, func(h *HyperParameters) { h.Float("lr", 0, 1e300, Step(1e-300)) }},
		{"int beyond 2^53", "seed", ErrInvalid, func(h *HyperParameters) { h.Int("seed", 1, 1<<60, Log) }},
		{"int with more than 2^50 values", "seed", ErrInvalid, func(h *HyperParameters) { h.Int("seed", 0, 1<<51) }},
		{"empty string choice", "act", ErrInvalid, func(h *HyperParameters) { h.ChoiceString("act", nil) }},
		{"empty int choice", "units", ErrInvalid, func(h *HyperParameters) { h.ChoiceInt("units", []int{}) }},
		{"duplicate choice", "act", ErrInvalid, func(h *HyperParameters) { h.ChoiceString("act", []string{"relu", "relu"}) }},
		{"NaN float choice", "rate", ErrInvalid, func(h *HyperParameters) { h.ChoiceFloat("rate", []float64{0.1, math.NaN()}) }},
		{"mixed choice", "mixed", ErrInvalid, func(h *HyperParameters) {
			h.Register(Param{Name: "mixed", Kind: KindChoice, Values: []any{1, "two"}})
		}},
		{"mixed int and float choice", "mixed", ErrInvalid, func(h *HyperParameters) {
			h.Register(Param{Name: "mixed", Kind: KindChoice, Values: []any{1, 2.5}})
		}},
		{"unsupported choice type", "odd", ErrInvalid, func(h *HyperParameters) {
			h.Register(Param{Name: "odd", Kind: KindChoice, Values: []any{[]int{1}}})
		}},
		{"step on a choice", "act", ErrInvalid, func(h *HyperParameters) { h.ChoiceString("act", []string{"a"}, Step(2)) }},
		{"sampling on a boolean", "flag", ErrInvalid, func(h *HyperParameters) { h.Boolean("flag", Log) }},
		{"unknown kind", "what", ErrInvalid, func(h *HyperParameters) { h.Register(Param{Name: "what", Kind: "matrix"}) }},
		{"int default above max", "units", ErrInvalid, func(h *HyperParameters) { h.Int("units", 1, 10, Default(11)) }},
		{"int default below min", "units", ErrInvalid, func(h *HyperParameters) { h.Int("units", 1, 10, Default(0)) }},
		{"int default not whole", "units", ErrInvalid, func(h *HyperParameters) { h.Int("units", 1, 10, Default(2.5)) }},
		{"int default off the step grid", "units", ErrInvalid, func(h *HyperParameters) { h.Int("units", 0, 10, Step(2), Default(3)) }},
		{"int default off the log grid", "units", ErrInvalid, func(h *HyperParameters) { h.Int("units", 32, 512, Step(2), Log, Default(100)) }},
		{"int default beyond 2^53", "big", ErrInvalid, func(h *HyperParameters) { h.Int("big", 0, 1<<53, Default(1<<53+1)) }},
		{"int default of wrong type", "units", ErrInvalid, func(h *HyperParameters) { h.Int("units", 1, 10, Default("5")) }},
		{"float default outside", "lr", ErrInvalid, func(h *HyperParameters) { h.Float("lr", 1e-4, 1e-2, Log, Default(0.1)) }},
		{"float default off the step grid", "rate", ErrInvalid, func(h *HyperParameters) { h.Float("rate", 0, 1, Step(0.3), Default(0.5)) }},
		{"choice default not a choice", "act", ErrInvalid, func(h *HyperParameters) { h.ChoiceString("act", []string{"relu", "tanh"}, Default("gelu")) }},
		{"choice default of wrong type", "units", ErrInvalid, func(h *HyperParameters) { h.ChoiceInt("units", []int{1, 2}, Default("1")) }},
		{"boolean default not a bool", "flag", ErrInvalid, func(h *HyperParameters) { h.Boolean("flag", Default(1)) }},
		{"fixed unsupported type", "shape", ErrInvalid, func(h *HyperParameters) { h.Fixed("shape", []int{28, 28}) }},
		{"fixed nil", "nothing", ErrInvalid, func(h *HyperParameters) { h.Fixed("nothing", nil) }},
		{"condition on unknown parent", "units", ErrInvalid, func(h *HyperParameters) { h.When("model", "mlp").Int("units", 1, 10) }},
		{"condition value not of parent", "units", ErrInvalid, func(h *HyperParameters) {
			h.ChoiceString("model", []string{"mlp", "cnn"})
			h.When("model", "rnn").Int("units", 1, 10)
		}},
		{"condition value of wrong type", "units", ErrInvalid, func(h *HyperParameters) {
			h.Boolean("deep")
			h.When("deep", "yes").Int("units", 1, 10)
		}},
		{"condition without values", "units", ErrInvalid, func(h *HyperParameters) {
			h.Boolean("deep")
			h.When("deep").Int("units", 1, 10)
		}},
		{"redefined range", "units", ErrConflict, func(h *HyperParameters) {
			h.Int("units", 32, 512)
			h.Int("units", 32, 256)
		}},
		{"redefined kind", "units", ErrConflict, func(h *HyperParameters) {
			h.Int("units", 1, 4)
			h.ChoiceInt("units", []int{1, 2, 3, 4})
		}},
		{"redefined default", "lr", ErrConflict, func(h *HyperParameters) {
			h.Float("lr", 1e-4, 1e-2, Log)
			h.Float("lr", 1e-4, 1e-2, Log, Default(1e-3))
		}},
		{"redefined choices", "act", ErrConflict, func(h *HyperParameters) {
			h.ChoiceString("act", []string{"relu", "tanh"})
			h.ChoiceString("act", []string{"tanh", "relu"})
		}},
		{"redefined condition", "units", ErrConflict, func(h *HyperParameters) {
			h.Boolean("deep")
			h.Int("units", 1, 10)
			h.When("deep", true).Int("units", 1, 10)
		}},
		{"redefined in a scope", "block1/units", ErrConflict, func(h *HyperParameters) {
			b := h.Scope("block1")
			b.Int("units", 1, 10)
			b.Int("units", 1, 20)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := New()
			tt.build(h) // must not panic
			err := h.Err()
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("error %q does not wrap %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), strconv.Quote(tt.param)) {
				t.Errorf("error %q does not name %q", err, tt.param)
			}
		})
	}
}

func TestDefinitionErrorKeepsFirstAndZeroValues(t *testing.T) {
	h := New()
	if got := h.Int("a", 5, 1); got != 0 {
		t.Errorf("bad Int returned %d, want 0", got)
	}
	if got := h.Float("b", 0, 1, Log); got != 0 {
		t.Errorf("bad Float returned %v, want 0", got)
	}
	if got := h.ChoiceString("c", nil); got != "" {
		t.Errorf("bad ChoiceString returned %q", got)
	}
	if got := h.Int("ok", 1, 3); got != 1 {
		t.Errorf("good Int after errors returned %d, want 1", got)
	}
	if err := h.Err(); err == nil || !strings.Contains(err.Error(), `"a"`) {
		t.Errorf("Err() = %v, want the first error, about \"a\"", err)
	}
	if h.Space().Len() != 1 {
		t.Errorf("space has %d params, want only the valid one", h.Space().Len())
	}
}

func TestRegisterReturnsAndKeepsError(t *testing.T) {
	h := New()
	_, err := h.Register(Param{Name: "x", Kind: KindChoice})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("Register error = %v", err)
	}
	if h.Err() != err {
		t.Errorf("Err() = %v, want %v", h.Err(), err)
	}
}

func TestEmptyName(t *testing.T) {
	h := New()
	h.Int("", 1, 2)
	if !errors.Is(h.Err(), ErrInvalid) {
		t.Errorf("Err() = %v", h.Err())
	}
}

func TestSameDefinitionTwiceIsFine(t *testing.T) {
	h := New()
	for range 3 {
		h.Int("units", 32, 512, Step(32))
		h.Float("lr", 1e-4, 1e-2, Log)
		h.ChoiceString("act", []string{"relu", "tanh"})
		h.Boolean("bn")
		h.Fixed("epochs", 10)
	}
	if err := h.Err(); err != nil {
		t.Fatal(err)
	}
	if h.Space().Len() != 5 {
		t.Errorf("Len = %d, want 5", h.Space().Len())
	}
}

func TestDefaults(t *testing.T) {
	tests := []struct {
		p    Param
		want any
	}{
		{Param{Name: "i", Kind: KindInt, Min: 3, Max: 9}, 3},
		{Param{Name: "il", Kind: KindInt, Min: 32, Max: 512, Step: 2, Sampling: Log}, 32},
		{Param{Name: "f", Kind: KindFloat, Min: 0.5, Max: 9}, 0.5},
		{Param{Name: "fl", Kind: KindFloat, Min: 1e-4, Max: 1, Sampling: Log}, 1e-4},
		{Param{Name: "c", Kind: KindChoice, Values: []any{"b", "a"}}, "b"},
		{Param{Name: "ci", Kind: KindChoice, Values: []any{64, 32}}, 64},
		{Param{Name: "b", Kind: KindBoolean}, false},
		{Param{Name: "x", Kind: KindFixed, Values: []any{int64(7)}}, 7},
		{Param{Name: "d1", Kind: KindInt, Min: 0, Max: 10, Default: 4.0}, 4},
		{Param{Name: "d2", Kind: KindFloat, Min: 0, Max: 10, Default: 4}, 4.0},
		{Param{Name: "d3", Kind: KindChoice, Values: []any{0.5, 1.0}, Default: 1}, 1.0},
		{Param{Name: "d4", Kind: KindBoolean, Default: true}, true},
		// A default within rounding of a grid value is snapped to it.
		{Param{Name: "d5", Kind: KindFloat, Min: 0, Max: 1, Step: 0.2, Default: 0.6000000000000001}, 0.6},
		{Param{Name: "d6", Kind: KindFloat, Min: 0, Max: 1, Step: 0.1, Default: 0.1 + 0.2}, 0.3},
	}
	for _, tt := range tests {
		p := mustParam(t, tt.p)
		if p.Default != tt.want {
			t.Errorf("%s: default %v (%T), want %v (%T)", p.Name, p.Default, p.Default, tt.want, tt.want)
		}
	}
}

func TestGrid(t *testing.T) {
	tests := []struct {
		p    Param
		want []any
	}{
		{Param{Kind: KindInt, Min: 0, Max: 4}, []any{0, 1, 2, 3, 4}},
		{Param{Kind: KindInt, Min: 0, Max: 10, Step: 3}, []any{0, 3, 6, 9}},
		{Param{Kind: KindInt, Min: -3, Max: 3, Step: 2}, []any{-3, -1, 1, 3}},
		{Param{Kind: KindInt, Min: 32, Max: 512, Step: 32}, []any{32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448, 480, 512}},
		{Param{Kind: KindInt, Min: 5, Max: 5}, []any{5}},
		// Log with a step: the step is a factor (Keras Tuner semantics).
		{Param{Kind: KindInt, Min: 32, Max: 512, Step: 2, Sampling: Log}, []any{32, 64, 128, 256, 512}},
		{Param{Kind: KindInt, Min: 32, Max: 500, Step: 2, Sampling: Log}, []any{32, 64, 128, 256}},
		{Param{Kind: KindInt, Min: 1, Max: 100, Step: 3, Sampling: Log}, []any{1, 3, 9, 27, 81}},
		// Max is inclusive for float steps, and values are exact decimals.
		{Param{Kind: KindFloat, Min: 0, Max: 1, Step: 0.2}, []any{0.0, 0.2, 0.4, 0.6, 0.8, 1.0}},
		{Param{Kind: KindFloat, Min: 0.1, Max: 0.7, Step: 0.2}, []any{0.1, 0.3, 0.5, 0.7}},
		{Param{Kind: KindFloat, Min: 0, Max: 1, Step: 0.3}, []any{0.0, 0.3, 0.6, 0.9}},
		{Param{Kind: KindFloat, Min: 0.05, Max: 0.5, Step: 0.05}, []any{0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5}},
		{Param{Kind: KindFloat, Min: -1, Max: 0, Step: 0.1}, []any{-1.0, -0.9, -0.8, -0.7, -0.6, -0.5, -0.4, -0.3, -0.2, -0.1, 0.0}},
		{Param{Kind: KindFloat, Min: 1e6, Max: 1e6 + 0.3, Step: 0.1}, []any{1e6, 1000000.1, 1000000.2, 1000000.3}},
		{Param{Kind: KindFloat, Min: 0, Max: 1, Step: 5}, []any{0.0}},
		{Param{Kind: KindFloat, Min: 1e-4, Max: 1e-1, Step: 10, Sampling: Log}, []any{1e-4, 1e-3, 1e-2, 1e-1}},
		{Param{Kind: KindFloat, Min: 0.001, Max: 1, Step: 2, Sampling: Log}, []any{0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512}},
		{Param{Kind: KindFloat, Min: 1, Max: 10, Step: 1.5, Sampling: Log}, []any{1.0, 1.5, 2.25, 3.375, 5.0625, 7.59375}},
	}
	for _, tt := range tests {
		tt.p.Name = "p"
		p := mustParam(t, tt.p)
		if n := p.Count(); n != len(tt.want) {
			t.Errorf("%v: Count = %d, want %d", p, n, len(tt.want))
			continue
		}
		for i, want := range tt.want {
			got := p.ValueAt(i)
			if got != want {
				t.Errorf("%v: ValueAt(%d) = %#v, want %#v", p, i, got, want)
			}
			if f, ok := got.(float64); ok && math.Signbit(f) && f == 0 {
				t.Errorf("%v: ValueAt(%d) is -0", p, i)
			}
			if !p.Contains(want) {
				t.Errorf("%v: Contains(%v) = false", p, want)
			}
			// Every grid value is reachable through FromUnit, at its cell's
			// start, centre and end.
			n := float64(len(tt.want))
			for _, u := range []float64{float64(i) / n, (float64(i) + 0.5) / n, (float64(i)+1)/n - 1e-12} {
				if got := p.FromUnit(u); got != want {
					t.Errorf("%v: FromUnit(%v) = %v, want %v", p, u, got, want)
				}
			}
		}
	}
}

// TestFloatStepSixValues is the example: Float(0, 1, Step(0.2)) has
// all six values 0, 0.2, …, 1.0, reachable via FromUnit, with no rounding
// noise such as 0.6000000000000001.
func TestFloatStepSixValues(t *testing.T) {
	h := New()
	h.Float("x", 0, 1, Step(0.2))
	p, _ := h.Space().Param("x")
	seen := map[float64]bool{}
	for k := range 1000 {
		seen[p.FromUnit(float64(k)/999).(float64)] = true
	}
	want := []float64{0, 0.2, 0.4, 0.6, 0.8, 1}
	if len(seen) != len(want) {
		t.Errorf("FromUnit reaches %v, want %v", seen, want)
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("%v not reachable", w)
		}
	}
	for v := range seen {
		if s := strconv.FormatFloat(v, 'g', -1, 64); len(s) > 3 {
			t.Errorf("value %s has rounding noise", s)
		}
	}
	if p.FromUnit(1) != 1.0 {
		t.Errorf("FromUnit(1) = %v, want the max 1.0", p.FromUnit(1))
	}
}

func TestContains(t *testing.T) {
	tests := []struct {
		p    Param
		v    any
		want bool
	}{
		{Param{Kind: KindInt, Min: 0, Max: 10}, 10, true},
		{Param{Kind: KindInt, Min: 0, Max: 10}, 11, false},
		{Param{Kind: KindInt, Min: 0, Max: 10}, -1, false},
		{Param{Kind: KindInt, Min: 0, Max: 10}, 5.0, false}, // wrong type
		{Param{Kind: KindInt, Min: 0, Max: 10}, int64(5), false},
		{Param{Kind: KindInt, Min: 0, Max: 10, Step: 2}, 5, false},
		{Param{Kind: KindInt, Min: 1, Max: 100, Sampling: Log}, 37, true},
		{Param{Kind: KindInt, Min: 32, Max: 512, Step: 2, Sampling: Log}, 96, false},
		{Param{Kind: KindFloat, Min: 0, Max: 1}, 0.5, true},
		{Param{Kind: KindFloat, Min: 0, Max: 1}, 1, false}, // int for a float
		{Param{Kind: KindFloat, Min: 0, Max: 1}, 1.5, false},
		{Param{Kind: KindFloat, Min: 0, Max: 1}, math.NaN(), false},
		{Param{Kind: KindFloat, Min: 0, Max: 1, Step: 0.2}, 0.6, true},
		{Param{Kind: KindFloat, Min: 0, Max: 1, Step: 0.2}, 0.6000000000000001, false}, // only the exact grid value
		{Param{Kind: KindFloat, Min: 0, Max: 1, Step: 0.2}, 0.5, false},
		{Param{Kind: KindChoice, Values: []any{"a", "b"}}, "b", true},
		{Param{Kind: KindChoice, Values: []any{"a", "b"}}, "c", false},
		{Param{Kind: KindChoice, Values: []any{1.0, 2.0}}, 1, false},
		{Param{Kind: KindBoolean}, true, true},
		{Param{Kind: KindBoolean}, "true", false},
		{Param{Kind: KindFixed, Values: []any{"adam"}}, "adam", true},
		{Param{Kind: KindFixed, Values: []any{"adam"}}, "sgd", false},
	}
	for _, tt := range tests {
		tt.p.Name = "p"
		p := mustParam(t, tt.p)
		if got := p.Contains(tt.v); got != tt.want {
			t.Errorf("%v: Contains(%#v) = %v, want %v", p, tt.v, got, tt.want)
		}
	}
}

// unitCase is one exact ToUnit/FromUnit pair: ToUnit(v) == u and
// FromUnit(u) == v.
type unitCase struct {
	v any
	u float64
}

func TestUnitEncoding(t *testing.T) {
	tests := []struct {
		name  string
		p     Param
		cases []unitCase
	}{
		{"int linear", Param{Kind: KindInt, Min: 0, Max: 4},
			[]unitCase{{0, 0.1}, {1, 0.3}, {2, 0.5}, {3, 0.7}, {4, 0.9}}},
		{"int linear step", Param{Kind: KindInt, Min: 0, Max: 30, Step: 10},
			[]unitCase{{0, 0.125}, {10, 0.375}, {20, 0.625}, {30, 0.875}}},
		{"int log step", Param{Kind: KindInt, Min: 32, Max: 512, Step: 2, Sampling: Log},
			[]unitCase{{32, 0.1}, {64, 0.3}, {128, 0.5}, {256, 0.7}, {512, 0.9}}},
		{"int log", Param{Kind: KindInt, Min: 1, Max: 10000, Sampling: Log},
			[]unitCase{{1, 0}, {10, 0.25}, {100, 0.5}, {1000, 0.75}, {10000, 1}}},
		{"int reverse_log", Param{Kind: KindInt, Min: 1, Max: 100, Sampling: ReverseLog},
			[]unitCase{{1, 0}, {91, 0.5}, {100, 1}}},
		{"float linear", Param{Kind: KindFloat, Min: 0, Max: 1},
			[]unitCase{{0.0, 0}, {0.25, 0.25}, {0.5, 0.5}, {1.0, 1}}},
		{"float linear shifted", Param{Kind: KindFloat, Min: -2, Max: 2},
			[]unitCase{{-2.0, 0}, {-1.0, 0.25}, {0.0, 0.5}, {2.0, 1}}},
		{"float step", Param{Kind: KindFloat, Min: 0, Max: 1, Step: 0.25},
			[]unitCase{{0.0, 0.1}, {0.25, 0.3}, {0.5, 0.5}, {0.75, 0.7}, {1.0, 0.9}}},
		{"float log", Param{Kind: KindFloat, Min: 1, Max: 16, Sampling: Log},
			[]unitCase{{1.0, 0}, {2.0, 0.25}, {4.0, 0.5}, {8.0, 0.75}, {16.0, 1}}},
		{"float log step", Param{Kind: KindFloat, Min: 1e-4, Max: 1e-1, Step: 10, Sampling: Log},
			[]unitCase{{1e-4, 0.125}, {1e-3, 0.375}, {1e-2, 0.625}, {1e-1, 0.875}}},
		{"float reverse_log", Param{Kind: KindFloat, Min: 1, Max: 16, Sampling: ReverseLog},
			[]unitCase{{1.0, 0}, {9.0, 0.25}, {13.0, 0.5}, {15.0, 0.75}, {16.0, 1}}},
		{"string choice", Param{Kind: KindChoice, Values: []any{"a", "b", "c", "d"}},
			[]unitCase{{"a", 0.125}, {"b", 0.375}, {"c", 0.625}, {"d", 0.875}}},
		{"int choice", Param{Kind: KindChoice, Values: []any{16, 8}},
			[]unitCase{{16, 0.25}, {8, 0.75}}},
		{"float choice", Param{Kind: KindChoice, Values: []any{0.1, 0.01}},
			[]unitCase{{0.1, 0.25}, {0.01, 0.75}}},
		{"bool choice", Param{Kind: KindChoice, Values: []any{true, false}},
			[]unitCase{{true, 0.25}, {false, 0.75}}},
		{"boolean", Param{Kind: KindBoolean}, []unitCase{{false, 0.25}, {true, 0.75}}},
		{"fixed", Param{Kind: KindFixed, Values: []any{"adam"}}, []unitCase{{"adam", 0.5}}},
		{"int min == max", Param{Kind: KindInt, Min: 7, Max: 7}, []unitCase{{7, 0.5}}},
		{"float min == max", Param{Kind: KindFloat, Min: 0.5, Max: 0.5, Sampling: Log}, []unitCase{{0.5, 0.5}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.p.Name = "p"
			p := mustParam(t, tt.p)
			for _, c := range tt.cases {
				u, err := p.ToUnit(c.v)
				if err != nil {
					t.Fatalf("ToUnit(%v): %v", c.v, err)
				}
				if math.Abs(u-c.u) > 1e-12 {
					t.Errorf("ToUnit(%v) = %v, want %v", c.v, u, c.u)
				}
				if got := p.FromUnit(c.u); got != c.v {
					t.Errorf("FromUnit(%v) = %#v, want %#v", c.u, got, c.v)
				}
			}
		})
	}
}

func TestFromUnitCellsAndClamping(t *testing.T) {
	p := mustParam(t, Param{Name: "p", Kind: KindInt, Min: 0, Max: 4})
	for _, c := range []unitCase{
		{0, 0}, {0, 0.19999}, {1, 0.2}, {4, 0.8}, {4, 1}, {0, -3}, {4, 7},
		{0, math.NaN()}, {0, math.Inf(-1)}, {4, math.Inf(1)},
	} {
		if got := p.FromUnit(c.u); got != c.v {
			t.Errorf("FromUnit(%v) = %v, want %v", c.u, got, c.v)
		}
	}
	b := mustParam(t, Param{Name: "b", Kind: KindBoolean})
	if b.FromUnit(0.49) != false || b.FromUnit(0.5) != true || b.FromUnit(math.NaN()) != false {
		t.Error("boolean cells wrong")
	}
	c := mustParam(t, Param{Name: "c", Kind: KindChoice, Values: []any{"x", "y", "z"}})
	if c.FromUnit(math.NaN()) != "x" {
		t.Error("NaN did not map to the first choice")
	}
	for _, s := range []Sampling{Linear, Log, ReverseLog} {
		f := mustParam(t, Param{Name: "f", Kind: KindFloat, Min: 0.5, Max: 2, Sampling: s})
		if f.FromUnit(-1) != 0.5 || f.FromUnit(2) != 2.0 || f.FromUnit(math.NaN()) != 0.5 {
			t.Errorf("%s: clamping wrong: %v %v %v", s, f.FromUnit(-1), f.FromUnit(2), f.FromUnit(math.NaN()))
		}
	}
}

// TestRoundTripEveryDiscreteValue checks FromUnit(ToUnit(v)) == v for every
// value of every discrete parameter, and ToUnit(v) in (0, 1).
func TestRoundTripEveryDiscreteValue(t *testing.T) {
	params := []Param{
		{Kind: KindInt, Min: -50, Max: 50},
		{Kind: KindInt, Min: 0, Max: 1000, Step: 7},
		{Kind: KindInt, Min: 32, Max: 512, Step: 2, Sampling: Log},
		{Kind: KindInt, Min: 1, Max: 1 << 40, Step: 3, Sampling: Log},
		{Kind: KindInt, Min: 1, Max: 1 << 53, Step: 2, Sampling: Log},
		{Kind: KindFloat, Min: 0, Max: 1, Step: 0.2},
		{Kind: KindFloat, Min: -3, Max: 7, Step: 0.01},
		{Kind: KindFloat, Min: 1e-6, Max: 1, Step: 10, Sampling: Log},
		{Kind: KindFloat, Min: 0.5, Max: 1000, Step: 1.1, Sampling: Log},
		{Kind: KindChoice, Values: []any{"relu", "tanh", "gelu", "selu", "elu"}},
		{Kind: KindChoice, Values: []any{8, 16, 32, 64, 128, 256, 512}},
		{Kind: KindChoice, Values: []any{0.5, 0.25, 0.125}},
		{Kind: KindChoice, Values: []any{true, false}},
		{Kind: KindBoolean},
		{Kind: KindFixed, Values: []any{3.0}},
	}
	for _, q := range params {
		q.Name = "p"
		p := mustParam(t, q)
		n := p.Count()
		if n == 0 {
			t.Fatalf("%v: not discrete", p)
		}
		for i := range n {
			v := p.ValueAt(i)
			u, err := p.ToUnit(v)
			if err != nil {
				t.Fatalf("%v: ToUnit(%v): %v", p, v, err)
			}
			if !(u > 0 && u < 1) {
				t.Errorf("%v: ToUnit(%v) = %v outside (0, 1)", p, v, u)
			}
			if got := p.FromUnit(u); got != v {
				t.Errorf("%v: FromUnit(ToUnit(%v)) = %v", p, v, got)
			}
		}
	}
	// The widest allowed grid still round-trips exactly.
	for _, q := range []Param{
		{Kind: KindInt, Min: -(1 << 49), Max: 1<<49 - 1},
		{Kind: KindInt, Min: -(1 << 53), Max: 1 << 53, Step: 1 << 5},
		{Kind: KindFloat, Min: 0, Max: 1, Step: 1.0 / (1 << 49)},
	} {
		q.Name = "wide"
		p := mustParam(t, q)
		n := p.Count()
		if n < 1<<49 {
			t.Fatalf("%v: Count = %d", p, n)
		}
		for _, i := range []int{0, 1, 12345, n/3 + 7, n/2 - 1, n / 2, n - 2, n - 1} {
			v := p.ValueAt(i)
			u, err := p.ToUnit(v)
			if err != nil {
				t.Fatalf("%v: ToUnit(%v): %v", p, v, err)
			}
			if got := p.FromUnit(u); got != v {
				t.Errorf("%v: FromUnit(ToUnit(%v)) = %v", p, v, got)
			}
		}
	}
	// Ints rounded from a continuous log scale round-trip too.
	for _, s := range []Sampling{Log, ReverseLog} {
		p := mustParam(t, Param{Name: "p", Kind: KindInt, Min: 1, Max: 3000, Sampling: s})
		for v := 1; v <= 3000; v++ {
			u, err := p.ToUnit(v)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.FromUnit(u); got != v {
				t.Fatalf("%s: FromUnit(ToUnit(%d)) = %v", s, v, got)
			}
		}
	}
}

func TestContinuousRoundTrip(t *testing.T) {
	for _, s := range []Sampling{Linear, Log, ReverseLog} {
		p := mustParam(t, Param{Name: "p", Kind: KindFloat, Min: 1e-5, Max: 10, Sampling: s})
		for k := range 101 {
			u := float64(k) / 100
			v := p.FromUnit(u).(float64)
			if v < p.Min || v > p.Max {
				t.Fatalf("%s: FromUnit(%v) = %v out of range", s, u, v)
			}
			back, err := p.ToUnit(v)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(back-u) > 1e-9 {
				t.Errorf("%s: ToUnit(FromUnit(%v)) = %v", s, u, back)
			}
		}
	}
	// Ranges whose width or ratio overflows a float64 still encode.
	wide := mustParam(t, Param{Name: "w", Kind: KindFloat, Min: -1e308, Max: 1e308})
	if got := wide.FromUnit(0.5); got != 0.0 {
		t.Errorf("wide FromUnit(0.5) = %v", got)
	}
	if u, _ := wide.ToUnit(5e307); math.Abs(u-0.75) > 1e-12 {
		t.Errorf("wide ToUnit(5e307) = %v", u)
	}
	ratio := mustParam(t, Param{Name: "r", Kind: KindFloat, Min: 1e-300, Max: 1e300, Sampling: Log})
	if got := ratio.FromUnit(0.5).(float64); math.Abs(got-1) > 1e-9 {
		t.Errorf("log FromUnit(0.5) = %v, want 1", got)
	}
	if u, _ := ratio.ToUnit(1.0); math.Abs(u-0.5) > 1e-12 {
		t.Errorf("log ToUnit(1) = %v", u)
	}
}

func TestToUnitRejectsValuesOutsideTheSpace(t *testing.T) {
	p := mustParam(t, Param{Name: "units", Kind: KindInt, Min: 1, Max: 10})
	for _, v := range []any{0, 11, 5.0, "5", nil} {
		if _, err := p.ToUnit(v); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `"units"`) {
			t.Errorf("ToUnit(%#v) error = %v", v, err)
		}
	}
}

func TestParamString(t *testing.T) {
	tests := []struct {
		p    Param
		want string
	}{
		{Param{Name: "units", Kind: KindInt, Min: 32, Max: 512, Step: 32}, "units (int): [32, 512] step 32 linear, default 32"},
		{Param{Name: "lr", Kind: KindFloat, Min: 1e-4, Max: 1e-2, Sampling: Log}, "lr (float): [0.0001, 0.01] log, default 0.0001"},
		{Param{Name: "act", Kind: KindChoice, Values: []any{"relu", "tanh"}}, "act (choice): [relu tanh], default relu"},
		{Param{Name: "n", Kind: KindChoice, Values: []any{1, 2}}, "n (choice): [1 2] ordered, default 1"},
		{Param{Name: "bn", Kind: KindBoolean}, "bn (boolean), default false"},
		{Param{Name: "opt", Kind: KindFixed, Values: []any{"adam"}}, "opt (fixed): adam"},
	}
	for _, tt := range tests {
		if got := mustParam(t, tt.p).String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestDecimals(t *testing.T) {
	for x, want := range map[float64]int{0: 0, 1: 0, 300: 0, 1e20: 0, 0.2: 1, -0.25: 2, 1e-4: 4, 1234.5: 1, 1.0 / 3: 16} {
		if got := decimals(x); got != want {
			t.Errorf("decimals(%v) = %d, want %d", x, got, want)
		}
	}
}

// Keras Tuner's Float(0.01, 100, step=10, sampling="reverse_log") has the
// log grid 0.01, 0.1, 1, 10, 100 mirrored: max + min − v.
func TestReverseLogStepAsKerasTuner(t *testing.T) {
	s, err := NewSpace(Param{Name: "x", Kind: KindFloat, Min: 0.01, Max: 100, Step: 10, Sampling: ReverseLog})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := s.Param("x")
	want := []float64{0.01, 90.01, 99.01, 99.91, 100}
	if p.Count() != len(want) {
		t.Fatalf("Count %d, want %d", p.Count(), len(want))
	}
	for i, w := range want {
		v := p.ValueAt(i)
		if v != w {
			t.Errorf("value %d = %v, want %v", i, v, w)
		}
		if !p.Contains(w) {
			t.Errorf("%v not contained", w)
		}
		u, err := p.ToUnit(w)
		if err != nil || p.FromUnit(u) != w {
			t.Errorf("%v: ToUnit %v (%v), back %v", w, u, err, p.FromUnit(u))
		}
	}
	for _, bad := range []float64{50, 99.9, 0.1} {
		if p.Contains(bad) {
			t.Errorf("%v contained", bad)
		}
	}
	if _, err := NewSpace(Param{Name: "n", Kind: KindInt, Min: 1, Max: 100, Step: 10, Sampling: ReverseLog}); !errors.Is(err, ErrInvalid) {
		t.Errorf("int reverse_log with a step: %v, want ErrInvalid", err)
	}
}
