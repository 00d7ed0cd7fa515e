// Package oracle decides which hyperparameter values to try next.
//
// Rules:
//   - An Oracle is a function of the State it is given: the study's space,
//     objective and seed, the stored trials and a warm start's prior
//     trials (stored with the study). It keeps nothing between
//     calls, so a resumed study continues exactly where it stopped.
//   - Draws are seeded from (study seed, trial number), never from time,
//     so a seeded study repeats itself.
//   - Next is never called concurrently; the tuner serialises calls.
//   - The end of a search is ErrExhausted; "nothing to propose until a
//     running trial finishes" is ErrWait.
package oracle
