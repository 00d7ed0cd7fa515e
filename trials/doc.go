// Package trials holds the record of a study: its definition, every trial
// with its per-epoch metrics, and best-epoch checkpoints.
//
// Rules:
//   - The Store is the study's only state. Oracles derive every decision
//     from Study and Trials; nothing else survives a restart.
//   - Every state change is one transaction: a kill at any instant leaves a
//     store that opens, with nothing completed lost and no id used twice.
//   - A trial still Running when a store is opened was interrupted;
//     RequeueRunning puts it back in line to run again with the same values.
//   - Anything derived from the stored trials (Bolt's decoded cache, a
//     History's indexes) is rebuilt from the store and changed only after a
//     commit, and costs per change what the change is, not the study's size.
//     A read-only Bolt decodes only what a read asks for: nothing to open,
//     one record for Trial, the records without epochs for Summaries, and
//     a history one epoch at a time for EachEpoch.
//   - A damaged file gives ErrDamaged and is never written to: every open
//     for writing walks bbolt's page tree first, and a read-only open
//     walks it unless this process found the same file state sound before.
//   - Store is an interface so that a shared backend can replace the
//     embedded bbolt file (Bolt) without changing the tuner or the oracles.
package trials
