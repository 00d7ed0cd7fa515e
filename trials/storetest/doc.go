// Package storetest is the conformance suite of trials.Store: one table of
// tests that every backend (bbolt, etcd) must pass unchanged.
//
// Rules:
//   - Run takes a function opening a new, empty store per test; the suite
//     closes what it opens.
//   - Tests assert only what the Store interface documents, never how a
//     backend lays out its records.
package storetest
