package data

import (
	"fmt"
	"math"
	"strings"

	"github.com/tunekit/tune/nn"
)

// Target scalings: the values of a study's scale_target and of
// TargetScaler.Kind.
const (
	TargetNone     = "none"     // the target as it is
	TargetMinMax   = "minmax"   // (y − min) / (max − min), onto [0, 1]
	TargetStandard = "standard" // (y − mean) / population standard deviation
)

// TargetScaler scales a regression target, y′ = (y − Shift) / Scale, so a
// model trains on y′; InverseTransform turns its predictions back into the
// target's units, and Unscale turns a metric computed on y′ into the same
// metric in the target's units. The fields are exported so that a fitted
// scaler can be kept with a project (JSON) and reused.
type TargetScaler struct {
	Kind  string  // TargetNone, TargetMinMax or TargetStandard
	Shift float64 // subtracted from the target
	Scale float64 // then divided by; positive
}

// FitTarget fits a target scaler of the kind given ("" means none) on the
// training target y (one column, finite values, one row or more). A
// constant target gets Scale 1. Errors wrap ErrOptions (an unknown kind),
// ErrShape or ErrNotFinite.
func FitTarget(kind string, y *nn.Matrix) (*TargetScaler, error) {
	if kind == "" {
		kind = TargetNone
	}
	if y != nil && y.Cols != 1 {
		return nil, fmt.Errorf("%w: a target has one column, not %d", ErrShape, y.Cols)
	}
	t := &TargetScaler{Kind: kind, Scale: 1}
	switch kind {
	case TargetNone:
		return t, nil
	case TargetMinMax, TargetStandard:
	default:
		return nil, fmt.Errorf("%w: target scaling %q: want none, minmax or standard", ErrOptions, kind)
	}
	if y == nil {
		return nil, fmt.Errorf("%w: no target to fit on", ErrShape)
	}
	st, err := columnStats(y)
	if err != nil {
		return nil, err
	}
	if kind == TargetMinMax {
		t.Shift, t.Scale = st.min[0], st.max[0]-st.min[0]
	} else {
		t.Shift, t.Scale = st.mean[0], st.std[0]
	}
	if !(t.Scale > 0) || math.IsInf(t.Scale, 0) {
		t.Scale = 1
	}
	return t, nil
}

// Transform returns y scaled (a new matrix).
func (t *TargetScaler) Transform(y *nn.Matrix) (*nn.Matrix, error) {
	return t.affine(y, false)
}

// InverseTransform returns scaled values (a model's predictions) in the
// target's units (a new matrix).
func (t *TargetScaler) InverseTransform(y *nn.Matrix) (*nn.Matrix, error) {
	return t.affine(y, true)
}

func (t *TargetScaler) affine(y *nn.Matrix, inv bool) (*nn.Matrix, error) {
	if t == nil || !(t.Scale > 0) {
		return nil, fmt.Errorf("%w", ErrNotFitted)
	}
	shift, scale := make([]float64, y.Cols), make([]float64, y.Cols)
	for j := range shift {
		shift[j], scale[j] = t.Shift, t.Scale
	}
	return affine(y, shift, scale, inv)
}

// Unscale converts the value of a metric computed on the scaled target into
// the target's units: errors (mae, rmse and their long names) are
// multiplied by Scale, squared errors (mse) by Scale². name may carry
// Keras' "val_" prefix; "loss" is converted as the loss function named by
// loss. ok is false for a metric that does not convert (huber, accuracy).
func (t *TargetScaler) Unscale(name string, v float64, loss string) (u float64, ok bool) {
	name = strings.TrimPrefix(name, "val_")
	if name == "loss" {
		name = loss
	}
	switch name {
	case "mse", "mean_squared_error":
		return v * t.Scale * t.Scale, true
	case "mae", "mean_absolute_error", "rmse", "root_mean_squared_error":
		return v * t.Scale, true
	}
	return v, false
}
