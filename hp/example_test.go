package hp_test

import (
	"fmt"

	"github.com/tunekit/tune/hp"
)

// A build function asks for its hyperparameters as it goes. Called with
// hp.New(), it records the search space and sees the defaults; called with
// hp.FromValues, it sees a trial's values.
func Example() {
	build := func(h *hp.HyperParameters) string {
		units := h.Int("units", 32, 512, hp.Step(32))
		lr := h.Float("lr", 1e-4, 1e-2, hp.Log, hp.Default(1e-3))
		act := h.ChoiceString("activation", []string{"relu", "tanh"})
		dropout := h.Float("dropout", 0, 0.5, hp.Step(0.1))
		return fmt.Sprintf("units=%d lr=%g activation=%s dropout=%g", units, lr, act, dropout)
	}

	h := hp.New()
	fmt.Println("defaults:", build(h))
	if err := h.Err(); err != nil {
		fmt.Println(err)
		return
	}
	space := h.Space()
	fmt.Print(space)
	fmt.Println(space.Defaults())

	trial := hp.FromValues(space, hp.Values{"units": 256, "lr": 0.005, "activation": "tanh", "dropout": 0.3})
	fmt.Println("trial:", build(trial))
	// Output:
	// defaults: units=32 lr=0.001 activation=relu dropout=0
	// Search space: 4 hyperparameters
	// units (int): [32, 512] step 32 linear, default 32
	// lr (float): [0.0001, 0.01] log, default 0.001
	// activation (choice): [relu tanh], default relu
	// dropout (float): [0, 0.5] step 0.1 linear, default 0
	// activation=relu dropout=0 lr=0.001 units=32
	// trial: units=256 lr=0.005 activation=tanh dropout=0.3
}

// Hyperparameters asked for through a When view are active only when the
// parent has one of the given values; inactive ones have no value. Scope
// prefixes names.
func ExampleHyperParameters_When() {
	build := func(h *hp.HyperParameters) {
		model := h.ChoiceString("model", []string{"mlp", "cnn"})
		mlp := h.When("model", "mlp")
		for i := range mlp.Int("layers", 1, 3) {
			mlp.Scope(fmt.Sprintf("block%d", i+1)).Int("units", 32, 512, hp.Step(2), hp.Log)
		}
		cnn := h.When("model", "cnn")
		cnn.ChoiceInt("filters", []int{16, 32, 64})
		_ = model
	}

	h := hp.New()
	build(h)
	fmt.Print(h.Space())
	fmt.Println("defaults:", h.Values())

	trial := hp.FromValues(h.Space(), hp.Values{"model": "mlp", "layers": 2, "block1/units": 128})
	build(trial) // block2/units is new: it is registered and takes its default
	fmt.Println("trial:", trial.Values())
	fmt.Println("valid:", trial.Space().Validate(trial.Values()))

	cnn := hp.Values{"model": "cnn", "filters": 64}
	fmt.Println("cnn valid:", trial.Space().Validate(cnn))
	cnn["layers"] = 2
	fmt.Println("cnn with layers:", trial.Space().Validate(cnn))
	// Output:
	// Search space: 4 hyperparameters
	// model (choice): [mlp cnn], default mlp
	// layers (int): [1, 3] step 1 linear, default 1, when model in [mlp]
	// block1/units (int): [32, 512] step 2 log, default 32, when model in [mlp]
	// filters (choice): [16 32 64] ordered, default 16, when model in [cnn]
	// defaults: block1/units=32 layers=1 model=mlp
	// trial: block1/units=128 block2/units=32 layers=2 model=mlp
	// valid: <nil>
	// cnn valid: <nil>
	// cnn with layers: hyperparameter "layers": has a value but is inactive
}

// Every hyperparameter maps to and from the unit interval, where random,
// grid and Bayesian search work. Discrete values sit at the centres of
// equal cells.
func ExampleParam_ToUnit() {
	h := hp.New()
	h.Int("units", 32, 512, hp.Step(2), hp.Log)
	h.Float("rate", 0, 1, hp.Step(0.2))
	for _, p := range h.Space().Params() {
		for i := range p.Count() {
			v := p.ValueAt(i)
			u, _ := p.ToUnit(v)
			fmt.Printf("%s=%v → %.4f → %v\n", p.Name, v, u, p.FromUnit(u))
		}
	}
	// Output:
	// units=32 → 0.1000 → 32
	// units=64 → 0.3000 → 64
	// units=128 → 0.5000 → 128
	// units=256 → 0.7000 → 256
	// units=512 → 0.9000 → 512
	// rate=0 → 0.0833 → 0
	// rate=0.2 → 0.2500 → 0.2
	// rate=0.4 → 0.4167 → 0.4
	// rate=0.6 → 0.5833 → 0.6
	// rate=0.8 → 0.7500 → 0.8
	// rate=1 → 0.9167 → 1
}
