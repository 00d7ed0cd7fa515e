package nn

import (
	"errors"
	"testing"
)

func TestSetWeights(t *testing.T) {
	m := NewSequential(Input(2), Dense(1, Linear, Name("out")))
	if err := m.Compile(CompileConfig{Loss: "mse", Optimizer: &SGD{LearningRate: 0.1}}); err != nil {
		t.Fatal(err)
	}
	values, names, _ := m.Weights()
	if len(values) != 2 || names[0] != "out/kernel" {
		t.Fatalf("weights %v %v", values, names)
	}
	if err := m.SetWeights([][]float32{{2, 3}, {5}}); err != nil {
		t.Fatal(err)
	}
	x := NewMatrix(1, 2)
	x.Data[0], x.Data[1] = 1, 10
	y, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	if y.Data[0] != 2+30+5 {
		t.Errorf("prediction %v, want 37", y.Data[0])
	}
	if err := m.SetWeights([][]float32{{2}, {5}}); !errors.Is(err, ErrWeightsMismatch) {
		t.Errorf("short kernel: %v", err)
	}
	if got, _, _ := m.Weights(); got[0][0] != 2 {
		t.Errorf("a failed SetWeights changed the model: %v", got)
	}
}
