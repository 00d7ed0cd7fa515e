package main

import (
	"bytes"
	"strings"
	"testing"

	"gonum.org/v1/plot"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/trials"
)

// curveTrial is a completed trial whose loss and val_loss follow the
// values given, one per epoch.
func curveTrial(id int, loss []float64) *trials.Trial {
	t := &trials.Trial{ID: id, Status: trials.Completed}
	for e, v := range loss {
		t.History = append(t.History, trials.Epoch{Epoch: e, Metrics: map[string]float64{"loss": v, "val_loss": v * 1.1}})
	}
	score := loss[len(loss)-1] * 1.1
	t.Score = &score
	return t
}

// TestCurvesLossAxis: a first-epoch loss 30 times the rest puts the loss
// on a log axis, said in its label; a curve through 0 (no log axis) gets
// its axis clipped above the later epochs, said too; a tame curve keeps a
// plain axis.
func TestCurvesLossAxis(t *testing.T) {
	o := goal.Objective{Name: "val_loss", Direction: goal.Minimize}
	for _, tt := range []struct {
		name     string
		loss     []float64
		log      bool
		label    string
		clipAtop float64 // the axis's max when clipped
	}{
		{"first-epoch outlier", []float64{27, 1.2, 0.9, 0.8}, true, "loss (log scale)", 0},
		{"through zero", []float64{27, 1, 0.5, 0}, false, "loss (clipped: first epochs up to 29.7 off the top)", 1.1 + 0.25*1.1},
		{"tame", []float64{1, 0.8, 0.7, 0.65}, false, "loss", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := curvesFigure("p", []*trials.Trial{curveTrial(1, tt.loss), curveTrial(2, []float64{tt.loss[0] * 0.9, tt.loss[1], tt.loss[2]})}, o)
			if err != nil {
				t.Fatal(err)
			}
			p := f.plots[0][0]
			_, isLog := p.Y.Scale.(plot.LogScale)
			if isLog != tt.log || p.Y.Label.Text != tt.label {
				t.Errorf("log %v, label %q; want %v, %q", isLog, p.Y.Label.Text, tt.log, tt.label)
			}
			if tt.clipAtop > 0 && (p.Y.Max < tt.clipAtop-1e-9 || p.Y.Max > tt.clipAtop+1e-9) {
				t.Errorf("axis max %v, want %v", p.Y.Max, tt.clipAtop)
			}
			var b bytes.Buffer
			if err := f.write(&b, "svg"); err != nil || !strings.Contains(b.String(), "<svg") {
				t.Errorf("svg: %v", err)
			}
		})
	}
}
