package etcdstore

import (
	"fmt"
	"slices"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tunekit/tune/trials"
)

// claim is what a worker knows of a trial it holds: the lease of its
// claim and the record as it last wrote it, at revision rev, so that its
// next write needs no read first; and what it has been told since and not
// yet written. Its fields are guarded by mu, which also serialises the
// trial's writes (its runner's and the flush timer's).
type claim struct {
	mu    sync.Mutex
	lease clientv3.LeaseID
	data  string
	rev   int64

	wrote  time.Time      // when the record was last written
	epochs []trials.Epoch // reported, not yet written
	timer  *time.Timer    // writes epochs at the latest EpochInterval after wrote
	// weights is the checkpoint not yet written (hasWeights: there is
	// one, perhaps empty): it goes with the trial's Finish.
	weights    []byte
	hasWeights bool
}

// hold notes that this worker now runs trial id, whose record data it
// wrote at revision rev under lease l.
func (s *Store) hold(id int, l clientv3.LeaseID, data string, rev int64) {
	s.mu.Lock()
	old := s.claims[id]
	s.claims[id] = &claim{lease: l, data: data, rev: rev, wrote: time.Now()}
	s.lastWrite = max(s.lastWrite, rev)
	s.mu.Unlock()
	if old != nil {
		old.mu.Lock()
		old.drop()
		old.mu.Unlock()
	}
}

// held returns the claim this worker holds on trial id, or nil.
func (s *Store) held(id int) *claim {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.claims[id]
}

// release forgets claim c on trial id, with what it had not written; c.mu
// is held.
func (s *Store) release(id int, c *claim) {
	c.drop()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.claims[id] == c {
		delete(s.claims, id)
	}
}

// drop discards what c had not written; c.mu is held.
func (c *claim) drop() {
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	c.epochs, c.weights, c.hasWeights = nil, nil, false
}

// view returns the trial as this worker knows it: its last written record
// with the epochs not yet written; c.mu is held.
func (c *claim) view(s *Store, id int) (*trials.Trial, error) {
	t, err := trials.DecodeTrial([]byte(c.data))
	if err != nil {
		return nil, s.corrupt(fmt.Sprintf("trial %d", id), err)
	}
	t.History = append(t.History, c.epochs...)
	return t, nil
}

// local returns the view of trial id if this worker holds it with epochs
// not yet written, so that it reads its own writes.
func (s *Store) local(id int) (*trials.Trial, bool, error) {
	c := s.held(id)
	if c == nil {
		return nil, false, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.epochs) == 0 {
		return nil, false, nil
	}
	t, err := c.view(s, id)
	return t, err == nil, err
}

// overlay replaces, in ts (every trial in id order, from 1), the trials
// this worker holds with epochs not yet written by its own view of them.
func (s *Store) overlay(ts []*trials.Trial) error {
	s.mu.Lock()
	ids := make([]int, 0, len(s.claims))
	for id := range s.claims {
		ids = append(ids, id)
	}
	s.mu.Unlock()
	for _, id := range ids {
		t, ok, err := s.local(id)
		if err != nil {
			return err
		}
		if i, found := slices.BinarySearchFunc(ts, id, func(t *trials.Trial, id int) int { return t.ID - id }); ok && found {
			ts[i] = t
		}
	}
	return nil
}

func mustRun(t *trials.Trial) error {
	if t.Status != trials.Running {
		return fmt.Errorf("trial %d is %s, not running: %w", t.ID, t.Status, trials.ErrState)
	}
	return nil
}

// notHeld is the error of a write to trial id, which this worker does not
// hold: it does not exist, is not running, or runs elsewhere.
func (s *Store) notHeld(id int) error {
	if err := s.writable(); err != nil {
		return err
	}
	t, err := s.Trial(id)
	if err != nil {
		return err
	}
	if err := mustRun(t); err != nil {
		return err
	}
	return claimLost(id)
}

// fenced applies fn to Running trial id and stores the result with extra,
// as fencedLocked does.
func (s *Store) fenced(id int, fn func(t *trials.Trial) error, extra ...clientv3.Op) error {
	c := s.held(id)
	if c == nil {
		return s.notHeld(id)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return s.fencedLocked(id, c, fn, extra...)
}

// fencedLocked applies the epochs not yet written and then fn to Running
// trial id and stores the result with extra, in one transaction fenced on
// this worker's claim c (whose mu is held): it fails with ErrClaimLost
// when the claim is not held by the lease that took it. The record is the
// one this worker last wrote, compared on its revision: no read comes
// before the write unless someone else changed the record.
func (s *Store) fencedLocked(id int, c *claim, fn func(t *trials.Trial) error, extra ...clientv3.Op) error {
	if err := s.writable(); err != nil {
		return err
	}
	if s.held(id) != c {
		return s.notHeld(id)
	}
	ctx, cancel := s.op()
	defer cancel()
	key, claimKey := s.trialKey(id), s.claimKey(id)
	lostAnswer := false
	done := func(data string, rev int64) error {
		c.data, c.rev, c.wrote, c.epochs = data, rev, time.Now(), nil
		s.noteWrite(rev)
		if c.timer != nil {
			c.timer.Stop()
			c.timer = nil
		}
		return nil
	}
	for try := 0; ; try++ {
		t, err := c.view(s, id)
		if err != nil {
			return err
		}
		if err := mustRun(t); err != nil {
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
		data, err := encode(t)
		if err != nil {
			return err
		}
		tx, err := s.cli.Txn(ctx).If(
			clientv3.Compare(clientv3.ModRevision(key), "=", c.rev),
			clientv3.Compare(clientv3.LeaseValue(claimKey), "=", c.lease),
		).Then(append([]clientv3.Op{clientv3.OpPut(key, data)}, extra...)...).
			Else(clientv3.OpGet(claimKey), clientv3.OpGet(key)).Commit()
		if transient(err) {
			if rev, ok := s.wrote(ctx, key, data); ok {
				return done(data, rev)
			}
			if lostAnswer = true; pause(ctx, try) == nil {
				continue
			}
		}
		if err != nil {
			return s.etcdErr(fmt.Sprintf("trial %d", id), err)
		}
		if tx.Succeeded {
			return done(data, tx.Header.Revision)
		}
		claims, recs := tx.Responses[0].GetResponseRange().Kvs, tx.Responses[1].GetResponseRange().Kvs
		if len(claims) == 0 || clientv3.LeaseID(claims[0].Lease) != c.lease || len(recs) == 0 {
			s.release(id, c)
			return claimLost(id)
		}
		if lostAnswer && string(recs[0].Value) == data {
			// This very write, applied on a try whose answer was lost.
			return done(data, recs[0].ModRevision)
		}
		// The record changed under a claim still ours (a Reset racing, or
		// a write whose answer was lost): go on from it. What this worker
		// had not written goes on top.
		c.data, c.rev = string(recs[0].Value), recs[0].ModRevision
	}
}

// epochInterval is how long an epoch may wait to be written.
func (s *Store) epochInterval() time.Duration {
	if s.o.EpochInterval == 0 {
		return DefaultEpochInterval
	}
	return s.o.EpochInterval
}

// AppendEpoch adds e to the history of Running trial id. The epoch is
// written with the trial's next write (its Finish, most often), or at the
// latest Options.EpochInterval after the trial's last write: a trial of
// quick epochs costs one write for all of them, and readers elsewhere see
// a running trial's curve at most that late. A worker that dies loses its
// unwritten epochs with its attempt, which runs again from the start.
func (s *Store) AppendEpoch(id int, e trials.Epoch) error {
	c := s.held(id)
	if c == nil {
		return s.notHeld(id)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
	c.epochs = append(c.epochs, e)
	wait := s.epochInterval() - time.Since(c.wrote)
	if wait <= 0 || c.lease != s.currentLease() {
		// Overdue, or this worker's lease was lost (and a new one taken):
		// write now, and learn now whether the claim still holds.
		return s.fencedLocked(id, c, func(*trials.Trial) error { return nil })
	}
	if c.timer == nil {
		c.timer = time.AfterFunc(wait, func() { s.flush(id, c) })
	}
	return nil
}

// flush writes the epochs of claim c on trial id not yet written. A
// failure leaves them to the trial's next write, which reports it.
func (s *Store) flush(id int, c *claim) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timer = nil
	if len(c.epochs) > 0 && s.ctx.Err() == nil {
		_ = s.fencedLocked(id, c, func(*trials.Trial) error { return nil })
	}
}

// Finish records the end of Running trial id and releases its claim, in
// one transaction with the epochs and the checkpoint not yet written.
func (s *Store) Finish(id int, r trials.Result) error {
	if !r.Status.Final() {
		return fmt.Errorf("trial %d: finishing with status %q, which is not final: %w", id, r.Status, trials.ErrState)
	}
	c := s.held(id)
	if c == nil {
		return s.notHeld(id)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
	ops, err := s.finishCheckpoint(id, c, slices.Contains(r.DropCheckpoints, id))
	if err != nil {
		return err
	}
	ops = append(ops, s.dropCheckpoints(r.DropCheckpoints)...)
	ops = append(ops, clientv3.OpDelete(s.claimKey(id)))
	err = s.fencedLocked(id, c, func(t *trials.Trial) error {
		t.Status, t.Score, t.BestEpoch, t.Metrics, t.Error = r.Status, r.Score, r.BestEpoch, r.Metrics, r.Error
		if r.Values != nil {
			t.Values = r.Values
		}
		t.Ended = now()
		return nil
	}, ops...)
	if err != nil {
		return err
	}
	s.release(id, c)
	s.forgetWeights(id, r.DropCheckpoints)
	return nil
}

// forgetWeights drops the unwritten checkpoints of the trials among ids
// that this worker holds (besides finished), whose checkpoints a Finish
// deleted.
func (s *Store) forgetWeights(finished int, ids []int) {
	for _, id := range ids {
		if c := s.held(id); c != nil && id != finished {
			c.mu.Lock()
			c.weights, c.hasWeights = nil, false
			c.mu.Unlock()
		}
	}
}

// Requeue moves Running trial id back to Pending with reason as its Error
// and releases its claim. Its unwritten checkpoint is dropped: the next
// attempt starts without one.
func (s *Store) Requeue(id int, reason string) error {
	c := s.held(id)
	if c == nil {
		return s.notHeld(id)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	err := s.fencedLocked(id, c, func(t *trials.Trial) error {
		t.Status, t.Error = trials.Pending, reason
		return nil
	}, clientv3.OpDelete(s.claimKey(id)))
	if err == nil {
		s.release(id, c)
	}
	return err
}
