package data

import (
	"errors"
	"math"
	"testing"

	"github.com/tunekit/tune/nn"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func checkMatrix(t *testing.T, what string, got *nn.Matrix, want [][]float64, tol float64) {
	t.Helper()
	if got.Rows != len(want) || got.Cols != len(want[0]) {
		t.Fatalf("%s: %d×%d, want %d×%d", what, got.Rows, got.Cols, len(want), len(want[0]))
	}
	for i, row := range want {
		for j, w := range row {
			if g := float64(got.At(i, j)); !near(g, w, tol) || math.IsNaN(g) {
				t.Errorf("%s[%d][%d] = %v, want %v", what, i, j, g, w)
			}
		}
	}
}

// Columns: 1..4 (mean 2.5, population variance 1.25), 10..40 (mean 25,
// variance 125), constant 5, constant 0.1 (whose float sum is inexact).
var scaleInput = mat(4, 4,
	1, 10, 5, 0.1,
	2, 20, 5, 0.1,
	3, 30, 5, 0.1,
	4, 40, 5, 0.1,
)

func TestStandardScaler(t *testing.T) {
	var s StandardScaler
	got, err := s.FitTransform(scaleInput)
	if err != nil {
		t.Fatal(err)
	}
	sd := math.Sqrt(1.25) // 1.118033988749895
	wantMean := []float64{2.5, 25, 5, float64(float32(0.1))}
	wantScale := []float64{sd, 10 * sd, 1, 1}
	for j := range 4 {
		if !near(s.Mean[j], wantMean[j], 1e-12) || !near(s.Scale[j], wantScale[j], 1e-12) {
			t.Errorf("column %d: mean %v scale %v, want %v %v", j, s.Mean[j], s.Scale[j], wantMean[j], wantScale[j])
		}
	}
	// (1-2.5)/1.118034 = -1.3416408, (2-2.5)/1.118034 = -0.4472136
	checkMatrix(t, "standardised", got, [][]float64{
		{-1.3416408, -1.3416408, 0, 0},
		{-0.4472136, -0.4472136, 0, 0},
		{0.4472136, 0.4472136, 0, 0},
		{1.3416408, 1.3416408, 0, 0},
	}, 1e-6)

	// New data is transformed with the fitted statistics.
	got, err = s.Transform(mat(1, 4, 5, 0, 6, 0.1))
	if err != nil {
		t.Fatal(err)
	}
	checkMatrix(t, "new data", got, [][]float64{{2.5 / sd, -2.5 / sd, 1, 0}}, 1e-6)

	back, err := s.InverseTransform(got)
	if err != nil {
		t.Fatal(err)
	}
	checkMatrix(t, "inverse", back, [][]float64{{5, 0, 6, float64(float32(0.1))}}, 1e-6)
}

func TestMinMaxScaler(t *testing.T) {
	var s MinMaxScaler
	got, err := s.FitTransform(scaleInput)
	if err != nil {
		t.Fatal(err)
	}
	checkMatrix(t, "scaled", got, [][]float64{
		{0, 0, 0, 0},
		{1.0 / 3, 1.0 / 3, 0, 0},
		{2.0 / 3, 2.0 / 3, 0, 0},
		{1, 1, 0, 0},
	}, 1e-7)
	got, err = s.Transform(mat(1, 4, 5.5, -5, 5, 1))
	if err != nil {
		t.Fatal(err)
	}
	checkMatrix(t, "outside the range", got, [][]float64{{1.5, -0.5, 0, 1 - float64(float32(0.1))}}, 1e-6)
	back, err := s.InverseTransform(got)
	if err != nil {
		t.Fatal(err)
	}
	checkMatrix(t, "inverse", back, [][]float64{{5.5, -5, 5, 1}}, 1e-6)
}

func TestScalerErrors(t *testing.T) {
	nan := mat(2, 1, 1, float32(math.NaN()))
	inf := mat(1, 1, float32(math.Inf(1)))
	empty := mat(0, 3)
	for _, s := range []interface {
		Fit(*nn.Matrix) error
		Transform(*nn.Matrix) (*nn.Matrix, error)
		InverseTransform(*nn.Matrix) (*nn.Matrix, error)
	}{&StandardScaler{}, &MinMaxScaler{}} {
		if _, err := s.Transform(scaleInput); !errors.Is(err, ErrNotFitted) {
			t.Errorf("%T Transform before Fit: %v", s, err)
		}
		if _, err := s.InverseTransform(scaleInput); !errors.Is(err, ErrNotFitted) {
			t.Errorf("%T InverseTransform before Fit: %v", s, err)
		}
		for name, tt := range map[string]struct {
			x    *nn.Matrix
			want error
		}{
			"NaN": {nan, ErrNotFinite}, "Inf": {inf, ErrNotFinite}, "no rows": {empty, ErrShape}, "nil": {nil, ErrShape},
		} {
			if err := s.Fit(tt.x); !errors.Is(err, tt.want) {
				t.Errorf("%T Fit(%s): %v, want %v", s, name, err, tt.want)
			}
		}
		if err := s.Fit(scaleInput); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Transform(mat(1, 3, 1, 2, 3)); !errors.Is(err, ErrShape) {
			t.Errorf("%T Transform with 3 columns: %v", s, err)
		}
		if err := s.Fit(nan); err == nil {
			t.Error("no error")
		}
		if _, err := s.Transform(scaleInput); err != nil {
			t.Errorf("%T: failed Fit changed the scaler: %v", s, err)
		}
	}
}

func TestOneHot(t *testing.T) {
	got, err := OneHot(mat(4, 1, 2, 0, 1, 2), 4)
	if err != nil {
		t.Fatal(err)
	}
	checkMatrix(t, "one-hot", got, [][]float64{{0, 0, 1, 0}, {1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}}, 0)
	got, err = OneHot(mat(3, 1, 0, 4, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.Rows != 3 || got.Cols != 5 || got.At(1, 4) != 1 {
		t.Errorf("inferred: %d×%d %v", got.Rows, got.Cols, got.Data)
	}
	if got, err := OneHot(mat(0, 1), 3); err != nil || got.Rows != 0 || got.Cols != 3 {
		t.Errorf("no rows: %v %v", got, err)
	}

	tests := []struct {
		name    string
		y       *nn.Matrix
		classes int
		want    error
	}{
		{"id too large", mat(2, 1, 0, 3), 3, ErrLabel},
		{"negative id", mat(1, 1, -1), 3, ErrLabel},
		{"fractional id", mat(1, 1, 1.5), 3, ErrLabel},
		{"NaN id", mat(1, 1, float32(math.NaN())), 3, ErrLabel},
		{"inferred too many", mat(1, 1, 452600), 0, ErrLabel},
		{"two columns", mat(1, 2, 0, 1), 2, ErrShape},
		{"negative classes", mat(1, 1, 0), -1, ErrOptions},
		{"nil", nil, 2, ErrShape},
	}
	for _, tt := range tests {
		if _, err := OneHot(tt.y, tt.classes); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}
