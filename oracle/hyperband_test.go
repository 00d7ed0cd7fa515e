package oracle

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

func TestHyperbandSchedule(t *testing.T) {
	type round struct{ size, epochs int }
	for _, tc := range []struct {
		h        Hyperband
		brackets [][]round // brackets[b][r]
		total    int
	}{
		{Hyperband{MaxEpochs: 10, Factor: 3}, [][]round{
			{{4, 10}},
			{{6, 4}, {2, 10}},
			{{12, 2}, {4, 4}, {2, 10}},
		}, 30},
		{Hyperband{MaxEpochs: 8, Factor: 2}, [][]round{
			{{4, 8}},
			{{4, 4}, {2, 8}},
			{{6, 2}, {3, 4}, {2, 8}},
			{{8, 1}, {4, 2}, {2, 4}, {1, 8}},
		}, 36},
		// Defaults: max_epochs 100, factor 3: E = 1 + 5 = 6, 5 brackets.
		{Hyperband{}, [][]round{
			{{6, 100}},
			{{9, 34}, {3, 100}},
			{{18, 12}, {6, 34}, {2, 100}},
			{{41, 4}, {14, 12}, {5, 34}, {2, 100}},
			{{98, 2}, {33, 4}, {11, 12}, {4, 34}, {2, 100}},
		}, 6 + 12 + 26 + 62 + 148},
		// log_5 125 is 3 exactly, so E = 4 (floating point gives 5).
		{Hyperband{MaxEpochs: 125, Factor: 5}, [][]round{
			{{4, 125}},
			{{10, 25}, {2, 125}},
			{{34, 5}, {7, 25}, {2, 125}},
			{{125, 1}, {25, 5}, {5, 25}, {1, 125}},
		}, 4 + 12 + 43 + 156},
		// min_epochs removes the brackets whose first round would train
		// fewer epochs.
		{Hyperband{MaxEpochs: 10, Factor: 3, MinEpochs: 2}, [][]round{
			{{4, 10}},
			{{6, 4}, {2, 10}},
		}, 12},
		{Hyperband{MaxEpochs: 1, Factor: 3}, [][]round{{{1, 1}}}, 1},
	} {
		h := tc.h
		if got := h.Brackets(); got != len(tc.brackets) {
			t.Errorf("%+v: %d brackets, want %d", h, got, len(tc.brackets))
			continue
		}
		for b, rounds := range tc.brackets {
			for r, want := range rounds {
				if s, e := h.Size(b, r), h.Epochs(b, r); s != want.size || e != want.epochs {
					t.Errorf("%+v: bracket %d round %d: %d trials of %d epochs, want %d of %d", h, b, r, s, e, want.size, want.epochs)
				}
			}
		}
		if got := h.TrialsPerIteration(); got != tc.total {
			t.Errorf("%+v: %d trials per iteration, want %d", h, got, tc.total)
		}
	}
}

func TestHyperbandSettings(t *testing.T) {
	space := mustSpace(t, hp.Param{Name: "x", Kind: hp.KindFloat, Min: 0, Max: 1})
	for _, h := range []Hyperband{{Factor: 1}, {MaxEpochs: -1}, {HyperbandIterations: -2}, {MaxEpochs: 4, MinEpochs: 5}} {
		if _, err := h.Next(State{Space: space}); err == nil || h.Validate() == nil {
			t.Errorf("%+v accepted", h)
		}
	}
	if n := (&Hyperband{Factor: 1}).Brackets(); n != 0 {
		t.Errorf("invalid settings: %d brackets", n)
	}
}

// hbSim drives an oracle as the tuner does: Next is asked for one trial at
// a time, trials are created running and end with the outcome judge gives
// them.
type hbSim struct {
	t     *testing.T
	o     Oracle
	s     State
	judge func(tr *trials.Trial) (trials.Status, float64)

	waits, maxInFlight int
}

// fakeScore is a loss that falls with x and with training.
func fakeScore(tr *trials.Trial) (trials.Status, float64) {
	return trials.Completed, tr.Values["x"].(float64) + 1/float64(tr.Epochs)
}

func newSim(t *testing.T, o Oracle, dir goal.Direction) *hbSim {
	space := mustSpace(t,
		hp.Param{Name: "x", Kind: hp.KindFloat, Min: 0, Max: 1},
		hp.Param{Name: "opt", Kind: hp.KindChoice, Values: []any{"sgd", "adam"}},
	)
	return &hbSim{t: t, o: o, s: State{Space: space, Seed: 3, Objective: goal.Objective{Name: "loss", Direction: dir}}, judge: fakeScore}
}

func (h *hbSim) finish(tr *trials.Trial) {
	st, score := h.judge(tr)
	tr.Status = st
	if st == trials.Completed || st == trials.Pruned {
		tr.Score = &score
	}
}

// run proposes trials, keeping up to workers running, until the oracle
// is exhausted; with rng it ends a random running trial each time it must
// wait, otherwise the oldest.
func (h *hbSim) run(workers int, rng *rand.Rand) error {
	t := h.t
	for {
		var live []*trials.Trial
		for _, tr := range h.s.Trials {
			if tr.Status == trials.Running {
				live = append(live, tr)
			}
		}
		inFlight := map[[2]int]bool{}
		for _, tr := range live {
			inFlight[[2]int{tr.Iteration, tr.Bracket}] = true
		}
		h.maxInFlight = max(h.maxInFlight, len(inFlight))
		if len(live) < workers {
			p, err := h.o.Next(h.s)
			switch {
			case err == nil:
				if err := h.s.Space.Validate(p.Values); err != nil {
					t.Fatalf("proposal %d: %v", len(h.s.Trials)+1, err)
				}
				h.s.Trials = append(h.s.Trials, &trials.Trial{ID: len(h.s.Trials) + 1, Status: trials.Running, Values: p.Values,
					Schedule: p.Schedule})
				continue
			case errors.Is(err, ErrWait):
				if len(live) == 0 {
					t.Fatalf("ErrWait with nothing running after %d trials", len(h.s.Trials))
				}
				h.waits++
			case errors.Is(err, ErrExhausted) && len(live) == 0:
				return nil
			case errors.Is(err, ErrExhausted):
			default:
				return err
			}
		}
		i := 0
		if rng != nil {
			i = rng.IntN(len(live))
		}
		h.finish(live[i])
	}
}

// checkSchedule checks that the trials follow Hyperband's schedule for
// iterations full iterations: every round has its size (fewer only if the
// round before had fewer completed trials), its epochs and initial epoch,
// and promotes the best completed trials of the round before, best first,
// with their values. It returns the trials grouped by bracket and round.
func checkSchedule(t *testing.T, h *Hyperband, s State, iterations int) map[[3]int][]*trials.Trial {
	t.Helper()
	groups := map[[3]int][]*trials.Trial{}
	byID := map[int]*trials.Trial{}
	seen := map[string]int{}
	for _, tr := range s.Trials {
		it, b := tr.Iteration, tr.Bracket
		groups[[3]int{it, b, tr.Round}] = append(groups[[3]int{it, b, tr.Round}], tr)
		byID[tr.ID] = tr
		if tr.Round == 0 {
			if prev, ok := seen[tr.Values.Key()]; ok {
				t.Fatalf("trials %d and %d both drew %v", prev, tr.ID, tr.Values)
			}
			seen[tr.Values.Key()] = tr.ID
		}
		if !tr.Status.Final() {
			t.Fatalf("trial %d is %s at the end", tr.ID, tr.Status)
		}
	}
	n := 0
	for it := range iterations {
		for b := range h.Brackets() {
			for r := range b + 1 {
				got := groups[[3]int{it, b, r}]
				n += len(got)
				want := h.Size(b, r)
				var ranked []*trials.Trial
				if r > 0 {
					for _, p := range groups[[3]int{it, b, r - 1}] {
						if p.Status == trials.Completed {
							ranked = append(ranked, p)
						}
					}
					slices.SortStableFunc(ranked, func(x, y *trials.Trial) int {
						if *x.Score == *y.Score {
							return cmp.Compare(x.ID, y.ID)
						}
						if (*x.Score < *y.Score) == (s.Objective.Direction != goal.Maximize) {
							return -1
						}
						return 1
					})
					want = min(want, len(ranked))
				}
				if len(got) != want {
					t.Fatalf("iteration %d bracket %d round %d: %d trials, want %d", it, b, r, len(got), want)
				}
				for i, tr := range got {
					initial := 0
					if r > 0 {
						initial = h.Epochs(b, r-1)
					}
					if tr.Epochs != h.Epochs(b, r) || tr.InitialEpoch != initial {
						t.Fatalf("trial %d (bracket %d round %d): epochs %d..%d, want %d..%d", tr.ID, b, r, tr.InitialEpoch, tr.Epochs, initial, h.Epochs(b, r))
					}
					if r == 0 {
						if tr.Parent != 0 {
							t.Fatalf("trial %d of round 0 has parent %d", tr.ID, tr.Parent)
						}
						continue
					}
					if tr.Parent != ranked[i].ID {
						t.Fatalf("trial %d (bracket %d round %d, #%d): parent %d, want %d", tr.ID, b, r, i, tr.Parent, ranked[i].ID)
					}
					if tr.Values.Key() != byID[tr.Parent].Values.Key() {
						t.Fatalf("trial %d has values %v, its parent %v", tr.ID, tr.Values, byID[tr.Parent].Values)
					}
				}
			}
		}
	}
	if n != len(s.Trials) {
		t.Fatalf("%d trials in the schedule, %d stored", n, len(s.Trials))
	}
	return groups
}

// summary lists the trials as bracket/round/epochs runs: "12×2.0:0-2".
func summary(ts []*trials.Trial) string {
	var parts []string
	count, last := 0, ""
	for _, tr := range ts {
		k := fmt.Sprintf("%d.%d:%d-%d", tr.Bracket, tr.Round, tr.InitialEpoch, tr.Epochs)
		if k != last && count > 0 {
			parts = append(parts, fmt.Sprintf("%d×%s", count, last))
			count = 0
		}
		last = k
		count++
	}
	parts = append(parts, fmt.Sprintf("%d×%s", count, last))
	return strings.Join(parts, " ")
}

func TestHyperbandSerialRunFollowsKerasTunerOrder(t *testing.T) {
	for _, dir := range []goal.Direction{goal.Minimize, goal.Maximize} {
		h := &Hyperband{MaxEpochs: 10, Factor: 3}
		sim := newSim(t, h, dir)
		if err := sim.run(1, nil); err != nil {
			t.Fatal(err)
		}
		if sim.waits != 0 {
			t.Errorf("a serial run waited %d times", sim.waits)
		}
		checkSchedule(t, h, sim.s, 1)
		want := "12×2.0:0-2 4×2.1:2-4 2×2.2:4-10 6×1.0:0-4 2×1.1:4-10 4×0.0:0-10"
		if got := summary(sim.s.Trials); got != want {
			t.Errorf("%s: schedule\n got %s\nwant %s", dir, got, want)
		}
		// Every prefix of the run, as a resumed study would hold it,
		// gives the same next trial.
		all := sim.s.Trials
		for k := range all {
			s := sim.s
			s.Trials = all[:k]
			p, err := h.Next(s)
			tr := all[k]
			if err != nil || p.Values.Key() != tr.Values.Key() || p.Parent != tr.Parent || p.Epochs != tr.Epochs ||
				p.InitialEpoch != tr.InitialEpoch || p.Iteration != tr.Iteration || p.Bracket != tr.Bracket || p.Round != tr.Round {
				t.Fatalf("resumed after %d trials: %+v, %v; the run had %+v", k, p, err, tr)
			}
		}
	}
}

// The direction decides which trials are promoted: minimizing promotes the
// lowest x, maximizing the highest.
func TestHyperbandPromotesByDirection(t *testing.T) {
	for _, dir := range []goal.Direction{goal.Minimize, goal.Maximize} {
		h := &Hyperband{MaxEpochs: 9, Factor: 3}
		sim := newSim(t, h, dir)
		if err := sim.run(1, nil); err != nil {
			t.Fatal(err)
		}
		groups := checkSchedule(t, h, sim.s, 1)
		var xs []float64
		for _, tr := range groups[[3]int{0, 2, 0}] {
			xs = append(xs, tr.Values["x"].(float64))
		}
		slices.Sort(xs)
		if dir == goal.Maximize {
			slices.Reverse(xs)
		}
		final := groups[[3]int{0, 2, 2}]
		if len(final) != 1 || final[0].Values["x"] != xs[0] {
			t.Errorf("%s: the last round holds %v, want x=%v", dir, final[0].Values, xs[0])
		}
	}
}

func TestHyperbandDoesNotPromoteFailedOrPrunedTrials(t *testing.T) {
	h := &Hyperband{MaxEpochs: 10, Factor: 3}
	sim := newSim(t, h, goal.Minimize)
	sim.judge = func(tr *trials.Trial) (trials.Status, float64) {
		x := tr.Values["x"].(float64)
		switch {
		case x < 0.15:
			return trials.Failed, 0
		case x < 0.3:
			return trials.Pruned, -1 // a better score, but pruned
		}
		return fakeScore(tr)
	}
	if err := sim.run(1, nil); err != nil {
		t.Fatal(err)
	}
	checkSchedule(t, h, sim.s, 1)
	for _, tr := range sim.s.Trials {
		if x := tr.Values["x"].(float64); tr.Round > 0 && x < 0.3 {
			t.Errorf("trial %d with x=%v was promoted from a failed or pruned trial", tr.ID, x)
		}
	}
	// When every trial fails, no bracket gets past its first round.
	sim = newSim(t, h, goal.Minimize)
	sim.judge = func(*trials.Trial) (trials.Status, float64) { return trials.Failed, 0 }
	if err := sim.run(1, nil); err != nil {
		t.Fatal(err)
	}
	checkSchedule(t, h, sim.s, 1)
	if len(sim.s.Trials) != 12+6+4 {
		t.Errorf("%d trials, want 22", len(sim.s.Trials))
	}
}

// With parallel workers, brackets overlap, the oracle waits when nothing
// can start, and every trial of the schedule is run exactly once.
func TestHyperbandParallel(t *testing.T) {
	for seed := range uint64(5) {
		h := &Hyperband{MaxEpochs: 10, Factor: 3, HyperbandIterations: 2}
		sim := newSim(t, h, goal.Maximize)
		if err := sim.run(4, rand.New(rand.NewPCG(seed, 1))); err != nil {
			t.Fatal(err)
		}
		checkSchedule(t, h, sim.s, 2)
		if len(sim.s.Trials) != 60 {
			t.Errorf("seed %d: %d trials, want 60", seed, len(sim.s.Trials))
		}
		if sim.maxInFlight < 2 || sim.waits == 0 {
			t.Errorf("seed %d: at most %d brackets in flight, %d waits", seed, sim.maxInFlight, sim.waits)
		}
	}
}

// The oracle waits only when every bracket has started.
func TestHyperbandWaitsOnlyWhenAllBracketsStarted(t *testing.T) {
	h := &Hyperband{MaxEpochs: 10, Factor: 3}
	sim := newSim(t, h, goal.Minimize)
	for range 22 { // every first round, all running
		p, err := h.Next(sim.s)
		if err != nil {
			t.Fatalf("trial %d: %v", len(sim.s.Trials)+1, err)
		}
		sim.s.Trials = append(sim.s.Trials, &trials.Trial{ID: len(sim.s.Trials) + 1, Status: trials.Running, Values: p.Values,
			Schedule: trials.Schedule{Epochs: p.Epochs, Iteration: p.Iteration, Bracket: p.Bracket, Round: p.Round}})
	}
	if got := summary(sim.s.Trials); got != "12×2.0:0-2 6×1.0:0-4 4×0.0:0-10" {
		t.Fatalf("schedule %s", got)
	}
	if _, err := h.Next(sim.s); !errors.Is(err, ErrWait) {
		t.Fatalf("got %v, want ErrWait", err)
	}
	// Bracket 1's first round ends before bracket 2's: it promotes first.
	for _, tr := range sim.s.Trials[12:18] {
		sim.finish(tr)
	}
	p, err := h.Next(sim.s)
	if err != nil || p.Bracket != 1 || p.Round != 1 || p.InitialEpoch != 4 {
		t.Fatalf("got %+v, %v; want a promotion in bracket 1", p, err)
	}
	// A round's promotions wait for all of its trials: bracket 2's 12th
	// is still running, and a trial of bracket 1 runs again (a retry).
	for _, tr := range sim.s.Trials[:11] {
		sim.finish(tr)
	}
	sim.s.Trials[17].Status = trials.Running
	if _, err := h.Next(sim.s); !errors.Is(err, ErrWait) {
		t.Fatalf("got %v, want ErrWait", err)
	}
	sim.s.Trials[11].Status = trials.Pending
	if _, err := h.Next(sim.s); !errors.Is(err, ErrWait) {
		t.Fatalf("pending: got %v, want ErrWait", err)
	}
	sim.finish(sim.s.Trials[11])
	p, err = h.Next(sim.s)
	if err != nil || p.Bracket != 2 || p.Round != 1 {
		t.Fatalf("got %+v, %v; want a promotion in bracket 2", p, err)
	}
}

// Raising hyperband_iterations on resume runs more iterations after the
// finished ones, with new values.
func TestHyperbandMoreIterationsOnResume(t *testing.T) {
	h := &Hyperband{MaxEpochs: 8, Factor: 2}
	sim := newSim(t, h, goal.Minimize)
	if err := sim.run(1, nil); err != nil {
		t.Fatal(err)
	}
	if len(sim.s.Trials) != 36 {
		t.Fatalf("%d trials, want 36", len(sim.s.Trials))
	}
	h.HyperbandIterations = 3
	if err := sim.run(3, rand.New(rand.NewPCG(1, 2))); err != nil {
		t.Fatal(err)
	}
	checkSchedule(t, h, sim.s, 3)
	if len(sim.s.Trials) != 3*36 {
		t.Fatalf("%d trials, want %d", len(sim.s.Trials), 3*36)
	}
	if it, b := sim.s.Trials[36].Iteration, sim.s.Trials[36].Bracket; it != 1 || b != 3 {
		t.Errorf("trial 37 is in iteration %d bracket %d, want 1 and 3", it, b)
	}
}

// A resumed study whose settings changed is reported, not silently
// mis-scheduled.
func TestHyperbandRefusesChangedSettings(t *testing.T) {
	sim := newSim(t, &Hyperband{MaxEpochs: 10, Factor: 3}, goal.Minimize)
	if err := sim.run(1, nil); err != nil {
		t.Fatal(err)
	}
	_, err := (&Hyperband{MaxEpochs: 20, Factor: 3}).Next(sim.s)
	if err == nil || !strings.Contains(err.Error(), "does not fit the schedule") {
		t.Errorf("got %v", err)
	}
}

// A small space runs out of values: the first round closes with what it
// has, promotions go on, and no values are drawn twice.
func TestHyperbandSmallSpace(t *testing.T) {
	h := &Hyperband{MaxEpochs: 10, Factor: 3}
	sim := newSim(t, h, goal.Minimize)
	sim.s.Space = mustSpace(t, hp.Param{Name: "x", Kind: hp.KindFloat, Min: 0.1, Max: 0.5, Step: 0.1})
	if err := sim.run(1, nil); err != nil {
		t.Fatal(err)
	}
	if got := summary(sim.s.Trials); got != "5×2.0:0-2 4×2.1:2-4 2×2.2:4-10" {
		t.Errorf("schedule %s", got)
	}
}

// Keras Tuner's test_exhausted_values_during_init_bracket: on a Boolean
// alone (max_epochs 8, factor 3) Keras Tuner runs the two values and then
// stops the search, so no model ever trains to max_epochs. Ours closes the
// short first round and goes on: its round of 8 epochs has room for both
// values, so both are promoted and trained to 8 epochs, and the best model
// of the study is one trained for max_epochs. The last bracket finds
// nothing untried and the search ends.
func TestHyperbandBooleanOnlySpace(t *testing.T) {
	h := &Hyperband{MaxEpochs: 8, Factor: 3}
	space := mustSpace(t, hp.Param{Name: "b", Kind: hp.KindBoolean})
	sim := &hbSim{t: t, o: h, s: State{Space: space, Seed: 1, Objective: goal.Objective{Name: "loss", Direction: goal.Minimize}},
		judge: func(tr *trials.Trial) (trials.Status, float64) {
			loss := 1 / float64(tr.Epochs)
			if tr.Values["b"] == true {
				loss /= 2
			}
			return trials.Completed, loss
		}}
	if err := sim.run(2, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := summary(sim.s.Trials), "2×1.0:0-3 2×1.1:3-8"; got != want {
		t.Errorf("schedule %s, want %s", got, want)
	}
	best := trials.Best(sim.s.Trials, sim.s.Objective, 1, trials.CompletedOnly)
	if len(best) != 1 || best[0].Values["b"] != true || best[0].Epochs != 8 || best[0].Parent == 0 {
		t.Errorf("best trial %+v, want b=true promoted to 8 epochs", best)
	}
}
