// Command tune tunes the hyperparameters of a neural network described by a
// study file, and reports on, plots and uses the results:
//
//	tune init                  write a commented example study file
//	tune search                run a study's search, or resume it
//	tune report | best | trials | show TRIAL
//	                           the best trials, the best values, every trial, one trial's curve
//	tune export                every trial and every epoch's metrics, as csv or json
//	tune plot                  learning curves, history, hyperparameters and Pareto front, as PNG or SVG
//	tune predict               the best model's predictions for a csv or IDX file
//	tune retrain               train the best configuration on all the training data, test it, save it
//	tune data get NAME         download a benchmark dataset
//	tune version, tune completion
//
// See "tune help COMMAND", and the study package for the file's schema.
// Each command has its own file (command_*.go); commands print to the
// command's output and return errors, which main prints as one line.
package main
