package hypermodels

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
)

// ValueType is the Go type of a hyperparameter's values.
type ValueType int

// The value types.
const (
	IntValue    ValueType = iota // int
	FloatValue                   // float64
	StringValue                  // string
	BoolValue                    // bool
)

// String says which values the type takes, in words.
func (t ValueType) String() string {
	switch t {
	case IntValue:
		return "whole numbers"
	case FloatValue:
		return "numbers"
	case StringValue:
		return "names"
	case BoolValue:
		return "true or false"
	}
	return "ValueType(" + strconv.Itoa(int(t)) + ")"
}

// Hyperparameter describes one hyperparameter a built-in hypermodel takes:
// its name, its type, its default and the values it allows.
type Hyperparameter struct {
	// Name is the name the hypermodel registers it under.
	Name string
	// Type is the Go type of its values.
	Type ValueType
	// Default is the value used when no definition is given (nil: left
	// to the optimizer or the training settings).
	Default any
	// Doc says what it does and which values it takes.
	Doc string
	// ActiveWhen, if set, is the parent and the parent's values under
	// which a searched definition is active (momentum only with sgd).
	ActiveWhen *hp.Condition

	check func(v any) error // checks one value, or a range's bound
}

// Activate makes the searched definition p conditional on k.ActiveWhen,
// given parent, the definition of its parent (nil: the parent is not
// searched and keeps its default). It is an error, wrapping ErrDefinition,
// for p to be searched where its parent can never take the values that
// make it active. Without ActiveWhen, Activate does nothing.
func (k *Hyperparameter) Activate(p *hp.Param, parent *hp.Param, known []Hyperparameter) error {
	w := k.ActiveWhen
	if w == nil {
		return nil
	}
	var can []any
	if parent != nil {
		can = parent.Values
	} else if d, ok := lookup(known, w.Parent); ok {
		can = []any{d.Default}
	}
	for _, v := range w.Values {
		if slices.Contains(can, v) {
			p.Conditions = append(p.Conditions, *w)
			return nil
		}
	}
	want := orList(stringsOf(w.Values))
	return definitionErrorf("is active only when %s is %s: set %s to %s or a choice that includes it", w.Parent, want, w.Parent, want)
}

func stringsOf(vs []any) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = fmt.Sprint(v)
	}
	return out
}

// Convert checks that the definition p fits the hyperparameter (its kind
// suits the value type, its values and bounds are allowed) and converts
// its values to the value type: a whole float to an int, an int to a
// float. Errors wrap ErrDefinition.
func (k *Hyperparameter) Convert(p *hp.Param) error {
	switch p.Kind {
	case hp.KindInt, hp.KindFloat:
		want := hp.KindInt
		if k.Type == FloatValue {
			want = hp.KindFloat
		}
		switch {
		case k.Type == StringValue:
			return definitionErrorf("type %s does not fit: %s takes %s, as a choice (a list) or a fixed value", p.Kind, k.Name, k.Type)
		case k.Type == BoolValue:
			return definitionErrorf("type %s does not fit: %s takes %s (type boolean)", p.Kind, k.Name, k.Type)
		case p.Kind != want:
			return definitionErrorf("type %s does not fit: %s takes %s (type %s)", p.Kind, k.Name, k.Type, want)
		}
		for _, b := range []float64{p.Min, p.Max} {
			var v any = b
			if want == hp.KindInt && isWhole(b) {
				v = int(b)
			}
			if err := k.check(v); err != nil {
				return err
			}
		}
		return k.convertDefault(p)
	case hp.KindBoolean:
		if k.Type != BoolValue {
			return definitionErrorf("type boolean does not fit: %s takes %s", k.Name, k.Type)
		}
		if _, ok := p.Default.(bool); p.Default != nil && !ok {
			return definitionErrorf("default: %s takes %s, not %s", k.Name, k.Type, describe(p.Default))
		}
		return nil
	}
	for i, v := range p.Values {
		x, err := k.value(v)
		if err != nil {
			return err
		}
		if err := k.check(x); err != nil {
			return err
		}
		p.Values[i] = x
	}
	return k.convertDefault(p)
}

func (k *Hyperparameter) convertDefault(p *hp.Param) error {
	if p.Default == nil {
		return nil
	}
	d, err := k.value(p.Default)
	if err != nil {
		return definitionErrorf("default: %v", err)
	}
	p.Default = d
	return nil
}

// value converts one value to the hyperparameter's type.
func (k *Hyperparameter) value(v any) (any, error) {
	switch x := v.(type) {
	case int:
		switch k.Type {
		case IntValue:
			return x, nil
		case FloatValue:
			return float64(x), nil
		}
	case float64:
		switch {
		case k.Type == FloatValue:
			return x, nil
		case k.Type == IntValue && isWhole(x):
			return int(x), nil
		}
	case string:
		if k.Type == StringValue {
			return x, nil
		}
	case bool:
		if k.Type == BoolValue {
			return x, nil
		}
	}
	return nil, definitionErrorf("%s takes %s, not %s", k.Name, k.Type, describe(v))
}

func isWhole(x float64) bool { return x == math.Trunc(x) && math.Abs(x) < 1<<53 }

func describe(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}

// orList joins names as "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func atLeast(lo float64) func(any) error {
	return func(v any) error {
		if !(hp.Float(v) >= lo) {
			return definitionErrorf("%v is below %v", v, lo)
		}
		return nil
	}
}

func positive(v any) error {
	if !(hp.Float(v) > 0) {
		return definitionErrorf("%v is not above 0", v)
	}
	return nil
}

func fraction(v any) error {
	if f := hp.Float(v); !(f >= 0 && f < 1) {
		return definitionErrorf("%v is not in [0, 1)", v)
	}
	return nil
}

func anyValue(any) error { return nil }

func oneOf(names ...string) func(any) error {
	return func(v any) error {
		if !slices.Contains(names, v.(string)) {
			return definitionErrorf("%q is not %s", v, orList(names))
		}
		return nil
	}
}

// activation asks nn's registry whether it knows an activation, so that
// the list stays nn's.
func activation(v any) error {
	names := nn.Activations()
	if !slices.Contains(names, v.(string)) {
		return definitionErrorf("unknown activation %q (want %s)", v, orList(names))
	}
	return nil
}

// lookup returns the hyperparameter called name among hs.
func lookup(hs []Hyperparameter, name string) (*Hyperparameter, bool) {
	for i := range hs {
		if hs[i].Name == name {
			return &hs[i], true
		}
	}
	return nil, false
}
