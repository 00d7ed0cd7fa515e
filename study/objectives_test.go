package study

import (
	"strings"
	"testing"

	"github.com/tunekit/tune/goal"
)

const moBase = `data: {format: spirals, samples: 100, validation_split: 0.2}
oracle: nsga2
`

func TestObjectives(t *testing.T) {
	s, err := Parse([]byte(moBase+"objectives:\n  - val_accuracy\n  - {metric: params}\n  - {metric: val_loss, direction: min}\n"), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.Options()
	if err != nil {
		t.Fatal(err)
	}
	want := []goal.Objective{{Name: "val_accuracy", Direction: goal.Maximize}, {Name: "params", Direction: goal.Minimize}, {Name: "val_loss", Direction: goal.Minimize}}
	if len(o.Objectives) != 3 || o.Objectives[0] != want[0] || o.Objectives[1] != want[1] || o.Objectives[2] != want[2] || o.Objective != "val_accuracy" {
		t.Errorf("Options objectives %v (%s), want %v", o.Objectives, o.Objective, want)
	}
	for _, tc := range []struct{ yaml, want string }{
		{"objective: val_loss\nobjectives: [val_accuracy, params]\n", "s.yaml:4: objectives: set objective (one) or objectives (several), not both"},
		{"objectives: [val_accuracy, val_auc]\n", `s.yaml:3: objective "val_auc" is not a metric`},
		{"objectives: [params, params]\n", `s.yaml:3: objectives: "params" is listed twice`},
		{"objectives: [{metric: params, direction: up}]\n", `s.yaml:3: objectives: params direction "up": want min or max`},
	} {
		_, err := Parse([]byte(moBase+tc.yaml), "s.yaml")
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %s", tc.yaml, err, tc.want)
		}
	}
}
