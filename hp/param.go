package hp

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Kind is the type of a hyperparameter.
type Kind string

// The kinds of hyperparameter, as in Keras Tuner.
const (
	KindInt     Kind = "int"
	KindFloat   Kind = "float"
	KindChoice  Kind = "choice"
	KindBoolean Kind = "boolean"
	KindFixed   Kind = "fixed"
)

// Sampling says how a numeric range maps to the unit interval. It is also an
// Option: h.Float("lr", 1e-4, 1e-2, hp.Log).
type Sampling string

// The samplings of a numeric range.
const (
	Linear     Sampling = "linear"
	Log        Sampling = "log"         // uniform in log(value); min must be > 0
	ReverseLog Sampling = "reverse_log" // dense near max; min must be > 0
)

// Condition makes a Param active only when the Parent hyperparameter has one
// of Values.
type Condition struct {
	Parent string
	Values []any
}

// Param is the definition of one hyperparameter.
//
// The distinct values of an Int or Float with a Step form a grid:
//
//   - Linear sampling: min, min+step, min+2·step, … up to max inclusive. A
//     Float grid value is computed as min + i·step and rounded to as many
//     decimals as min and step have together (their shortest decimal
//     forms), so Float(0, 1, Step(0.2)) has exactly 0, 0.2, 0.4, 0.6, 0.8
//     and 1, never 0.6000000000000001.
//   - Log sampling: the step is a factor: min, min·step, min·step², … up to
//     max inclusive, as in Keras Tuner (Int(32, 512, Step(2), Log) is 32,
//     64, 128, 256, 512). Float values are rounded the same way.
//   - Reverse_log sampling (floats only): the log grid mirrored, max + min
//     − v for each log grid value v, dense near max as Keras Tuner:
//     Float(0.01, 100, Step(10), ReverseLog) is 0.01, 90.01, 99.01, 99.91
//     and 100.
//
// A grid value is accepted by Contains only in exactly that form; Default
// and condition values that are within rounding of a grid value are snapped
// to it when the Param is added to a Space.
//
// An Int with log or reverse_log sampling and no step is a continuous range
// rounded to the nearest integer; an Int with linear sampling and no step
// has step 1.
type Param struct {
	Name string
	Kind Kind

	// Min and Max bound an Int or Float; Max is inclusive. An Int's bounds
	// must lie within ±2^53 (where float64 holds every integer exactly), and
	// a stepped range may have at most 2^50 values.
	Min, Max float64
	// Step is the distance between neighbouring values, or with Log
	// sampling the factor between them. Zero means continuous for a Float
	// and 1 for an Int with linear sampling.
	Step     float64
	Sampling Sampling

	// Values are a Choice's values (all int, all float64, all string or all
	// bool), or a Fixed's single value.
	Values []any
	// Ordered marks a Choice's values as ordered; numeric choices are.
	Ordered bool

	Default    any
	Conditions []Condition

	// count caches Count()+1 for a normalized range; 0 means not known.
	count int
}

const (
	// eps is the tolerance, in steps, within which a number counts as a
	// grid value (for snapping defaults and condition values) and within
	// which a float grid value counts as not past max.
	eps = 1e-9
	// maxInt bounds an Int's range: every integer up to it is exact as a
	// float64.
	maxInt = 1 << 53
	// maxGrid bounds the number of values of a stepped range, so that the
	// unit-interval cells stay wide enough for exact round trips.
	maxGrid = 1 << 50
)

func (p *Param) errorf(format string, args ...any) error {
	return &Error{Name: p.Name, Reason: fmt.Sprintf(format, args...), Err: ErrInvalid}
}

// normalize checks a definition, fills defaults and canonicalizes value
// types. It is called by Space.Add, and is idempotent.
func (p *Param) normalize() error {
	if p.Name == "" {
		return &Error{Reason: "a name is required", Err: ErrInvalid}
	}
	switch p.Kind {
	case KindInt, KindFloat:
		return p.normalizeRange()
	case KindChoice, KindBoolean, KindFixed:
		if p.Min != 0 || p.Max != 0 || p.Step != 0 || p.Sampling != "" {
			return p.errorf("min, max, step and sampling apply only to int and float, not to %s", p.Kind)
		}
	default:
		return p.errorf("unknown kind %q", p.Kind)
	}
	switch p.Kind {
	case KindChoice:
		return p.normalizeChoice()
	case KindBoolean:
		p.Values = []any{false, true}
		if p.Default == nil {
			p.Default = false
		}
		if _, ok := p.Default.(bool); !ok {
			return p.errorf("default %v (%T) is not a bool", p.Default, p.Default)
		}
	case KindFixed:
		if len(p.Values) != 1 {
			return p.errorf("a fixed hyperparameter needs exactly one value, got %d", len(p.Values))
		}
		v, err := scalar(p.Values[0])
		if err != nil {
			return p.errorf("%v", err)
		}
		p.Values[0], p.Default = v, v
	}
	return nil
}

func (p *Param) normalizeRange() error {
	p.count = 0
	if !finite(p.Min) || !finite(p.Max) {
		return p.errorf("min %v and max %v must be finite", p.Min, p.Max)
	}
	if p.Min > p.Max {
		return p.errorf("min %v > max %v", p.Min, p.Max)
	}
	if p.Min == 0 {
		p.Min = 0 // no -0
	}
	if p.Max == 0 {
		p.Max = 0
	}
	if p.Sampling == "" {
		p.Sampling = Linear
	}
	switch p.Sampling {
	case Linear:
	case Log, ReverseLog:
		if p.Min <= 0 {
			return p.errorf("%s sampling needs min > 0, got %v", p.Sampling, p.Min)
		}
	default:
		return p.errorf("unknown sampling %q (want linear, log or reverse_log)", p.Sampling)
	}
	if p.Step < 0 || !finite(p.Step) {
		return p.errorf("step %v must be positive and finite", p.Step)
	}
	if p.Step > 0 && p.Sampling == Log && p.Step <= 1 {
		return p.errorf("with log sampling the step is a factor and must be > 1, got %v", p.Step)
	}
	if p.Step > 0 && p.Sampling == ReverseLog && (p.Kind == KindInt || p.Step <= 1) {
		return p.errorf("with reverse_log sampling the step is a factor > 1 of a float, got %v for a %s", p.Step, p.Kind)
	}
	if p.Kind == KindInt {
		if p.Min != math.Trunc(p.Min) || p.Max != math.Trunc(p.Max) || p.Step != math.Trunc(p.Step) {
			return p.errorf("an int needs whole min, max and step, got %v, %v, %v", p.Min, p.Max, p.Step)
		}
		if p.Min < -maxInt || p.Max > maxInt || p.Step > maxInt {
			return p.errorf("int bounds and step must lie within ±2^53")
		}
		if p.Step == 0 && p.Sampling == Linear {
			p.Step = 1
		}
		if p.Sampling == Linear && (int(p.Max)-int(p.Min))/int(p.Step) >= maxGrid {
			return p.errorf("[%v, %v] step %v has more than 2^50 values", p.Min, p.Max, p.Step)
		}
	} else if p.Step > 0 && p.Min != p.Max && !(p.gridSize() <= maxGrid) {
		return p.errorf("[%v, %v] step %v has more than 2^50 values", p.Min, p.Max, p.Step)
	}
	p.count = p.Count() + 1
	if p.Default == nil {
		p.Default = p.minValue()
	}
	d, err := p.coerce(p.Default)
	if err != nil {
		return p.errorf("default: %v", err)
	}
	if f := Float(d); f < p.Min || f > p.Max {
		return p.errorf("default %v outside [%v, %v]", d, p.Min, p.Max)
	}
	if d, err = p.canonical(d); err != nil {
		return p.errorf("default: %v", err)
	}
	p.Default = d
	return nil
}

// minValue is the smallest value of a range, typed.
func (p *Param) minValue() any {
	if p.Kind == KindInt {
		return int(p.Min)
	}
	return p.Min
}

func (p *Param) normalizeChoice() error {
	if len(p.Values) == 0 {
		return p.errorf("a choice needs at least one value")
	}
	vals := make([]any, len(p.Values))
	for i, v := range p.Values {
		s, err := scalar(v)
		if err != nil {
			return p.errorf("value %d: %v", i, err)
		}
		if i > 0 && typeName(s) != typeName(vals[0]) {
			return p.errorf("mixed value types %s and %s", typeName(vals[0]), typeName(s))
		}
		if slices.Contains(vals[:i], s) {
			return p.errorf("value %v appears twice", s)
		}
		vals[i] = s
	}
	p.Values = vals
	switch vals[0].(type) {
	case int, float64:
		p.Ordered = true
	}
	if p.Default == nil {
		p.Default = vals[0]
	}
	d, err := p.canonical(p.Default)
	if err != nil {
		return p.errorf("default %v is not one of the choices %v", p.Default, vals)
	}
	p.Default = d
	return nil
}

// coerce converts v to the Go type of an Int (int) or Float (float64).
func (p *Param) coerce(v any) (any, error) {
	switch x := v.(type) {
	case int:
		if x > maxInt || x < -maxInt {
			return nil, fmt.Errorf("%v is out of the range of an int or float hyperparameter", x)
		}
		if p.Kind == KindInt {
			return x, nil
		}
		return float64(x), nil
	case int64:
		return p.coerce(int(x))
	case int32:
		return p.coerce(int(x))
	case float32:
		return p.coerce(float64(x))
	case float64:
		if !finite(x) {
			return nil, fmt.Errorf("%v is not finite", x)
		}
		if p.Kind == KindInt {
			if x != math.Trunc(x) {
				return nil, fmt.Errorf("%v is not a whole number", x)
			}
			if math.Abs(x) > maxInt {
				return nil, fmt.Errorf("%v is out of the range of an int hyperparameter", x)
			}
			return int(x), nil
		}
		if x == 0 {
			return 0.0, nil // no -0
		}
		return x, nil
	}
	return nil, fmt.Errorf("%v (%T) is not a number", v, v)
}

// canonical converts v to the Go type and, for a grid, the exact grid value
// it denotes (within rounding), or reports that v is not a value of p. It
// also takes an int for a float choice or fixed value.
func (p *Param) canonical(v any) (any, error) {
	s, err := scalar(v)
	if err != nil {
		return nil, err
	}
	switch p.Kind {
	case KindInt, KindFloat:
		if s, err = p.coerce(s); err != nil {
			return nil, err
		}
		if p.Count() > 0 {
			if i, ok := p.nearest(s); ok {
				s = p.ValueAt(i)
			}
		}
	default:
		if i, ok := s.(int); ok && len(p.Values) > 0 {
			if _, isFloat := p.Values[0].(float64); isFloat {
				s = float64(i)
			}
		}
	}
	if !p.Contains(s) {
		return nil, fmt.Errorf("%v is not a value of %s", s, p.describeValues())
	}
	return s, nil
}

func (p *Param) describeValues() string {
	switch p.Kind {
	case KindInt, KindFloat:
		if p.Step > 0 {
			return fmt.Sprintf("[%v, %v] step %v", p.Min, p.Max, p.Step)
		}
		return fmt.Sprintf("[%v, %v]", p.Min, p.Max)
	}
	return fmt.Sprintf("%v", p.Values)
}

// Count is the number of distinct values, or 0 for a continuous range (a
// Float without a step, or an Int with log or reverse_log sampling and no
// step, which is continuous and rounded).
func (p *Param) Count() int {
	switch p.Kind {
	case KindChoice, KindBoolean, KindFixed:
		return len(p.Values)
	}
	if p.count > 0 {
		return p.count - 1
	}
	if p.Min == p.Max {
		return 1
	}
	if p.Step <= 0 {
		return 0
	}
	if p.Kind == KindInt {
		lo, hi, step := int(p.Min), int(p.Max), int(p.Step)
		if p.Sampling == Log {
			n := 1
			for v := lo; v <= hi/step; v *= step {
				n++
			}
			return n
		}
		return (hi-lo)/step + 1
	}
	if n := p.gridSize(); n <= maxGrid {
		return int(n)
	}
	return 0
}

// gridSize counts a float grid: the grid values, rounded, that are not past
// max by more than eps steps.
func (p *Param) gridSize() float64 {
	var x float64
	if p.logGrid() {
		x = (math.Log(p.Max) - math.Log(p.Min)) / math.Log(p.Step)
	} else {
		x = p.Max/p.Step - p.Min/p.Step
	}
	if !(x < maxGrid) {
		return math.Inf(1)
	}
	// x is right to within rounding; correct it by at most a few steps
	// against the rounded grid values themselves.
	k := math.Floor(x)
	for range 3 {
		if k <= 0 || p.gridFloat(int(k)) <= p.Max+p.tol(int(k)) {
			break
		}
		k--
	}
	for range 3 {
		if p.gridFloat(int(k)+1) > p.Max+p.tol(int(k)+1) {
			break
		}
		k++
	}
	return k + 1
}

// tol is eps steps at the i-th grid value.
func (p *Param) tol(i int) float64 {
	if p.logGrid() {
		return eps * p.gridFloat(i) * (p.Step - 1)
	}
	return eps * p.Step
}

// logGrid reports whether a float grid's step is a factor: log sampling,
// or reverse_log, whose values are max + min − v for the log grid's v.
func (p *Param) logGrid() bool { return p.Sampling == Log || p.Sampling == ReverseLog }

// reverseValue is the i-th value of a reverse_log grid of n values: max +
// min − the (n−1−i)-th log grid value, as Keras Tuner computes it, rounded
// to the decimals of its terms.
func (p *Param) reverseValue(i, n int) float64 {
	j := n - 1 - i
	f := p.Max + p.Min - p.gridFloat(j)
	f = roundDecimals(f, max(decimals(p.Max), decimals(p.Min)+j*decimals(p.Step)))
	return math.Min(math.Max(f, p.Min), p.Max)
}

// gridFloat is the i-th value of a float grid, unclamped (for reverse_log,
// of the log grid it mirrors).
func (p *Param) gridFloat(i int) float64 {
	if p.logGrid() {
		f := p.Min * math.Pow(p.Step, float64(i))
		if math.IsInf(f, 0) { // Pow overflowed though the product may not
			f = math.Exp(math.Log(p.Min) + float64(i)*math.Log(p.Step))
		}
		return roundDecimals(f, decimals(p.Min)+i*decimals(p.Step))
	}
	f := p.Min + float64(i)*p.Step
	return roundDecimals(f, max(decimals(p.Min), decimals(p.Step)))
}

// ValueAt returns the i-th of Count distinct values, in order.
func (p *Param) ValueAt(i int) any {
	switch p.Kind {
	case KindChoice, KindBoolean, KindFixed:
		return p.Values[i]
	}
	if p.Min == p.Max {
		return p.minValue()
	}
	if p.Kind == KindInt {
		v, step := int(p.Min), int(p.Step)
		if p.Sampling == Log {
			for range i {
				if v > int(p.Max)/step {
					return int(p.Max)
				}
				v *= step
			}
			return v
		}
		return min(v+i*step, int(p.Max))
	}
	if p.Sampling == ReverseLog {
		return p.reverseValue(i, p.Count())
	}
	return math.Min(p.gridFloat(i), p.Max)
}

// nearest returns the index of the grid value nearest the number v, and
// whether v is within eps steps of it. p must have Count() > 0.
func (p *Param) nearest(v any) (int, bool) {
	n := p.Count()
	if n == 1 {
		return 0, Float(v) == Float(p.ValueAt(0))
	}
	if iv, ok := v.(int); ok && p.Kind == KindInt {
		lo, step := int(p.Min), int(p.Step)
		if p.Sampling == Log {
			for i, w := 0, lo; i < n; i, w = i+1, w*step {
				if w == iv {
					return i, true
				}
			}
			return 0, false
		}
		if iv < lo || (iv-lo)%step != 0 || (iv-lo)/step >= n {
			return 0, false
		}
		return (iv - lo) / step, true
	}
	f := Float(v)
	var x float64
	switch p.Sampling {
	case Log:
		x = (math.Log(f) - math.Log(p.Min)) / math.Log(p.Step)
	case ReverseLog:
		x = float64(n-1) - (math.Log(p.Max+p.Min-f)-math.Log(p.Min))/math.Log(p.Step)
	default:
		x = f/p.Step - p.Min/p.Step
	}
	r := math.Round(x)
	if !(r >= 0 && r < float64(n)) {
		return 0, false
	}
	i := int(r)
	g := Float(p.ValueAt(i))
	return i, math.Abs(f-g) <= p.tol(i) || f == g
}

// Contains reports whether v is a valid value of p, of the right Go type.
// A value of a grid must be the grid value exactly (see Param).
func (p *Param) Contains(v any) bool {
	switch p.Kind {
	case KindChoice, KindBoolean, KindFixed:
		return slices.Contains(p.Values, v)
	case KindInt:
		x, ok := v.(int)
		if !ok || x < int(p.Min) || x > int(p.Max) {
			return false
		}
	case KindFloat:
		x, ok := v.(float64)
		if !ok || !(x >= p.Min && x <= p.Max) {
			return false
		}
	default:
		return false
	}
	if p.Count() == 0 {
		return true
	}
	i, ok := p.nearest(v)
	return ok && p.ValueAt(i) == v
}

// ToUnit maps a value into [0, 1]. Discrete values map to the centres of
// equal cells, (i + 0.5) / Count, so FromUnit(ToUnit(v)) == v. A continuous
// value maps by its sampling: linear (v-min)/(max-min), log
// log(v/min)/log(max/min), reverse_log 1 - log((max+min-v)/min)/log(max/min)
// (the formulas of Keras Tuner).
func (p *Param) ToUnit(v any) (float64, error) {
	if !p.Contains(v) {
		return 0, p.errorf("value %v (%T) is not in the space", v, v)
	}
	if n := p.Count(); n > 0 {
		i := 0
		switch p.Kind {
		case KindChoice, KindBoolean, KindFixed:
			i = slices.Index(p.Values, v)
		default:
			i, _ = p.nearest(v)
		}
		return (float64(i) + 0.5) / float64(n), nil
	}
	f := Float(v)
	var u float64
	switch p.Sampling {
	case Log:
		u = (math.Log(f) - math.Log(p.Min)) / (math.Log(p.Max) - math.Log(p.Min))
	case ReverseLog:
		u = 1 - math.Log1p((p.Max-f)/p.Min)/(math.Log(p.Max)-math.Log(p.Min))
	default:
		u = (f - p.Min) / (p.Max - p.Min)
		if math.IsInf(p.Max-p.Min, 0) {
			u = (f/2 - p.Min/2) / (p.Max/2 - p.Min/2)
		}
	}
	return math.Min(math.Max(u, 0), 1), nil
}

// FromUnit maps u in [0, 1] to a value; u outside is clamped and NaN is
// taken as 0. A discrete value i is returned for u in [i/Count,
// (i+1)/Count).
func (p *Param) FromUnit(u float64) any {
	if math.IsNaN(u) {
		u = 0
	}
	u = math.Min(math.Max(u, 0), 1)
	if n := p.Count(); n > 0 {
		return p.ValueAt(min(int(u*float64(n)), n-1))
	}
	var f float64
	switch p.Sampling {
	case Log:
		if r := p.Max / p.Min; !math.IsInf(r, 0) {
			f = p.Min * math.Pow(r, u)
		} else {
			f = math.Exp(math.Log(p.Min) + u*(math.Log(p.Max)-math.Log(p.Min)))
		}
	case ReverseLog:
		var g float64
		if r := p.Max / p.Min; !math.IsInf(r, 0) {
			g = p.Min * math.Pow(r, 1-u)
		} else {
			g = math.Exp(math.Log(p.Min) + (1-u)*(math.Log(p.Max)-math.Log(p.Min)))
		}
		f = (p.Max - g) + p.Min
	default:
		if d := p.Max - p.Min; !math.IsInf(d, 0) {
			f = p.Min + u*d
		} else {
			f = p.Min*(1-u) + p.Max*u
		}
	}
	// Rounding may step a hair outside the range.
	f = math.Min(math.Max(f, p.Min), p.Max)
	if p.Kind == KindInt {
		return int(math.Round(f))
	}
	return f
}

// Equal reports whether two definitions are the same.
func (p *Param) Equal(q *Param) bool {
	if p.Name != q.Name || p.Kind != q.Kind || p.Min != q.Min || p.Max != q.Max ||
		p.Step != q.Step || p.Sampling != q.Sampling || p.Ordered != q.Ordered ||
		p.Default != q.Default || !slices.Equal(p.Values, q.Values) ||
		len(p.Conditions) != len(q.Conditions) {
		return false
	}
	for i, c := range p.Conditions {
		d := q.Conditions[i]
		if c.Parent != d.Parent || !slices.Equal(c.Values, d.Values) {
			return false
		}
	}
	return true
}

// scalar canonicalizes a value to int, float64 (finite, never -0), string
// or bool.
func scalar(v any) (any, error) {
	switch x := v.(type) {
	case int, string, bool:
		return x, nil
	case int64:
		return int(x), nil
	case int32:
		return int(x), nil
	case float32:
		return scalar(float64(x))
	case float64:
		if !finite(x) {
			return nil, fmt.Errorf("value %v is not finite", x)
		}
		if x == 0 {
			return 0.0, nil // no -0
		}
		return x, nil
	}
	return nil, fmt.Errorf("value %v has type %T; want int, float64, string or bool", v, v)
}

func typeName(v any) string {
	switch v.(type) {
	case int:
		return "int"
	case float64:
		return "float"
	case string:
		return "string"
	case bool:
		return "bool"
	}
	return fmt.Sprintf("%T", v)
}

// Float returns a numeric value (an int or a float64) as a float64, and
// NaN for any other value, so that a comparison with it is false.
func Float(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	}
	return math.NaN()
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// decimals is the number of digits after the decimal point in the shortest
// decimal form of x: 1 for 0.2, 4 for 1e-4, 0 for 300.
func decimals(x float64) int {
	s := strconv.FormatFloat(x, 'e', -1, 64)
	mant, exp, _ := strings.Cut(s, "e")
	e, _ := strconv.Atoi(exp)
	m := 0
	if _, frac, ok := strings.Cut(mant, "."); ok {
		m = len(frac)
	}
	return max(m-e, 0)
}

// roundDecimals rounds x to d decimals, correctly (through the exact decimal
// expansion), and never returns -0.
func roundDecimals(x float64, d int) float64 {
	if d > 400 || !finite(x) {
		return x
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(x, 'f', d, 64), 64)
	if err != nil || r == 0 {
		return math.Abs(r)
	}
	return r
}
