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
//   - A trial costs two synced writes when its epochs are quick: its
//     create (or claim) and its Finish, which carries the epochs and the
//     checkpoint not written yet. An epoch waits at most
//     Options.EpochInterval; the worker reads its own unwritten epochs and
//     checkpoint. A worker that dies loses them with its attempt, which
//     runs again from the start (claiming a trial clears it).
//   - Records stay small: a checkpoint is stored as chunks under content
//     hash, pointed to by a fenced record (chunks too big for the Finish
//     go first, each fenced on the claim too, unreachable until then; a
//     lost attempt's are deleted when its trial is reaped or claimed).
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
