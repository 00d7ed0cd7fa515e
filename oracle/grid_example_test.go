package oracle_test

import (
	"errors"
	"fmt"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
)

func ExampleGridSearch() {
	space, _ := hp.NewSpace(
		hp.Param{Name: "optimizer", Kind: hp.KindChoice, Values: []any{"sgd", "adam"}, Default: "adam"},
		hp.Param{Name: "layers", Kind: hp.KindInt, Min: 1, Max: 3, Default: 2},
	)
	s := oracle.State{Space: space}
	g := &oracle.GridSearch{}
	for {
		p, err := g.Next(s)
		if errors.Is(err, oracle.ErrExhausted) {
			break
		}
		fmt.Println(p.Values)
		s.Trials = append(s.Trials, &trials.Trial{ID: len(s.Trials) + 1, Values: p.Values, Status: trials.Completed})
	}
	// Output:
	// layers=2 optimizer=adam
	// layers=1 optimizer=adam
	// layers=3 optimizer=adam
	// layers=2 optimizer=sgd
	// layers=1 optimizer=sgd
	// layers=3 optimizer=sgd
}
