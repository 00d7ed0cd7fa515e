package nn

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// EpochLogger writes one line per epoch to W, like Keras' fit with
// verbose=2: "Epoch 3/30 - 4s - loss: 0.4522 - accuracy: 0.8412 - ...",
// the keys in MetricsNames order, validation keys last.
type EpochLogger struct {
	BaseCallback
	W      io.Writer
	epochs int
	start  time.Time
}

// NewEpochLogger returns an EpochLogger for a Fit of the given number of
// epochs (the denominator it prints).
func NewEpochLogger(w io.Writer, epochs int) *EpochLogger { return &EpochLogger{W: w, epochs: epochs} }

// OnEpochBegin starts the epoch's clock.
func (l *EpochLogger) OnEpochBegin(*Model, int) error {
	l.start = time.Now()
	return nil
}

// OnEpochEnd writes the epoch's line.
func (l *EpochLogger) OnEpochEnd(m *Model, epoch int, logs Logs) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Epoch %d/%d - %s", epoch+1, l.epochs, time.Since(l.start).Round(time.Millisecond))
	names := m.MetricsNames()
	for _, prefix := range []string{"", "val_"} {
		for _, k := range names {
			if v, ok := logs[prefix+k]; ok {
				fmt.Fprintf(&b, " - %s%s: %.4f", prefix, k, v)
			}
		}
	}
	for _, k := range sortedKeys(logs) {
		if !slices.Contains(names, strings.TrimPrefix(k, "val_")) {
			fmt.Fprintf(&b, " - %s: %.4g", k, logs[k])
		}
	}
	b.WriteByte('\n')
	_, err := io.WriteString(l.W, b.String())
	return err
}
