package oracle

import (
	"testing"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// TestOraclesAgreeWithHistory checks that an oracle given a History
// proposes what it proposes from the trials alone.
func TestOraclesAgreeWithHistory(t *testing.T) {
	h := hp.New()
	h.Int("units", 1, 4)
	h.ChoiceString("act", []string{"relu", "tanh"})
	space := h.Space()
	for _, o := range []Oracle{&RandomSearch{}, &Hyperband{MaxEpochs: 9}} {
		var ts []*trials.Trial
		var hist trials.History
		for i := range 8 {
			plain, err1 := o.Next(State{Space: space, Seed: 3, Trials: ts})
			hist.Sync(ts)
			indexed, err2 := o.Next(State{Space: space, Seed: 3, Trials: hist.Trials(), History: &hist})
			if (err1 == nil) != (err2 == nil) || plain.Values.Key() != indexed.Values.Key() || plain.Schedule != indexed.Schedule {
				t.Fatalf("%s, trial %d: %v (%v) from the trials, %v (%v) with the history", o.Name(), i+1, plain, err1, indexed, err2)
			}
			if err1 != nil {
				break
			}
			score := float64(i)
			ts = append(ts, &trials.Trial{ID: i + 1, Status: trials.Completed, Values: plain.Values, Schedule: plain.Schedule, Score: &score})
		}
	}
}
