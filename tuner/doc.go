// Package tuner runs a hyperparameter search: it asks an oracle for values,
// trains and scores a model (or runs any objective function) with them, and
// records everything in a trials.Store.
//
// A search is Keras Tuner's: a build function (or HyperModel) defines the
// search space by run, an Options value sets the objective, the oracle,
// max trials, executions per trial and parallelism, and Search runs the
// trials. What a trial runs is an Evaluator: a Training (a hypermodel, its
// data and its FitConfig) or an ObjectiveFunc (any Go function); there is
// one Search for both. Results come back as the best trials, their hyperparameters and
// their models rebuilt from the stored best-epoch checkpoints.
//
// Rules:
//   - The store is the only state. Opening a project that exists resumes
//     it: trials that were running are run again with the same values.
//   - Trials run in parallel, one goroutine each (Options.ParallelTrials);
//     oracle calls and changes to the study (a space that grows) are
//     serialised; pruner decisions read the stored history without holding
//     that lock.
//   - A trial's random draws (weight initialisation, shuffling) depend only
//     on the study seed, the trial id and the execution, so a re-run trial
//     repeats itself.
//   - A trial that fails (build error, NaN or Inf loss, missing objective
//     metric) is recorded as failed with its reason; the search stops with
//     ErrTooManyFailures after MaxConsecutiveFailedTrials in a row.
//   - Cancelling the context stops running trials at the next batch and
//     puts them back in line; the project resumes later.
//   - A warm start (Options.WarmStart) reads other projects once, when the
//     project is created, and stores the trials that fit with the study's
//     definition in the same write: they seed the oracle (oracle.State.Prior)
//     but are never the study's trials, and a resume reads no source. A
//     bad source is an error naming it (a *WarmStartError), before
//     anything is written.
package tuner
