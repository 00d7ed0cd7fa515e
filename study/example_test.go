package study_test

import (
	"fmt"

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
