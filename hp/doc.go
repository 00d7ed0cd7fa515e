// Package hp defines search spaces the way Keras Tuner does: define-by-run.
//
// A build function asks a *HyperParameters for values (Int, Float, Choice…,
// Boolean, Fixed). The first time a name is asked for, the call registers a
// Param in the Space and returns its default; when the tuner later calls
// build for a trial, the same calls return that trial's values.
//
// Rules:
//   - A Param's value is one of four Go types: int, float64, string or bool.
//     Values keeps those types through JSON (floats always carry a decimal
//     point or exponent), so a round trip returns equal values.
//   - Max is inclusive, also for float steps: Float(0, 1, Step(0.2)) can
//     yield 1.0. A float grid value is min + i·step rounded to the decimals
//     of min and step, so the values are exactly 0, 0.2, 0.4, 0.6, 0.8 and
//     1 (never 0.6000000000000001), and only those exact values are
//     accepted. With Log sampling a step is a factor:
//     Int("units", 32, 512, Step(2), Log) is 32, 64, 128, 256, 512.
//   - Every Param maps to and from the unit interval [0, 1]; random, grid
//     and Bayesian search work on that encoding. The n values of a discrete
//     Param own equal cells and encode as the cells' centres, so
//     FromUnit(ToUnit(v)) == v. Space.Sample draws one uniform number per
//     Param, in order, whether active or not.
//   - A Param may be conditional on a parent's value. An inactive Param has
//     no value in a trial.
//   - Bad definitions never panic: the first error is kept and returned by
//     HyperParameters.Err, naming the hyperparameter.
package hp
