package goal

import (
	"fmt"
	"math"
	"strings"
)

// Direction says whether an objective is minimized or maximized.
type Direction string

// Directions, as stored ("min", "max").
const (
	Minimize Direction = "min"
	Maximize Direction = "max"
)

// Valid reports whether d is Minimize or Maximize.
func (d Direction) Valid() bool { return d == Minimize || d == Maximize }

// Objective is a metric a study optimizes and its direction.
type Objective struct {
	Name      string    `json:"name"`
	Direction Direction `json:"direction"`
}

// New returns the objective on metric name, with direction d, or, when d
// is empty, the direction InferDirection finds. It fails with a
// *DirectionError when the direction is neither given nor inferable, or
// not valid.
func New(name string, d Direction) (Objective, error) {
	if d == "" {
		var ok bool
		if d, ok = InferDirection(name); !ok {
			return Objective{}, &DirectionError{Objective: name}
		}
	}
	if !d.Valid() {
		return Objective{}, &DirectionError{Objective: name, Direction: d}
	}
	return Objective{Name: name, Direction: d}, nil
}

// InferDirection guesses the direction from a metric name as Keras Tuner
// does: losses and errors are minimized, accuracy-like metrics maximized.
// ok is false when the name says nothing.
func InferDirection(name string) (d Direction, ok bool) {
	n := strings.TrimPrefix(name, "val_")
	for _, s := range []string{"loss", "error", "mse", "mae", "rmse", "mape", "msle", "crossentropy", "hinge"} {
		if strings.Contains(n, s) {
			return Minimize, true
		}
	}
	for _, s := range []string{"accuracy", "acc", "auc", "precision", "recall", "f1", "r2"} {
		if strings.Contains(n, s) {
			return Maximize, true
		}
	}
	return "", false
}

// Better reports whether a is strictly better than b. NaN is never better,
// and anything is better than NaN.
func (o Objective) Better(a, b float64) bool {
	if math.IsNaN(a) {
		return false
	}
	if math.IsNaN(b) {
		return true
	}
	if o.Direction == Maximize {
		return a > b
	}
	return a < b
}

// Worst is the value every real score beats.
func (o Objective) Worst() float64 {
	if o.Direction == Maximize {
		return math.Inf(-1)
	}
	return math.Inf(1)
}

// String returns "name (direction)".
func (o Objective) String() string { return fmt.Sprintf("%s (%s)", o.Name, o.Direction) }
