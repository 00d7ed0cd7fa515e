package nn

import (
	"fmt"
	"math"
)

// dataset is checked data for training or evaluation: one matrix per model
// input and per output, with the same rows, and optional per-row weights.
type dataset struct {
	x, y []*Matrix
	sw   []float32 // nil: every row weighs 1
	rows int
}

// slice returns rows [lo, hi) as views.
func (d dataset) slice(lo, hi int) dataset {
	s := dataset{rows: hi - lo, x: make([]*Matrix, len(d.x)), y: make([]*Matrix, len(d.y))}
	for i, x := range d.x {
		s.x[i] = x.Slice(lo, hi)
	}
	for i, y := range d.y {
		s.y[i] = y.Slice(lo, hi)
	}
	if d.sw != nil {
		s.sw = d.sw[lo:hi]
	}
	return s
}

// batch returns the rows [lo, lo+n) of d, or the rows order[lo:lo+n] copied
// into the model's batch buffers when order is not nil. It allocates
// nothing.
func (m *Model) batch(d dataset, order []int, lo, n int) (xb, yb [][]float32, sw []float32) {
	xb, yb = m.xbatch[:len(d.x)], m.ybatch[:len(d.y)]
	if order == nil {
		for i, x := range d.x {
			xb[i] = x.Data[lo*x.Cols : (lo+n)*x.Cols]
		}
		for i, y := range d.y {
			yb[i] = y.Data[lo*y.Cols : (lo+n)*y.Cols]
		}
		if d.sw != nil {
			sw = d.sw[lo : lo+n]
		}
		return xb, yb, sw
	}
	rows := order[lo : lo+n]
	for i, x := range d.x {
		xb[i] = gather(m.xbuf[i][:n*x.Cols], x, rows)
	}
	for i, y := range d.y {
		yb[i] = gather(m.ybuf[i][:n*y.Cols], y, rows)
	}
	if d.sw != nil {
		sw = m.swbuf[:n]
		for r, src := range rows {
			sw[r] = d.sw[src]
		}
	}
	return xb, yb, sw
}

// gather copies the given rows of src into dst and returns dst.
func gather(dst []float32, src *Matrix, rows []int) []float32 {
	c := src.Cols
	for r, i := range rows {
		copy(dst[r*c:(r+1)*c], src.Data[i*c:(i+1)*c])
	}
	return dst
}

// checkData reports data that the compiled model cannot use: the wrong
// number of matrices, malformed or empty ones, columns that do not match
// the inputs or the losses' targets, differing row counts, invalid labels.
func (m *Model) checkData(x, y []*Matrix, xName, yName string) (dataset, error) {
	if !m.compiled {
		return dataset{}, ErrNotCompiled
	}
	if err := m.checkInputs(x, xName); err != nil {
		return dataset{}, err
	}
	if len(y) != len(m.heads) {
		return dataset{}, fmt.Errorf("%w: %s has %d matrices for the model's %d outputs %q%s",
			ErrShape, yName, len(y), len(m.heads), m.OutputNames(), multiHint(len(m.heads)))
	}
	rows := x[0].Rows
	for k, h := range m.heads {
		name := argName(yName, k, len(y))
		if err := y[k].check(name); err != nil {
			return dataset{}, err
		}
		if y[k].Cols != h.ycols {
			what := "one per output unit"
			if h.loss.kind == lossSCCE {
				what = "class indices for sparse_categorical_crossentropy"
			}
			return dataset{}, fmt.Errorf("%w: %s has %d columns, want %d (%s)", ErrShape, name, y[k].Cols, h.ycols, what)
		}
		if y[k].Rows != rows {
			return dataset{}, fmt.Errorf("%w: %s has %d rows, %s has %d", ErrShape, argName(xName, 0, len(x)), rows, name, y[k].Rows)
		}
		if err := h.loss.checkTargets(y[k], h.units, name); err != nil {
			return dataset{}, err
		}
	}
	return dataset{x: x, y: y, rows: rows}, nil
}

// checkInputs checks the input matrices.
func (m *Model) checkInputs(x []*Matrix, xName string) error {
	if len(x) != len(m.inputs) {
		return fmt.Errorf("%w: %s has %d matrices for the model's %d inputs %q%s",
			ErrShape, xName, len(x), len(m.inputs), m.InputNames(), multiHint(len(m.inputs)))
	}
	for i, in := range m.inputs {
		name := argName(xName, i, len(x))
		if err := x[i].check(name); err != nil {
			return err
		}
		if x[i].Cols != in.size {
			return fmt.Errorf("%w: %s has %d columns, the model input %s needs %d",
				ErrShape, name, x[i].Cols, shapeString(in.shape), in.size)
		}
		if x[i].Rows != x[0].Rows {
			return fmt.Errorf("%w: %s has %d rows, %s has %d", ErrShape, argName(xName, 0, len(x)), x[0].Rows, name, x[i].Rows)
		}
	}
	return nil
}

func multiHint(n int) string {
	if n > 1 {
		return " (use the Multi methods for several inputs or outputs)"
	}
	return ""
}

// argName names the i-th of n matrices of an argument: "x" or "x[1]".
func argName(base string, i, n int) string {
	if n == 1 {
		return base
	}
	return fmt.Sprintf("%s[%d]", base, i)
}

// checkWeights reports sample weights of the wrong length or with negative
// or non-finite values.
func checkWeights(w []float32, rows int, name string) error {
	if w == nil {
		return nil
	}
	if len(w) != rows {
		return fmt.Errorf("%w: %s has %d values for %d rows", ErrShape, name, len(w), rows)
	}
	for i, v := range w {
		if !(v >= 0) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("%w: %s[%d] is %v, want a finite value ≥ 0", ErrInvalidConfig, name, i, v)
		}
	}
	return nil
}

// rowWeights combines sample weights and class weights into one weight per
// row of d (nil if both are nil). The class of a row is its sparse label,
// the argmax of a one-hot row, or the rounded value of a single column.
func (m *Model) rowWeights(d dataset, sample []float32, class map[int]float64) ([]float32, error) {
	if class == nil {
		return sample, nil
	}
	if len(m.heads) != 1 {
		return nil, fmt.Errorf("%w: ClassWeight needs a model with one output, this one has %d", ErrInvalidConfig, len(m.heads))
	}
	for c, w := range class {
		if !(w >= 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("%w: ClassWeight[%d] is %v, want a finite value ≥ 0", ErrInvalidConfig, c, w)
		}
	}
	y := d.y[0]
	out := make([]float32, d.rows)
	for r := range d.rows {
		row := y.Row(r)
		var c int
		if len(row) > 1 {
			c = argmax(row)
		} else {
			c = int(math.Round(float64(row[0])))
		}
		w := 1.0
		if cw, ok := class[c]; ok {
			w = cw
		}
		if sample != nil {
			w *= float64(sample[r])
		}
		out[r] = float32(w)
	}
	return out, nil
}
