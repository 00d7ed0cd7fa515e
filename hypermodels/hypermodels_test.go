package hypermodels

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
)

func TestMLPRegistersInItsOrder(t *testing.T) {
	m := &MLP{Task: Classification, InputShape: []int{2}, Classes: 3, Tune: []hp.Param{
		{Name: "optimizer", Kind: hp.KindChoice, Values: []any{"adam", "sgd"}},
		{Name: "momentum", Kind: hp.KindFloat, Min: 0, Max: 0.9,
			Conditions: []hp.Condition{{Parent: "optimizer", Values: []any{"sgd"}}}},
		{Name: "n_hidden", Kind: hp.KindInt, Min: 0, Max: 3, Default: 1},
		{Name: "n_neurons", Kind: hp.KindInt, Min: 4, Max: 8},
	}}
	h := hp.New()
	model, err := m.Build(h)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range h.Space().Params() {
		names = append(names, p.Name)
	}
	if want := []string{"n_hidden", "n_neurons", "optimizer", "momentum"}; !slices.Equal(names, want) {
		t.Errorf("space %v, want %v", names, want)
	}
	// The defaults: 1 hidden layer of 4 units.
	if got, want := model.CountParams(), (2*4+4)+(4*3+3); got != want {
		t.Errorf("%d parameters, want %d", got, want)
	}
	h = hp.FromValues(h.Space(), hp.Values{"n_hidden": 3, "n_neurons": 8, "optimizer": "adam"})
	if model, err = m.Build(h); err != nil {
		t.Fatal(err)
	}
	if got, want := model.CountParams(), (2*8+8)+2*(8*8+8)+(8*3+3); got != want {
		t.Errorf("%d parameters, want %d", got, want)
	}
	if _, ok := h.Values()["momentum"]; ok {
		t.Errorf("momentum active with adam: %v", h.Values())
	}
}

func TestWideDeepLayersAndBatchSize(t *testing.T) {
	m := &WideDeep{Task: Binary, InputShape: []int{2}, Tune: []hp.Param{
		{Name: "n_neurons", Kind: hp.KindFixed, Values: []any{4}},
		{Name: "dropout", Kind: hp.KindFixed, Values: []any{0.25}},
		{Name: "batch_norm", Kind: hp.KindFixed, Values: []any{true}},
		{Name: "batch_size", Kind: hp.KindFixed, Values: []any{8}},
	}}
	h := hp.New()
	model, err := m.Build(h)
	if err != nil {
		t.Fatal(err)
	}
	// 2 → Dense 4 → BN → Dense 4 → BN, concatenated with the 2 inputs → 1.
	if got, want := model.CountParams(), (2*4+4)+4*4+(4*4+4)+4*4+(6*1+1); got != want {
		t.Errorf("%d parameters, want %d\n%s", got, want, model.Summary())
	}
	// 16 rows in the trial's batches of 8 are 2 batches per epoch.
	batches := 0
	cb := &countBatches{n: &batches}
	cfg := nn.FitConfig{Epochs: 1, BatchSize: 32, Callbacks: []nn.Callback{cb}}
	if _, err := m.Fit(context.Background(), h, model, nn.NewMatrix(16, 2), nn.NewMatrix(16, 1), cfg); err != nil {
		t.Fatal(err)
	}
	if batches != 2 {
		t.Errorf("%d batches, want 2 of 8 rows", batches)
	}
	if BatchSize(hp.Values{}, 32) != 32 || BatchSize(hp.Values{"batch_size": 8}, 32) != 8 {
		t.Error("BatchSize")
	}
}

type countBatches struct {
	nn.BaseCallback
	n *int
}

func (c *countBatches) OnBatchEnd(*nn.Model, int, nn.Logs) error { *c.n++; return nil }

func TestConfigErrors(t *testing.T) {
	for name, m := range map[string]*MLP{
		"one class":    {Task: Classification, InputShape: []int{2}, Classes: 1},
		"unknown task": {Task: "ranking", InputShape: []int{2}},
		"no shape":     {Task: Regression},
		"unknown name": {Task: Regression, InputShape: []int{2}, Tune: []hp.Param{{Name: "filters", Kind: hp.KindFixed, Values: []any{8}}}},
		"wrong type":   {Task: Regression, InputShape: []int{2}, Tune: []hp.Param{{Name: "n_hidden", Kind: hp.KindFixed, Values: []any{"two"}}}},
	} {
		if _, err := m.Build(hp.New()); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
	// A bad definition is hp's error, naming the hyperparameter.
	m := &MLP{Task: Regression, InputShape: []int{2}, Tune: []hp.Param{{Name: "n_neurons", Kind: hp.KindInt, Min: 8, Max: 4}}}
	_, err := m.Build(hp.New())
	var e *hp.Error
	if !errors.As(err, &e) || e.Name != "n_neurons" || !errors.Is(err, hp.ErrInvalid) {
		t.Errorf("min > max: %v", err)
	}
}

func TestConvert(t *testing.T) {
	b, _ := Lookup("mlp")
	for _, c := range []struct {
		name string
		p    hp.Param
		ok   bool
		want []any
	}{
		{"n_hidden", hp.Param{Kind: hp.KindChoice, Values: []any{1.0, 2}}, true, []any{1, 2}},
		{"dropout", hp.Param{Kind: hp.KindChoice, Values: []any{0, 0.5}}, true, []any{0.0, 0.5}},
		{"n_hidden", hp.Param{Kind: hp.KindChoice, Values: []any{1.5}}, false, nil},
		{"n_hidden", hp.Param{Kind: hp.KindFloat, Min: 0, Max: 2}, false, nil},
		{"dropout", hp.Param{Kind: hp.KindFloat, Min: 0, Max: 1}, false, nil},
		{"activation", hp.Param{Kind: hp.KindChoice, Values: []any{"relu", "swish2"}}, false, nil},
		{"optimizer", hp.Param{Kind: hp.KindInt, Min: 0, Max: 1}, false, nil},
		{"batch_norm", hp.Param{Kind: hp.KindBoolean, Default: 1}, false, nil},
		{"learning_rate", hp.Param{Kind: hp.KindFixed, Values: []any{0}}, false, nil},
	} {
		k, _ := b.Hyperparameter(c.name)
		p := c.p
		p.Name = c.name
		err := k.Convert(&p)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrDefinition)) {
			t.Errorf("%s %v: %v", c.name, c.p, err)
		}
		if c.ok && !slices.Equal(p.Values, c.want) {
			t.Errorf("%s: values %v, want %v", c.name, p.Values, c.want)
		}
	}
}

// Momentum is searched only where the optimizer can be sgd, and is then
// active only in sgd's trials, from Go as from a study file.
func TestMomentumActiveWithSGDOnly(t *testing.T) {
	momentum := hp.Param{Name: "momentum", Kind: hp.KindFloat, Min: 0, Max: 0.9}
	build := func(optimizer hp.Param) (*hp.HyperParameters, error) {
		hm := &MLP{Task: Classification, InputShape: []int{2}, Classes: 3,
			Tune: []hp.Param{optimizer, momentum}}
		h := hp.New()
		_, err := hm.Build(h)
		return h, err
	}
	_, err := build(hp.Param{Name: "optimizer", Kind: hp.KindFixed, Values: []any{"adam"}})
	if !errors.Is(err, ErrDefinition) {
		t.Fatalf("momentum with adam only: %v, want ErrDefinition", err)
	}
	const want = `hypermodels: hyperparameter "momentum" is active only when optimizer is sgd: set optimizer to sgd or a choice that includes it`
	if err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	h, err := build(hp.Param{Name: "optimizer", Kind: hp.KindChoice, Values: []any{"sgd", "adam"}})
	if err != nil {
		t.Fatal(err)
	}
	p, ok := h.Space().Param("momentum")
	if !ok || len(p.Conditions) != 1 || p.Conditions[0].Parent != "optimizer" || p.Conditions[0].Values[0] != "sgd" {
		t.Errorf("momentum's conditions %+v, want optimizer in [sgd]", p)
	}
}
