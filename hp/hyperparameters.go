package hp

// HyperParameters is what a build function receives. Each call such as Int
// or Choice registers its hyperparameter the first time the name is seen
// and returns the trial's value, or the default when the trial has none.
//
// Scope and When return views that share the same space, values and error:
// a view prefixes names ("block1/units") or adds conditions.
type HyperParameters struct {
	st     *state
	prefix string
	conds  []Condition
}

type state struct {
	space   *Space
	values  Values
	err     error
	entries *Entries // predefined hyperparameters, nil for none
}

// New returns HyperParameters that records a space from scratch: every call
// returns its default.
func New() *HyperParameters {
	return FromValues(&Space{}, Values{})
}

// FromValues returns HyperParameters holding a trial's values in a copy of
// space (nil means an empty space). Names the space does not know yet are
// registered and take their defaults, so a build that reaches a new branch
// extends the space.
func FromValues(space *Space, v Values) *HyperParameters {
	if space == nil {
		space = &Space{}
	}
	values := v.Clone()
	if values == nil {
		values = Values{}
	}
	return &HyperParameters{st: &state{space: space.Clone(), values: values}}
}

// Space returns the space registered so far.
func (h *HyperParameters) Space() *Space { return h.st.space }

// Values returns the trial's values: those given to FromValues, plus the
// default of every active hyperparameter registered since that had none.
// In recording mode (New) these are the defaults of the active
// hyperparameters seen so far.
func (h *HyperParameters) Values() Values { return h.st.values.Clone() }

// Err returns the first definition error met, if any.
func (h *HyperParameters) Err() error { return h.st.err }

// Get returns the value of a hyperparameter by its full name.
func (h *HyperParameters) Get(name string) (any, bool) {
	v, ok := h.st.values[name]
	return v, ok
}

// Scope returns a view whose names are prefixed with name + "/".
func (h *HyperParameters) Scope(name string) *HyperParameters {
	c := *h
	c.prefix = h.prefix + name + "/"
	return &c
}

// When returns a view whose hyperparameters are active only when parent
// (a name in the current scope, or a full name) has one of values.
func (h *HyperParameters) When(parent string, values ...any) *HyperParameters {
	if _, ok := h.st.space.Param(h.prefix + parent); ok {
		parent = h.prefix + parent
	}
	c := *h
	c.conds = append(append([]Condition(nil), h.conds...), Condition{Parent: parent, Values: values})
	return &c
}

// Option refines a hyperparameter definition.
type Option interface{ apply(*Param) }

type optionFunc func(*Param)

func (f optionFunc) apply(p *Param) { f(p) }

func (s Sampling) apply(p *Param) { p.Sampling = s }

// Step sets the distance between neighbouring values (a factor with Log).
func Step(step float64) Option { return optionFunc(func(p *Param) { p.Step = step }) }

// Default sets the default value.
func Default(v any) Option { return optionFunc(func(p *Param) { p.Default = v }) }

// Ordered marks a choice as ordered (numeric choices always are).
func Ordered() Option { return optionFunc(func(p *Param) { p.Ordered = true }) }

// Int registers an integer in [min, max] and returns its value.
func (h *HyperParameters) Int(name string, min, max int, opts ...Option) int {
	v, _ := h.value(Param{Name: name, Kind: KindInt, Min: float64(min), Max: float64(max)}, opts).(int)
	return v
}

// Float registers a float in [min, max] and returns its value.
func (h *HyperParameters) Float(name string, min, max float64, opts ...Option) float64 {
	v, _ := h.value(Param{Name: name, Kind: KindFloat, Min: min, Max: max}, opts).(float64)
	return v
}

// ChoiceInt registers a choice among integers and returns its value.
func (h *HyperParameters) ChoiceInt(name string, values []int, opts ...Option) int {
	v, _ := h.value(Param{Name: name, Kind: KindChoice, Values: anys(values)}, opts).(int)
	return v
}

// ChoiceFloat registers a choice among floats and returns its value.
func (h *HyperParameters) ChoiceFloat(name string, values []float64, opts ...Option) float64 {
	v, _ := h.value(Param{Name: name, Kind: KindChoice, Values: anys(values)}, opts).(float64)
	return v
}

// ChoiceString registers a choice among strings and returns its value.
func (h *HyperParameters) ChoiceString(name string, values []string, opts ...Option) string {
	v, _ := h.value(Param{Name: name, Kind: KindChoice, Values: anys(values)}, opts).(string)
	return v
}

// Boolean registers a boolean and returns its value.
func (h *HyperParameters) Boolean(name string, opts ...Option) bool {
	v, _ := h.value(Param{Name: name, Kind: KindBoolean}, opts).(bool)
	return v
}

// Fixed registers a constant (int, float64, string or bool) and returns it.
func (h *HyperParameters) Fixed(name string, value any) any {
	return h.value(Param{Name: name, Kind: KindFixed, Values: []any{value}}, nil)
}

// Register adds a definition given as a Param (as a study file does) under
// the view's scope and conditions, and returns its value. An error is also
// kept for Err, like the typed methods' errors.
func (h *HyperParameters) Register(p Param) (any, error) {
	v, err := h.lookup(p, nil)
	if err != nil && h.st.err == nil {
		h.st.err = err
	}
	return v, err
}

// value is lookup for the typed methods: it keeps the first error in the
// shared state. It returns nil for a bad definition (so the typed methods
// return their zero value) and the default for a trial value not in the
// space.
func (h *HyperParameters) value(p Param, opts []Option) any {
	v, err := h.lookup(p, opts)
	if err != nil && h.st.err == nil {
		h.st.err = err
	}
	return v
}

func (h *HyperParameters) lookup(p Param, opts []Option) (any, error) {
	p.Name = h.prefix + p.Name
	p.Conditions = append(append([]Condition(nil), h.conds...), p.Conditions...)
	for _, o := range opts {
		o.apply(&p)
	}
	st := h.st
	if st.entries != nil {
		var err error
		if p, err = st.entries.entry(p); err != nil {
			return nil, err
		}
	}
	if err := st.space.Add(p); err != nil {
		return nil, err
	}
	def, _ := st.space.Param(p.Name)
	if !st.space.Active(p.Name, st.values) {
		return def.Default, nil
	}
	v, ok := st.values[p.Name]
	if !ok {
		st.values[p.Name] = def.Default
		return def.Default, nil
	}
	if !def.Contains(v) {
		return def.Default, def.errorf("value %v (%T) is not in the space", v, v)
	}
	return v, nil
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}
