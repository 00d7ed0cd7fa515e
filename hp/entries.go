package hp

import (
	"fmt"
	"slices"
)

// Entries predefines hyperparameters for a build, as Keras Tuner's
// hyperparameters= argument with tune_new_entries and allow_new_entries:
// a name Space defines takes that definition wherever the build declares
// it (the build's scope conditions are kept), which fixes or narrows it
// without touching the build. A name Space lacks is a new entry: tuned as
// declared by default, fixed at its default with FixNew (tune_new_entries
// false), or an error wrapping ErrNewEntry with RefuseNew
// (allow_new_entries false).
type Entries struct {
	Space     *Space `json:"space"`
	FixNew    bool   `json:"fix_new,omitempty"`
	RefuseNew bool   `json:"refuse_new,omitempty"`
}

// SetEntries makes h (and every view of it) apply e to the hyperparameters
// registered from now on. A nil e, or one with no Space, changes nothing.
func (h *HyperParameters) SetEntries(e *Entries) {
	if e == nil || e.Space == nil {
		h.st.entries = nil
		return
	}
	h.st.entries = e
}

// entry returns the definition to register for p, as declared.
func (e *Entries) entry(p Param) (Param, error) {
	if q, ok := e.Space.Param(p.Name); ok {
		out := *q
		out.Values = slices.Clone(q.Values)
		out.Conditions = append(append([]Condition(nil), p.Conditions...), q.Conditions...)
		return out, nil
	}
	switch {
	case e.RefuseNew:
		return Param{}, fmt.Errorf("hyperparameter %q: %w (allow_new_entries is false)", p.Name, ErrNewEntry)
	case e.FixNew:
		scratch := &Space{}
		if err := scratch.Add(p); err != nil {
			return Param{}, err
		}
		def := scratch.params[0].Default
		return Param{Name: p.Name, Kind: KindFixed, Values: []any{def}, Default: def, Conditions: p.Conditions}, nil
	}
	return p, nil
}
