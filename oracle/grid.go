package oracle

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// GridSearch tries every combination of values, in Keras Tuner's order:
//
//   - The first trial takes every default.
//   - Each hyperparameter's values are ordered default first, then the
//     others in their natural order (a choice's order, a range's ascending
//     grid), skipping the default.
//   - Combinations count like an odometer: the last-declared hyperparameter
//     varies fastest. When a hyperparameter moves on, the ones declared
//     after it start again at their defaults.
//   - A conditional hyperparameter takes part only in the combinations
//     where it is active; one that becomes active starts at its default.
//   - A continuous range (a Float without a step, or an Int with log or
//     reverse_log sampling and no step) contributes 10 values evenly spread
//     on its unit-interval encoding, at the cell centres (i+0.5)/10 as Keras
//     Tuner does (so log sampling spreads them evenly in log), plus its
//     default. Give the range a step for another granularity.
//
// The search ends with ErrExhausted when every combination has been tried.
//
// Next proposes the first combination, in that order, that no stored trial
// holds. It keeps no state, so a resumed search goes on where it stopped
// and parallel workers never get the same combination; a hyperparameter
// discovered while a trial runs (a custom objective's, or a branch a build
// function reaches for the first time) is explored from the trial that
// found it, like Keras Tuner does. While no combination is left but trials
// are still running (they may discover hyperparameters), Next returns
// ErrWait.
//
// The tuner caps a search at Options.MaxTrials: set it to at least the
// number of combinations.
type GridSearch struct{}

// Bounded marks GridSearch as ending the search by itself.
func (g *GridSearch) Bounded() {}

// Name returns "grid".
func (g *GridSearch) Name() string { return "grid" }

// Next returns the first untried combination.
func (g *GridSearch) Next(s State) (Proposal, error) {
	gr := newGrid(s.Space, true)
	tried := make(map[string]bool, len(s.Trials))
	var points [][]int
	var unreached [][]bool
	for _, t := range s.Trials {
		d, ok := gr.digits(t.Values)
		if !ok {
			continue
		}
		if k := digitsKey(d); !tried[k] {
			tried[k] = true
			points = append(points, d)
			unreached = append(unreached, gr.unreached(d, t.Values))
		}
	}
	// The first untried combination g follows its predecessor, which is
	// tried (or g is the first of all): so it is the least untried among
	// the first combination and the successors of the tried ones.
	var best []int
	consider := func(d []int) {
		if d != nil && !tried[digitsKey(d)] && (best == nil || slices.Compare(d, best) < 0) {
			best = d
		}
	}
	consider(gr.first())
	for i, d := range points {
		if next, ok := gr.successor(d, unreached[i]); ok {
			consider(next)
		}
	}
	if best != nil {
		return Proposal{Values: gr.values(best)}, nil
	}
	if running(s.Trials) {
		return Proposal{}, ErrWait
	}
	return Proposal{}, ErrExhausted
}

// running reports whether any trial is running.
func running(ts []*trials.Trial) bool {
	for _, t := range ts {
		if t.Status == trials.Running {
			return true
		}
	}
	return false
}

// gridValues is how many values a continuous range contributes to a grid.
const gridValues = 10

// grid enumerates the combinations of a space as digit vectors: one digit
// per hyperparameter in declaration order, -1 when it is inactive, and
// otherwise the index of its value in the axis order (default first).
type grid struct {
	space *hp.Space
	axes  []*axis
}

// axis lists the values of one hyperparameter: digit 0 is the default,
// then its natural values in order, without the default.
type axis struct {
	p      *hp.Param
	n      int   // number of digits
	count  int   // number of natural values
	defIdx int   // natural index of the default, -1 if not among them
	list   []any // the natural values of a continuous range
}

// newGrid makes the axes of space. With spread, a continuous range has
// gridValues evenly spread values; without, a space with a continuous
// range has no grid (nil).
func newGrid(space *hp.Space, spread bool) *grid {
	ps := space.Params()
	g := &grid{space: space, axes: make([]*axis, len(ps))}
	for i := range ps {
		p := &ps[i]
		a := &axis{p: p, defIdx: -1}
		if a.count = p.Count(); a.count == 0 {
			if !spread {
				return nil
			}
			for j := range gridValues {
				v := p.FromUnit((float64(j) + 0.5) / gridValues)
				if !slices.Contains(a.list, v) {
					a.list = append(a.list, v)
				}
			}
			a.count = len(a.list)
		}
		if j, ok := a.natural(p.Default); ok {
			a.defIdx = j
		}
		a.n = a.count
		if a.defIdx < 0 {
			a.n++
		}
		g.axes[i] = a
	}
	return g
}

// natural returns the index of v among the natural values.
func (a *axis) natural(v any) (int, bool) {
	p := a.p
	if a.list != nil {
		j := slices.Index(a.list, v)
		return j, j >= 0
	}
	switch p.Kind {
	case hp.KindChoice, hp.KindBoolean, hp.KindFixed:
		j := slices.Index(p.Values, v)
		return j, j >= 0
	}
	u, err := p.ToUnit(v)
	if err != nil {
		return 0, false
	}
	// ToUnit gives the cell centre (j+0.5)/count; allow for rounding.
	j := int(math.Round(u*float64(a.count) - 0.5))
	for _, k := range []int{j, j - 1, j + 1} {
		if k >= 0 && k < a.count && p.ValueAt(k) == v {
			return k, true
		}
	}
	return 0, false
}

// value returns the value of digit d.
func (a *axis) value(d int) any {
	if d == 0 {
		return a.p.Default
	}
	j := d - 1
	if a.defIdx >= 0 && j >= a.defIdx {
		j++
	}
	if a.list != nil {
		return a.list[j]
	}
	return a.p.ValueAt(j)
}

// digit returns the digit of v.
func (a *axis) digit(v any) (int, bool) {
	if v == a.p.Default {
		return 0, true
	}
	j, ok := a.natural(v)
	if !ok {
		return 0, false
	}
	if a.defIdx >= 0 && j > a.defIdx {
		return j, true
	}
	return j + 1, true
}

// digits encodes v: its active hyperparameters, those v lacks taking their
// defaults (which a trial that met them for the first time ran with). ok is
// false when a value is not on the grid.
func (g *grid) digits(v hp.Values) ([]int, bool) {
	d := make([]int, len(g.axes))
	norm := make(hp.Values, len(g.axes))
	for i, a := range g.axes {
		p := &g.space.Params()[i]
		if !g.space.Active(p.Name, norm) {
			d[i] = -1
			continue
		}
		x, ok := v[p.Name]
		if !ok {
			x = p.Default
		}
		if d[i], ok = a.digit(x); !ok {
			return nil, false
		}
		norm[p.Name] = x
	}
	return d, true
}

// values decodes digits.
func (g *grid) values(d []int) hp.Values {
	v := make(hp.Values, len(d))
	for i, x := range d {
		if x >= 0 {
			v[g.axes[i].p.Name] = g.axes[i].value(x)
		}
	}
	return v
}

// first returns the combination of the defaults.
func (g *grid) first() []int {
	d := make([]int, len(g.axes))
	g.reset(d, 0, make(hp.Values, len(d)))
	return d
}

// reset sets the digits from i on to the defaults of those active under v,
// which holds the values of the digits before i; it adds them to v.
func (g *grid) reset(d []int, i int, v hp.Values) {
	for ; i < len(d); i++ {
		p := &g.space.Params()[i]
		d[i] = -1
		if g.space.Active(p.Name, v) {
			d[i] = 0
			v[p.Name] = p.Default
		}
	}
}

// unreached marks the active hyperparameters of combination d that the
// trial holding v never reached (its record lacks them: a build branch it
// did not take, or a name registered only by later trials).
func (g *grid) unreached(d []int, v hp.Values) []bool {
	var out []bool
	for i, x := range d {
		if _, ok := v[g.axes[i].p.Name]; x >= 0 && !ok {
			if out == nil {
				out = make([]bool, len(d))
			}
			out[i] = true
		}
	}
	return out
}

// successor returns the combination after d: the last active
// hyperparameter that has a next value takes it, and all after it start
// again at their defaults. Hyperparameters marked in frozen (nil: none)
// keep their value: a trial that never reached a hyperparameter is not
// varied along it, as Keras Tuner, which knows only the values a trial
// met, does not (its "new hyperparameter inside a branch" case runs 12
// trials, not 18).
func (g *grid) successor(d []int, frozen []bool) ([]int, bool) {
	for i := len(d) - 1; i >= 0; i-- {
		if d[i] < 0 || d[i]+1 >= g.axes[i].n || frozen != nil && frozen[i] {
			continue
		}
		next := slices.Clone(d)
		next[i]++
		g.reset(next, i+1, g.values(next[:i+1]))
		return next, true
	}
	return nil, false
}

func digitsKey(d []int) string {
	var b strings.Builder
	for i, x := range d {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(x))
	}
	return b.String()
}
