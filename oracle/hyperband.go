package oracle

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// Hyperband runs Keras Tuner's Hyperband schedule: brackets of successive
// halving, from the most aggressive to the least, repeated
// HyperbandIterations times.
//
// With M = MaxEpochs, f = Factor and E = ceil(1 + log_f M), bracket b (from
// Brackets()-1 down to 0) has b+1 rounds; round r holds
//
//	Size(b, r)   = ceil(E / (b+1) · f^(b−r)) trials of
//	Epochs(b, r) = ceil(M / f^(b−r)) epochs.
//
// Round 0 draws new values at random (never values tried before in the
// study). Once every trial of a round has ended, its best Size(b, r+1)
// completed trials, by score in the objective's direction (ties to the
// lower id), are promoted: each becomes a new trial of round r+1 with the
// same values, Parent set to it and InitialEpoch = Epochs(b, r), which
// warm-starts from the parent's best-epoch checkpoint and trains epochs
// InitialEpoch..Epochs-1. Failed and pruned trials are not promoted, so a
// round may hold fewer trials than Size. For MaxEpochs 10 and Factor 3 an
// iteration has 30 trials: bracket 2 has 12 trials of 2 epochs, then 4 of
// 4, then 2 of 10; bracket 1 has 6 of 4, then 2 of 10; bracket 0 has 4 of
// 10.
//
// A round closes short when the space runs out of untried values, and
// its trials are promoted all the same: on a Boolean alone (max_epochs 8,
// factor 3) both values train on to 8 epochs, where Keras Tuner stops the
// search after their first round, leaving no model trained to max_epochs
// (TestHyperbandBooleanOnlySpace).
//
// Brackets start in order. While trials of a round are still running and
// nothing else is ready, Next starts the next bracket, so parallel workers
// keep several brackets in flight; when every bracket of every iteration
// has started it returns ErrWait until a round ends, and ErrExhausted once
// all have ended.
//
// The schedule is a function of the stored trials: each records its
// iteration, bracket and round (Trial.Iteration, Bracket and Round), so a
// resumed search continues where it stopped.
// Raising HyperbandIterations on resume adds iterations; MaxEpochs, Factor
// and MinEpochs must not change (Next reports an error when the stored
// trials do not fit the schedule).
//
// The arithmetic is exact: log_f M and the powers of f are computed on
// integers, where Keras Tuner's floating-point log can round up (for M =
// 125, f = 5 it gets E = 5 instead of 4).
//
// The tuner caps a search at Options.MaxTrials: set it to at least
// TrialsPerIteration() × HyperbandIterations.
type Hyperband struct {
	// MaxEpochs is the most epochs a trial trains; default 100.
	MaxEpochs int `json:"max_epochs,omitempty"`
	// Factor is the reduction factor f between rounds, at least 2;
	// default 3.
	Factor int `json:"factor,omitempty"`
	// HyperbandIterations is how many times to run all brackets; default 1.
	HyperbandIterations int `json:"hyperband_iterations,omitempty"`
	// MinEpochs is the fewest epochs of a first round: there are as many
	// brackets as k ≥ 0 with MinEpochs · f^k ≤ MaxEpochs; default 1.
	MinEpochs int `json:"min_epochs,omitempty"`
	// MaxCollisions bounds the random draws of a first-round trial, as for
	// RandomSearch; default 20.
	MaxCollisions int `json:"max_collisions,omitempty"`
}

// Bounded marks Hyperband as ending the search by itself.
func (h *Hyperband) Bounded() {}

// Name returns "hyperband".
func (h *Hyperband) Name() string { return "hyperband" }

// settings returns h with defaults filled, or an error naming a bad field.
func (h *Hyperband) settings() (Hyperband, error) {
	c := *h
	if c.MaxEpochs == 0 {
		c.MaxEpochs = 100
	}
	if c.Factor == 0 {
		c.Factor = 3
	}
	if c.HyperbandIterations == 0 {
		c.HyperbandIterations = 1
	}
	if c.MinEpochs == 0 {
		c.MinEpochs = 1
	}
	if c.MaxCollisions <= 0 {
		c.MaxCollisions = 20
	}
	switch {
	case c.MaxEpochs < 1:
		return c, settingErrorf("max_epochs", "hyperband: max_epochs %d must be at least 1", c.MaxEpochs)
	case c.Factor < 2:
		return c, settingErrorf("factor", "hyperband: factor %d must be at least 2", c.Factor)
	case c.HyperbandIterations < 1:
		return c, settingErrorf("hyperband_iterations", "hyperband: hyperband_iterations %d must be at least 1", c.HyperbandIterations)
	case c.MinEpochs < 1 || c.MinEpochs > c.MaxEpochs:
		return c, settingErrorf("min_epochs", "hyperband: min_epochs %d must be between 1 and max_epochs %d", c.MinEpochs, c.MaxEpochs)
	case c.MaxEpochs > 1<<31:
		return c, settingErrorf("max_epochs", "hyperband: max_epochs %d is too large", c.MaxEpochs)
	}
	return c, nil
}

// Validate checks the settings.
func (h *Hyperband) Validate() error {
	_, err := h.settings()
	return err
}

// Brackets returns the number of brackets of an iteration. It, Size,
// Epochs and TrialsPerIteration return 0 for invalid settings.
func (h *Hyperband) Brackets() int {
	c, err := h.settings()
	if err != nil {
		return 0
	}
	return c.brackets()
}

// Size returns the number of trials of round r of bracket b.
func (h *Hyperband) Size(b, r int) int {
	c, err := h.settings()
	if err != nil || b < 0 || r < 0 || r > b || b >= c.brackets() {
		return 0
	}
	return c.size(b, r)
}

// Epochs returns the epochs of the trials of round r of bracket b.
func (h *Hyperband) Epochs(b, r int) int {
	c, err := h.settings()
	if err != nil || b < 0 || r < 0 || r > b || b >= c.brackets() {
		return 0
	}
	return c.epochs(b, r)
}

// TrialsPerIteration returns the number of trials of one iteration when
// every trial completes: the sum of Size over all rounds of all brackets.
func (h *Hyperband) TrialsPerIteration() int {
	c, err := h.settings()
	if err != nil {
		return 0
	}
	n := 0
	for b := range c.brackets() {
		for r := range b + 1 {
			n += c.size(b, r)
		}
	}
	return n
}

// brackets counts the k ≥ 0 with MinEpochs·f^k ≤ MaxEpochs.
func (h *Hyperband) brackets() int {
	n := 0
	for p := h.MinEpochs; p <= h.MaxEpochs; p *= h.Factor {
		n++
		if p > h.MaxEpochs/h.Factor {
			break
		}
	}
	return n
}

// pow returns f^k; callers keep it at most MaxEpochs·f.
func (h *Hyperband) pow(k int) int {
	p := 1
	for range k {
		p *= h.Factor
	}
	return p
}

// size is ceil(E/(b+1) · f^(b−r)) with E = ceil(1 + log_f M) = 1 + the
// least k with f^k ≥ M.
func (h *Hyperband) size(b, r int) int {
	e := 1
	for p := 1; p < h.MaxEpochs; p *= h.Factor {
		e++
	}
	n := e * h.pow(b-r)
	return (n + b) / (b + 1)
}

// epochs is ceil(M / f^(b−r)).
func (h *Hyperband) epochs(b, r int) int {
	d := h.pow(b - r)
	return (h.MaxEpochs + d - 1) / d
}

// hbBracket is one bracket of one iteration, as the stored trials have it.
type hbBracket struct {
	iteration, b int
	rounds       [][]*trials.Trial // trials of each round in id order
}

// seq is the bracket's place in the schedule.
func (k *hbBracket) seq(nb int) int { return k.iteration*nb + nb - 1 - k.b }

// Next returns the next trial of the schedule.
func (h *Hyperband) Next(s State) (Proposal, error) {
	c, err := h.settings()
	if err != nil {
		return Proposal{}, err
	}
	nb := c.brackets()
	brackets, err := c.group(s.Trials, nb)
	if err != nil {
		return Proposal{}, err
	}
	d := &drawer{s: s, collisions: c.MaxCollisions}
	for i, k := range brackets {
		newest := i == len(brackets)-1
		if p, ok := c.advance(k, newest, d, s.Objective); ok {
			return p, nil
		}
	}
	next := 0
	if len(brackets) > 0 {
		next = brackets[len(brackets)-1].seq(nb) + 1
	}
	if next < c.HyperbandIterations*nb && !d.exhausted {
		if v, ok := d.draw(); ok {
			iteration, b := next/nb, nb-1-next%nb
			return Proposal{Values: v, Schedule: trials.Schedule{Epochs: c.epochs(b, 0),
				Iteration: iteration, Bracket: b}}, nil
		}
	}
	for _, t := range s.Trials {
		if !t.Status.Final() {
			return Proposal{}, ErrWait
		}
	}
	return Proposal{}, ErrExhausted
}

// group sorts the trials into brackets, in schedule order, checking that
// each fits the schedule.
func (h *Hyperband) group(ts []*trials.Trial, nb int) ([]*hbBracket, error) {
	byKey := map[[2]int]*hbBracket{}
	var out []*hbBracket
	ids := make(map[int]*trials.Trial, len(ts))
	for _, t := range ts {
		ids[t.ID] = t
		iteration, b := t.Iteration, t.Bracket
		r := t.Round
		wantInitial := 0
		if r > 0 && r <= b {
			wantInitial = h.epochs(b, r-1)
		}
		if iteration < 0 || b < 0 || b >= nb || r < 0 || r > b || t.Epochs != h.epochs(b, r) || t.InitialEpoch != wantInitial {
			return nil, fmt.Errorf("hyperband: trial %d (bracket %d, round %d, epochs %d..%d) does not fit the schedule of max_epochs %d, factor %d, min_epochs %d; were they changed?",
				t.ID, t.Bracket, t.Round, t.InitialEpoch, t.Epochs, h.MaxEpochs, h.Factor, h.MinEpochs)
		}
		if r > 0 {
			p, ok := ids[t.Parent]
			if !ok || p.Iteration != t.Iteration || p.Bracket != t.Bracket || p.Round != r-1 {
				return nil, fmt.Errorf("hyperband: trial %d of bracket %d round %d has parent %d, not a trial of the round before", t.ID, t.Bracket, r, t.Parent)
			}
		}
		key := [2]int{iteration, b}
		k := byKey[key]
		if k == nil {
			k = &hbBracket{iteration: iteration, b: b, rounds: make([][]*trials.Trial, b+1)}
			byKey[key] = k
			out = append(out, k)
		}
		k.rounds[r] = append(k.rounds[r], t)
	}
	slices.SortFunc(out, func(x, y *hbBracket) int { return cmp.Compare(x.seq(nb), y.seq(nb)) })
	return out, nil
}

// advance returns the next trial of bracket k, if one is ready.
func (h *Hyperband) advance(k *hbBracket, newest bool, d *drawer, obj goal.Objective) (Proposal, bool) {
	// Round 0 takes new values until full. It closes short only when the
	// space runs out of values, or once a later round or bracket began.
	later := false
	for _, r := range k.rounds[1:] {
		later = later || len(r) > 0
	}
	if len(k.rounds[0]) < h.size(k.b, 0) && newest && !later && !d.exhausted {
		if v, ok := d.draw(); ok {
			return Proposal{Values: v, Schedule: trials.Schedule{Epochs: h.epochs(k.b, 0), Iteration: k.iteration, Bracket: k.b}}, true
		}
	}
	for r := 1; r <= k.b; r++ {
		prev := k.rounds[r-1]
		for _, t := range prev {
			if !t.Status.Final() {
				return Proposal{}, false
			}
		}
		promoted := make(map[int]bool, len(k.rounds[r]))
		for _, t := range k.rounds[r] {
			promoted[t.Parent] = true
		}
		for _, t := range trials.Best(prev, obj, h.size(k.b, r), trials.CompletedOnly) {
			if !promoted[t.ID] {
				return Proposal{Values: t.Values.Clone(), Schedule: trials.Schedule{
					Epochs: h.epochs(k.b, r), InitialEpoch: h.epochs(k.b, r-1),
					Parent: t.ID, Iteration: t.Iteration, Bracket: t.Bracket, Round: r,
				}}, true
			}
		}
	}
	return Proposal{}, false
}

// drawer draws new values for first-round trials, seeded by the trial
// number like RandomSearch, and never repeating values tried in the study.
type drawer struct {
	s          State
	collisions int
	exhausted  bool // a draw found no new values
}

// maxEnumerated bounds the combinations listed when random draws collide.
const maxEnumerated = 1 << 14

func (d *drawer) draw() (hp.Values, bool) {
	seen := d.s.tried()
	g := rng(d.s.Seed, len(d.s.Trials))
	for range d.collisions + 1 {
		v := d.s.Space.Sample(g)
		if !seen(v.Key()) {
			return v, true
		}
	}
	// A small finite space may have untried values left that random draws
	// keep missing: list them and pick one.
	if gr := newGrid(d.s.Space, false); gr != nil {
		var left []hp.Values
		p, ok := gr.first(), true
		for n := 0; ok && n < maxEnumerated; n++ {
			if v := gr.values(p); !seen(v.Key()) {
				left = append(left, v)
			}
			p, ok = gr.successor(p, nil)
		}
		if len(left) > 0 {
			return left[g.IntN(len(left))], true
		}
	}
	d.exhausted = true
	return nil, false
}
