// Package examplesetup is the setup the programs under examples/ and
// bench/ share, the seed chapter's (Hands-On Machine Learning, chapter 10)
// among it: the default of their -data flag, the message they print when a
// dataset is missing, Fashion-MNIST with its last 5,000 training images
// held out for validation, California housing, and the observer that
// prints one line per finished trial.
//
// None of it is what an example is there to teach (the build function,
// the search space, the oracle's settings, the tuner calls stay in each
// main.go, which reads alone), and it is not part of tune's API: it is
// internal to the module.
package examplesetup
