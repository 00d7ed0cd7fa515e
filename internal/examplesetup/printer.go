package examplesetup

import (
	"fmt"
	"time"

	"github.com/tunekit/tune/trials"
)

// Printer is a tuner.Observer that prints one line per finished trial:
// the time since Start (when set), the trial's id, status and score, its
// best epoch, what Detail adds, its hyperparameters and its error if any:
//
//	[   12s] trial  3 completed val_accuracy=0.8512 (epoch 7)  map[learning_rate:0.0012 …]
type Printer struct {
	Objective string                     // the score's name, such as val_accuracy
	Start     time.Time                  // the zero time leaves out the elapsed seconds
	Detail    func(*trials.Trial) string // more to show of a trial, after its score; nil for nothing
}

// TrialStarted does nothing: Printer prints finished trials only.
func (p Printer) TrialStarted(*trials.Trial) {}

// EpochEnded does nothing: Printer prints finished trials only.
func (p Printer) EpochEnded(*trials.Trial, trials.Epoch) {}

// TrialEnded prints the trial's line.
func (p Printer) TrialEnded(t *trials.Trial) {
	line := ""
	if !p.Start.IsZero() {
		line = fmt.Sprintf("[%5.0fs] ", time.Since(p.Start).Seconds())
	}
	line += fmt.Sprintf("trial %2d %-9s %s=", t.ID, t.Status, p.Objective)
	if t.Score != nil {
		line += fmt.Sprintf("%.4f (epoch %d)", *t.Score, t.BestEpoch+1)
	} else {
		line += "-"
	}
	if p.Detail != nil {
		line += " " + p.Detail(t)
	}
	line += fmt.Sprintf("  %v", t.Values)
	if t.Error != "" {
		line += "  " + t.Error
	}
	fmt.Println(line)
}
