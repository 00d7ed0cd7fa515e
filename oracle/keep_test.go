package oracle

import (
	"slices"
	"testing"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/trials"
)

func TestHyperbandKeep(t *testing.T) {
	h := &Hyperband{MaxEpochs: 4, Factor: 2} // bracket 2: 4 trials of 1 epoch, then 2 of 2, then 1 of 4
	round0 := func(running int) []*trials.Trial {
		var ts []*trials.Trial
		for i := range 4 {
			score := float64(4 - i)
			tr := &trials.Trial{ID: i + 1, Status: trials.Completed, Score: &score, Schedule: trials.Schedule{Epochs: 1, Bracket: 2}}
			if i+1 == running {
				tr.Status, tr.Score = trials.Running, nil
			}
			ts = append(ts, tr)
		}
		return ts
	}
	s := State{Objective: goal.Objective{Name: "loss", Direction: goal.Minimize}}
	for _, c := range []struct {
		name string
		ts   []*trials.Trial
		want []int
	}{
		{"round running: any completed one may be promoted", round0(2), []int{1, 3, 4}},
		{"round ended: the best 2 are due", round0(0), []int{3, 4}},
		{"one promoted: the other is still due", append(round0(0), &trials.Trial{ID: 5, Status: trials.Running,
			Schedule: trials.Schedule{Epochs: 2, InitialEpoch: 1, Parent: 4, Bracket: 2, Round: 1}}), []int{3}},
	} {
		s.Trials = c.ts
		got, err := h.Keep(s)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: Keep = %v, want %v", c.name, got, c.want)
		}
	}
}
