package trials

import "fmt"

// MaxEpoch bounds the epochs a trial record may hold: no training runs 16
// million epochs, so a larger number is damage, not data.
const MaxEpoch = 1 << 24

// checkEpochs refuses a record whose epoch numbers are impossible: an
// epoch or execution below 0, an epoch at or beyond the trial's own budget
// (Schedule.Epochs, when set) or MaxEpoch, a best epoch likewise.
func checkEpochs(t *Trial) error {
	limit := epochLimit(t)
	for _, e := range t.History {
		if err := checkEpoch(t.ID, limit, e); err != nil {
			return err
		}
	}
	if t.BestEpoch < 0 || t.BestEpoch >= limit {
		return fmt.Errorf("trial %d: best epoch %d is beyond the trial's %d epochs", t.ID, t.BestEpoch+1, limit)
	}
	if t.Epochs < 0 || t.InitialEpoch < 0 || t.Epochs > MaxEpoch {
		return fmt.Errorf("trial %d: %d epochs from %d is impossible", t.ID, t.Epochs, t.InitialEpoch)
	}
	return nil
}

// epochLimit is the bound on trial t's epoch numbers.
func epochLimit(t *Trial) int {
	if t.Epochs > 0 {
		return min(MaxEpoch, t.Epochs)
	}
	return MaxEpoch
}

// checkEpoch refuses an epoch of trial id whose numbers are impossible
// under limit (epochLimit).
func checkEpoch(id, limit int, e Epoch) error {
	switch {
	case e.Execution < 0 || e.Execution >= MaxEpoch:
		return fmt.Errorf("trial %d: execution %d is impossible", id, e.Execution)
	case e.Epoch < 0 || e.Epoch >= limit:
		return fmt.Errorf("trial %d: epoch %d is beyond the trial's %d epochs", id, e.Epoch+1, limit)
	}
	return nil
}
