package etcdstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tunekit/tune/trials"
)

// decode decodes the trial record kv.
func (s *Store) decode(kv *mvccpb.KeyValue) (*trials.Trial, error) {
	id, err := idOf(string(kv.Key), s.trialPrefix())
	if err != nil {
		return nil, s.corrupt(fmt.Sprintf("trial key %q", kv.Key), err)
	}
	t, err := trials.DecodeTrial(kv.Value)
	if err != nil {
		return nil, s.corrupt(fmt.Sprintf("trial %d", id), err)
	}
	if t.ID != id {
		return nil, s.corrupt(fmt.Sprintf("trial %d", id), fmt.Errorf("record holds id %d", t.ID))
	}
	return t, nil
}

func encode(t *trials.Trial) (string, error) {
	b, err := json.Marshal(t)
	if err != nil {
		return "", fmt.Errorf("trial %d: encoding: %w", t.ID, err)
	}
	return string(b), nil
}

func (s *Store) currentLease() clientv3.LeaseID {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lease
}

// get is a Get retried while the cluster fails transiently.
func (s *Store) get(ctx context.Context, key string, opts ...clientv3.OpOption) (resp *clientv3.GetResponse, err error) {
	err = retry(ctx, func() error {
		resp, err = s.cli.Get(ctx, key, opts...)
		return err
	})
	return resp, err
}

// wrote reports whether key holds data: whether a write whose answer was
// lost (a leader failing, a timeout) was applied all the same. Records
// carry their start and end times to the nanosecond, so another writer's
// record is never equal.
func (s *Store) wrote(ctx context.Context, key, data string) (int64, bool) {
	resp, err := s.get(ctx, key)
	if err != nil || len(resp.Kvs) == 0 || string(resp.Kvs[0].Value) != data {
		return 0, false
	}
	return resp.Kvs[0].ModRevision, true
}

// lastSeq returns the sequence key's value and revision as this worker
// last saw them; known is false before it saw any.
func (s *Store) lastSeq() (last int, rev int64, known bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seq, s.seqRev, s.seqKnown
}

func (s *Store) setSeq(last int, rev int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq, s.seqRev, s.seqKnown = last, rev, true
}

// sawSeq decodes the sequence key as read (none: a new study) and notes it.
func (s *Store) sawSeq(kvs []*mvccpb.KeyValue) (int, int64, error) {
	if len(kvs) == 0 {
		s.setSeq(0, 0)
		return 0, 0, nil
	}
	last, err := strconv.Atoi(string(kvs[0].Value))
	if err != nil {
		return 0, 0, s.corrupt("sequence", err)
	}
	s.setSeq(last, kvs[0].ModRevision)
	return last, kvs[0].ModRevision, nil
}

// Create stores a copy of t as a new Running trial claimed by this worker,
// in one transaction: the id is the sequence key's value plus one, by a
// compare-and-swap on that key, and Options.MaxTrials is checked in it.
func (s *Store) Create(t *trials.Trial) (*trials.Trial, error) {
	if t == nil {
		return nil, errors.New("etcdstore: Create: nil trial")
	}
	return s.create(false, func([]*trials.Trial) (*trials.Trial, error) { return t, nil })
}

// Propose calls propose with this worker's view of every trial (see
// Lend), once it holds this worker's own writes, and creates its trial by
// the compare-and-swap on the sequence key that Create does: if another
// worker created a trial that the view did not hold yet, the proposal is
// dropped and propose called again on a view that holds it. A fresh
// proposal takes the oldest queued values, deleted in the same
// transaction, compared on no values having been queued since the view.
func (s *Store) Propose(propose func(history []*trials.Trial) (*trials.Trial, error)) (*trials.Trial, error) {
	return s.create(true, propose)
}

func (s *Store) create(withHistory bool, propose func([]*trials.Trial) (*trials.Trial, error)) (*trials.Trial, error) {
	if err := s.writable(); err != nil {
		return nil, err
	}
	ctx, cancel := s.op()
	defer cancel()
	var need int64 // the revision the view must hold before proposing
	for try := 0; ; try++ {
		// Create goes from the sequence as this worker last saw it, with
		// no read first: a compare that fails brings the current one.
		// Propose goes from the view, which holds the sequence too.
		last, seqRev, known := s.lastSeq()
		var history []*trials.Trial
		var head *mvccpb.KeyValue // the oldest queued values
		var viewRev int64
		switch {
		case withHistory:
			if err := s.await(ctx, need); err != nil {
				return nil, err
			}
			last, seqRev, viewRev, history = s.v.seq, s.v.seqRev, s.v.rev, s.viewTrials()
			if len(s.v.queue) > 0 {
				head = s.v.queue[0]
			}
			s.v.mu.Unlock()
			if err := s.overlay(history); err != nil {
				return nil, err
			}
		case !known:
			read, err := s.get(ctx, s.seqKey())
			if err != nil {
				return nil, s.etcdErr("create", err)
			}
			if last, seqRev, err = s.sawSeq(read.Kvs); err != nil {
				return nil, err
			}
		}
		t, err := propose(history)
		if err != nil || t == nil {
			return t, err
		}
		var queued *mvccpb.KeyValue
		if head != nil && t.Fresh() {
			v, err := s.decodeQueued(head)
			if err != nil {
				return nil, err
			}
			t, _ = trials.WithQueued(t, v)
			queued = head
		}
		if t.Parent < 0 {
			return nil, fmt.Errorf("parent of new trial: %w", noTrial(t.Parent))
		}
		if s.o.MaxTrials > 0 && last >= s.o.MaxTrials {
			return nil, fmt.Errorf("etcd %s: %d trials: %w", s.p, last, ErrMaxTrials)
		}
		n := *t
		n.ID, n.Status, n.Started, n.Ended, n.Worker = last+1, trials.Running, now(), time.Time{}, s.o.Worker
		data, err := encode(&n)
		if err != nil {
			return nil, err
		}
		out, err := trials.DecodeTrial([]byte(data))
		if err != nil {
			return nil, fmt.Errorf("trial %d: encoding does not decode: %w", n.ID, err)
		}
		l := s.currentLease()
		cmps := []clientv3.Cmp{clientv3.Compare(clientv3.ModRevision(s.seqKey()), "=", seqRev)}
		var orElse []clientv3.Op
		if t.Parent != 0 {
			cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(s.trialKey(t.Parent)), ">", 0))
			orElse = append(orElse, clientv3.OpGet(s.trialKey(t.Parent), clientv3.WithKeysOnly()))
		}
		if withHistory && t.Fresh() {
			// No values were queued that the view does not hold: a fresh
			// trial takes the oldest there is.
			cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(s.queuePrefix()), "<", viewRev+1).WithPrefix())
			orElse = append(orElse, clientv3.OpGet(s.queuePrefix(), clientv3.WithPrefix(), clientv3.WithKeysOnly(), clientv3.WithLimit(1),
				clientv3.WithSort(clientv3.SortByCreateRevision, clientv3.SortDescend)))
		}
		orElse = append(orElse, clientv3.OpGet(s.seqKey()))
		then := []clientv3.Op{
			clientv3.OpPut(s.seqKey(), strconv.Itoa(n.ID)),
			clientv3.OpPut(s.trialKey(n.ID), data),
			clientv3.OpPut(s.claimKey(n.ID), s.o.Worker, clientv3.WithLease(l)),
		}
		if queued != nil {
			// The queued values leave the queue with the trial they make.
			key := string(queued.Key)
			cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(key), "=", queued.CreateRevision))
			then = append(then, clientv3.OpDelete(key))
		}
		resp, err := s.cli.Txn(ctx).If(cmps...).Then(then...).Else(orElse...).Commit()
		if errors.Is(err, rpctypes.ErrLeaseNotFound) {
			if err = s.renew(l); err == nil {
				continue
			}
		}
		if transient(err) {
			if rev, ok := s.wrote(ctx, s.trialKey(n.ID), data); ok {
				s.hold(n.ID, l, data, rev)
				return out, nil
			}
			if pause(ctx, try) == nil {
				continue
			}
		}
		if err != nil {
			return nil, s.etcdErr("create", err)
		}
		if resp.Succeeded {
			s.hold(n.ID, l, data, resp.Header.Revision)
			s.setSeq(n.ID, resp.Header.Revision)
			return out, nil
		}
		if t.Parent != 0 && len(resp.Responses[0].GetResponseRange().Kvs) == 0 {
			return nil, fmt.Errorf("parent of new trial: %w", noTrial(t.Parent))
		}
		seqKvs := resp.Responses[len(resp.Responses)-1].GetResponseRange().Kvs
		if _, _, err := s.sawSeq(seqKvs); err != nil {
			return nil, err
		}
		// Another worker created a trial (or queued values) first: propose
		// again from a view that holds it.
		need = resp.Header.Revision
		if len(seqKvs) > 0 {
			need = seqKvs[0].ModRevision
		}
		if withHistory && t.Fresh() {
			if q := resp.Responses[len(resp.Responses)-2].GetResponseRange().Kvs; len(q) > 0 {
				need = max(need, q[0].CreateRevision)
			}
		}
	}
}

// Claim moves the lowest-id Pending trial of this worker's view to
// Running, claimed by this worker, by a compare on its revision: of racing
// workers one wins and the others go on from a view that holds the
// winner's claim. With no trial pending in the view it asks nothing of
// the cluster; a trial that another worker requeued a moment ago (its
// event not yet heard) is claimed by a later call.
func (s *Store) Claim() (*trials.Trial, bool, error) {
	if err := s.writable(); err != nil {
		return nil, false, err
	}
	ctx, cancel := s.op()
	defer cancel()
	var need int64
	for try := 0; ; try++ {
		if err := s.await(ctx, need); err != nil {
			return nil, false, err
		}
		var t trials.Trial
		var rev int64
		for i, p := range s.v.trials {
			if p != nil && p.Status == trials.Pending {
				t, rev = *p, s.v.trevs[i]
				break
			}
		}
		s.v.mu.Unlock()
		if rev == 0 {
			return nil, false, nil
		}
		t.Status = trials.Running
		t.Attempt++
		t.History, t.Score, t.BestEpoch, t.Metrics, t.Error = nil, nil, 0, nil, ""
		t.Started, t.Ended, t.Worker = now(), time.Time{}, s.o.Worker
		data, err := encode(&t)
		if err != nil {
			return nil, false, err
		}
		out, err := trials.DecodeTrial([]byte(data))
		if err != nil {
			return nil, false, fmt.Errorf("trial %d: encoding does not decode: %w", t.ID, err)
		}
		l := s.currentLease()
		key := s.trialKey(t.ID)
		tx, err := s.cli.Txn(ctx).
			If(clientv3.Compare(clientv3.ModRevision(key), "=", rev)).
			Then(
				clientv3.OpPut(key, data),
				clientv3.OpPut(s.claimKey(t.ID), s.o.Worker, clientv3.WithLease(l)),
				clientv3.OpDelete(s.ckptKey(t.ID)),
				clientv3.OpDelete(s.chunksOf(t.ID), clientv3.WithPrefix()),
			).Else(clientv3.OpGet(key, clientv3.WithKeysOnly())).Commit()
		if errors.Is(err, rpctypes.ErrLeaseNotFound) {
			if err = s.renew(l); err == nil {
				continue
			}
		}
		if transient(err) {
			if rev, ok := s.wrote(ctx, key, data); ok {
				s.hold(t.ID, l, data, rev)
				return out, true, nil
			}
			if pause(ctx, try) == nil {
				continue
			}
		}
		if err != nil {
			return nil, false, s.etcdErr("claim", err)
		}
		if tx.Succeeded {
			s.hold(t.ID, l, data, tx.Header.Revision)
			return out, true, nil
		}
		// Claimed, or changed, by someone else: go on from a view that
		// holds that.
		need = tx.Header.Revision
		if kvs := tx.Responses[0].GetResponseRange().Kvs; len(kvs) > 0 {
			need = kvs[0].ModRevision
		}
	}
}

// RequeueRunning requeues the Running trials that no live worker holds,
// and those this worker holds; trials other workers run stay theirs.
func (s *Store) RequeueRunning() (int, error) {
	if err := s.writable(); err != nil {
		return 0, err
	}
	ctx, cancel := s.op()
	defer cancel()
	resp, err := s.get(ctx, s.trialPrefix(), clientv3.WithPrefix())
	if err != nil {
		return 0, s.etcdErr("requeue", err)
	}
	n := 0
	for _, kv := range resp.Kvs {
		t, err := s.decode(kv)
		if err != nil {
			return n, err
		}
		if t.Status != trials.Running {
			continue
		}
		if s.held(t.ID) != nil {
			if err := s.Requeue(t.ID, trials.RequeueReason); err == nil {
				n++
			} else if !errors.Is(err, ErrClaimLost) && !errors.Is(err, trials.ErrState) {
				return n, err
			}
			continue
		}
		ok, err := s.reap(t, kv.ModRevision, trials.RequeueReason)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// Trial returns trial id, or an error wrapping ErrNoTrial; a trial this
// worker runs has the epochs it has not written yet.
func (s *Store) Trial(id int) (*trials.Trial, error) {
	if id < 1 {
		return nil, noTrial(id)
	}
	if t, ok, err := s.local(id); ok || err != nil {
		return t, err
	}
	ctx, cancel := s.op()
	defer cancel()
	resp, err := s.get(ctx, s.trialKey(id))
	if err != nil {
		return nil, s.etcdErr(fmt.Sprintf("trial %d", id), err)
	}
	if len(resp.Kvs) == 0 {
		return nil, noTrial(id)
	}
	return s.decode(resp.Kvs[0])
}

// Trials returns every trial in id order, as of one revision, with this
// worker's own running trials as Trial returns them.
func (s *Store) Trials() ([]*trials.Trial, error) {
	ctx, cancel := s.op()
	defer cancel()
	resp, err := s.get(ctx, s.trialPrefix(), clientv3.WithPrefix())
	if err != nil {
		return nil, s.etcdErr("trials", err)
	}
	ts := make([]*trials.Trial, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		t, err := s.decode(kv)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	if err := s.overlay(ts); err != nil {
		return nil, err
	}
	return ts, nil
}
