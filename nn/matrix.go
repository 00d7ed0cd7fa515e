package nn

import (
	"fmt"
	"math"
)

// Matrix is a dense row-major float32 matrix: one sample per row.
//
// Images and other shaped inputs are stored flattened, one row per sample;
// the model's Input layer records the shape.
type Matrix struct {
	Rows, Cols int
	Data       []float32
}

// NewMatrix returns a zeroed rows×cols matrix.
func NewMatrix(rows, cols int) *Matrix {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("nn: negative matrix dimension %d×%d", rows, cols))
	}
	return &Matrix{Rows: rows, Cols: cols, Data: make([]float32, rows*cols)}
}

// At returns the element at row i, column j.
func (m *Matrix) At(i, j int) float32 { return m.Data[i*m.Cols+j] }

// Set sets the element at row i, column j.
func (m *Matrix) Set(i, j int, v float32) { m.Data[i*m.Cols+j] = v }

// Row returns row i as a slice sharing m's storage.
func (m *Matrix) Row(i int) []float32 { return m.Data[i*m.Cols : (i+1)*m.Cols] }

// Slice returns rows [from, to) as a matrix sharing m's storage.
func (m *Matrix) Slice(from, to int) *Matrix {
	if from < 0 || to > m.Rows || from > to {
		panic(fmt.Sprintf("nn: row slice [%d:%d] out of range for %d rows", from, to, m.Rows))
	}
	return &Matrix{Rows: to - from, Cols: m.Cols, Data: m.Data[from*m.Cols : to*m.Cols]}
}

// NewMatrixFrom returns a rows×cols matrix backed by data, which is not
// copied. It panics if len(data) != rows*cols.
func NewMatrixFrom(rows, cols int, data []float32) *Matrix {
	if rows < 0 || cols < 0 || len(data) != rows*cols {
		panic(fmt.Sprintf("nn: %d values for a %d×%d matrix", len(data), rows, cols))
	}
	return &Matrix{Rows: rows, Cols: cols, Data: data}
}

// Clone returns a deep copy of m.
func (m *Matrix) Clone() *Matrix {
	return &Matrix{Rows: m.Rows, Cols: m.Cols, Data: append([]float32(nil), m.Data[:m.Rows*m.Cols]...)}
}

// check reports a nil, empty or malformed matrix; name says which argument.
func (m *Matrix) check(name string) error {
	switch {
	case m == nil:
		return fmt.Errorf("%w: %s is nil", ErrEmptyData, name)
	case m.Rows < 0 || m.Cols < 0 || (m.Cols > 0 && m.Rows > math.MaxInt/m.Cols) || len(m.Data) != m.Rows*m.Cols:
		return fmt.Errorf("%w: %s is malformed: %d values for %d×%d", ErrShape, name, len(m.Data), m.Rows, m.Cols)
	case m.Rows == 0:
		return fmt.Errorf("%w: %s has no rows", ErrEmptyData, name)
	}
	return nil
}
