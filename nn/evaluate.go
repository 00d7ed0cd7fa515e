package nn

import (
	"context"
	"fmt"
)

// EvaluateConfig configures EvaluateMulti.
type EvaluateConfig struct {
	// BatchSize is the number of rows per forward pass; 0 means 32. Results
	// do not depend on it.
	BatchSize int
	// SampleWeight weighs each row's loss and metrics (nil: all 1).
	SampleWeight []float32
}

// Evaluate returns the loss and compiled metrics of a model with one input
// and one output on x and y, computed in batches of cfg.BatchSize rows and
// averaged over all rows, under the names "loss" and the metric names (see
// MetricsNames). Like Fit and FitMulti, Evaluate takes one matrix each and
// EvaluateMulti one per input and output.
func (m *Model) Evaluate(ctx context.Context, x, y *Matrix, cfg EvaluateConfig) (Logs, error) {
	return m.EvaluateMulti(ctx, []*Matrix{x}, []*Matrix{y}, cfg)
}

// EvaluateMulti is Evaluate for any model, with one matrix per input in x
// and per output in y, sample weights and cancellation. The Logs hold the
// weighted total loss "loss", each output's loss ("<output>_loss", with
// several outputs) and each output's metrics: the values Keras' evaluate
// returns, in the order of MetricsNames.
func (m *Model) EvaluateMulti(ctx context.Context, x, y []*Matrix, cfg EvaluateConfig) (Logs, error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w: nil context", ErrInvalidConfig)
	}
	d, err := m.checkData(x, y, "x", "y")
	if err != nil {
		return nil, err
	}
	if err := checkWeights(cfg.SampleWeight, d.rows, "EvaluateConfig.SampleWeight"); err != nil {
		return nil, err
	}
	d.sw = cfg.SampleWeight
	batch := cfg.BatchSize
	if batch < 0 {
		return nil, fmt.Errorf("%w: batch size %d, want 0 (meaning 32) or more", ErrInvalidConfig, batch)
	}
	if batch == 0 {
		batch = 32
	}
	batch = min(batch, d.rows)
	m.reserve(batch)
	logs := Logs{}
	if err := m.evaluate(ctx, d, batch, "", logs); err != nil {
		return nil, err
	}
	return logs, nil
}

// evaluate adds the loss and metrics on checked data to logs, each name
// prefixed with prefix, checking ctx before every batch. It allocates nothing
// once reserve(batch) was called, apart from inserting the keys into logs.
func (m *Model) evaluate(ctx context.Context, d dataset, batch int, prefix string, logs Logs) error {
	for _, h := range m.heads {
		h.sum = 0
		for i := range h.evalMetrics {
			h.evalMetrics[i].reset()
		}
	}
	for lo := 0; lo < d.rows; lo += batch {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("nn: evaluation interrupted at row %d: %w", lo, err)
		}
		n := min(batch, d.rows-lo)
		xb, yb, sw := m.batch(d, nil, lo, n)
		m.forward(xb, n, false)
		for k, h := range m.heads {
			h.sum = h.eval(yb[k], sw, n, false, h.sum)
			for i := range h.evalMetrics {
				h.evalMetrics[i].update(h.u.out, yb[k], sw, n, h.units)
			}
		}
	}
	rows := float64(d.rows)
	var total float64
	for _, h := range m.heads {
		total += h.weight * h.sum
	}
	logs[prefix+"loss"] = total / rows
	for _, h := range m.heads {
		if h.lossKey != "" {
			logs[prefix+h.lossKey] = h.sum / rows
		}
		for i := range h.evalMetrics {
			logs[prefix+h.evalMetrics[i].key] = h.evalMetrics[i].result()
		}
	}
	return nil
}

// Predict returns the outputs of a model with one input and one output for
// the rows of x, one row each. Outputs do not depend on how rows are
// batched; Dropout is off and BatchNormalization uses its moving
// statistics.
func (m *Model) Predict(x *Matrix) (*Matrix, error) {
	if m.compiled && len(m.heads) != 1 {
		return nil, fmt.Errorf("%w: the model has %d outputs; use PredictMulti", ErrShape, len(m.heads))
	}
	out, err := m.PredictMulti([]*Matrix{x})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// PredictMulti is Predict for any model: x holds one matrix per input, and
// the result one matrix per output, in order.
func (m *Model) PredictMulti(x []*Matrix) ([]*Matrix, error) {
	if !m.compiled {
		return nil, ErrNotCompiled
	}
	if err := m.checkInputs(x, "x"); err != nil {
		return nil, err
	}
	rows := x[0].Rows
	batch := max(m.capRows, min(32, rows))
	m.reserve(batch)
	res := make([]*Matrix, len(m.heads))
	for k, h := range m.heads {
		res[k] = NewMatrix(rows, h.units)
	}
	xb := m.xbatch
	for lo := 0; lo < rows; lo += batch {
		n := min(batch, rows-lo)
		for i, xi := range x {
			xb[i] = xi.Data[lo*xi.Cols : (lo+n)*xi.Cols]
		}
		m.forward(xb, n, false)
		for k, h := range m.heads {
			copy(res[k].Data[lo*h.units:(lo+n)*h.units], h.u.out[:n*h.units])
		}
	}
	return res, nil
}
