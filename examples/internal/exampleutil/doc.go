// Package exampleutil is support code for the programs under examples/:
// the default of their -data flag, the message they print when a dataset
// is missing, the loading of the datasets they share, and the observer
// that prints one line per finished trial.
//
// None of it is what an example is there to teach (the build function,
// the search space, the oracle's settings, the tuner calls stay in each
// main.go), and it is not part of tune's API: it is internal to examples/.
package exampleutil
