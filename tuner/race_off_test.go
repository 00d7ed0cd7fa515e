//go:build !race

package tuner

// raceEnabled is whether the tests run under the race detector.
const raceEnabled = false
