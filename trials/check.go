package trials

import "fmt"

// MaxEpoch bounds the epochs a trial record may hold: no training runs 16
// million epochs, so a larger number is damage, not data.
const MaxEpoch = 1 << 24

// checkEpochs refuses a record whose epoch numbers are impossible: an
// epoch or execution below 0, an epoch at or beyond the trial's own budget
// (Schedule.Epochs, when set) or MaxEpoch, a best epoch likewise.
func checkEpochs(t *Trial) error {
	limit := MaxEpoch
	if t.Epochs > 0 {
		limit = min(limit, t.Epochs)
	}
	for _, e := range t.History {
		switch {
		case e.Execution < 0 || e.Execution >= MaxEpoch:
			return fmt.Errorf("trial %d: execution %d is impossible", t.ID, e.Execution)
		case e.Epoch < 0 || e.Epoch >= limit:
			return fmt.Errorf("trial %d: epoch %d is beyond the trial's %d epochs", t.ID, e.Epoch+1, limit)
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
