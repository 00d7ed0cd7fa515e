package data

import (
	"fmt"

	"github.com/tunekit/tune/nn"
)

// Feature scalings: the values of a study's scale and of
// FeatureScaler.Kind.
const (
	ScaleNone     = "none"     // the features as they are
	ScaleStandard = "standard" // zero mean, unit variance (StandardScaler)
	ScaleMinMax   = "minmax"   // onto [0, 1] (MinMaxScaler)
)

// FeatureScaler is a fitted feature scaling in the form a project keeps
// (JSON): x′ = (x − Offset) / Divisor for every column, the mean and
// standard deviation for standard scaling, the minimum and range for
// minmax (a constant column has Divisor 1). A nil *FeatureScaler scales
// nothing.
type FeatureScaler struct {
	Kind    string    `json:"kind"` // ScaleStandard or ScaleMinMax
	Offset  []float64 `json:"offset"`
	Divisor []float64 `json:"divisor"`
}

// FitFeatures fits a feature scaling of the kind given on x: nil for
// ScaleNone or "". Errors wrap ErrOptions (an unknown kind), ErrShape or
// ErrNotFinite.
func FitFeatures(kind string, x *nn.Matrix) (*FeatureScaler, error) {
	switch kind {
	case "", ScaleNone:
		return nil, nil
	case ScaleStandard:
		var sc StandardScaler
		if err := sc.Fit(x); err != nil {
			return nil, err
		}
		return &FeatureScaler{Kind: kind, Offset: sc.Mean, Divisor: sc.Scale}, nil
	case ScaleMinMax:
		var sc MinMaxScaler
		if err := sc.Fit(x); err != nil {
			return nil, err
		}
		r, err := sc.ranges()
		if err != nil {
			return nil, err
		}
		return &FeatureScaler{Kind: kind, Offset: sc.Min, Divisor: r}, nil
	}
	return nil, fmt.Errorf("%w: feature scaling %q: want none, standard or minmax", ErrOptions, kind)
}

// Transform returns x scaled; a nil FeatureScaler returns x itself.
func (s *FeatureScaler) Transform(x *nn.Matrix) (*nn.Matrix, error) {
	if s == nil {
		return x, nil
	}
	return affine(x, s.Offset, s.Divisor, false)
}

// Normalization returns an nn Normalization layer that scales as s does,
// to put the scaling inside a model (a model that takes raw inputs). A
// nil FeatureScaler returns nil.
func (s *FeatureScaler) Normalization() (*nn.NormalizationLayer, error) {
	if s == nil {
		return nil, nil
	}
	mean := make([]float32, len(s.Offset))
	variance := make([]float32, len(s.Divisor))
	for j := range mean {
		mean[j] = float32(s.Offset[j])
		variance[j] = float32(s.Divisor[j] * s.Divisor[j])
	}
	l := nn.Normalization(nn.Name("scaling"))
	if err := l.SetStatistics(mean, variance); err != nil {
		return nil, err
	}
	return l, nil
}
