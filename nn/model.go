package nn

import (
	kernels "github.com/tunekit/tune/nn/internal/gemm"

	"fmt"
	"math"
	"sync/atomic"
)

// Model is a neural network: a Sequential stack of layers (NewSequential)
// or a graph of layers with named inputs and outputs (NewModel). Both are
// the same kind of value, compiled and trained the same way.
//
// A Model is not safe for concurrent use, except StopTraining, which may be
// called from any goroutine. Models share nothing mutable with each other.
type Model struct {
	name       string
	layers     []Layer // Sequential
	functional bool
	inNodes    []*Node // functional
	outNodes   []*Node
	addErr     error

	compiled bool
	cfg      CompileConfig // as given to Compile, for InitWeights

	// kernels holds the packing buffers and thread count of every matrix
	// product of the model; it survives Compile.
	kernels *kernels.Context

	// Set by Compile.
	g        *graph
	units    []unit
	inputs   []*inputUnit
	heads    []*head
	tensors  []*tensor // every weight, in Keras' get_weights order
	params   []param   // the trainable tensors, for the optimizer
	opt      updater
	dropouts []*dropoutUnit

	// Batch buffers shared by training, evaluation and prediction.
	capRows   int
	xbuf      [][]float32 // gathered (shuffled) rows per input
	ybuf      [][]float32 // gathered rows per output
	xbatch    [][]float32 // the current batch per input (views)
	ybatch    [][]float32 // the current batch per output (views)
	swbuf     []float32
	batchLogs Logs

	// Running sums of the epoch in progress.
	epochTotal float64
	epochSeen  int

	stop atomic.Bool
}

// NewSequential returns a model of the given layers, the first of which must
// be Input. It is checked and built by Compile.
func NewSequential(layers ...Layer) *Model {
	return &Model{name: "sequential", layers: append([]Layer{}, layers...)}
}

// NewModel returns a functional model from its inputs (made by NewInput)
// to its outputs (made by Apply), like keras.Model(inputs, outputs). Data
// for Fit, Evaluate and Predict come in the order of inputs and outputs.
// The layers are those between them; they are checked here and built by
// Compile.
//
//	wide, deep := nn.NewInput("wide", 5), nn.NewInput("deep", 6)
//	h := nn.Dense(30, nn.ReLU).Apply(deep)
//	out := nn.Dense(1, nn.Linear, nn.Name("main")).Apply(nn.Concatenate().Apply(wide, h))
//	aux := nn.Dense(1, nn.Linear, nn.Name("aux")).Apply(h)
//	m, err := nn.NewModel([]*nn.Node{wide, deep}, []*nn.Node{out, aux})
func NewModel(inputs, outputs []*Node) (*Model, error) {
	m := &Model{name: "model", functional: true,
		inNodes: append([]*Node(nil), inputs...), outNodes: append([]*Node(nil), outputs...)}
	if _, err := m.graph(); err != nil {
		return nil, err
	}
	return m, nil
}

// Add appends layers to a Sequential model, like Keras' model.add. A
// compiled model becomes uncompiled (its weights are dropped) and needs
// Compile again. On a functional model Add is an error reported by Compile.
func (m *Model) Add(layers ...Layer) {
	if m.functional {
		m.addErr = fmt.Errorf("%w: Add on a functional model; use Apply and NewModel", ErrInvalidModel)
	}
	m.layers = append(m.layers, layers...)
	m.compiled = false
}

// graph checks the model's layers.
func (m *Model) graph() (*graph, error) {
	if m.addErr != nil {
		return nil, m.addErr
	}
	if m.functional {
		return buildGraph(m.inNodes, m.outNodes, false)
	}
	return sequentialGraph(m.layers)
}

// CompileConfig configures Compile.
type CompileConfig struct {
	// Loss is the loss of every output: "mse" (or "mean_squared_error"),
	// "mae" ("mean_absolute_error"), "huber" ("huber_loss"),
	// "binary_crossentropy", "categorical_crossentropy" or
	// "sparse_categorical_crossentropy". Targets for the sparse loss are one
	// column of class indices; for the others, one column per output unit.
	Loss string
	// Losses, if set, gives one loss per output, in the order of the
	// model's outputs; Loss must then be empty.
	Losses []string
	// LossWeights, if set, weighs the outputs' losses in the total loss
	// that is minimised (Keras' loss_weights); the default is 1 each.
	LossWeights []float64
	// HuberDelta is the delta of the huber loss; 0 means 1.
	HuberDelta float64
	// Optimizer updates the weights; nil means &RMSprop{}, Keras' default.
	Optimizer Optimizer
	// Metrics are computed for every output and reported in Logs and
	// History under the names given: "accuracy" or "acc" (resolved from the
	// loss as Keras does), "binary_accuracy", "categorical_accuracy",
	// "sparse_categorical_accuracy", "mse", "mae", "rmse" (or their long
	// Keras names, in snake or Keras' class case). The total loss is
	// "loss". With several outputs each output's loss and metrics are
	// prefixed by its layer name: "aux_loss", "aux_rmse".
	Metrics []string
	// Seed determines the initial weights: Compile with the same Seed and
	// architecture gives bit-identical weights.
	Seed int64
}

// Compile checks the architecture, losses, metrics and optimizer and
// allocates freshly initialised weights (from cfg.Seed) and optimizer
// state. Compiling again re-initialises both. On error the model is left
// uncompiled.
func (m *Model) Compile(cfg CompileConfig) error {
	m.compiled = false
	if m.kernels == nil {
		m.kernels = &kernels.Context{}
	}
	g, err := m.graph()
	if err != nil {
		return err
	}
	units := make([]unit, len(g.nodes))
	bases := make([]*unitBase, len(g.nodes))
	var inputs []*inputUnit
	var dropouts []*dropoutUnit
	for i, nd := range g.nodes {
		c := &buildContext{index: i, seed: cfg.Seed, kernels: m.kernels}
		c.base = unitBase{name: g.names[i], typ: nd.layer.typeName(),
			shape: append([]int(nil), nd.shape...), size: shapeSize(nd.shape)}
		for _, k := range g.ins[i] {
			c.base.ins = append(c.base.ins, bases[k])
			c.inShapes = append(c.inShapes, g.nodes[k].shape)
			bases[k].consumers++
		}
		c.base.accum = make([]bool, len(c.base.ins))
		u, err := nd.layer.build(c)
		if err != nil {
			return g.nodeErr(i, err)
		}
		units[i], bases[i] = u, u.base()
		b := u.base()
		b.wantsGrad = b.hasParams
		for _, in := range b.ins {
			b.wantsGrad = b.wantsGrad || in.wantsGrad
		}
		switch u := u.(type) {
		case *inputUnit:
			inputs = append(inputs, u)
		case *dropoutUnit:
			dropouts = append(dropouts, u)
		}
	}
	heads, err := compileHeads(g, units, cfg)
	if err != nil {
		return err
	}
	fuseReLU(units)
	fusePools(units)
	// Backward writes each gradient once and adds to it afterwards: losses
	// write first, then consumers in reverse topological order.
	written := make(map[*unitBase]bool, len(units))
	for _, h := range heads {
		written[h.u] = true
	}
	for i := len(units) - 1; i >= 0; i-- {
		b := bases[i]
		if !b.wantsGrad {
			continue
		}
		for k, in := range b.ins {
			if in.wantsGrad {
				b.accum[k] = written[in]
				written[in] = true
			}
		}
	}
	var tensors []*tensor
	var params []param
	for _, b := range bases {
		for _, t := range b.tensors {
			tensors = append(tensors, t)
			if t.g != nil {
				params = append(params, param{w: t.w, g: t.g})
			}
		}
	}
	opt := cfg.Optimizer
	if opt == nil {
		opt = &RMSprop{}
	}
	u, err := opt.newUpdater(params)
	if err != nil {
		return err
	}
	*m = Model{
		name: m.name, layers: m.layers, functional: m.functional, inNodes: m.inNodes, outNodes: m.outNodes,
		compiled: true, cfg: cfg,
		g: g, units: units, inputs: inputs, heads: heads, tensors: tensors, params: params, opt: u,
		dropouts: dropouts,
	}
	return nil
}

// SetThreads lets the model's matrix products use up to n goroutines
// (n ≤ 1: the calling goroutine only, the default). Large products are
// then split by blocks, with bit-identical results; each split product
// allocates a little, so a multi-threaded training step is no longer
// allocation-free. A tuner running fewer trials than cores gives each
// trial the spare ones.
func (m *Model) SetThreads(n int) {
	if m.kernels == nil {
		m.kernels = &kernels.Context{}
	}
	m.kernels.Threads = n
}

// InitWeights re-initialises a compiled model's weights from seed and resets
// its optimizer state, as compiling it again with that Seed would. A tuner
// calls it so that each trial's draws depend on the trial, not on whatever
// seed the build function used.
func (m *Model) InitWeights(seed int64) error {
	if !m.compiled {
		return fmt.Errorf("%w: InitWeights before Compile", ErrNotCompiled)
	}
	cfg := m.cfg
	cfg.Seed = seed
	return m.Compile(cfg)
}

// StopTraining asks Fit to stop after the current batch; the epoch is then
// finished (validation, OnEpochEnd) and no further epoch runs, like setting
// Keras' model.stop_training. Fit clears the request when it starts.
func (m *Model) StopTraining() { m.stop.Store(true) }

// LearningRate returns the optimizer's current learning rate (0 before
// Compile).
func (m *Model) LearningRate() float64 {
	if !m.compiled {
		return 0
	}
	return m.opt.base().lr
}

// SetLearningRate changes the optimizer's learning rate, as callbacks such
// as ReduceLROnPlateau do; it is saved with the model.
func (m *Model) SetLearningRate(lr float64) error {
	if !m.compiled {
		return ErrNotCompiled
	}
	if !(lr > 0) || math.IsInf(lr, 0) {
		return fmt.Errorf("%w: learning rate %v, want a positive finite value", ErrInvalidConfig, lr)
	}
	m.opt.base().lr = lr
	return nil
}

// Iterations returns the number of optimizer steps taken since Compile (or
// saved with a loaded model), like Keras' optimizer.iterations.
func (m *Model) Iterations() int64 {
	if !m.compiled {
		return 0
	}
	return m.opt.base().iterations
}

// InputNames returns the names of the model's inputs, in order.
func (m *Model) InputNames() []string {
	g, err := m.graph()
	if err != nil {
		return nil
	}
	names := make([]string, len(g.inputs))
	for i, k := range g.inputs {
		names[i] = g.names[k]
	}
	return names
}

// OutputNames returns the names of the model's outputs, in order.
func (m *Model) OutputNames() []string {
	g, err := m.graph()
	if err != nil {
		return nil
	}
	names := make([]string, len(g.outputs))
	for i, k := range g.outputs {
		names[i] = g.names[k]
	}
	return names
}

// MetricsNames returns the keys of the Logs that Evaluate returns, in
// Keras' order: "loss", each output's loss (with several outputs), then
// each output's metrics. Fit's epoch logs hold these and, with validation
// data, the same names prefixed by "val_".
func (m *Model) MetricsNames() []string {
	if !m.compiled {
		return nil
	}
	names := []string{"loss"}
	for _, h := range m.heads {
		if h.lossKey != "" {
			names = append(names, h.lossKey)
		}
	}
	for _, h := range m.heads {
		for _, mt := range h.metrics {
			names = append(names, mt.key)
		}
	}
	return names
}
