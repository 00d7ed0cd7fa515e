// Package etcdstore is the trials.Store of a study shared by workers on
// several machines, kept in etcd.
//
// Rules:
//   - Correctness comes from compares, not locks: every write is one etcd
//     transaction guarded by the revisions it read.
//   - Each opened Store is a worker holding a lease kept alive while it runs.
//     A trial is Running exactly while its claim key exists; the claim is
//     bound to the lease of the worker running it, and every later write for
//     the trial (epochs, checkpoint, finish, requeue) is fenced on that
//     claim. A worker whose lease expired writes nothing (ErrClaimLost).
//   - When a lease expires its claims vanish; every worker watches the
//     claims and moves a Running trial without one back to Pending, by a
//     compare-and-swap, so several watchers are safe. A watch cut by
//     compaction rescans everything and watches again from that revision.
//   - Records stay small: a checkpoint is stored as chunks under content
//     hash, then pointed to by a fenced record.
//
// Layout under the prefix P:
//
//	P/schema             format version
//	P/study              Study JSON
//	P/seq                the last trial id given
//	P/trial/<id>         Trial JSON (id zero-padded to sort)
//	P/claim/<id>         the worker holding the trial, with its lease
//	P/ckpt/<id>          checkpoint pointer {hash, size, chunks}
//	P/chunk/<id>/<hash>/<n> checkpoint bytes
package etcdstore
