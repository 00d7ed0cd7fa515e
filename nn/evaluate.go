package nn

import (
	"context"
	"fmt"
)

// Evaluate returns the loss and compiled metrics of the model on x and y,
// computed in batches of batchSize rows (0 means 32) and averaged over all
// rows, under the names "loss" and the metric names.
func (m *Model) Evaluate(x, y *Matrix, batchSize int) (Logs, error) {
	if err := m.checkData(x, y, "x", "y"); err != nil {
		return nil, err
	}
	if batchSize < 0 {
		return nil, fmt.Errorf("%w: batch size %d, want 0 (meaning 32) or more", ErrInvalidConfig, batchSize)
	}
	if batchSize == 0 {
		batchSize = 32
	}
	batchSize = min(batchSize, x.Rows)
	m.reserve(batchSize)
	logs := Logs{}
	if err := m.evaluate(context.Background(), x, y, batchSize, "", logs); err != nil {
		return nil, err
	}
	return logs, nil
}

// evaluate adds the loss and metrics on checked data to logs, each name
// prefixed with prefix, checking ctx before every batch. It allocates nothing
// once reserve(batch) was called, apart from inserting the keys into logs.
func (m *Model) evaluate(ctx context.Context, x, y *Matrix, batch int, prefix string, logs Logs) error {
	for i := range m.evalMetric {
		m.evalMetric[i].reset()
	}
	out := m.denses[len(m.denses)-1]
	units, yc := out.out, y.Cols
	var sum float64
	for lo := 0; lo < x.Rows; lo += batch {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("nn: evaluation interrupted at row %d: %w", lo, err)
		}
		n := min(batch, x.Rows-lo)
		yb := y.Data[lo*yc : (lo+n)*yc]
		m.forward(x.Data[lo*x.Cols:(lo+n)*x.Cols], n)
		sum += m.loss.sum(out.z, out.a, yb, n, units)
		for i := range m.evalMetric {
			m.evalMetric[i].update(out.a, yb, n, units)
		}
	}
	logs[prefix+"loss"] = sum / float64(x.Rows)
	for i := range m.evalMetric {
		logs[prefix+m.evalMetric[i].name] = m.evalMetric[i].result()
	}
	return nil
}

// Predict returns the model's outputs for the rows of x, one row each.
// Outputs do not depend on how rows are batched.
func (m *Model) Predict(x *Matrix) (*Matrix, error) {
	if !m.compiled {
		return nil, ErrNotCompiled
	}
	if err := x.check("x"); err != nil {
		return nil, err
	}
	if x.Cols != m.inSize {
		return nil, fmt.Errorf("%w: x has %d columns, the model input %s needs %d",
			ErrShape, x.Cols, shapeString(m.inShape), m.inSize)
	}
	batch := max(m.capRows, min(32, x.Rows))
	m.reserve(batch)
	out := m.denses[len(m.denses)-1]
	res := NewMatrix(x.Rows, out.out)
	for lo := 0; lo < x.Rows; lo += batch {
		n := min(batch, x.Rows-lo)
		m.forward(x.Data[lo*x.Cols:(lo+n)*x.Cols], n)
		copy(res.Data[lo*out.out:(lo+n)*out.out], out.a[:n*out.out])
	}
	return res, nil
}
