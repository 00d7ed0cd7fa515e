package nn

import "errors"

// Sentinel errors. Every error returned by this package that a caller can
// cause wraps one of these (test with errors.Is); the message adds the
// detail, e.g. "nn: shape mismatch: x has 10 columns, the model input (28, 28) needs 784".
var (
	// ErrInvalidModel reports a model that cannot be built: no Input layer
	// first, non-positive units or dimensions, a Dense layer on a non-flat
	// input, a layer with weights applied twice, an output that does not
	// depend on the model's inputs, a Normalization layer that was never
	// adapted, too many parameters, or an option a layer does not take.
	ErrInvalidModel = errors.New("nn: invalid model")

	// ErrUnknownInitializer reports an initializer name this package does not know.
	ErrUnknownInitializer = errors.New("nn: unknown initializer")

	// ErrUnknownActivation reports an activation name this package does not know.
	ErrUnknownActivation = errors.New("nn: unknown activation")

	// ErrUnknownLoss reports a loss name this package does not know.
	ErrUnknownLoss = errors.New("nn: unknown loss")

	// ErrUnknownMetric reports a metric name this package does not know, or
	// one that cannot be used with the compiled loss and outputs.
	ErrUnknownMetric = errors.New("nn: unknown metric")

	// ErrInvalidConfig reports an out-of-range setting in CompileConfig,
	// FitConfig, EvaluateConfig, an optimizer, a layer or a callback, or
	// sample or class weights that are negative or not finite.
	ErrInvalidConfig = errors.New("nn: invalid configuration")

	// ErrNotCompiled reports a call that needs Compile first.
	ErrNotCompiled = errors.New("nn: model is not compiled")

	// ErrShape reports data whose shape does not match the model: x columns
	// versus the input size, y columns versus the outputs, x rows versus y
	// rows, or a malformed Matrix (len(Data) != Rows*Cols).
	ErrShape = errors.New("nn: shape mismatch")

	// ErrEmptyData reports a nil matrix or one with no rows.
	ErrEmptyData = errors.New("nn: empty data")

	// ErrLabel reports a target a loss cannot use, such as a sparse class
	// label that is not an integer in [0, units).
	ErrLabel = errors.New("nn: invalid label")

	// ErrWeightsFormat reports weight bytes that are truncated, corrupt,
	// of an unknown version or otherwise not produced by MarshalWeights.
	ErrWeightsFormat = errors.New("nn: invalid weights data")

	// ErrWeightsMismatch reports well-formed weight bytes whose tensors do
	// not match the model's architecture.
	ErrWeightsMismatch = errors.New("nn: weights do not match the model")

	// ErrModelFormat reports a model file (see Save and Load) that is
	// truncated, corrupt, of an unknown version, describes an invalid
	// model or is otherwise not produced by Save.
	ErrModelFormat = errors.New("nn: invalid model file")
)
