package nn

import (
	"context"
	"fmt"
	"math"
)

// Logs maps metric names ("loss", "accuracy", "val_loss", ...) to values.
type Logs map[string]float64

// FitConfig configures Fit and FitMulti.
type FitConfig struct {
	// Epochs is the index one past the last epoch to run; Fit runs epochs
	// InitialEpoch..Epochs-1 (Keras semantics), none if InitialEpoch >= Epochs.
	Epochs int
	// BatchSize is the number of rows per gradient step; 0 means 32. The
	// last batch of an epoch may be smaller.
	BatchSize int
	// InitialEpoch is the index of the first epoch, for resuming: epoch e
	// shuffles (and draws dropout masks) the same way whether or not earlier
	// epochs ran in this call.
	InitialEpoch int
	// NoShuffle keeps the rows in order; by default each epoch visits them in
	// a permutation drawn from (Seed, epoch).
	NoShuffle bool
	// Seed determines the shuffles and the dropout masks.
	Seed int64

	// ValidationX and ValidationY, if set, are evaluated at the end of every
	// epoch; their results are logged with a "val_" prefix. For models with
	// several inputs or outputs use ValidationInputs and ValidationTargets
	// instead (one matrix per input and per output, in order).
	ValidationX, ValidationY            *Matrix
	ValidationInputs, ValidationTargets []*Matrix
	// ValidationSampleWeight weighs the validation rows (nil: all 1).
	ValidationSampleWeight []float32
	// ValidationSplit in [0, 1) holds out the last fraction of the rows of
	// the data (and of SampleWeight), taken before any shuffling, like
	// Keras, as validation data. It is ignored when validation data are
	// given, like Keras.
	ValidationSplit float64

	// SampleWeight weighs each training row's loss and metrics (nil: all 1).
	SampleWeight []float32
	// ClassWeight weighs the training rows by their class (a model with one
	// output only): the sparse label, the argmax of a one-hot target, or a
	// binary target rounded. Classes not in the map weigh 1. It multiplies
	// SampleWeight.
	ClassWeight map[int]float64

	// Callbacks are called in order at each event.
	Callbacks []Callback
}

// History records the logs of every epoch Fit ran.
type History struct {
	// Epochs are the indices of the epochs run, in order.
	Epochs []int
	// Metrics holds one value per entry of Epochs for each key:
	// "loss", each output's loss (several outputs), the compiled metrics
	// and, with validation data, the same names prefixed with "val_".
	Metrics map[string][]float64
}

// Fit trains a model with one input and one output on the rows of x with
// targets y and returns the per-epoch history. FitMulti is Fit for models
// with several inputs or outputs.
//
// Training metrics are running means over the epoch (the loss and metrics of
// each batch, taken before its update, weighted by its rows and sample
// weights); validation metrics are computed at the end of the epoch. The
// loss is the weighted sum of the outputs' losses (see
// CompileConfig.LossWeights); each loss is the mean over the rows of
// the sample-weighted per-row losses. The Logs given to OnBatchEnd hold
// the running means so far; that map is reused for every batch and must not
// be retained.
//
// ctx is checked before every batch (training and validation): when it is
// done, Fit returns an error wrapping ctx.Err() without finishing the epoch.
// On any error the returned History (never nil) holds the epochs completed
// before it, and OnTrainEnd is not called. Fit never modifies its data.
//
// Fit is deterministic: the same compiled model (same Compile Seed), data
// and FitConfig give bit-identical weights and history.
func (m *Model) Fit(ctx context.Context, x, y *Matrix, cfg FitConfig) (*History, error) {
	return m.fit(ctx, []*Matrix{x}, []*Matrix{y}, cfg)
}

// FitMulti is Fit for models with several inputs or outputs: x holds one
// matrix per input and y one per output, in the order of NewModel's inputs
// and outputs (see InputNames and OutputNames), all with the same rows.
func (m *Model) FitMulti(ctx context.Context, x, y []*Matrix, cfg FitConfig) (*History, error) {
	return m.fit(ctx, x, y, cfg)
}

func (m *Model) fit(ctx context.Context, x, y []*Matrix, cfg FitConfig) (*History, error) {
	hist := &History{Metrics: map[string][]float64{}}
	if ctx == nil {
		return hist, fmt.Errorf("%w: nil context", ErrInvalidConfig)
	}
	train, err := m.checkData(x, y, "x", "y")
	if err != nil {
		return hist, err
	}
	batch, err := checkFitConfig(&cfg)
	if err != nil {
		return hist, err
	}
	if err := checkWeights(cfg.SampleWeight, train.rows, "FitConfig.SampleWeight"); err != nil {
		return hist, err
	}
	val, hasVal, err := m.validationData(&train, cfg)
	if err != nil {
		return hist, err
	}
	if train.sw, err = m.rowWeights(train, train.sw, cfg.ClassWeight); err != nil {
		return hist, err
	}
	batch = min(batch, train.rows)
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
		order = make([]int, train.rows)
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
		for _, d := range m.dropouts {
			d.reseed(cfg.Seed, epoch)
		}
		if err := m.runEpoch(ctx, train, order, batch, epoch, cfg.Callbacks); err != nil {
			return hist, err
		}
		logs = m.epochLogs()
		if hasVal {
			if err := m.evaluate(ctx, val, batch, "val_", logs); err != nil {
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

// validationData checks the validation data of cfg, or splits them off
// train (with its sample weights) per ValidationSplit.
func (m *Model) validationData(train *dataset, cfg FitConfig) (val dataset, ok bool, err error) {
	train.sw = cfg.SampleWeight
	vx, vy := cfg.ValidationInputs, cfg.ValidationTargets
	if cfg.ValidationX != nil || cfg.ValidationY != nil {
		if vx != nil || vy != nil {
			return val, false, fmt.Errorf("%w: FitConfig has both ValidationX/ValidationY and ValidationInputs/ValidationTargets", ErrInvalidConfig)
		}
		vx, vy = []*Matrix{cfg.ValidationX}, []*Matrix{cfg.ValidationY}
	}
	if vx != nil || vy != nil {
		if val, err = m.checkData(vx, vy, "ValidationX", "ValidationY"); err != nil {
			return val, false, err
		}
		if err := checkWeights(cfg.ValidationSampleWeight, val.rows, "FitConfig.ValidationSampleWeight"); err != nil {
			return val, false, err
		}
		val.sw = cfg.ValidationSampleWeight
		return val, true, nil
	}
	if cfg.ValidationSplit == 0 {
		return val, false, nil
	}
	split := int(math.Floor(float64(train.rows) * (1 - cfg.ValidationSplit)))
	if split == 0 || split == train.rows {
		return val, false, fmt.Errorf("%w: ValidationSplit %v of %d rows leaves an empty training or validation set",
			ErrInvalidConfig, cfg.ValidationSplit, train.rows)
	}
	val = train.slice(split, train.rows)
	*train = train.slice(0, split)
	return val, true, nil
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
// stopped, leaving the running loss sums in the heads and the running
// metrics.
func (m *Model) runEpoch(ctx context.Context, d dataset, order []int, batch, epoch int, cbs []Callback) error {
	var total float64
	seen := 0
	for _, h := range m.heads {
		h.sum = 0
		for i := range h.metrics {
			h.metrics[i].reset()
		}
	}
	for b, lo := 0, 0; lo < d.rows; b, lo = b+1, lo+batch {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("nn: fit interrupted in epoch %d before batch %d: %w", epoch, b, err)
		}
		for _, cb := range cbs {
			if err := cb.OnBatchBegin(m, b); err != nil {
				return callbackErr(cb, "OnBatchBegin", err)
			}
		}
		n := min(batch, d.rows-lo)
		xb, yb, sw := m.batch(d, order, lo, n)
		total += m.trainStep(xb, yb, sw, n)
		seen += n
		for k, h := range m.heads {
			h.sum += h.batch
			for i := range h.metrics {
				h.metrics[i].update(h.u.out, yb[k], sw, n, h.units)
			}
		}
		m.epochTotal, m.epochSeen = total, seen
		if len(cbs) > 0 {
			m.fillLogs(m.batchLogs)
			for _, cb := range cbs {
				if err := cb.OnBatchEnd(m, b, m.batchLogs); err != nil {
					return callbackErr(cb, "OnBatchEnd", err)
				}
			}
		}
		if m.stop.Load() {
			break
		}
	}
	return nil
}

// fillLogs writes the running training loss and metrics into logs.
func (m *Model) fillLogs(logs Logs) {
	seen := float64(m.epochSeen)
	logs["loss"] = m.epochTotal / seen
	for _, h := range m.heads {
		if h.lossKey != "" {
			logs[h.lossKey] = h.sum / seen
		}
		for i := range h.metrics {
			logs[h.metrics[i].key] = h.metrics[i].result()
		}
	}
}

func (m *Model) initBatchLogs() {
	if m.batchLogs == nil {
		m.batchLogs = Logs{}
	}
	clear(m.batchLogs)
	m.epochTotal, m.epochSeen = 0, 1
	m.fillLogs(m.batchLogs)
}

func (m *Model) epochLogs() Logs {
	logs := Logs{}
	m.fillLogs(logs)
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

func callbackErr(cb Callback, event string, err error) error {
	return fmt.Errorf("nn: callback %T.%s: %w", cb, event, err)
}
