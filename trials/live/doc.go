// Package live lets other processes read a bbolt study while a search
// holds it.
//
// A bbolt store has one writer, and its file lock keeps every other
// process out, readers included. The process that holds the store runs a
// Server: it answers read requests (the study, the trials, one trial, a
// checkpoint, the queue, the store's version), and queues values (tune
// enqueue into a running search), on a unix socket beside the store file
// (SocketPath), from the store's own read methods, which a Bolt answers
// from its in-memory decoded trials. A Client is the read side of a
// trials.Store over that socket; Open returns a read-only store for a
// path: the file itself when it is free, a Client when a search holds it.
//
// Rules:
//   - The file lock stays: one writer. The one change a Client asks for is
//     Enqueue, which the serving process makes in its own store, as its
//     search would; every other change fails with an error wrapping
//     trials.ErrReadOnly.
//   - The socket is the owner's alone (mode 0600, never TCP), bound under a
//     temporary name and renamed into place, so it is never reachable with
//     looser permissions. A socket left by a killed process is stale by
//     definition once the store's lock is held, and is replaced.
//   - Paths longer than a unix socket address allows (108 bytes on Linux)
//     are reached through /proc/self/fd, so a deep project directory works.
//   - Reads never block the search: requests are answered by at most
//     MaxConcurrent goroutines, the encoded trials are kept per store
//     version so that many readers of the same state cost one encoding,
//     and a slow reader only delays itself.
//   - The protocol is HTTP/1.1 over the socket with JSON bodies (a POST
//     of one trial's values is at most 1 MiB); errors
//     carry a kind that the Client turns back into the trials package's
//     sentinel errors (ErrNoTrial, ErrNoCheckpoint, ErrNoStudy, …), never
//     by reading error text.
package live
