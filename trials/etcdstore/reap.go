package etcdstore

import (
	"time"

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
	).Then(clientv3.OpPut(s.trialKey(t.ID), data)).Commit()
	if err != nil {
		return false, s.etcdErr("requeue", err)
	}
	return tx.Succeeded, nil
}

// reapAll reaps every Running trial without a claim and returns the
// revision it read at, from which to watch.
func (s *Store) reapAll() (int64, error) {
	s.scans.Add(1)
	ctx, cancel := s.op()
	defer cancel()
	resp, err := s.get(ctx, s.trialPrefix(), clientv3.WithPrefix())
	if err != nil {
		return 0, s.etcdErr("scan", err)
	}
	rev := resp.Header.Revision
	claims, err := s.get(ctx, s.claimPrefix(), clientv3.WithPrefix(), clientv3.WithKeysOnly(), clientv3.WithRev(rev))
	if err != nil {
		return 0, s.etcdErr("scan", err)
	}
	claimed := map[string]bool{}
	for _, kv := range claims.Kvs {
		claimed[string(kv.Key)] = true
	}
	for _, kv := range resp.Kvs {
		t, err := s.decode(kv)
		if err != nil {
			return 0, err
		}
		if t.Status == trials.Running && !claimed[s.claimKey(t.ID)] {
			if _, err := s.reap(t, kv.ModRevision, LostReason); err != nil {
				return 0, err
			}
		}
	}
	return rev, nil
}

// reapOne reaps trial id if it is Running without a claim.
func (s *Store) reapOne(id int) error {
	ctx, cancel := s.op()
	defer cancel()
	resp, err := s.get(ctx, s.trialKey(id))
	if err != nil || len(resp.Kvs) == 0 {
		return err
	}
	t, err := s.decode(resp.Kvs[0])
	if err != nil || t.Status != trials.Running {
		return err
	}
	_, err = s.reap(t, resp.Kvs[0].ModRevision, LostReason)
	return err
}

// watchClaims reaps the trial of every claim that disappears, from
// revision rev on, until Close. When the watch ends (cut by compaction,
// which etcd reports as ErrCompacted, or a lost leader) or a reap fails,
// a full scan catches up on whatever happened since, and the watch starts
// again from the scan's revision.
func (s *Store) watchClaims(rev int64) {
	defer s.wg.Done()
	for s.ctx.Err() == nil {
		wc := s.cli.Watch(clientv3.WithRequireLeader(s.ctx), s.claimPrefix(),
			clientv3.WithPrefix(), clientv3.WithRev(rev+1), clientv3.WithFilterPut())
		s.follow(wc)
		for s.ctx.Err() == nil {
			r, err := s.reapAll()
			if err == nil {
				rev = r
				break
			}
			select {
			case <-time.After(time.Second):
			case <-s.ctx.Done():
			}
		}
	}
}

// follow reaps the trials of the claims deleted in wc's events, and
// returns when the watch fails or a reap does.
func (s *Store) follow(wc clientv3.WatchChan) {
	for resp := range wc {
		if resp.Err() != nil {
			return
		}
		for _, ev := range resp.Events {
			id, err := idOf(string(ev.Kv.Key), s.claimPrefix())
			if err == nil && s.reapOne(id) != nil {
				return
			}
		}
	}
}
