package etcdstore

import (
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

func (s *Store) hold(id int, l clientv3.LeaseID) {
	s.mu.Lock()
	s.claims[id] = l
	s.mu.Unlock()
}

func (s *Store) held(id int) (clientv3.LeaseID, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.claims[id]
	return l, ok
}

func (s *Store) release(id int) {
	s.mu.Lock()
	delete(s.claims, id)
	s.mu.Unlock()
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

// Propose reads every trial and the sequence key at one revision, calls
// propose, and creates its trial by the compare-and-swap on the sequence
// key that Create does: if another worker created a trial meanwhile, the
// proposal is dropped and propose called again on the new history. A fresh
// proposal takes the oldest queued values, deleted in the same transaction.
func (s *Store) Propose(propose func(history []*trials.Trial) (*trials.Trial, error)) (*trials.Trial, error) {
	return s.create(true, propose)
}

func (s *Store) create(withHistory bool, propose func([]*trials.Trial) (*trials.Trial, error)) (*trials.Trial, error) {
	if err := s.writable(); err != nil {
		return nil, err
	}
	ctx, cancel := s.op()
	defer cancel()
	for {
		ops := []clientv3.Op{clientv3.OpGet(s.seqKey())}
		if withHistory {
			ops = append(ops, clientv3.OpGet(s.trialPrefix(), clientv3.WithPrefix()), s.queueHead())
		}
		read, err := s.cli.Txn(ctx).Then(ops...).Commit()
		if err != nil {
			return nil, s.etcdErr("create", err)
		}
		last, seqRev := 0, int64(0)
		if kvs := read.Responses[0].GetResponseRange().Kvs; len(kvs) > 0 {
			if last, err = strconv.Atoi(string(kvs[0].Value)); err != nil {
				return nil, s.corrupt("sequence", err)
			}
			seqRev = kvs[0].ModRevision
		}
		var history []*trials.Trial
		if withHistory {
			for _, kv := range read.Responses[1].GetResponseRange().Kvs {
				t, err := s.decode(kv)
				if err != nil {
					return nil, err
				}
				history = append(history, t)
			}
		}
		t, err := propose(history)
		if err != nil || t == nil {
			return t, err
		}
		var queued *mvccpb.KeyValue
		if withHistory && t.Fresh() {
			if kvs := read.Responses[2].GetResponseRange().Kvs; len(kvs) > 0 {
				v, err := s.decodeQueued(kvs[0])
				if err != nil {
					return nil, err
				}
				t, _ = trials.WithQueued(t, v)
				queued = kvs[0]
			}
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
		if err != nil {
			return nil, s.etcdErr("create", err)
		}
		if resp.Succeeded {
			s.hold(n.ID, l)
			return out, nil
		}
		if t.Parent != 0 && len(resp.Responses[0].GetResponseRange().Kvs) == 0 {
			return nil, fmt.Errorf("parent of new trial: %w", noTrial(t.Parent))
		}
		// Another worker created a trial first: read again.
	}
}

// Claim moves the lowest-id Pending trial to Running, claimed by this
// worker, by a compare on the revision it read: of racing workers one
// wins and the others move on to the next pending trial.
func (s *Store) Claim() (*trials.Trial, bool, error) {
	if err := s.writable(); err != nil {
		return nil, false, err
	}
	ctx, cancel := s.op()
	defer cancel()
	for {
		resp, err := s.cli.Get(ctx, s.trialPrefix(), clientv3.WithPrefix())
		if err != nil {
			return nil, false, s.etcdErr("claim", err)
		}
		var t *trials.Trial
		var rev int64
		for _, kv := range resp.Kvs {
			p, err := s.decode(kv)
			if err != nil {
				return nil, false, err
			}
			if p.Status == trials.Pending {
				t, rev = p, kv.ModRevision
				break
			}
		}
		if t == nil {
			return nil, false, nil
		}
		t.Status = trials.Running
		t.Attempt++
		t.History, t.Score, t.BestEpoch, t.Metrics, t.Error = nil, nil, 0, nil, ""
		t.Started, t.Ended, t.Worker = now(), time.Time{}, s.o.Worker
		data, err := encode(t)
		if err != nil {
			return nil, false, err
		}
		l := s.currentLease()
		tx, err := s.cli.Txn(ctx).
			If(clientv3.Compare(clientv3.ModRevision(s.trialKey(t.ID)), "=", rev)).
			Then(
				clientv3.OpPut(s.trialKey(t.ID), data),
				clientv3.OpPut(s.claimKey(t.ID), s.o.Worker, clientv3.WithLease(l)),
				clientv3.OpDelete(s.ckptKey(t.ID)),
				clientv3.OpDelete(s.chunksOf(t.ID), clientv3.WithPrefix()),
			).Commit()
		if errors.Is(err, rpctypes.ErrLeaseNotFound) {
			if err = s.renew(l); err == nil {
				continue
			}
		}
		if err != nil {
			return nil, false, s.etcdErr("claim", err)
		}
		if tx.Succeeded {
			s.hold(t.ID, l)
			return t, true, nil
		}
	}
}

func mustRun(t *trials.Trial) error {
	if t.Status != trials.Running {
		return fmt.Errorf("trial %d is %s, not running: %w", t.ID, t.Status, trials.ErrState)
	}
	return nil
}

// fenced applies fn to Running trial id and stores the result with extra,
// in one transaction fenced on this worker's claim: it fails with
// ErrClaimLost when the claim is not held by the lease that took it.
func (s *Store) fenced(id int, fn func(t *trials.Trial) error, extra ...clientv3.Op) error {
	if err := s.writable(); err != nil {
		return err
	}
	ctx, cancel := s.op()
	defer cancel()
	for {
		resp, err := s.cli.Get(ctx, s.trialKey(id))
		if err != nil {
			return s.etcdErr(fmt.Sprintf("trial %d", id), err)
		}
		if len(resp.Kvs) == 0 || id < 1 {
			return noTrial(id)
		}
		t, err := s.decode(resp.Kvs[0])
		if err != nil {
			return err
		}
		if err := mustRun(t); err != nil {
			return err
		}
		l, ok := s.held(id)
		if !ok {
			return claimLost(id)
		}
		if err := fn(t); err != nil {
			return err
		}
		data, err := encode(t)
		if err != nil {
			return err
		}
		claim := s.claimKey(id)
		tx, err := s.cli.Txn(ctx).If(
			clientv3.Compare(clientv3.ModRevision(s.trialKey(id)), "=", resp.Kvs[0].ModRevision),
			clientv3.Compare(clientv3.LeaseValue(claim), "=", l),
		).Then(append([]clientv3.Op{clientv3.OpPut(s.trialKey(id), data)}, extra...)...).
			Else(clientv3.OpGet(claim)).Commit()
		if err != nil {
			return s.etcdErr(fmt.Sprintf("trial %d", id), err)
		}
		if tx.Succeeded {
			return nil
		}
		if kvs := tx.Responses[0].GetResponseRange().Kvs; len(kvs) == 0 || clientv3.LeaseID(kvs[0].Lease) != l {
			s.release(id)
			return claimLost(id)
		}
		// The record changed under a claim still ours (a Reset racing):
		// read again.
	}
}

// AppendEpoch adds e to the history of Running trial id.
func (s *Store) AppendEpoch(id int, e trials.Epoch) error {
	return s.fenced(id, func(t *trials.Trial) error {
		t.History = append(t.History, e)
		return nil
	})
}

// Finish records the end of Running trial id and releases its claim.
func (s *Store) Finish(id int, r trials.Result) error {
	if !r.Status.Final() {
		return fmt.Errorf("trial %d: finishing with status %q, which is not final: %w", id, r.Status, trials.ErrState)
	}
	err := s.fenced(id, func(t *trials.Trial) error {
		t.Status, t.Score, t.BestEpoch, t.Metrics, t.Error = r.Status, r.Score, r.BestEpoch, r.Metrics, r.Error
		if r.Values != nil {
			t.Values = r.Values
		}
		t.Ended = now()
		return nil
	}, append(s.dropCheckpoints(r.DropCheckpoints), clientv3.OpDelete(s.claimKey(id)))...)
	if err == nil {
		s.release(id)
	}
	return err
}

// Requeue moves Running trial id back to Pending with reason as its Error
// and releases its claim.
func (s *Store) Requeue(id int, reason string) error {
	err := s.fenced(id, func(t *trials.Trial) error {
		t.Status, t.Error = trials.Pending, reason
		return nil
	}, clientv3.OpDelete(s.claimKey(id)))
	if err == nil {
		s.release(id)
	}
	return err
}

// RequeueRunning requeues the Running trials that no live worker holds,
// and those this worker holds; trials other workers run stay theirs.
func (s *Store) RequeueRunning() (int, error) {
	if err := s.writable(); err != nil {
		return 0, err
	}
	ctx, cancel := s.op()
	defer cancel()
	resp, err := s.cli.Get(ctx, s.trialPrefix(), clientv3.WithPrefix())
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
		if _, ok := s.held(t.ID); ok {
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

// Trial returns trial id, or an error wrapping ErrNoTrial.
func (s *Store) Trial(id int) (*trials.Trial, error) {
	if id < 1 {
		return nil, noTrial(id)
	}
	ctx, cancel := s.op()
	defer cancel()
	resp, err := s.cli.Get(ctx, s.trialKey(id))
	if err != nil {
		return nil, s.etcdErr(fmt.Sprintf("trial %d", id), err)
	}
	if len(resp.Kvs) == 0 {
		return nil, noTrial(id)
	}
	return s.decode(resp.Kvs[0])
}

// Trials returns every trial in id order, as of one revision.
func (s *Store) Trials() ([]*trials.Trial, error) {
	ctx, cancel := s.op()
	defer cancel()
	resp, err := s.cli.Get(ctx, s.trialPrefix(), clientv3.WithPrefix())
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
	return ts, nil
}
