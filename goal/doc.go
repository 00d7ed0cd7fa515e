// Package goal says what a search optimises: an Objective is a metric a
// trial reports (such as "val_accuracy") and the Direction to push it in.
//
// It is a leaf package so that every layer that needs to compare scores
// (the stored study in trials, the oracles and pruners, the tuner, the
// tune command) shares one definition. A study with several objectives is
// described by a list of them, in order of importance.
//
// Rules: an Objective is a plain value, comparable with ==; NaN is never a
// better score than anything, and anything is better than NaN.
package goal
