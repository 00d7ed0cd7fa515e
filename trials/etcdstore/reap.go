package etcdstore

import (
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tunekit/tune/trials"
)

// LostReason is the Error of a trial requeued because its worker's lease
// expired.
const LostReason = "worker lost"

// reap moves Running trial t, read at revision rev, back to Pending (or to
// Failed past Options.MaxAttempts) if no worker claims it. It is a
// compare-and-swap: several workers reaping the same trial are safe, and a
// trial reclaimed or finished meanwhile is left alone.
func (s *Store) reap(t *trials.Trial, rev int64, reason string) (bool, error) {
	if s.o.MaxAttempts > 0 && t.Attempt+1 >= s.o.MaxAttempts {
		t.Status, t.Error, t.Ended = trials.Failed, reason+" on its last attempt", now()
	} else {
		t.Status, t.Error = trials.Pending, reason
	}
	data, err := encode(t)
	if err != nil {
		return false, err
	}
	ctx, cancel := s.op()
	defer cancel()
	tx, err := s.cli.Txn(ctx).If(
		clientv3.Compare(clientv3.ModRevision(s.trialKey(t.ID)), "=", rev),
		clientv3.Compare(clientv3.CreateRevision(s.claimKey(t.ID)), "=", 0),
	).Then(
		clientv3.OpPut(s.trialKey(t.ID), data),
		// Chunks its lost attempt wrote ahead of a Finish that never came.
		clientv3.OpDelete(s.chunksOf(t.ID), clientv3.WithPrefix()),
	).Commit()
	if err != nil {
		return false, s.etcdErr("requeue", err)
	}
	if tx.Succeeded {
		s.noteWrite(tx.Header.Revision)
	}
	return tx.Succeeded, nil
}
