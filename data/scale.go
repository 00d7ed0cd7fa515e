package data

import (
	"fmt"
	"math"

	"github.com/tunekit/tune/nn"
)

// colStats holds per-column statistics computed in float64.
type colStats struct {
	mean, std, min, max []float64
}

// columnStats computes each column's mean, population standard deviation
// (two passes, for accuracy), minimum and maximum. x must have at least one
// row and only finite values.
func columnStats(x *nn.Matrix) (colStats, error) {
	if err := checkXY(x, nil); err != nil {
		return colStats{}, err
	}
	if x.Rows == 0 {
		return colStats{}, fmt.Errorf("%w: cannot fit on 0 rows", ErrShape)
	}
	c := x.Cols
	s := colStats{
		mean: make([]float64, c), std: make([]float64, c),
		min: make([]float64, c), max: make([]float64, c),
	}
	for j := range c {
		s.min[j], s.max[j] = math.Inf(1), math.Inf(-1)
	}
	for i := range x.Rows {
		for j, v := range x.Row(i) {
			f := float64(v)
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return colStats{}, fmt.Errorf("%w: %v at row %d, column %d", ErrNotFinite, v, i, j)
			}
			s.mean[j] += f
			s.min[j] = min(s.min[j], f)
			s.max[j] = max(s.max[j], f)
		}
	}
	n := float64(x.Rows)
	for j := range c {
		s.mean[j] /= n
		if s.min[j] == s.max[j] {
			s.mean[j] = s.min[j] // exact, whatever the rounding of the sum
		}
	}
	for i := range x.Rows {
		for j, v := range x.Row(i) {
			d := float64(v) - s.mean[j]
			s.std[j] += d * d
		}
	}
	for j := range c {
		s.std[j] = math.Sqrt(s.std[j] / n)
	}
	return s, nil
}

// affine returns a new matrix with column j mapped to (v - shift[j]) / scale[j],
// or with inv to v·scale[j] + shift[j], computed in float64.
func affine(x *nn.Matrix, shift, scale []float64, inv bool) (*nn.Matrix, error) {
	if shift == nil {
		return nil, fmt.Errorf("%w", ErrNotFitted)
	}
	if err := checkXY(x, nil); err != nil {
		return nil, err
	}
	if x.Cols != len(shift) || len(scale) != len(shift) {
		return nil, fmt.Errorf("%w: scaler fitted on %d columns (%d scales), matrix has %d", ErrShape, len(shift), len(scale), x.Cols)
	}
	out := nn.NewMatrix(x.Rows, x.Cols)
	for i := range x.Rows {
		src, dst := x.Row(i), out.Row(i)
		for j, v := range src {
			if inv {
				dst[j] = float32(float64(v)*scale[j] + shift[j])
			} else {
				dst[j] = float32((float64(v) - shift[j]) / scale[j])
			}
		}
	}
	return out, nil
}

// StandardScaler standardises each column to zero mean and unit variance,
// like scikit-learn's StandardScaler and Keras' Normalization.adapt: a value
// v in column j becomes (v - Mean[j]) / Scale[j].
//
// Statistics are accumulated in float64. Scale is the population standard
// deviation (divisor n, as scikit-learn); a constant column gets Scale 1, so
// it becomes 0 rather than NaN. The fields are exported so that a fitted
// scaler can be saved (for example as JSON) and reused on new data.
type StandardScaler struct {
	Mean  []float64 // per-column mean
	Scale []float64 // per-column standard deviation; 1 for constant columns
}

// Fit computes each column's mean and standard deviation from x. x needs at
// least one row and only finite values (else an error wrapping ErrShape or
// ErrNotFinite). On error the scaler is unchanged.
func (s *StandardScaler) Fit(x *nn.Matrix) error {
	st, err := columnStats(x)
	if err != nil {
		return err
	}
	for j, sd := range st.std {
		if st.min[j] == st.max[j] || sd == 0 {
			st.std[j] = 1
		}
	}
	s.Mean, s.Scale = st.mean, st.std
	return nil
}

// Transform returns a new matrix with x's columns standardised. x must have
// as many columns as the matrix the scaler was fitted on.
func (s *StandardScaler) Transform(x *nn.Matrix) (*nn.Matrix, error) {
	return affine(x, s.Mean, s.Scale, false)
}

// FitTransform fits the scaler on x and returns x transformed.
func (s *StandardScaler) FitTransform(x *nn.Matrix) (*nn.Matrix, error) {
	if err := s.Fit(x); err != nil {
		return nil, err
	}
	return s.Transform(x)
}

// InverseTransform maps standardised values back to the original units (for
// example a regression model's predictions of a scaled target).
func (s *StandardScaler) InverseTransform(x *nn.Matrix) (*nn.Matrix, error) {
	return affine(x, s.Mean, s.Scale, true)
}

// MinMaxScaler maps each column linearly onto [0, 1] using the minimum and
// maximum seen by Fit, like scikit-learn's MinMaxScaler: a value v in column
// j becomes (v - Min[j]) / (Max[j] - Min[j]). Values outside the fitted range
// map outside [0, 1] (there is no clipping). A constant column maps to 0
// rather than NaN. Arithmetic is in float64.
type MinMaxScaler struct {
	Min []float64 // per-column minimum
	Max []float64 // per-column maximum
}

// Fit records each column's minimum and maximum. x needs at least one row and
// only finite values. On error the scaler is unchanged.
func (s *MinMaxScaler) Fit(x *nn.Matrix) error {
	st, err := columnStats(x)
	if err != nil {
		return err
	}
	s.Min, s.Max = st.min, st.max
	return nil
}

func (s *MinMaxScaler) ranges() ([]float64, error) {
	if s.Min == nil {
		return nil, fmt.Errorf("%w", ErrNotFitted)
	}
	if len(s.Max) != len(s.Min) {
		return nil, fmt.Errorf("%w: MinMaxScaler has %d minima and %d maxima", ErrShape, len(s.Min), len(s.Max))
	}
	r := make([]float64, len(s.Min))
	for j := range r {
		r[j] = s.Max[j] - s.Min[j]
		if !(r[j] > 0) {
			r[j] = 1
		}
	}
	return r, nil
}

// Transform returns a new matrix with x's columns scaled. x must have as
// many columns as the matrix the scaler was fitted on.
func (s *MinMaxScaler) Transform(x *nn.Matrix) (*nn.Matrix, error) {
	r, err := s.ranges()
	if err != nil {
		return nil, err
	}
	return affine(x, s.Min, r, false)
}

// FitTransform fits the scaler on x and returns x transformed.
func (s *MinMaxScaler) FitTransform(x *nn.Matrix) (*nn.Matrix, error) {
	if err := s.Fit(x); err != nil {
		return nil, err
	}
	return s.Transform(x)
}

// InverseTransform maps scaled values back to the original units.
func (s *MinMaxScaler) InverseTransform(x *nn.Matrix) (*nn.Matrix, error) {
	r, err := s.ranges()
	if err != nil {
		return nil, err
	}
	return affine(x, s.Min, r, true)
}
