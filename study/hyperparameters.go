package study

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
)

// Hyperparameter is one entry of the hyperparameters section.
type Hyperparameter struct {
	// Name is the entry's key, one of KnownHyperparameters.
	Name string
	// Param is the definition the MLP registers with
	// hp.HyperParameters.Register: a plain value is a Fixed Param, a list
	// a Choice, a mapping whatever its type says. Parse leaves it as hp
	// completes it (default, sampling filled in).
	Param hp.Param
	// Line is the line of the key in the study file.
	Line int
}

// Hyperparameters are the entries of the hyperparameters section in file
// order.
type Hyperparameters []Hyperparameter

// Lookup returns the entry called name.
func (hs Hyperparameters) Lookup(name string) (*Hyperparameter, bool) {
	for i := range hs {
		if hs[i].Name == name {
			return &hs[i], true
		}
	}
	return nil, false
}

// Names returns the names of the entries in file order.
func (hs Hyperparameters) Names() []string {
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

// UnmarshalYAML reads the hyperparameters mapping; names must be
// KnownHyperparameters.
func (hs *Hyperparameters) UnmarshalYAML(n *yaml.Node) error {
	return typeError(hs.unmarshal(n))
}

func (hs *Hyperparameters) unmarshal(n *yaml.Node) error {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		return errorf(n.Line, "hyperparameters: want a mapping of names to definitions, got %s", kindName(n))
	}
	out := Hyperparameters{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if _, dup := out.Lookup(k.Value); dup {
			prev, _ := out.Lookup(k.Value)
			return errorf(k.Line, "hyperparameter %q is given twice (first at line %d)", k.Value, prev.Line)
		}
		if _, ok := knownHyperparameter(k.Value); !ok {
			msg := fmt.Sprintf("unknown hyperparameter %q", k.Value)
			if best := closest(k.Value, knownNames()); best != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", best)
			} else {
				msg += " (the MLP has " + orList(knownNames()) + ")"
			}
			return errorf(k.Line, "%s", msg)
		}
		p, err := paramOf(k, v)
		if err != nil {
			return err
		}
		out = append(out, Hyperparameter{Name: k.Value, Param: p, Line: k.Line})
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

// valueType is the Go type of a hyperparameter's values.
type valueType int

const (
	intValue valueType = iota
	floatValue
	stringValue
	boolValue
)

func (t valueType) String() string {
	return [...]string{"whole numbers", "numbers", "names", "true or false"}[t]
}

// KnownHyperparameter describes a hyperparameter of the built-in MLP.
type KnownHyperparameter struct {
	// Name is the key in the study file.
	Name string
	// Default is the value used when the study file does not mention the
	// hyperparameter (nil: the optimizer's own default).
	Default any
	// Doc says what it does and which values it takes.
	Doc string

	typ   valueType
	check func(v any) error // checks one value (or a range's bound)
}

// KnownHyperparameters are the MLP's hyperparameters in the order it
// registers them.
var KnownHyperparameters = []KnownHyperparameter{
	{Name: "n_hidden", Default: 2, typ: intValue, check: atLeast(0),
		Doc: "number of hidden Dense layers, 0 or more"},
	{Name: "n_neurons", Default: 64, typ: intValue, check: atLeast(1),
		Doc: "units of every hidden layer, 1 or more"},
	{Name: "activation", Default: "relu", typ: stringValue, check: checkActivation,
		Doc: "activation of the hidden layers: relu, tanh, sigmoid, elu, selu, softplus, leaky_relu or linear"},
	{Name: "optimizer", Default: "adam", typ: stringValue, check: oneOf("sgd", "adam", "rmsprop"),
		Doc: "sgd, adam or rmsprop"},
	{Name: "learning_rate", Default: nil, typ: floatValue, check: positive,
		Doc: "the optimizer's learning rate, > 0; default the optimizer's own (sgd 0.01, adam and rmsprop 0.001)"},
	{Name: "momentum", Default: 0.0, typ: floatValue, check: fraction,
		Doc: "sgd's momentum in [0, 1); active only when the optimizer is sgd"},
	{Name: "dropout", Default: 0.0, typ: floatValue, check: fraction,
		Doc: "rate of the Dropout layer after every hidden layer, in [0, 1); 0: no Dropout layers"},
	{Name: "batch_norm", Default: false, typ: boolValue, check: func(any) error { return nil },
		Doc: "true: a BatchNormalization layer after every hidden Dense layer"},
	{Name: "batch_size", Default: nil, typ: intValue, check: atLeast(1),
		Doc: "rows per gradient step, 1 or more; default the study's batch_size"},
}

func knownHyperparameter(name string) (*KnownHyperparameter, bool) {
	for i := range KnownHyperparameters {
		if KnownHyperparameters[i].Name == name {
			return &KnownHyperparameters[i], true
		}
	}
	return nil, false
}

func knownNames() []string {
	names := make([]string, len(KnownHyperparameters))
	for i, k := range KnownHyperparameters {
		names[i] = k.Name
	}
	return names
}

func atLeast(lo float64) func(any) error {
	return func(v any) error {
		if toFloat(v) < lo {
			return fmt.Errorf("%v is below %v", v, lo)
		}
		return nil
	}
}

func positive(v any) error {
	if !(toFloat(v) > 0) {
		return fmt.Errorf("%v is not above 0", v)
	}
	return nil
}

func fraction(v any) error {
	if f := toFloat(v); !(f >= 0 && f < 1) {
		return fmt.Errorf("%v is not in [0, 1)", v)
	}
	return nil
}

func oneOf(names ...string) func(any) error {
	return func(v any) error {
		if !slices.Contains(names, v.(string)) {
			return fmt.Errorf("%q is not %s", v, orList(names))
		}
		return nil
	}
}

// checkActivation asks nn's registry whether it knows an activation, so
// that the list stays nn's.
func checkActivation(v any) error {
	names := nn.Activations()
	if !slices.Contains(names, v.(string)) {
		return fmt.Errorf("unknown activation %q (want %s)", v, orList(names))
	}
	return nil
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	}
	return math.NaN()
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// checkHyperparameters checks the section against the MLP's
// hyperparameters, converts the values to their types and registers them
// with hp, which checks the definitions.
func (s *Study) checkHyperparameters() error {
	for i := range s.Hyperparameters {
		h := &s.Hyperparameters[i]
		k, ok := knownHyperparameter(h.Name)
		if !ok {
			return errorf(h.Line, "unknown hyperparameter %q", h.Name)
		}
		if err := k.convert(&h.Param); err != nil {
			return errorf(h.Line, "hyperparameter %q: %v", h.Name, err)
		}
	}
	if m, ok := s.Hyperparameters.Lookup("momentum"); ok {
		opt, ok := s.Hyperparameters.Lookup("optimizer")
		if !ok || !slices.Contains(opt.Param.Values, any("sgd")) {
			return errorf(m.Line, "hyperparameter \"momentum\" applies to the sgd optimizer only: set optimizer to sgd or a choice that includes it")
		}
		m.Param.Conditions = []hp.Condition{{Parent: "optimizer", Values: []any{"sgd"}}}
	}
	h := hp.New()
	if _, err := s.Hyperparameters.config(h); err != nil {
		return err
	}
	// Keep the definitions as hp completed them (defaults, sampling).
	for i := range s.Hyperparameters {
		if p, ok := h.Space().Param(s.Hyperparameters[i].Name); ok {
			s.Hyperparameters[i].Param = *p
		}
	}
	return nil
}

// convert checks that a definition fits the hyperparameter's type and
// converts its values to it (a whole float to an int, an int to a float).
func (k *KnownHyperparameter) convert(p *hp.Param) error {
	switch p.Kind {
	case hp.KindInt, hp.KindFloat:
		want := hp.KindInt
		if k.typ == floatValue {
			want = hp.KindFloat
		}
		if k.typ == stringValue {
			return fmt.Errorf("type %s does not fit: %s takes %s, as a choice (a list) or a fixed value", p.Kind, k.Name, k.typ)
		}
		if k.typ == boolValue {
			return fmt.Errorf("type %s does not fit: %s takes %s (type boolean)", p.Kind, k.Name, k.typ)
		}
		if p.Kind != want {
			return fmt.Errorf("type %s does not fit: %s takes %s (type %s)", p.Kind, k.Name, k.typ, want)
		}
		for _, b := range []float64{p.Min, p.Max} {
			var v any = b
			if want == hp.KindInt && b == math.Trunc(b) && math.Abs(b) < 1<<53 {
				v = int(b)
			}
			if err := k.check(v); err != nil {
				return err
			}
		}
		if p.Default != nil {
			d, err := k.value(p.Default)
			if err != nil {
				return fmt.Errorf("default: %v", err)
			}
			p.Default = d
		}
		return nil
	case hp.KindBoolean:
		if k.typ != boolValue {
			return fmt.Errorf("type boolean does not fit: %s takes %s", k.Name, k.typ)
		}
		if p.Default != nil {
			if _, ok := p.Default.(bool); !ok {
				return fmt.Errorf("default: %s takes %s, not %s", k.Name, k.typ, describeScalar(p.Default))
			}
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
	if p.Default != nil {
		d, err := k.value(p.Default)
		if err != nil {
			return fmt.Errorf("default: %v", err)
		}
		p.Default = d
	}
	return nil
}

// value converts one value to the hyperparameter's type.
func (k *KnownHyperparameter) value(v any) (any, error) {
	switch k.typ {
	case intValue:
		switch x := v.(type) {
		case int:
			return x, nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return int(x), nil
			}
		}
	case floatValue:
		switch x := v.(type) {
		case int:
			return float64(x), nil
		case float64:
			return x, nil
		}
	case stringValue:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case boolValue:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%s takes %s, not %s", k.Name, k.typ, describeScalar(v))
}

// mlpConfig is the MLP's configuration for one trial.
type mlpConfig struct {
	nHidden, nNeurons      int
	activation, optimizer  string
	learningRate, momentum float64
	dropout                float64
	batchNorm              bool
	batchSize              int // 0: the study's
}

// config registers the declared hyperparameters with h in the MLP's order
// and returns the trial's configuration; undeclared ones take their
// built-in defaults. Errors name the file's line.
func (hs Hyperparameters) config(h *hp.HyperParameters) (mlpConfig, error) {
	vals := map[string]any{}
	for _, k := range KnownHyperparameters {
		d, ok := hs.Lookup(k.Name)
		if !ok {
			vals[k.Name] = k.Default
			continue
		}
		v, err := h.Register(d.Param)
		if err != nil {
			return mlpConfig{}, &Error{Line: d.Line, Msg: oneLine(strings.TrimSuffix(err.Error(), ": "+hp.ErrInvalid.Error())), Err: err}
		}
		vals[k.Name] = v
	}
	var c mlpConfig
	bad := ""
	get := func(name string, dst any) {
		v := vals[name]
		if v == nil {
			return // a default left to the optimizer or the study
		}
		ok := false
		switch p := dst.(type) {
		case *int:
			*p, ok = v.(int)
		case *float64:
			*p, ok = v.(float64)
		case *string:
			*p, ok = v.(string)
		case *bool:
			*p, ok = v.(bool)
		}
		if !ok && bad == "" {
			bad = name
		}
	}
	get("n_hidden", &c.nHidden)
	get("n_neurons", &c.nNeurons)
	get("activation", &c.activation)
	get("optimizer", &c.optimizer)
	get("learning_rate", &c.learningRate)
	get("momentum", &c.momentum)
	get("dropout", &c.dropout)
	get("batch_norm", &c.batchNorm)
	get("batch_size", &c.batchSize)
	if bad != "" {
		return c, fmt.Errorf("hyperparameter %q: value %v (%T) has the wrong type", bad, vals[bad], vals[bad])
	}
	return c, nil
}
