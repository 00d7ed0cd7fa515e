package hypermodels

import (
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/tuner"
)

// Config is what a hypermodel chosen by name is made from (see
// Builtin.New): the fields the built-in types share.
type Config struct {
	Task       Task
	InputShape []int
	Classes    int
	// Tune holds the definitions of the hyperparameters to search, any of
	// the Builtin's Hyperparameters.
	Tune []hp.Param
	// Normalization, if set, scales the inputs inside the model.
	Normalization *nn.NormalizationLayer
}

// Builtin is a built-in hypermodel as a study file names it (model: mlp).
type Builtin struct {
	// Name is the study file's name for it.
	Name string
	// Hyperparameters are those it takes, in the order its Build
	// registers them.
	Hyperparameters []Hyperparameter
	// New returns the hypermodel configured by c.
	New func(c Config) tuner.HyperModel
}

// builtins are the built-in hypermodels in the order the documentation
// lists them. A new type (in its own file) adds its entry here.
var builtins = []Builtin{
	{Name: "mlp", Hyperparameters: DenseHyperparameters, New: func(c Config) tuner.HyperModel {
		return &MLP{Task: c.Task, InputShape: c.InputShape, Classes: c.Classes, Tune: c.Tune, Normalization: c.Normalization}
	}},
	{Name: "wide_deep", Hyperparameters: DenseHyperparameters, New: func(c Config) tuner.HyperModel {
		return &WideDeep{Task: c.Task, InputShape: c.InputShape, Classes: c.Classes, Tune: c.Tune, Normalization: c.Normalization}
	}},
	{Name: "cnn", Hyperparameters: CNNHyperparameters, New: func(c Config) tuner.HyperModel {
		return &CNN{Task: c.Task, InputShape: c.InputShape, Classes: c.Classes, Tune: c.Tune, Normalization: c.Normalization}
	}},
}

// Lookup returns the built-in hypermodel called name.
func Lookup(name string) (*Builtin, bool) {
	for i := range builtins {
		if builtins[i].Name == name {
			return &builtins[i], true
		}
	}
	return nil, false
}

// Names returns the built-in hypermodels' names.
func Names() []string {
	out := make([]string, len(builtins))
	for i, b := range builtins {
		out[i] = b.Name
	}
	return out
}

// Hyperparameter returns the description of the hyperparameter called
// name that b takes.
func (b *Builtin) Hyperparameter(name string) (*Hyperparameter, bool) {
	return lookup(b.Hyperparameters, name)
}
