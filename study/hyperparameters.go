package study

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tunekit/tune/hp"
)

// SpaceEntry is one entry of the hyperparameters section.
type SpaceEntry struct {
	// Name is the entry's key, one of the model's hyperparameters (hypermodels.Builtin).
	Name string
	// Param is the definition the MLP registers with
	// hp.HyperParameters.Register: a plain value is a Fixed Param, a list
	// a Choice, a mapping whatever its type says. Parse leaves it as hp
	// completes it (default, sampling filled in).
	Param hp.Param
	// Line is the line of the key in the study file.
	Line int
}

// SpaceSection holds the entries of the hyperparameters section in file
// order.
type SpaceSection []SpaceEntry

// Lookup returns the entry called name.
func (hs SpaceSection) Lookup(name string) (*SpaceEntry, bool) {
	for i := range hs {
		if hs[i].Name == name {
			return &hs[i], true
		}
	}
	return nil, false
}

// Names returns the names of the entries in file order.
func (hs SpaceSection) Names() []string {
	names := make([]string, len(hs))
	for i, h := range hs {
		names[i] = h.Name
	}
	return names
}

// specKeys are the keys of a hyperparameter mapping, and the types they
// apply to.
var specKeys = map[string][]hp.Kind{
	"type":     nil, // all
	"min":      {hp.KindInt, hp.KindFloat},
	"max":      {hp.KindInt, hp.KindFloat},
	"step":     {hp.KindInt, hp.KindFloat},
	"sampling": {hp.KindInt, hp.KindFloat},
	"values":   {hp.KindChoice},
	"value":    {hp.KindFixed},
	"default":  {hp.KindInt, hp.KindFloat, hp.KindChoice, hp.KindBoolean},
}

var specKeyOrder = []string{"type", "min", "max", "step", "sampling", "values", "value", "default"}

// UnmarshalYAML reads the hyperparameters mapping; the names are checked
// against the model's once the whole file is read.
func (hs *SpaceSection) UnmarshalYAML(n *yaml.Node) error { return hs.decodeNode(n) }

func (hs *SpaceSection) decodeNode(n *yaml.Node) error {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		return errorf(n.Line, "hyperparameters: want a mapping of names to definitions, got %s", kindName(n))
	}
	out := SpaceSection{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if _, dup := out.Lookup(k.Value); dup {
			prev, _ := out.Lookup(k.Value)
			return errorf(k.Line, "hyperparameter %q is given twice (first at line %d)", k.Value, prev.Line)
		}
		p, err := paramOf(k, v)
		if err != nil {
			return err
		}
		out = append(out, SpaceEntry{Name: k.Value, Param: p, Line: k.Line})
	}
	*hs = out
	return nil
}

// paramOf converts one entry, key: n, to an hp.Param. Errors name the
// hyperparameter.
func paramOf(key, n *yaml.Node) (hp.Param, error) {
	name := key.Value
	p := hp.Param{Name: name}
	bad := func(line int, format string, args ...any) error {
		return errorf(line, "hyperparameter %q: %s", name, fmt.Sprintf(format, args...))
	}
	n = resolve(n)
	switch n.Kind {
	case yaml.ScalarNode:
		v, err := scalar(n)
		if err != nil {
			return p, bad(n.Line, "%s", err.(*Error).Msg)
		}
		p.Kind, p.Values = hp.KindFixed, []any{v}
		return p, nil
	case yaml.SequenceNode:
		vs, err := scalars(n)
		if err != nil {
			return p, bad(err.(*Error).Line, "%s", err.(*Error).Msg)
		}
		p.Kind, p.Values = hp.KindChoice, vs
		return p, nil
	case yaml.MappingNode:
	default:
		return p, bad(n.Line, "want a value, a list of choices or a mapping")
	}

	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if _, ok := specKeys[k.Value]; !ok {
			msg := fmt.Sprintf("unknown key %q", k.Value)
			if best := closest(k.Value, specKeyOrder); best != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", best)
			} else {
				msg += " (want " + orList(specKeyOrder) + ")"
			}
			return p, bad(k.Line, "%s", msg)
		}
		if prev, dup := seen[k.Value]; dup {
			return p, bad(k.Line, "key %q is given twice (first at line %d)", k.Value, prev.Line)
		}
		seen[k.Value] = k
	}
	value := func(key string) *yaml.Node {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
		return nil
	}
	tn := value("type")
	if tn == nil {
		return p, bad(key.Line, "type is missing: want int, float, choice, boolean or fixed")
	}
	t, err := text(tn)
	if err != nil {
		return p, bad(tn.Line, "type: want int, float, choice, boolean or fixed")
	}
	p.Kind = hp.Kind(t)
	switch p.Kind {
	case hp.KindInt, hp.KindFloat, hp.KindChoice, hp.KindBoolean, hp.KindFixed:
	default:
		return p, bad(tn.Line, "type %q: want int, float, choice, boolean or fixed", t)
	}
	for _, key := range specKeyOrder {
		k := seen[key]
		if k == nil || specKeys[key] == nil || slices.Contains(specKeys[key], p.Kind) {
			continue
		}
		return p, bad(k.Line, "%s does not apply to type %s (it takes %s)", key, p.Kind, orList(keysFor(p.Kind)))
	}
	for _, k := range keysFor(p.Kind) {
		if seen[k] == nil && (k == "min" || k == "max" || k == "values" || k == "value") {
			return p, bad(tn.Line, "%s is missing: type %s needs %s", k, p.Kind, strings.Join(requiredFor(p.Kind), " and "))
		}
	}
	for _, key := range specKeyOrder {
		k := seen[key]
		if k == nil || key == "type" {
			continue
		}
		v := value(key)
		var err error
		switch key {
		case "min":
			p.Min, err = number(v)
		case "max":
			p.Max, err = number(v)
		case "step":
			p.Step, err = number(v)
		case "sampling":
			var s string
			s, err = text(v)
			p.Sampling = hp.Sampling(s)
		case "values":
			p.Values, err = scalars(resolve(v))
		case "value":
			var x any
			x, err = scalar(v)
			p.Values = []any{x}
		case "default":
			p.Default, err = scalar(v)
		}
		if err != nil {
			var e *Error
			errors.As(err, &e)
			line := e.Line
			if line == 0 {
				line = k.Line
			}
			return p, bad(line, "%s: %s", key, e.Msg)
		}
	}
	if k := seen["step"]; k != nil {
		// hp reads a zero step as none; a step the range cannot hold
		// leaves min as the only value.
		switch {
		case !(p.Step > 0) || math.IsInf(p.Step, 0):
			return p, bad(k.Line, "step %v must be positive", p.Step)
		case p.Max > p.Min && p.Step > p.Max-p.Min:
			return p, bad(k.Line, "step %v is larger than the range [%v, %v]: only min would be tried; use a step of at most %v", p.Step, p.Min, p.Max, p.Max-p.Min)
		}
	}
	return p, nil
}

// keysFor lists the keys that apply to a kind, besides type.
func keysFor(k hp.Kind) []string {
	var out []string
	for _, key := range specKeyOrder {
		if slices.Contains(specKeys[key], k) {
			out = append(out, key)
		}
	}
	return out
}

func requiredFor(k hp.Kind) []string {
	switch k {
	case hp.KindInt, hp.KindFloat:
		return []string{"min", "max"}
	case hp.KindChoice:
		return []string{"values"}
	case hp.KindFixed:
		return []string{"value"}
	}
	return nil
}

// scalars decodes a list of scalars.
func scalars(n *yaml.Node) ([]any, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, errorf(n.Line, "want a list of values, got %s", kindName(n))
	}
	if len(n.Content) == 0 {
		return nil, errorf(n.Line, "the list of values is empty")
	}
	out := make([]any, len(n.Content))
	for i, c := range n.Content {
		v, err := scalar(c)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// checkHyperparameters checks the section against the hyperparameters of
// the study's model, converts the values to their types and registers them
// with hp in the model's order, which checks the definitions. Errors name
// the entry's line.
func (s *Study) checkHyperparameters() error {
	b := s.builtin()
	for i := range s.Hyperparameters {
		h := &s.Hyperparameters[i]
		k, ok := b.Hyperparameter(h.Name)
		if !ok {
			known := make([]string, len(b.Hyperparameters))
			for i, k := range b.Hyperparameters {
				known[i] = k.Name
			}
			msg := fmt.Sprintf("unknown hyperparameter %q", h.Name)
			if best := closest(h.Name, known); best != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", best)
			} else {
				msg += fmt.Sprintf(" (model %s has %s)", b.Name, orList(known))
			}
			return errorf(h.Line, "%s", msg)
		}
		if err := k.Convert(&h.Param); err != nil {
			return wrapf(h.Line, err, "hyperparameter %q", h.Name)
		}
	}
	for i := range s.Hyperparameters {
		h := &s.Hyperparameters[i]
		k, _ := b.Hyperparameter(h.Name)
		var parent *hp.Param
		if k.ActiveWhen != nil {
			if e, ok := s.Hyperparameters.Lookup(k.ActiveWhen.Parent); ok {
				parent = &e.Param
			}
		}
		if err := k.Activate(&h.Param, parent, b.Hyperparameters); err != nil {
			return &Error{Line: h.Line, Msg: fmt.Sprintf("hyperparameter %q %v", h.Name, err), Err: err}
		}
	}
	h := hp.New()
	for _, k := range b.Hyperparameters {
		d, ok := s.Hyperparameters.Lookup(k.Name)
		if !ok {
			continue
		}
		if _, err := h.Register(d.Param); err != nil {
			return wrapf(d.Line, err, "")
		}
		// Keep the definition as hp completed it (default, sampling).
		p, _ := h.Space().Param(d.Name)
		d.Param = *p
	}
	return nil
}

// params returns the definitions, for hypermodels' Tune.
func (hs SpaceSection) params() []hp.Param {
	out := make([]hp.Param, len(hs))
	for i, h := range hs {
		out[i] = h.Param
	}
	return out
}
