package hp

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
)

// Space is an ordered set of hyperparameter definitions. Parents come before
// the hyperparameters conditional on them, because define-by-run registers
// them in that order.
type Space struct {
	params []Param
}

// NewSpace returns a space holding params, added in order.
func NewSpace(params ...Param) (*Space, error) {
	s := &Space{}
	for _, p := range params {
		if err := s.Add(p); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Len is the number of hyperparameters.
func (s *Space) Len() int { return len(s.params) }

// Params returns the definitions in registration order. The caller must not
// modify them.
func (s *Space) Params() []Param { return s.params }

// Param returns the definition named name.
func (s *Space) Param(name string) (*Param, bool) {
	for i := range s.params {
		if s.params[i].Name == name {
			return &s.params[i], true
		}
	}
	return nil, false
}

// Clone returns a deep copy of s.
func (s *Space) Clone() *Space {
	c := &Space{params: make([]Param, len(s.params))}
	for i, p := range s.params {
		p.Values = slices.Clone(p.Values)
		p.Conditions = slices.Clone(p.Conditions)
		for j := range p.Conditions {
			p.Conditions[j].Values = slices.Clone(p.Conditions[j].Values)
		}
		c.params[i] = p
	}
	return c
}

// Add validates p and appends it. Adding a name again with the same
// definition is a no-op; with a different one it is an ErrConflict.
func (s *Space) Add(p Param) error {
	p.Values = slices.Clone(p.Values)
	p.Conditions = slices.Clone(p.Conditions)
	if err := p.normalize(); err != nil {
		return err
	}
	for i, c := range p.Conditions {
		parent, ok := s.Param(c.Parent)
		if !ok {
			return p.errorf("condition on unknown hyperparameter %q", c.Parent)
		}
		if len(c.Values) == 0 {
			return p.errorf("condition on %q lists no values", c.Parent)
		}
		vals := make([]any, len(c.Values))
		for j, v := range c.Values {
			sv, err := parent.canonical(v)
			if err != nil {
				return p.errorf("condition on %q: %v", c.Parent, err)
			}
			vals[j] = sv
		}
		p.Conditions[i].Values = vals
	}
	if old, ok := s.Param(p.Name); ok {
		if old.Equal(&p) {
			return nil
		}
		return &Error{Name: p.Name, Err: ErrConflict,
			Reason: fmt.Sprintf("registered again with a different definition (was %v; now %v)", old, p)}
	}
	s.params = append(s.params, p)
	return nil
}

// Active reports whether the named hyperparameter is active under v: all
// its conditions hold and its parents are active.
func (s *Space) Active(name string, v Values) bool {
	p, ok := s.Param(name)
	if !ok {
		return false
	}
	return s.conditionsHold(p.Conditions, v)
}

func (s *Space) conditionsHold(conds []Condition, v Values) bool {
	for _, c := range conds {
		pv, ok := v[c.Parent]
		if !ok || !slices.Contains(c.Values, pv) || !s.Active(c.Parent, v) {
			return false
		}
	}
	return true
}

// Defaults returns the default of every hyperparameter active under the
// defaults.
func (s *Space) Defaults() Values {
	return s.fill(func(_ int, p *Param) any { return p.Default })
}

// Sample draws every active hyperparameter uniformly on its unit-interval
// encoding. It draws one number per hyperparameter in order, active or not,
// so it equals FromUnit of a uniform point, and whether one hyperparameter
// is active does not change the draws of the others.
func (s *Space) Sample(rng *rand.Rand) Values {
	u := make([]float64, len(s.params))
	for i := range u {
		u[i] = rng.Float64()
	}
	return s.FromUnit(u)
}

// FromUnit decodes a point of the unit cube, one coordinate per Param in
// order; coordinates of inactive hyperparameters are ignored. It panics if
// len(u) != Len(), a programming error of the caller.
func (s *Space) FromUnit(u []float64) Values {
	if len(u) != len(s.params) {
		panic(fmt.Sprintf("hp: FromUnit got %d coordinates for %d hyperparameters", len(u), len(s.params)))
	}
	return s.fill(func(i int, p *Param) any { return p.FromUnit(u[i]) })
}

// ToUnit encodes v as a point of the unit cube. Inactive hyperparameters
// take the encoding of their default.
func (s *Space) ToUnit(v Values) ([]float64, error) {
	u := make([]float64, len(s.params))
	for i := range s.params {
		p := &s.params[i]
		x, ok := v[p.Name]
		if !ok {
			x = p.Default
		}
		var err error
		if u[i], err = p.ToUnit(x); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// fill visits the params in order and assigns value(p) to each active one.
func (s *Space) fill(value func(i int, p *Param) any) Values {
	v := make(Values, len(s.params))
	for i := range s.params {
		p := &s.params[i]
		if s.conditionsHold(p.Conditions, v) {
			v[p.Name] = value(i, p)
		}
	}
	return v
}

// Validate checks that v holds a valid value for every active
// hyperparameter and nothing else.
func (s *Space) Validate(v Values) error {
	for i := range s.params {
		p := &s.params[i]
		x, ok := v[p.Name]
		active := s.conditionsHold(p.Conditions, v)
		switch {
		case active && !ok:
			return p.errorf("no value")
		case !active && ok:
			return p.errorf("has a value but is inactive")
		case ok && !p.Contains(x):
			return p.errorf("value %v (%T) is not in the space", x, x)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(v)) {
		if _, ok := s.Param(name); !ok {
			return &Error{Name: name, Reason: "not in the space", Err: ErrUnknown}
		}
	}
	return nil
}

// String summarises the space like Keras Tuner's search_space_summary.
func (s *Space) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Search space: %d hyperparameters\n", len(s.params))
	for _, p := range s.params {
		b.WriteString(p.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// String describes one definition on one line.
func (p Param) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)", p.Name, p.Kind)
	switch p.Kind {
	case KindInt, KindFloat:
		fmt.Fprintf(&b, ": [%v, %v]", p.Min, p.Max)
		if p.Step > 0 {
			fmt.Fprintf(&b, " step %v", p.Step)
		}
		fmt.Fprintf(&b, " %s", p.Sampling)
	case KindChoice:
		fmt.Fprintf(&b, ": %v", p.Values)
		if p.Ordered {
			b.WriteString(" ordered")
		}
	case KindFixed:
		if len(p.Values) > 0 {
			fmt.Fprintf(&b, ": %v", p.Values[0])
		}
	}
	if p.Kind != KindFixed {
		fmt.Fprintf(&b, ", default %v", p.Default)
	}
	for _, c := range p.Conditions {
		fmt.Fprintf(&b, ", when %s in %v", c.Parent, c.Values)
	}
	return b.String()
}

type conditionJSON struct {
	Parent string       `json:"parent"`
	Values []scalarJSON `json:"values"`
}

type paramJSON struct {
	Name       string          `json:"name"`
	Kind       Kind            `json:"kind"`
	Min        float64         `json:"min,omitempty"`
	Max        float64         `json:"max,omitempty"`
	Step       float64         `json:"step,omitempty"`
	Sampling   Sampling        `json:"sampling,omitempty"`
	Values     []scalarJSON    `json:"values,omitempty"`
	Ordered    bool            `json:"ordered,omitempty"`
	Default    scalarJSON      `json:"default"`
	Conditions []conditionJSON `json:"conditions,omitempty"`
}

// MarshalJSON writes the definitions in order, with typed values. It has a
// value receiver so that a Space stored by value in a struct encodes too.
func (s Space) MarshalJSON() ([]byte, error) {
	out := make([]paramJSON, len(s.params))
	for i, p := range s.params {
		j := paramJSON{Name: p.Name, Kind: p.Kind, Min: p.Min, Max: p.Max, Step: p.Step,
			Sampling: p.Sampling, Values: wrapScalars(p.Values), Ordered: p.Ordered, Default: scalarJSON{p.Default}}
		for _, c := range p.Conditions {
			j.Conditions = append(j.Conditions, conditionJSON{c.Parent, wrapScalars(c.Values)})
		}
		out[i] = j
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads and validates what MarshalJSON writes.
func (s *Space) UnmarshalJSON(data []byte) error {
	var in []paramJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return fmt.Errorf("hp: decoding space: %w", err)
	}
	var next Space
	for _, j := range in {
		p := Param{Name: j.Name, Kind: j.Kind, Min: j.Min, Max: j.Max, Step: j.Step,
			Sampling: j.Sampling, Values: unwrapScalars(j.Values), Ordered: j.Ordered, Default: j.Default.v}
		for _, c := range j.Conditions {
			p.Conditions = append(p.Conditions, Condition{c.Parent, unwrapScalars(c.Values)})
		}
		if err := next.Add(p); err != nil {
			return err
		}
	}
	*s = next
	return nil
}
