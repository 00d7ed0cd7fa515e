package nn

import (
	"context"
	"fmt"
	"math"
)

// Logs maps metric names ("loss", "accuracy", "val_loss", ...) to values.
type Logs map[string]float64

// FitConfig configures Fit.
type FitConfig struct {
	// Epochs is the index one past the last epoch to run; Fit runs epochs
	// InitialEpoch..Epochs-1 (Keras semantics), none if InitialEpoch >= Epochs.
	Epochs int
	// BatchSize is the number of rows per gradient step; 0 means 32. The
	// last batch of an epoch may be smaller.
	BatchSize int
	// InitialEpoch is the index of the first epoch, for resuming: epoch e
	// shuffles the same way whether or not earlier epochs ran in this call.
	InitialEpoch int
	// NoShuffle keeps the rows in order; by default each epoch visits them in
	// a permutation drawn from (Seed, epoch).
	NoShuffle bool
	// Seed determines the shuffles.
	Seed int64
	// ValidationX and ValidationY, if set, are evaluated at the end of every
	// epoch; their results are logged with a "val_" prefix.
	ValidationX, ValidationY *Matrix
	// ValidationSplit in [0, 1) holds out the last fraction of the rows of
	// x and y (taken before any shuffling, like Keras) as validation data.
	// It is ignored when ValidationX is set, like Keras.
	ValidationSplit float64
	// Callbacks are called in order at each event.
	Callbacks []Callback
}

// History records the logs of every epoch Fit ran.
type History struct {
	// Epochs are the indices of the epochs run, in order.
	Epochs []int
	// Metrics holds one value per entry of Epochs for each key:
	// "loss", the compiled metrics and, with validation data, "val_loss" and
	// "val_" + metric.
	Metrics map[string][]float64
}

// Fit trains the model on the rows of x with targets y and returns the
// per-epoch history.
//
// Training metrics are running means over the epoch (the loss and metrics of
// each batch, taken before its update, weighted by its rows); validation
// metrics are computed at the end of the epoch. The Logs given to
// OnBatchEnd hold the running means so far; that map is reused for every
// batch and must not be retained.
//
// ctx is checked before every batch (training and validation): when it is
// done, Fit returns an error wrapping ctx.Err() without finishing the epoch.
// On any error the returned History (never nil) holds the epochs completed
// before it, and OnTrainEnd is not called. Fit never modifies x, y or the
// validation data.
//
// Fit is deterministic: the same compiled model (same Compile Seed), data
// and FitConfig give bit-identical weights and history.
func (m *Model) Fit(ctx context.Context, x, y *Matrix, cfg FitConfig) (*History, error) {
	hist := &History{Metrics: map[string][]float64{}}
	if ctx == nil {
		return hist, fmt.Errorf("%w: nil context", ErrInvalidConfig)
	}
	if err := m.checkData(x, y, "x", "y"); err != nil {
		return hist, err
	}
	batch, err := checkFitConfig(&cfg)
	if err != nil {
		return hist, err
	}
	valX, valY := cfg.ValidationX, cfg.ValidationY
	if valX != nil || valY != nil {
		if err := m.checkData(valX, valY, "ValidationX", "ValidationY"); err != nil {
			return hist, err
		}
	} else if cfg.ValidationSplit > 0 {
		split := int(math.Floor(float64(x.Rows) * (1 - cfg.ValidationSplit)))
		if split == 0 || split == x.Rows {
			return hist, fmt.Errorf("%w: ValidationSplit %v of %d rows leaves an empty training or validation set",
				ErrInvalidConfig, cfg.ValidationSplit, x.Rows)
		}
		valX, valY = x.Slice(split, x.Rows), y.Slice(split, y.Rows)
		x, y = x.Slice(0, split), y.Slice(0, split)
	}
	batch = min(batch, x.Rows)
	m.reserve(batch)
	m.initBatchLogs()
	m.stop.Store(false)

	for _, cb := range cfg.Callbacks {
		if err := cb.OnTrainBegin(m); err != nil {
			return hist, callbackErr(cb, "OnTrainBegin", err)
		}
	}
	var order []int
	if !cfg.NoShuffle {
		order = make([]int, x.Rows)
	}
	var logs Logs
	for epoch := cfg.InitialEpoch; epoch < cfg.Epochs; epoch++ {
		for _, cb := range cfg.Callbacks {
			if err := cb.OnEpochBegin(m, epoch); err != nil {
				return hist, callbackErr(cb, "OnEpochBegin", err)
			}
		}
		if order != nil {
			epochOrder(order, cfg.Seed, epoch)
		}
		loss, err := m.runEpoch(ctx, x, y, order, batch, epoch, cfg.Callbacks)
		if err != nil {
			return hist, err
		}
		logs = m.epochLogs(loss)
		if valX != nil {
			if err := m.evaluate(ctx, valX, valY, batch, "val_", logs); err != nil {
				return hist, err
			}
		}
		hist.Epochs = append(hist.Epochs, epoch)
		for k, v := range logs {
			hist.Metrics[k] = append(hist.Metrics[k], v)
		}
		for _, cb := range cfg.Callbacks {
			if err := cb.OnEpochEnd(m, epoch, logs); err != nil {
				return hist, callbackErr(cb, "OnEpochEnd", err)
			}
		}
		if m.stop.Load() {
			break
		}
	}
	for _, cb := range cfg.Callbacks {
		if err := cb.OnTrainEnd(m, logs); err != nil {
			return hist, callbackErr(cb, "OnTrainEnd", err)
		}
	}
	return hist, nil
}

// epochOrder fills order with the permutation of rows for an epoch: a
// function of (seed, epoch) only, so a resumed run shuffles as an
// uninterrupted one.
func epochOrder(order []int, seed int64, epoch int) {
	for i := range order {
		order[i] = i
	}
	r := newRNG(seed, uint64(epoch))
	r.shuffle(order)
}

// runEpoch trains on every batch of one epoch, visiting rows in the given
// order (sequentially if order is nil), until the data end or training is
// stopped, and returns the mean loss of the rows it trained on.
func (m *Model) runEpoch(ctx context.Context, x, y *Matrix, order []int, batch, epoch int, cbs []Callback) (float64, error) {
	var lossSum, seen float64
	for i := range m.metrics {
		m.metrics[i].reset()
	}
	units, yc := m.units(), y.Cols
	for b, lo := 0, 0; lo < x.Rows; b, lo = b+1, lo+batch {
		if err := ctx.Err(); err != nil {
			return 0, fmt.Errorf("nn: fit interrupted in epoch %d before batch %d: %w", epoch, b, err)
		}
		for _, cb := range cbs {
			if err := cb.OnBatchBegin(m, b); err != nil {
				return 0, callbackErr(cb, "OnBatchBegin", err)
			}
		}
		n := min(batch, x.Rows-lo)
		var xb, yb []float32
		if order == nil {
			xb, yb = x.Data[lo*x.Cols:(lo+n)*x.Cols], y.Data[lo*yc:(lo+n)*yc]
		} else {
			xb, yb = m.xbuf[:n*x.Cols], m.ybuf[:n*yc]
			for r, src := range order[lo : lo+n] {
				copy(xb[r*x.Cols:(r+1)*x.Cols], x.Data[src*x.Cols:(src+1)*x.Cols])
				copy(yb[r*yc:(r+1)*yc], y.Data[src*yc:(src+1)*yc])
			}
		}
		lossSum += m.trainStep(xb, yb, n)
		seen += float64(n)
		out := m.denses[len(m.denses)-1].a
		for i := range m.metrics {
			m.metrics[i].update(out, yb, n, units)
		}
		if len(cbs) > 0 {
			m.batchLogs["loss"] = lossSum / seen
			for i := range m.metrics {
				m.batchLogs[m.metrics[i].name] = m.metrics[i].result()
			}
			for _, cb := range cbs {
				if err := cb.OnBatchEnd(m, b, m.batchLogs); err != nil {
					return 0, callbackErr(cb, "OnBatchEnd", err)
				}
			}
		}
		if m.stop.Load() {
			break
		}
	}
	return lossSum / seen, nil
}

func (m *Model) initBatchLogs() {
	if m.batchLogs == nil {
		m.batchLogs = Logs{}
	}
	clear(m.batchLogs)
	m.batchLogs["loss"] = 0
	for _, mt := range m.metrics {
		m.batchLogs[mt.name] = 0
	}
}

func (m *Model) epochLogs(loss float64) Logs {
	logs := Logs{"loss": loss}
	for i := range m.metrics {
		logs[m.metrics[i].name] = m.metrics[i].result()
	}
	return logs
}

func checkFitConfig(cfg *FitConfig) (batch int, err error) {
	switch {
	case cfg.Epochs <= 0:
		return 0, fmt.Errorf("%w: FitConfig.Epochs is %d, want a positive number", ErrInvalidConfig, cfg.Epochs)
	case cfg.InitialEpoch < 0:
		return 0, fmt.Errorf("%w: FitConfig.InitialEpoch is %d, want 0 or more", ErrInvalidConfig, cfg.InitialEpoch)
	case cfg.BatchSize < 0:
		return 0, fmt.Errorf("%w: FitConfig.BatchSize is %d, want 0 (meaning 32) or more", ErrInvalidConfig, cfg.BatchSize)
	case !(cfg.ValidationSplit >= 0 && cfg.ValidationSplit < 1):
		return 0, fmt.Errorf("%w: FitConfig.ValidationSplit is %v, want a value in [0, 1)", ErrInvalidConfig, cfg.ValidationSplit)
	}
	for i, cb := range cfg.Callbacks {
		if cb == nil {
			return 0, fmt.Errorf("%w: FitConfig.Callbacks[%d] is nil", ErrInvalidConfig, i)
		}
	}
	if cfg.BatchSize == 0 {
		return 32, nil
	}
	return cfg.BatchSize, nil
}

// checkData reports data that the compiled model cannot use.
func (m *Model) checkData(x, y *Matrix, xName, yName string) error {
	if !m.compiled {
		return ErrNotCompiled
	}
	if err := x.check(xName); err != nil {
		return err
	}
	if err := y.check(yName); err != nil {
		return err
	}
	if x.Cols != m.inSize {
		return fmt.Errorf("%w: %s has %d columns, the model input %s needs %d",
			ErrShape, xName, x.Cols, shapeString(m.inShape), m.inSize)
	}
	if x.Rows != y.Rows {
		return fmt.Errorf("%w: %s has %d rows, %s has %d", ErrShape, xName, x.Rows, yName, y.Rows)
	}
	units := m.units()
	if want := m.loss.yCols(units); y.Cols != want {
		what := "one per output"
		if m.loss.kind == lossSCCE {
			what = "class indices for sparse_categorical_crossentropy"
		}
		return fmt.Errorf("%w: %s has %d columns, want %d (%s)", ErrShape, yName, y.Cols, want, what)
	}
	return m.loss.checkTargets(y, units, yName)
}

func callbackErr(cb Callback, event string, err error) error {
	return fmt.Errorf("nn: callback %T.%s: %w", cb, event, err)
}
