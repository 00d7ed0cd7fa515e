package nn

import (
	"fmt"
	"strings"
)

// Layer is one layer of a Sequential model, made by Input, Flatten or Dense.
// A Layer value is an immutable description: Compile builds each model's own
// weights and buffers from it, so one Layer value may appear in many models.
// The set of layers is closed to this package for now.
type Layer interface {
	// typeName is the layer's class name as Summary shows it.
	typeName() string
	// outputShape validates the layer for an input of shape in (per
	// sample, without the batch axis) and returns its output shape.
	outputShape(in []int) ([]int, error)
	// paramCount is the number of weights for an input of shape in.
	paramCount(in []int) int
}

// Input returns the first layer of a Sequential model; it records the shape
// of one sample, e.g. Input(28, 28) or Input(8). Samples are always stored
// flattened, one per Matrix row, so x needs the product of the dimensions as
// columns.
func Input(shape ...int) Layer { return inputLayer{shape: append([]int(nil), shape...)} }

type inputLayer struct{ shape []int }

func (inputLayer) typeName() string     { return "InputLayer" }
func (inputLayer) paramCount([]int) int { return 0 }
func (l inputLayer) outputShape([]int) ([]int, error) {
	if len(l.shape) == 0 {
		return nil, specErr(ErrInvalidModel, "Input needs at least one dimension")
	}
	size := 1
	for _, d := range l.shape {
		if d <= 0 {
			return nil, specErr(ErrInvalidModel, "Input shape %s has a non-positive dimension", shapeString(l.shape))
		}
		if size > maxParams/d {
			return nil, specErr(ErrInvalidModel, "Input shape %s is too large", shapeString(l.shape))
		}
		size *= d
	}
	return l.shape, nil
}

// Flatten returns a layer that flattens each sample to one dimension. Data
// are already rows, so Flatten only changes the recorded shape.
func Flatten() Layer { return flattenLayer{} }

type flattenLayer struct{}

func (flattenLayer) typeName() string                    { return "Flatten" }
func (flattenLayer) paramCount([]int) int                { return 0 }
func (flattenLayer) outputShape(in []int) ([]int, error) { return []int{shapeSize(in)}, nil }

// Dense returns a fully connected layer of units outputs, activation(x·W + b),
// with a glorot_uniform kernel W and a zero bias b. The empty activation is
// Linear. Dense needs a flat input: put Flatten before it if Input has
// several dimensions.
func Dense(units int, activation Activation) Layer {
	return denseLayer{units: units, activation: activation}
}

type denseLayer struct {
	units      int
	activation Activation
}

func (denseLayer) typeName() string { return "Dense" }
func (l denseLayer) paramCount(in []int) int {
	return shapeSize(in)*l.units + l.units
}
func (l denseLayer) outputShape(in []int) ([]int, error) {
	if l.units <= 0 {
		return nil, specErr(ErrInvalidModel, "units must be positive, got %d", l.units)
	}
	if _, ok := activationKinds[l.activation]; !ok {
		return nil, specErr(ErrUnknownActivation, "%q (want %s)", string(l.activation), activationList)
	}
	if len(in) != 1 {
		return nil, specErr(ErrInvalidModel, "needs a flat input but gets shape %s; add Flatten() before it", shapeString(in))
	}
	if l.units > maxParams/(in[0]+1) {
		return nil, specErr(ErrInvalidModel, "%d units on %d inputs is too many parameters", l.units, in[0])
	}
	return []int{l.units}, nil
}

// specError is an error in a layer's settings: a sentinel and a detail that
// Compile prefixes with the layer's position.
type specError struct {
	kind error
	msg  string
}

func specErr(kind error, format string, args ...any) *specError {
	return &specError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

func (e *specError) Error() string { return e.kind.Error() + ": " + e.msg }
func (e *specError) Unwrap() error { return e.kind }

// maxParams bounds the weights of one layer and of a model (4 GiB of float32).
const maxParams = 1 << 30

func shapeSize(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// shapeString formats a per-sample shape as a tuple: (28, 28) or (8,).
func shapeString(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	if len(s) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
