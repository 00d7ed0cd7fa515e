package goal_test

import (
	"errors"
	"fmt"

	"github.com/tunekit/tune/goal"
)

func ExampleNew() {
	acc, _ := goal.New("val_accuracy", "")
	fmt.Println(acc, acc.Better(0.9, 0.8))
	_, err := goal.New("throughput", "")
	fmt.Println(errors.Is(err, goal.ErrDirection))
	// Output:
	// val_accuracy (max) true
	// true
}
