package study

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/hypermodels"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/tuner"
)

func TestMLPDefaults(t *testing.T) {
	s, err := Parse([]byte("data: {format: spirals}\n"), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := s.HyperModel(&data.Profile{InputShape: []int{2}, Classes: 2})
	h := hp.New()
	model, err := m.Build(h)
	if err != nil {
		t.Fatal(err)
	}
	// Undeclared hyperparameters are not registered: 2 × Dense(64, relu).
	if h.Space().Len() != 0 {
		t.Errorf("space %v", h.Space())
	}
	if got, want := model.CountParams(), (2*64+64)+(64*64+64)+(64*2+2); got != want {
		t.Errorf("%d parameters, want %d\n%s", got, want, model.Summary())
	}
}

func TestMLPBuild(t *testing.T) {
	s, err := Parse([]byte(valid), "study.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := s.HyperModel(&data.Profile{InputShape: []int{2}, Classes: 3})
	h := hp.New()
	model, err := m.Build(h)
	if err != nil {
		t.Fatal(err)
	}
	space := h.Space()
	var names []string
	for _, p := range space.Params() {
		names = append(names, p.Name)
	}
	// Registered in the MLP's order, not the file's.
	if want := []string{"n_hidden", "n_neurons", "activation", "optimizer", "learning_rate", "momentum"}; !slices.Equal(names, want) {
		t.Errorf("space %v, want %v", names, want)
	}
	// The defaults: 1 hidden layer of 4 units.
	if got, want := model.CountParams(), (2*4+4)+(4*3+3); got != want {
		t.Errorf("%d parameters, want %d", got, want)
	}

	// A trial's values; momentum is inactive with adam.
	h = hp.FromValues(space, hp.Values{"n_hidden": 3, "n_neurons": 8, "activation": "tanh", "optimizer": "adam", "learning_rate": 0.01})
	model, err = m.Build(h)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := model.CountParams(), (2*8+8)+2*(8*8+8)+(8*3+3); got != want {
		t.Errorf("%d parameters, want %d", got, want)
	}
	if _, ok := h.Values()["momentum"]; ok {
		t.Errorf("momentum active with adam: %v", h.Values())
	}
	h = hp.FromValues(space, hp.Values{"n_hidden": 0, "n_neurons": 8, "activation": "tanh", "optimizer": "sgd", "learning_rate": 0.01, "momentum": 0.5})
	if model, err = m.Build(h); err != nil {
		t.Fatal(err)
	}
	if got, want := model.CountParams(), 2*3+3; got != want {
		t.Errorf("%d parameters, want %d", got, want)
	}
	if v := h.Values()["momentum"]; v != 0.5 {
		t.Errorf("momentum %v", v)
	}
}

// TestMLPMetrics trains each task's model for an epoch and checks that it
// reports every metric the study accepts as an objective.
func TestMLPMetrics(t *testing.T) {
	for _, task := range hypermodels.Tasks {
		t.Run(string(task), func(t *testing.T) {
			s, err := Parse([]byte("task: "+string(task)+"\ndata: {format: csv, path: x.csv, validation_last: 2}\n"+
				"hyperparameters: {n_hidden: 1, n_neurons: 3, optimizer: [sgd, rmsprop]}\n"), "s.yaml")
			if err != nil {
				t.Fatal(err)
			}
			x := nn.NewMatrixFrom(6, 2, []float32{0, 1, 1, 0, 1, 1, 0, 0, 0.5, 0.5, 1, 0.5})
			y := nn.NewMatrixFrom(6, 1, []float32{0, 1, 1, 0, 1, 0})
			ds := &LoadedData{InputShape: []int{2}, Classes: 2}
			ds.X, ds.Y, ds.ValidationX, ds.ValidationY = x.Slice(0, 4), y.Slice(0, 4), x.Slice(4, 6), y.Slice(4, 6)
			for _, opt := range []string{"sgd", "rmsprop"} {
				h := hp.FromValues(nil, hp.Values{"optimizer": opt})
				model, err := s.HyperModel(ds.Profile()).Build(h)
				if err != nil {
					t.Fatal(err)
				}
				hist, err := model.Fit(context.Background(), ds.X, ds.Y, s.FitConfig(ds))
				if err != nil {
					t.Fatal(err)
				}
				for _, name := range s.metrics() {
					if _, ok := hist.Metrics[name]; !ok {
						t.Errorf("%s model does not report %s: %v", task, name, hist.Metrics)
					}
				}
			}
		})
	}
}

// TestSearch runs a small study through the tuner.
func TestSearch(t *testing.T) {
	s, err := writeStudy(t, `seed: 3
data: {format: spirals, samples: 120, validation_split: 0.25}
hyperparameters:
  n_hidden: {type: int, min: 1, max: 2}
  n_neurons: {type: int, min: 4, max: 16}
  optimizer: [adam, sgd]
  momentum: {type: float, min: 0, max: 0.9}
max_trials: 3
executions_per_trial: 2
epochs: 2
parallel_trials: 2
early_stopping: {patience: 0}
`, nil)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := s.LoadData()
	if err != nil {
		t.Fatal(err)
	}
	opts, err := s.Options()
	if err != nil {
		t.Fatal(err)
	}
	tu, err := tuner.New(&tuner.Training{HyperModel: s.HyperModel(ds.Profile()), X: ds.X, Y: ds.Y, Config: s.FitConfig(ds)}, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer tu.Close()
	if err := tu.Search(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts, err := tu.Trials()
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 3 {
		t.Fatalf("%d trials", len(ts))
	}
	for _, tr := range ts {
		if tr.Status != trials.Completed || tr.Score == nil {
			t.Errorf("trial %d: %s %v %s", tr.ID, tr.Status, tr.Score, tr.Error)
		}
		if _, ok := tr.Values["momentum"]; ok != (tr.Values["optimizer"] == "sgd") {
			t.Errorf("trial %d values %v", tr.ID, tr.Values)
		}
	}
	if !strings.HasSuffix(opts.StorePath(), "/tune_projects/study/study.db") || opts.StorePath() != s.StorePath() {
		t.Errorf("store %s", opts.StorePath())
	}
	if !reflect.DeepEqual(tu.Space().Params()[0].Name, "n_hidden") {
		t.Errorf("space %v", tu.Space())
	}
}
