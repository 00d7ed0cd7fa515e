package study_test

import (
	"fmt"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/study"
)

func ExampleParse() {
	s, err := study.Parse([]byte(`
seed: 42
data:
  format: spirals
  samples: 500
  validation_split: 0.2
hyperparameters:
  n_neurons: {type: int, min: 16, max: 128, step: 16}
  learning_rate: {type: float, min: 1.0e-4, max: 1.0e-2, sampling: log}
  optimizer: [sgd, adam]
  activation: relu
max_trials: 20
`), "examples/spirals.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("project:", s.Project, "in", s.Directory)
	fmt.Println("objective:", s.Objective, s.Direction)
	for _, h := range s.Hyperparameters {
		fmt.Printf("line %d: %v\n", h.Line, h.Param)
	}

	_, err = study.Parse([]byte("data: {format: spirals}\nhyperparameters:\n  n_neurons: {type: int, min: 300, max: 200}\n"), "study.yaml")
	fmt.Println(err)
	// Output:
	// project: spirals in examples/tune_projects
	// objective: val_accuracy max
	// line 8: n_neurons (int): [16, 128] step 16 linear, default 16
	// line 9: learning_rate (float): [0.0001, 0.01] log, default 0.0001
	// line 10: optimizer (choice): [sgd adam], default sgd
	// line 11: activation (fixed): relu
	// study.yaml:3: hyperparameter "n_neurons": min 300 > max 200
}

// Override changes a study file's settings, as tune search's flags do.
func ExampleOverride() {
	src := []byte("data: {format: spirals}\noracle: random  # try others\nmax_trials: 10\n")
	out, err := study.Override(src, "max_trials=30", "oracle.type=bayesian", "hyperparameters.dropout=[0.0, 0.2]")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(out))
	s, err := study.Parse(out, "study.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.MaxTrials, s.Oracle.Type, s.Hyperparameters.Names())
	// Output:
	// data: {format: spirals}
	// oracle: {type: bayesian} # try others
	// max_trials: 30
	// hyperparameters:
	//   dropout: [0.0, 0.2]
	// 30 bayesian [dropout]
}

// A study's hypermodel builds the model of a trial; here the Wide & Deep
// network with a hidden layer, batch normalization and dropout.
func ExampleStudy_HyperModel() {
	s, err := study.Parse([]byte(`task: regression
model: wide_deep
data: {format: csv, path: houses.csv}
hyperparameters:
  n_hidden: 1
  n_neurons: 30
  dropout: 0.2
  batch_norm: true
`), "houses.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := s.HyperModel(&data.Profile{InputShape: []int{8}}).Build(hp.New())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.CountParams(), "parameters")
	fmt.Println(m.OutputNames())
	// Output:
	// 429 parameters
	// [output]
}
