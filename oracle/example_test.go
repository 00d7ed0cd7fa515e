package oracle_test

import (
	"fmt"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
)

func ExampleRandomSearch() {
	space, _ := hp.NewSpace(
		hp.Param{Name: "optimizer", Kind: hp.KindChoice, Values: []any{"sgd", "adam"}},
		hp.Param{Name: "layers", Kind: hp.KindInt, Min: 1, Max: 2},
	)
	var o oracle.Oracle = &oracle.RandomSearch{}
	p, err := o.Next(oracle.State{Space: space, Seed: 42})
	fmt.Println(len(p.Values), err, space.Validate(p.Values))
	// Output: 2 <nil> <nil>
}
