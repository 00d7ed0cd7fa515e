package hypermodels

import (
	"context"
	"fmt"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
)

// The entries every built-in hypermodel shares: its optimizer and the
// training's batch size.
var (
	optimizerEntry = Hyperparameter{Name: "optimizer", Type: StringValue, Default: "adam",
		check: oneOf("sgd", "adam", "rmsprop"), Doc: "sgd, adam or rmsprop"}
	learningRateEntry = Hyperparameter{Name: "learning_rate", Type: FloatValue, Default: nil, check: positive,
		Doc: "the optimizer's learning rate, > 0; default the optimizer's own (sgd 0.01, adam and rmsprop 0.001)"}
	momentumEntry = Hyperparameter{Name: "momentum", Type: FloatValue, Default: 0.0, check: fraction,
		Doc:        "sgd's momentum in [0, 1); active only when the optimizer is sgd",
		ActiveWhen: &hp.Condition{Parent: "optimizer", Values: []any{"sgd"}}}
	batchSizeEntry = Hyperparameter{Name: "batch_size", Type: IntValue, Default: nil, check: atLeast(1),
		Doc: "rows per gradient step, 1 or more; default the training settings' batch size"}
)

// DenseHyperparameters are the hyperparameters of MLP and WideDeep, in the
// order their Build registers them.
var DenseHyperparameters = []Hyperparameter{
	{Name: "n_hidden", Type: IntValue, Default: 2, check: atLeast(0),
		Doc: "number of hidden Dense layers, 0 or more"},
	{Name: "n_neurons", Type: IntValue, Default: 64, check: atLeast(1),
		Doc: "units of every hidden layer, 1 or more"},
	{Name: "activation", Type: StringValue, Default: "relu", check: activation,
		Doc: "activation of the hidden layers: relu, tanh, sigmoid, elu, selu, softplus, leaky_relu or linear"},
	optimizerEntry, learningRateEntry, momentumEntry,
	{Name: "dropout", Type: FloatValue, Default: 0.0, check: fraction,
		Doc: "rate of the Dropout layer after every hidden layer, in [0, 1); 0: no Dropout layers"},
	{Name: "batch_norm", Type: BoolValue, Default: false, check: anyValue,
		Doc: "true: a BatchNormalization layer after every hidden Dense layer"},
	batchSizeEntry,
}

// denseConfig is one trial's configuration of a network of hidden Dense
// layers.
type denseConfig struct {
	nHidden, nNeurons      int
	activation, optimizer  string
	learningRate, momentum float64
	dropout                float64
	batchNorm              bool
}

// register registers the definitions in tune with h in the order of known
// and returns the value of every known hyperparameter: the trial's for a
// defined one, its Default for the others (which are not registered).
func register(h *hp.HyperParameters, known []Hyperparameter, tune []hp.Param) (hp.Values, error) {
	for _, p := range tune {
		if _, ok := lookup(known, p.Name); !ok {
			return nil, configErrorf("unknown hyperparameter %q (want %s)", p.Name, orList(names(known)))
		}
	}
	vals := hp.Values{}
	for _, k := range known {
		i := indexOf(tune, k.Name)
		if i < 0 {
			vals[k.Name] = k.Default
			continue
		}
		p := tune[i]
		if len(p.Conditions) == 0 {
			var parent *hp.Param
			if k.ActiveWhen != nil {
				if j := indexOf(tune, k.ActiveWhen.Parent); j >= 0 {
					parent = &tune[j]
				}
			}
			if err := k.Activate(&p, parent, known); err != nil {
				return nil, fmt.Errorf("hypermodels: hyperparameter %q %w", k.Name, err)
			}
		}
		v, err := h.Register(p)
		if err != nil {
			return nil, err
		}
		vals[k.Name] = v
	}
	return vals, nil
}

func indexOf(ps []hp.Param, name string) int {
	for i := range ps {
		if ps[i].Name == name {
			return i
		}
	}
	return -1
}

func names(hs []Hyperparameter) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.Name
	}
	return out
}

// denseConfigOf reads the trial's configuration from vals; a nil value
// keeps the zero value (a default left to the optimizer).
func denseConfigOf(vals hp.Values) (denseConfig, error) {
	var c denseConfig
	var err error
	get := func(name string, dst any) {
		v := vals[name]
		if v == nil || err != nil {
			return
		}
		ok := false
		switch p := dst.(type) {
		case *int:
			*p, ok = v.(int)
		case *float64:
			*p, ok = v.(float64)
		case *string:
			*p, ok = v.(string)
		case *bool:
			*p, ok = v.(bool)
		}
		if !ok {
			err = configErrorf("hyperparameter %q: value %v (%T) has the wrong type", name, v, v)
		}
	}
	get("n_hidden", &c.nHidden)
	get("n_neurons", &c.nNeurons)
	get("activation", &c.activation)
	get("optimizer", &c.optimizer)
	get("learning_rate", &c.learningRate)
	get("momentum", &c.momentum)
	get("dropout", &c.dropout)
	get("batch_norm", &c.batchNorm)
	return c, err
}

// hidden returns the hidden layers: n_hidden × [Dense → BatchNormalization? → Dropout?].
func (c *denseConfig) hidden() []nn.Layer {
	var layers []nn.Layer
	for range c.nHidden {
		layers = append(layers, nn.Dense(c.nNeurons, nn.Activation(c.activation)))
		if c.batchNorm {
			layers = append(layers, nn.BatchNormalization())
		}
		if c.dropout > 0 {
			layers = append(layers, nn.Dropout(c.dropout))
		}
	}
	return layers
}

// newOptimizer returns the configured optimizer.
func (c *denseConfig) newOptimizer() (nn.Optimizer, error) {
	switch c.optimizer {
	case "sgd":
		return &nn.SGD{LearningRate: c.learningRate, Momentum: c.momentum}, nil
	case "adam":
		return &nn.Adam{LearningRate: c.learningRate}, nil
	case "rmsprop":
		return &nn.RMSprop{LearningRate: c.learningRate}, nil
	}
	return nil, configErrorf("unknown optimizer %q (want sgd, adam or rmsprop)", c.optimizer)
}

// dense is what MLP and WideDeep share: the configuration fields and the
// steps of Build around the network's shape.
type dense struct {
	task       Task
	inputShape []int
	classes    int
	tune       []hp.Param
}

// prepare registers the hyperparameters and returns the trial's
// configuration, the output layer and the compile settings.
func (d dense) prepare(h *hp.HyperParameters) (denseConfig, nn.Layer, nn.CompileConfig, error) {
	if len(d.inputShape) == 0 {
		return denseConfig{}, nil, nn.CompileConfig{}, configErrorf("the input shape is missing")
	}
	vals, err := register(h, DenseHyperparameters, d.tune)
	if err != nil {
		return denseConfig{}, nil, nn.CompileConfig{}, err
	}
	c, err := denseConfigOf(vals)
	if err != nil {
		return c, nil, nn.CompileConfig{}, err
	}
	output, cfg, err := d.task.head(d.classes)
	if err != nil {
		return c, nil, cfg, err
	}
	if cfg.Optimizer, err = c.newOptimizer(); err != nil {
		return c, nil, cfg, err
	}
	return c, output, cfg, nil
}

// fitWithBatchSize trains m with cfg, using the trial's batch_size when
// it is tuned.
func fitWithBatchSize(ctx context.Context, h *hp.HyperParameters, m *nn.Model, x, y *nn.Matrix, cfg nn.FitConfig) (*nn.History, error) {
	if b := BatchSize(h.Values(), 0); b > 0 {
		cfg.BatchSize = b
	}
	return m.Fit(ctx, x, y, cfg)
}

// BatchSize returns a trial's batch_size value, or def when the trial
// does not tune it.
func BatchSize(values hp.Values, def int) int {
	if b, ok := values["batch_size"].(int); ok && b > 0 {
		return b
	}
	return def
}
