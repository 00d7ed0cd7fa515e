package nn

import (
	"fmt"
	"strings"
)

// Layer describes one layer: Input, Dense, Flatten, ActivationLayer,
// Dropout, BatchNormalization, Normalization or Concatenate. A Layer value is
// a description: Compile builds each model's own weights and buffers from
// it, so one Layer value may appear in many models (a Normalization layer
// carries the statistics Adapt gave it, which every model copies).
//
// Layers are stacked with NewSequential, or connected with Apply into a
// graph for NewModel. A layer with weights (Dense, BatchNormalization) may
// be applied only once in a model: shared layers are not supported.
//
// The set of layers is closed to this package.
type Layer interface {
	// Apply connects the layer to the outputs of earlier layers (or to
	// inputs made by NewInput) and returns its output, like calling a
	// Keras layer on tensors. A mistake (a wrong number of inputs,
	// incompatible shapes) is kept in the returned Node and reported by
	// NewModel, so that calls can be chained.
	Apply(inputs ...*Node) *Node

	opts() *layerOptions
	// typeName is the layer's class name as Summary shows it.
	typeName() string
	// arity returns the smallest and largest number of inputs (-1: any).
	arity() (lo, hi int)
	// outputShape validates the layer for inputs of the given shapes (per
	// sample, without the batch axis) and returns its output shape.
	outputShape(in [][]int) ([]int, error)
	// paramCounts returns the trainable and non-trainable weight counts for
	// inputs of the given (valid) shapes.
	paramCounts(in [][]int) (trainable, nonTrainable int)
	// hasWeights reports whether applying the layer twice would share
	// weights (which is not supported).
	hasWeights() bool
	// build makes the compiled layer; the inputs are already built.
	build(c *buildContext) (unit, error)
	// encode writes the layer's settings for Save.
	encode(*layerJSON)
}

// LayerOption configures a layer: its name, or an initializer or setting
// that only some layers take. Giving a layer an option it does not take is
// an ErrInvalidModel error, reported when the model is built.
type LayerOption func(*layerOptions)

type layerOptions struct {
	name       string
	kernelInit Initializer
	biasInit   Initializer
	momentum   float64 // BatchNormalization
	epsilon    float64 // BatchNormalization
	strides    [2]int  // Conv2D, pooling
	padding    string  // Conv2D, pooling
	noBias     bool    // Conv2D
	set        []string
}

// Name names a layer, as Keras' name= argument. Names must be unique within
// a model; unnamed layers are named after their type ("dense", "dense_1",
// ...). The names of output layers prefix their losses and metrics in Logs
// when a model has several outputs.
func Name(name string) LayerOption {
	return func(o *layerOptions) { o.name = name; o.mark("Name") }
}

// KernelInitializer sets how a Dense layer's kernel is initialised; the
// default is GlorotUniform.
func KernelInitializer(init Initializer) LayerOption {
	return func(o *layerOptions) { o.kernelInit = init; o.mark("KernelInitializer") }
}

// BiasInitializer sets how a Dense layer's bias is initialised; the default
// is Zeros.
func BiasInitializer(init Initializer) LayerOption {
	return func(o *layerOptions) { o.biasInit = init; o.mark("BiasInitializer") }
}

// BatchNormMomentum sets the momentum of a BatchNormalization layer's moving
// statistics (default 0.99): moving = moving·momentum + batch·(1 − momentum).
func BatchNormMomentum(m float64) LayerOption {
	return func(o *layerOptions) { o.momentum = m; o.mark("BatchNormMomentum") }
}

// BatchNormEpsilon sets the value a BatchNormalization layer adds to the
// variance (default 0.001).
func BatchNormEpsilon(eps float64) LayerOption {
	return func(o *layerOptions) { o.epsilon = eps; o.mark("BatchNormEpsilon") }
}

func (o *layerOptions) mark(name string) {
	for _, s := range o.set {
		if s == name {
			return
		}
	}
	o.set = append(o.set, name)
}

// has reports whether the named option was given.
func (o *layerOptions) has(name string) bool {
	for _, s := range o.set {
		if s == name {
			return true
		}
	}
	return false
}

func newOptions(opts []LayerOption) layerOptions {
	var o layerOptions
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	return o
}

// check reports an option the layer type does not take, or a bad name.
func (o *layerOptions) check(typ string, allowed ...string) error {
	for _, s := range o.set {
		ok := s == "Name"
		for _, a := range allowed {
			ok = ok || s == a
		}
		if !ok {
			return specErr(ErrInvalidModel, "%s does not take the %s option", typ, s)
		}
	}
	if err := checkLayerName(o.name); err != nil {
		return err
	}
	return nil
}

func checkLayerName(name string) error {
	if len(name) > maxNameLen {
		return specErr(ErrInvalidModel, "name of %d bytes is longer than %d", len(name), maxNameLen)
	}
	for _, r := range name {
		if r < ' ' || r == 0x7f || r == '[' || r == ']' {
			return specErr(ErrInvalidModel, "name %q has a control character or bracket", name)
		}
	}
	return nil
}

// maxNameLen bounds layer names.
const maxNameLen = 128

// Node is the output of a layer in a functional model: made by NewInput or
// by Layer.Apply, and passed to NewModel as an input or output.
type Node struct {
	layer  Layer
	inputs []*Node
	shape  []int
	err    error // a mistake in this layer's application, or errUpstream
}

// errUpstream marks a node whose inputs hold an error; the error is
// reported at the first node that has it.
var errUpstream = fmt.Errorf("%w: an input of this layer is invalid", ErrInvalidModel)

// Shape returns the shape of one sample of the node's output (without the
// batch axis), or nil if the node is invalid.
func (n *Node) Shape() []int {
	if n == nil || n.err != nil {
		return nil
	}
	return append([]int(nil), n.shape...)
}

// apply is Layer.Apply for every layer type.
func apply(l Layer, inputs []*Node) *Node {
	nd := &Node{layer: l, inputs: append([]*Node(nil), inputs...)}
	lo, hi := l.arity()
	switch {
	case len(inputs) < lo:
		nd.err = specErr(ErrInvalidModel, "takes at least %d input(s), got %d", lo, len(inputs))
	case hi >= 0 && len(inputs) > hi:
		nd.err = specErr(ErrInvalidModel, "takes %d input(s), got %d", hi, len(inputs))
	}
	if nd.err != nil {
		return nd
	}
	shapes := make([][]int, len(inputs))
	for i, in := range inputs {
		if in == nil {
			nd.err = specErr(ErrInvalidModel, "input %d is nil", i)
			return nd
		}
		if in.err != nil {
			nd.err = errUpstream
			return nd
		}
		shapes[i] = in.shape
	}
	if err := l.opts().checkFor(l); err != nil {
		nd.err = err
		return nd
	}
	nd.shape, nd.err = l.outputShape(shapes)
	return nd
}

// checkFor checks the options against what layer l takes.
func (o *layerOptions) checkFor(l Layer) error {
	switch l.(type) {
	case *denseLayer:
		return o.check("Dense", "KernelInitializer", "BiasInitializer")
	case *convLayer:
		return o.check("Conv2D", "KernelInitializer", "BiasInitializer", "Strides", "Padding", "UseBias")
	case *poolLayer:
		return o.check(l.typeName(), "Strides", "Padding")
	case *batchNormLayer:
		return o.check("BatchNormalization", "BatchNormMomentum", "BatchNormEpsilon")
	default:
		return o.check(l.typeName())
	}
}

// specError is an error in a layer's settings: a sentinel and a detail that
// model building prefixes with the layer's position or name.
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

// checkShape reports a shape with a non-positive dimension or more than
// maxParams elements.
func checkShape(s []int) error {
	size := 1
	for _, d := range s {
		if d <= 0 {
			return specErr(ErrInvalidModel, "shape %s has a non-positive dimension", shapeString(s))
		}
		if size > maxParams/d {
			return specErr(ErrInvalidModel, "shape %s is too large", shapeString(s))
		}
		size *= d
	}
	return nil
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

// needFlat reports an input that is not flat.
func needFlat(in []int) error {
	if len(in) != 1 {
		return specErr(ErrInvalidModel, "needs a flat input but gets shape %s; add Flatten() before it", shapeString(in))
	}
	return nil
}
