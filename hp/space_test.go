package hp

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// conditionalSpace: model ∈ {mlp, cnn}; mlp has layers and, when deep,
// dropout; cnn has filters and kernel; lr is unconditional.
func conditionalSpace(t *testing.T) *Space {
	t.Helper()
	h := New()
	h.Float("lr", 1e-4, 1e-1, Log)
	model := h.ChoiceString("model", []string{"mlp", "cnn"})
	_ = model
	mlp := h.When("model", "mlp")
	mlp.Int("layers", 1, 4)
	deep := mlp.When("layers", 3, 4)
	deep.Float("dropout", 0, 0.5, Step(0.1))
	deep.Boolean("bn")
	cnn := h.When("model", "cnn").Scope("cnn")
	cnn.ChoiceInt("filters", []int{16, 32, 64})
	cnn.Int("kernel", 3, 7, Step(2))
	if err := h.Err(); err != nil {
		t.Fatal(err)
	}
	return h.Space()
}

func TestSpaceOrderAndConditions(t *testing.T) {
	s := conditionalSpace(t)
	var names []string
	for _, p := range s.Params() {
		names = append(names, p.Name)
	}
	want := []string{"lr", "model", "layers", "dropout", "bn", "cnn/filters", "cnn/kernel"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("names %v, want %v", names, want)
	}
	p, _ := s.Param("dropout")
	wantConds := []Condition{{"model", []any{"mlp"}}, {"layers", []any{3, 4}}}
	if !reflect.DeepEqual(p.Conditions, wantConds) {
		t.Errorf("dropout conditions %v, want %v", p.Conditions, wantConds)
	}
	if _, ok := s.Param("nope"); ok {
		t.Error("Param found an unknown name")
	}
}

func TestActive(t *testing.T) {
	s := conditionalSpace(t)
	tests := []struct {
		v      Values
		active []string
	}{
		{Values{"lr": 0.01, "model": "mlp", "layers": 1}, []string{"lr", "model", "layers"}},
		{Values{"lr": 0.01, "model": "mlp", "layers": 3}, []string{"lr", "model", "layers", "dropout", "bn"}},
		{Values{"lr": 0.01, "model": "cnn"}, []string{"lr", "model", "cnn/filters", "cnn/kernel"}},
		// layers=3 without model=mlp: the nested condition's parent is
		// inactive, so its children are too.
		{Values{"lr": 0.01, "model": "cnn", "layers": 3}, []string{"lr", "model", "cnn/filters", "cnn/kernel"}},
		{Values{}, []string{"lr", "model"}},
	}
	for _, tt := range tests {
		var got []string
		for _, p := range s.Params() {
			if s.Active(p.Name, tt.v) {
				got = append(got, p.Name)
			}
		}
		if !reflect.DeepEqual(got, tt.active) {
			t.Errorf("Active under %v: %v, want %v", tt.v, got, tt.active)
		}
	}
	if s.Active("unknown", Values{}) {
		t.Error("unknown name active")
	}
}

func TestSpaceDefaults(t *testing.T) {
	s := conditionalSpace(t)
	want := Values{"lr": 1e-4, "model": "mlp", "layers": 1}
	if got := s.Defaults(); !reflect.DeepEqual(got, want) {
		t.Errorf("Defaults = %v, want %v", got, want)
	}
	if err := s.Validate(s.Defaults()); err != nil {
		t.Error(err)
	}
}

func TestValidate(t *testing.T) {
	s := conditionalSpace(t)
	tests := []struct {
		name  string
		v     Values
		param string // "" means valid
		want  error
	}{
		{"mlp shallow", Values{"lr": 0.01, "model": "mlp", "layers": 2}, "", nil},
		{"mlp deep", Values{"lr": 0.01, "model": "mlp", "layers": 4, "dropout": 0.3, "bn": true}, "", nil},
		{"cnn", Values{"lr": 0.01, "model": "cnn", "cnn/filters": 32, "cnn/kernel": 5}, "", nil},
		{"missing unconditional", Values{"model": "mlp", "layers": 2}, "lr", ErrInvalid},
		{"missing active child", Values{"lr": 0.01, "model": "mlp"}, "layers", ErrInvalid},
		{"missing nested child", Values{"lr": 0.01, "model": "mlp", "layers": 3, "bn": true}, "dropout", ErrInvalid},
		{"value for inactive", Values{"lr": 0.01, "model": "cnn", "cnn/filters": 32, "cnn/kernel": 5, "layers": 2}, "layers", ErrInvalid},
		{"value for inactive nested", Values{"lr": 0.01, "model": "mlp", "layers": 2, "dropout": 0.1}, "dropout", ErrInvalid},
		{"unknown name", Values{"lr": 0.01, "model": "mlp", "layers": 2, "momentum": 0.9}, "momentum", ErrUnknown},
		{"int for a float", Values{"lr": 1, "model": "mlp", "layers": 2}, "lr", ErrInvalid},
		{"float for an int", Values{"lr": 0.01, "model": "mlp", "layers": 2.0}, "layers", ErrInvalid},
		{"out of range", Values{"lr": 0.5, "model": "mlp", "layers": 2}, "lr", ErrInvalid},
		{"off the grid", Values{"lr": 0.01, "model": "cnn", "cnn/filters": 32, "cnn/kernel": 4}, "cnn/kernel", ErrInvalid},
		{"float noise off the grid", Values{"lr": 0.01, "model": "mlp", "layers": 4, "dropout": 0.30000000000000004, "bn": true}, "dropout", ErrInvalid},
		{"not a choice", Values{"lr": 0.01, "model": "rnn"}, "model", ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Validate(tt.v)
			if tt.param == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), `"`+tt.param+`"`) {
				t.Errorf("error %q does not name %q", err, tt.param)
			}
		})
	}
	// Several unknown names: the error is deterministic (the first by name).
	for range 20 {
		err := s.Validate(Values{"lr": 0.01, "model": "mlp", "layers": 2, "zz": 1, "aa": 1, "mm": 1})
		if err == nil || !strings.Contains(err.Error(), `"aa"`) {
			t.Fatalf("error %v, want one about \"aa\"", err)
		}
	}
}

func TestSampleDeterministic(t *testing.T) {
	s := conditionalSpace(t)
	draw := func(seed1, seed2 uint64) []Values {
		rng := rand.New(rand.NewPCG(seed1, seed2))
		out := make([]Values, 50)
		for i := range out {
			out[i] = s.Sample(rng)
		}
		return out
	}
	a, b := draw(1, 2), draw(1, 2)
	if !reflect.DeepEqual(a, b) {
		t.Error("same seed gave different samples")
	}
	if c := draw(3, 4); reflect.DeepEqual(a, c) {
		t.Error("different seeds gave the same samples")
	}
	// Sample is FromUnit of one uniform draw per hyperparameter.
	r1, r2 := rand.New(rand.NewPCG(9, 9)), rand.New(rand.NewPCG(9, 9))
	for range 20 {
		u := make([]float64, s.Len())
		for i := range u {
			u[i] = r2.Float64()
		}
		if got, want := s.Sample(r1), s.FromUnit(u); !reflect.DeepEqual(got, want) {
			t.Fatalf("Sample = %v, FromUnit = %v", got, want)
		}
	}
}

func TestSampleInRangeAndRespectsConditions(t *testing.T) {
	s := conditionalSpace(t)
	rng := rand.New(rand.NewPCG(42, 7))
	seen := map[string]map[any]bool{}
	lowLR := 0
	const n = 4000
	for range n {
		v := s.Sample(rng)
		if err := s.Validate(v); err != nil {
			t.Fatalf("sample %v: %v", v, err)
		}
		for k, x := range v {
			if seen[k] == nil {
				seen[k] = map[any]bool{}
			}
			seen[k][x] = true
		}
		if v["lr"].(float64) < 1e-3 {
			lowLR++
		}
		// Conditions, checked directly.
		_, hasLayers := v["layers"]
		if hasLayers != (v["model"] == "mlp") {
			t.Fatalf("layers present=%v with model %v", hasLayers, v["model"])
		}
		_, hasDropout := v["dropout"]
		deep := v["model"] == "mlp" && v["layers"].(int) >= 3
		if hasDropout != deep {
			t.Fatalf("dropout present=%v in %v", hasDropout, v)
		}
	}
	// Every discrete value is drawn.
	for name, want := range map[string]int{"model": 2, "layers": 4, "dropout": 6, "bn": 2, "cnn/filters": 3, "cnn/kernel": 3} {
		if len(seen[name]) != want {
			t.Errorf("%s: drew %d distinct values %v, want %d", name, len(seen[name]), seen[name], want)
		}
	}
	// Log sampling of lr in [1e-4, 1e-1]: a third of the draws below 1e-3.
	if frac := float64(lowLR) / n; math.Abs(frac-1.0/3) > 0.04 {
		t.Errorf("fraction of lr < 1e-3 = %v, want about 1/3", frac)
	}
}

func TestSpaceUnitRoundTrip(t *testing.T) {
	s := conditionalSpace(t)
	rng := rand.New(rand.NewPCG(5, 5))
	for range 200 {
		v := s.Sample(rng)
		u, err := s.ToUnit(v)
		if err != nil {
			t.Fatal(err)
		}
		if len(u) != s.Len() {
			t.Fatalf("ToUnit gave %d coordinates", len(u))
		}
		back := s.FromUnit(u)
		// lr is continuous: compare it approximately.
		if math.Abs(back["lr"].(float64)-v["lr"].(float64)) > 1e-12*v["lr"].(float64) {
			t.Fatalf("lr %v became %v", v["lr"], back["lr"])
		}
		back["lr"] = v["lr"]
		if !reflect.DeepEqual(back, v) {
			t.Fatalf("FromUnit(ToUnit(%v)) = %v", v, back)
		}
	}
	if _, err := s.ToUnit(Values{"lr": "fast"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("ToUnit with a bad value: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("FromUnit with the wrong length did not panic")
		}
	}()
	s.FromUnit([]float64{0.5})
}

func TestConditionValuesCanonical(t *testing.T) {
	h := New()
	h.Float("rate", 0, 1, Step(0.1))
	h.When("rate", 0.1+0.2).Int("a", 1, 2) // 0.30000000000000004 is snapped to 0.3
	h.ChoiceFloat("scale", []float64{1, 2})
	h.When("scale", 2).Int("b", 1, 2) // an int for a float choice
	h.Int("n", 1, 8)
	h.When("n", 4.0).Int("c", 1, 2) // a whole float for an int
	if err := h.Err(); err != nil {
		t.Fatal(err)
	}
	s := h.Space()
	for name, want := range map[string][]any{"a": {0.3}, "b": {2.0}, "c": {4}} {
		p, _ := s.Param(name)
		if !reflect.DeepEqual(p.Conditions[0].Values, want) {
			t.Errorf("%s: condition values %#v, want %#v", name, p.Conditions[0].Values, want)
		}
	}
	if !s.Active("a", Values{"rate": 0.3}) {
		t.Error("a inactive at rate 0.3")
	}
	if s.Active("a", Values{"rate": 0.4}) {
		t.Error("a active at rate 0.4")
	}
}

func TestSpaceCloneIsDeep(t *testing.T) {
	s := conditionalSpace(t)
	c := s.Clone()
	c.Params()[1].Values[0] = "changed"
	c.Params()[3].Conditions[0].Values[0] = "changed"
	if s.Params()[1].Values[0] != "mlp" || s.Params()[3].Conditions[0].Values[0] != "mlp" {
		t.Error("Clone shares memory with the original")
	}
	if err := c.Add(Param{Name: "extra", Kind: KindBoolean}); err != nil {
		t.Fatal(err)
	}
	if s.Len() == c.Len() {
		t.Error("Add to the clone changed the original")
	}
}

func TestAddDoesNotAliasCaller(t *testing.T) {
	vals := []any{"a", "b"}
	conds := []Condition{{Parent: "x", Values: []any{true}}}
	s, err := NewSpace(Param{Name: "x", Kind: KindBoolean}, Param{Name: "c", Kind: KindChoice, Values: vals, Conditions: conds})
	if err != nil {
		t.Fatal(err)
	}
	vals[0], conds[0].Values[0] = "z", false
	p, _ := s.Param("c")
	if p.Values[0] != "a" || p.Conditions[0].Values[0] != true {
		t.Error("the space aliases the caller's slices")
	}
}

// Adding a space's own params again (as the tuner does when a trial grows
// the space) is a no-op: normalization is idempotent.
func TestAddNormalizedAgain(t *testing.T) {
	s := conditionalSpace(t)
	s2, err := NewSpace(s.Params()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range s.Params() {
		if err := s2.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	assertSpacesEqual(t, s2, s)
}

func TestSpaceString(t *testing.T) {
	s := conditionalSpace(t)
	want := `Search space: 7 hyperparameters
lr (float): [0.0001, 0.1] log, default 0.0001
model (choice): [mlp cnn], default mlp
layers (int): [1, 4] step 1 linear, default 1, when model in [mlp]
dropout (float): [0, 0.5] step 0.1 linear, default 0, when model in [mlp], when layers in [3 4]
bn (boolean), default false, when model in [mlp], when layers in [3 4]
cnn/filters (choice): [16 32 64] ordered, default 16, when model in [cnn]
cnn/kernel (int): [3, 7] step 2 linear, default 3, when model in [cnn]
`
	if got := s.String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
}

func assertSpacesEqual(t *testing.T, got, want *Space) {
	t.Helper()
	if got.Len() != want.Len() {
		t.Fatalf("Len %d, want %d", got.Len(), want.Len())
	}
	for i := range want.Params() {
		g, w := &got.Params()[i], &want.Params()[i]
		if !g.Equal(w) {
			t.Errorf("param %d: %v, want %v", i, g, w)
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("param %d differs: %#v, want %#v", i, *g, *w)
		}
	}
}

func TestSpaceJSONRoundTrip(t *testing.T) {
	h := New()
	h.Int("units", 32, 512, Step(32), Default(64))
	h.Int("width", 32, 512, Step(2), Log)
	h.Int("n", 1, 1000, Log)
	h.Float("lr", 1e-4, 1e-2, Log, Default(1e-3))
	h.Float("beta", 0.9, 0.999, ReverseLog)
	h.Float("dropout", 0, 0.5, Step(0.1))
	h.Float("whole", 1, 3, Default(2.0))
	h.ChoiceInt("batch", []int{32, 64})
	h.ChoiceFloat("scale", []float64{1, 2.5})
	h.ChoiceString("act", []string{"relu", "tanh"}, Ordered())
	h.Register(Param{Name: "flags", Kind: KindChoice, Values: []any{true, false}})
	h.Boolean("bn", Default(true))
	h.Fixed("epochs", 10)
	h.Fixed("ratio", 1.0)
	h.Fixed("opt", "adam")
	h.Fixed("shuffle", true)
	// Conditions on parents of every value type.
	h.When("batch", 64).Int("c_int", 1, 2)
	h.When("scale", 2.5).Int("c_float", 1, 2)
	h.When("act", "tanh").Int("c_string", 1, 2)
	h.When("bn", false).Int("c_bool", 1, 2)
	h.When("flags", true).When("c_bool", 2).Int("c_nested", 1, 2)
	h.When("dropout", 0.2, 0.4).Int("c_grid", 1, 2)
	h.When("units", 64).Scope("s").Float("c_range", 0, 1)
	if err := h.Err(); err != nil {
		t.Fatal(err)
	}
	s := h.Space()
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Space
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	assertSpacesEqual(t, &back, s)
	// Ints stay int and whole floats stay float64.
	for name, want := range map[string]any{"units": 64, "whole": 2.0, "epochs": 10, "ratio": 1.0, "scale": 1.0, "bn": true} {
		p, _ := back.Param(name)
		if p.Default != want {
			t.Errorf("%s: default %#v, want %#v", name, p.Default, want)
		}
	}
	if !strings.Contains(string(data), `"default":2.0`) || !strings.Contains(string(data), `"values":[1.0,2.5]`) {
		t.Errorf("floats not written as floats: %s", data)
	}
	data2, err := json.Marshal(&back)
	if err != nil {
		t.Fatal(err)
	}
	if string(data2) != string(data) {
		t.Errorf("re-encoding differs:\n%s\n%s", data, data2)
	}
	// A Space held by value in a struct encodes too.
	type study struct{ Space Space }
	byValue, err := json.Marshal(study{*s})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(byValue), string(data)) {
		t.Errorf("Space by value encoded as %s", byValue)
	}
}

func TestSpaceJSONFormat(t *testing.T) {
	h := New()
	h.Int("units", 32, 512, Step(32))
	h.When("units", 64).Float("lr", 1e-4, 1e-2, Log)
	data, err := json.Marshal(h.Space())
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"name":"units","kind":"int","min":32,"max":512,"step":32,"sampling":"linear","default":32},` +
		`{"name":"lr","kind":"float","min":0.0001,"max":0.01,"sampling":"log","default":0.0001,"conditions":[{"parent":"units","values":[64]}]}]`
	if string(data) != want {
		t.Errorf("got  %s\nwant %s", data, want)
	}
}

func TestSpaceJSONErrors(t *testing.T) {
	tests := []struct {
		in, param string
		want      error
	}{
		{`[{"name":"a","kind":"int","min":5,"max":1}]`, "a", ErrInvalid},
		{`[{"name":"a","kind":"float","min":0,"max":1,"sampling":"log"}]`, "a", ErrInvalid},
		{`[{"name":"a","kind":"choice","values":[]}]`, "a", ErrInvalid},
		{`[{"name":"a","kind":"choice","values":[1,"x"]}]`, "a", ErrInvalid},
		{`[{"name":"a","kind":"choice","values":[1,2.0]}]`, "a", ErrInvalid},
		{`[{"name":"a","kind":"int","min":0,"max":9,"default":1.5}]`, "a", ErrInvalid},
		{`[{"name":"a","kind":"int","min":0,"max":1e300}]`, "a", ErrInvalid},
		{`[{"name":"b","kind":"int","min":0,"max":1,"conditions":[{"parent":"a","values":[1]}]}]`, "b", ErrInvalid},
		{`[{"name":"a","kind":"int","min":0,"max":1},{"name":"a","kind":"int","min":0,"max":2}]`, "a", ErrConflict},
		{`[{"name":"a","kind":"boolean","default":null}]`, "", nil},
		{`{"name":"a"}`, "", nil},
		{`[{"name":"a","kind":"int","min":0,"max":9,"default":99999999999999999999}]`, "", nil},
	}
	for _, tt := range tests {
		var s Space
		err := json.Unmarshal([]byte(tt.in), &s)
		if err == nil {
			t.Errorf("%s: no error", tt.in)
			continue
		}
		if tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.in, err, tt.want)
		}
		if tt.param != "" && !strings.Contains(err.Error(), `"`+tt.param+`"`) {
			t.Errorf("%s: error %q does not name %q", tt.in, err, tt.param)
		}
	}
	// A failed decode leaves the space unchanged.
	s, _ := NewSpace(Param{Name: "keep", Kind: KindBoolean})
	if err := json.Unmarshal([]byte(`[{"name":"x","kind":"nope"}]`), s); err == nil || s.Len() != 1 {
		t.Errorf("failed decode changed the space: %v, %d", err, s.Len())
	}
}
