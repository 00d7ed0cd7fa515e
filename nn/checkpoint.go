package nn

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
)

// ModelCheckpoint saves the model during training, like Keras'
// ModelCheckpoint: at the end of every epoch, or with SaveBestOnly only
// when the monitored value improves on the best so far. Files are written
// atomically (a temporary file renamed over Filepath).
//
// It is used as a pointer: &ModelCheckpoint{Filepath: "best.tnn", SaveBestOnly: true}.
type ModelCheckpoint struct {
	BaseCallback
	// Filepath is where to save. "{epoch}" in it is replaced by the
	// (1-based) epoch number, "{epoch:02d}" by the number padded to 2
	// digits (any width), so that every epoch can have its own file.
	Filepath string
	// Monitor is the Logs key that SaveBestOnly watches; "" means "val_loss".
	Monitor string
	// Mode is "min", "max" or "auto" (or ""), as in EarlyStopping.
	Mode string
	// SaveBestOnly saves only when the monitored value improves (a missing
	// key is an error; NaN never improves).
	SaveBestOnly bool
	// SaveWeightsOnly writes the MarshalWeights checkpoint instead of the
	// whole model file (Save).
	SaveWeightsOnly bool

	monitor   string
	maximize  bool
	best      float64
	lastSaved int
}

// Clone returns a ModelCheckpoint with the same settings and fresh state.
func (c *ModelCheckpoint) Clone() Callback {
	return &ModelCheckpoint{Filepath: c.Filepath, Monitor: c.Monitor, Mode: c.Mode,
		SaveBestOnly: c.SaveBestOnly, SaveWeightsOnly: c.SaveWeightsOnly}
}

// OnTrainBegin checks the settings and resets the best value.
func (c *ModelCheckpoint) OnTrainBegin(*Model) error {
	if c.Filepath == "" {
		return fmt.Errorf("%w: ModelCheckpoint.Filepath is empty", ErrInvalidConfig)
	}
	c.monitor = c.Monitor
	if c.monitor == "" {
		c.monitor = "val_loss"
	}
	c.lastSaved = -1
	if !c.SaveBestOnly {
		return nil
	}
	var err error
	if c.maximize, err = monitorMode("ModelCheckpoint", c.monitor, c.Mode); err != nil {
		return err
	}
	c.best = math.Inf(1)
	if c.maximize {
		c.best = math.Inf(-1)
	}
	return nil
}

// OnEpochEnd saves the model if it should.
func (c *ModelCheckpoint) OnEpochEnd(m *Model, epoch int, logs Logs) error {
	if c.SaveBestOnly {
		v, err := monitored("ModelCheckpoint", c.monitor, logs)
		if err != nil {
			return err
		}
		if !(c.maximize && v > c.best || !c.maximize && v < c.best) {
			return nil
		}
		c.best = v
	}
	var b []byte
	var err error
	if c.SaveWeightsOnly {
		b, err = m.MarshalWeights()
	} else {
		b, err = m.MarshalBinary()
	}
	if err == nil {
		err = writeFileAtomic(c.path(epoch), b)
	}
	if err != nil {
		return fmt.Errorf("ModelCheckpoint: %w", err)
	}
	c.lastSaved = epoch
	return nil
}

// LastSavedEpoch returns the epoch of the last save of the current or last
// Fit, or -1 if it saved nothing.
func (c *ModelCheckpoint) LastSavedEpoch() int { return c.lastSaved }

var epochPattern = regexp.MustCompile(`\{epoch(?::0?(\d+)d)?\}`)

// path returns Filepath for the (0-based) epoch.
func (c *ModelCheckpoint) path(epoch int) string {
	return epochPattern.ReplaceAllStringFunc(c.Filepath, func(s string) string {
		sub := epochPattern.FindStringSubmatch(s)
		width := 0
		if sub[1] != "" {
			width, _ = strconv.Atoi(sub[1])
		}
		return fmt.Sprintf("%0*d", min(width, 20), epoch+1)
	})
}

// writeFileAtomic writes b to a temporary file next to path and renames it
// over path.
func writeFileAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
