package nn

import (
	"fmt"
	"strings"
	"sync/atomic"
)

// Model is a Sequential stack of layers, trained with Fit once compiled.
//
// A Model is not safe for concurrent use, except StopTraining, which may be
// called from any goroutine. Models share nothing mutable with each other.
type Model struct {
	layers   []Layer
	compiled bool
	cfg      CompileConfig // as given to Compile, for InitWeights

	// Set by Compile.
	inShape    []int
	inSize     int
	denses     []*dense
	loss       loss
	metrics    []metric // training metrics, running over an epoch
	evalMetric []metric // the same metrics, for Evaluate and validation
	params     []param  // trainable tensors in Keras' get_weights order
	opt        updater

	// Batch buffers shared by training, evaluation and prediction.
	capRows    int
	xbuf, ybuf []float32
	batchLogs  Logs

	stop atomic.Bool
}

// NewSequential returns a model of the given layers, the first of which must
// be Input. It is checked and built by Compile.
func NewSequential(layers ...Layer) *Model {
	return &Model{layers: append([]Layer(nil), layers...)}
}

// Add appends layers to the model, like Keras' model.add. A compiled model
// becomes uncompiled (its weights are dropped) and needs Compile again.
func (m *Model) Add(layers ...Layer) {
	m.layers = append(m.layers, layers...)
	m.compiled = false
}

// CompileConfig configures Compile.
type CompileConfig struct {
	// Loss is "mse" (or "mean_squared_error"), "mae" ("mean_absolute_error"),
	// "binary_crossentropy", "categorical_crossentropy" or
	// "sparse_categorical_crossentropy". Targets for the sparse loss are one
	// column of class indices; for the others, one column per output.
	Loss string
	// Optimizer updates the weights; nil means &RMSprop{}, Keras' default.
	Optimizer Optimizer
	// Metrics are reported in Logs and History under the names given:
	// "accuracy" or "acc" (resolved from the loss as Keras does),
	// "binary_accuracy", "categorical_accuracy",
	// "sparse_categorical_accuracy", "mse", "mae", "rmse" (or their long
	// Keras names). The loss is always reported as "loss".
	Metrics []string
	// Seed determines the initial weights: Compile with the same Seed and
	// architecture gives bit-identical weights.
	Seed int64
}

// Compile checks the architecture, loss, metrics and optimizer and allocates
// freshly initialised weights (glorot_uniform kernels from cfg.Seed, zero
// biases) and optimizer state. Compiling again re-initialises both. On error
// the model is left uncompiled.
func (m *Model) Compile(cfg CompileConfig) error {
	m.compiled = false
	p, err := m.plan()
	if err != nil {
		return err
	}
	denses := make([]*dense, len(p.denses))
	var params []param
	for i, pd := range p.denses {
		act, _ := parseActivation(pd.spec.activation) // checked by plan
		d := newDense(pd.name, pd.in, pd.spec.units, act)
		d.initWeights(newRNG(cfg.Seed, uint64(i)))
		denses[i] = d
		params = append(params, param{d.w, d.dw}, param{d.b, d.db})
	}
	out := denses[len(denses)-1]
	l, err := parseLoss(cfg.Loss, out.act)
	if err != nil {
		return err
	}
	var metrics []metric
	seen := map[string]bool{"loss": true}
	for _, name := range cfg.Metrics {
		if seen[name] {
			return fmt.Errorf("%w: metric %q is given twice or clashes with \"loss\"", ErrInvalidConfig, name)
		}
		seen[name] = true
		mt, err := parseMetric(name, l, out.out)
		if err != nil {
			return err
		}
		metrics = append(metrics, mt)
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
		layers: m.layers, compiled: true, cfg: cfg,
		inShape: p.inShape, inSize: shapeSize(p.inShape),
		denses: denses, loss: l, params: params, opt: u,
		metrics: metrics, evalMetric: append([]metric(nil), metrics...),
	}
	return nil
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

// CountParams returns the number of weights of the model, or 0 if its
// layers are invalid (see Compile). It does not need Compile.
func (m *Model) CountParams() int {
	p, err := m.plan()
	if err != nil {
		return 0
	}
	return p.total
}

// Summary returns a Keras-like table of the layers, their output shapes and
// parameter counts. It does not need Compile; for an invalid stack of
// layers it returns the error message.
func (m *Model) Summary() string {
	p, err := m.plan()
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	line := func(c byte) { b.WriteString(strings.Repeat(string(c), 65) + "\n") }
	row := func(a, s, n string) {
		b.WriteString(strings.TrimRight(fmt.Sprintf(" %-27s %-25s %s", a, s, n), " ") + "\n")
	}
	b.WriteString("Model: \"sequential\"\n")
	line('_')
	row("Layer (type)", "Output Shape", "Param #")
	line('=')
	for _, r := range p.rows {
		row(r.name+" ("+r.typ+")", batchShapeString(r.shape), fmt.Sprint(r.params))
	}
	line('=')
	fmt.Fprintf(&b, "Total params: %s\nTrainable params: %s\nNon-trainable params: 0\n", thousands(p.total), thousands(p.total))
	line('_')
	return b.String()
}

// modelPlan is the checked shape of a layer stack, before any allocation.
type modelPlan struct {
	inShape []int
	rows    []planRow // layers after Input, as Summary shows them
	denses  []planDense
	total   int
}

type planRow struct {
	name, typ string
	shape     []int
	params    int
}

type planDense struct {
	name string
	in   int
	spec denseLayer
}

func (m *Model) plan() (*modelPlan, error) {
	if len(m.layers) == 0 {
		return nil, fmt.Errorf("%w: no layers; start with Input(...)", ErrInvalidModel)
	}
	first, ok := m.layers[0].(inputLayer)
	if !ok {
		return nil, fmt.Errorf("%w: the first layer must be Input(...), got %s", ErrInvalidModel, typeOf(m.layers[0]))
	}
	shape, err := first.outputShape(nil)
	if err != nil {
		return nil, err // names Input already
	}
	p := &modelPlan{inShape: shape}
	counts := map[string]int{}
	for i, l := range m.layers[1:] {
		if l == nil {
			return nil, fmt.Errorf("%w: layer %d is nil", ErrInvalidModel, i+1)
		}
		if _, ok := l.(inputLayer); ok {
			return nil, fmt.Errorf("%w: layer %d is a second Input", ErrInvalidModel, i+1)
		}
		base := strings.ToLower(l.typeName())
		name := base
		if c := counts[base]; c > 0 {
			name = fmt.Sprintf("%s_%d", base, c)
		}
		counts[base]++
		out, err := l.outputShape(shape)
		if err != nil {
			if se, ok := err.(*specError); ok {
				return nil, specErr(se.kind, "layer %d (%s): %s", i+1, name, se.msg)
			}
			return nil, err
		}
		n := l.paramCount(shape)
		p.total += n
		if p.total > maxParams {
			return nil, fmt.Errorf("%w: more than %d parameters", ErrInvalidModel, maxParams)
		}
		p.rows = append(p.rows, planRow{name: name, typ: l.typeName(), shape: out, params: n})
		if d, ok := l.(denseLayer); ok {
			p.denses = append(p.denses, planDense{name: name, in: shape[0], spec: d})
		}
		shape = out
	}
	if len(p.denses) == 0 {
		return nil, fmt.Errorf("%w: no Dense layer", ErrInvalidModel)
	}
	if len(shape) != 1 {
		return nil, fmt.Errorf("%w: the output shape %s is not flat", ErrInvalidModel, shapeString(shape))
	}
	return p, nil
}

func typeOf(l Layer) string {
	if l == nil {
		return "nil"
	}
	return l.typeName()
}

func batchShapeString(s []int) string {
	var b strings.Builder
	b.WriteString("(None")
	for _, d := range s {
		fmt.Fprintf(&b, ", %d", d)
	}
	b.WriteString(")")
	return b.String()
}

// thousands formats n with comma separators: 266610 → "266,610".
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
