package etcdstore

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tunekit/tune/trials"
)

// view is a worker's copy of the study's small keys: the trials, the
// claims, the sequence and the queue, loaded once and then kept up to
// date by one watch (checkpoint chunks are outside its range). Claim and
// Propose decide from it and write with a compare on the revisions it
// holds, so a view that lags costs a failed compare and another try, never
// a wrong write; Lend hands its trials to the tuner, decoded once per
// change instead of once per call.
type view struct {
	mu      sync.Mutex
	changed chan struct{} // closed and replaced at every change of rev
	rev     int64         // the view holds every change up to rev
	trials  []*trials.Trial
	trevs   []int64 // trials[i]'s mod revision
	claimed map[int]bool
	seq     int
	seqRev  int64
	queue   []*mvccpb.KeyValue // by create revision
	err     error              // a record that does not decode
}

// viewRange is the watched key range: P/claim/ up to the end of P/trial/,
// which holds the claims, queue, schema, sequence, study and trials and no
// checkpoint chunk.
func (s *Store) viewRange() (string, string) {
	return s.claimPrefix(), clientv3.GetPrefixRangeEnd(s.trialPrefix())
}

// load reads the whole range at one revision into s.v, reaps every
// Running trial without a claim (unless read-only), and returns the
// revision.
func (s *Store) load() (int64, error) {
	s.scans.Add(1)
	ctx, cancel := s.op()
	defer cancel()
	from, to := s.viewRange()
	resp, err := s.get(ctx, from, clientv3.WithRange(to))
	if err != nil {
		return 0, s.etcdErr("scan", err)
	}
	rev := resp.Header.Revision
	v := &s.v
	v.mu.Lock()
	v.trials, v.trevs, v.claimed, v.seq, v.seqRev, v.queue, v.err = nil, nil, map[int]bool{}, 0, 0, nil, nil
	for _, kv := range resp.Kvs {
		s.apply(mvccpb.PUT, kv)
	}
	v.setRev(rev)
	err = v.err
	lost := s.unclaimed(nil)
	v.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if err := s.reapAll(lost); err != nil {
		return 0, err
	}
	return rev, nil
}

// setRev notes that v holds every change up to rev; v.mu is held.
func (v *view) setRev(rev int64) {
	if rev > v.rev {
		v.rev = rev
		if v.changed != nil {
			close(v.changed)
		}
		v.changed = make(chan struct{})
	}
}

// apply applies one event (or a loaded key) to s.v; s.v.mu is held.
func (s *Store) apply(typ mvccpb.Event_EventType, kv *mvccpb.KeyValue) {
	v := &s.v
	key := string(kv.Key)
	del := typ == mvccpb.DELETE
	switch {
	case strings.HasPrefix(key, s.trialPrefix()):
		id, err := idOf(key, s.trialPrefix())
		if err != nil || id < 1 {
			v.err = s.corrupt(fmt.Sprintf("trial key %q", key), err)
			return
		}
		for len(v.trials) < id {
			v.trials, v.trevs = append(v.trials, nil), append(v.trevs, 0)
		}
		if del {
			v.trials[id-1], v.trevs[id-1] = nil, 0
			for n := len(v.trials); n > 0 && v.trials[n-1] == nil; n-- {
				v.trials, v.trevs = v.trials[:n-1], v.trevs[:n-1]
			}
			return
		}
		t, err := s.decode(kv)
		if err != nil {
			v.err = err
			return
		}
		v.trials[id-1], v.trevs[id-1] = t, kv.ModRevision
	case strings.HasPrefix(key, s.claimPrefix()):
		if id, err := idOf(key, s.claimPrefix()); err == nil {
			v.claimed[id] = !del
		}
	case strings.HasPrefix(key, s.queuePrefix()):
		v.queue = slices.DeleteFunc(v.queue, func(q *mvccpb.KeyValue) bool { return string(q.Key) == key })
		if !del {
			i, _ := slices.BinarySearchFunc(v.queue, kv.CreateRevision, func(q *mvccpb.KeyValue, r int64) int { return int(q.CreateRevision - r) })
			v.queue = slices.Insert(v.queue, i, kv)
		}
	case key == s.seqKey():
		v.seq, v.seqRev = 0, 0
		if !del {
			n, err := strconv.Atoi(string(kv.Value))
			if err != nil {
				v.err = s.corrupt("sequence", err)
				return
			}
			v.seq, v.seqRev = n, kv.ModRevision
		}
	}
}

// lostTrial is a Running trial without a claim, at its mod revision.
type lostTrial struct {
	t   *trials.Trial
	rev int64
}

// unclaimed returns the Running trials without a claim, among ids (all
// when ids is nil); s.v.mu is held.
func (s *Store) unclaimed(ids []int) []lostTrial {
	v := &s.v
	var out []lostTrial
	check := func(id int) {
		if id >= 1 && id <= len(v.trials) && v.trials[id-1] != nil &&
			v.trials[id-1].Status == trials.Running && !v.claimed[id] {
			out = append(out, lostTrial{v.trials[id-1], v.trevs[id-1]})
		}
	}
	if ids == nil {
		for id := range v.trials {
			check(id + 1)
		}
	}
	for _, id := range ids {
		check(id)
	}
	return out
}

// reapAll reaps the trials of lost, whose workers are gone.
func (s *Store) reapAll(lost []lostTrial) error {
	if s.o.ReadOnly {
		return nil
	}
	for _, l := range lost {
		t := *l.t // the view's trial is never changed
		if _, err := s.reap(&t, l.rev, LostReason); err != nil {
			return err
		}
	}
	return nil
}

// follow keeps s.v up to date from revision rev on, until Close. When the
// watch ends (cut by compaction, which etcd reports as ErrCompacted, or a
// lost leader) or a reap fails, a full load catches up on whatever
// happened since, and the watch starts again from the load's revision.
func (s *Store) follow(rev int64) {
	defer s.wg.Done()
	from, to := s.viewRange()
	for s.ctx.Err() == nil {
		wc := s.cli.Watch(clientv3.WithRequireLeader(s.ctx), from, clientv3.WithRange(to),
			clientv3.WithRev(rev+1), clientv3.WithProgressNotify())
		s.followWatch(wc)
		for s.ctx.Err() == nil {
			r, err := s.load()
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

// followWatch applies wc's events to s.v and reaps the trials whose claims
// they delete; it returns when the watch fails or a reap does.
func (s *Store) followWatch(wc clientv3.WatchChan) {
	v := &s.v
	for resp := range wc {
		if resp.Err() != nil {
			return
		}
		v.mu.Lock()
		var gone []int
		rev := resp.Header.Revision
		if !resp.IsProgressNotify() {
			rev = 0
		}
		for _, ev := range resp.Events {
			if ev.Kv.ModRevision <= v.rev {
				continue // loaded already
			}
			s.apply(ev.Type, ev.Kv)
			rev = max(rev, ev.Kv.ModRevision)
			if key := string(ev.Kv.Key); ev.Type == mvccpb.DELETE && strings.HasPrefix(key, s.claimPrefix()) {
				if id, err := idOf(key, s.claimPrefix()); err == nil {
					gone = append(gone, id)
				}
			}
		}
		v.setRev(rev)
		lost := s.unclaimed(gone)
		v.mu.Unlock()
		if s.reapAll(lost) != nil {
			return
		}
	}
}

// noteWrite notes that this worker wrote in the view's range at rev: its
// next decision waits until the view has it.
func (s *Store) noteWrite(rev int64) {
	s.mu.Lock()
	s.lastWrite = max(s.lastWrite, rev)
	s.mu.Unlock()
}

// await locks s.v once it holds every change up to rev and this worker's
// own writes, asking the cluster for the watch's progress while it waits.
// The caller unlocks s.v.mu.
func (s *Store) await(ctx context.Context, rev int64) error {
	s.mu.Lock()
	rev = max(rev, s.lastWrite)
	s.mu.Unlock()
	v := &s.v
	for {
		v.mu.Lock()
		if v.err != nil {
			err := v.err
			v.mu.Unlock()
			return err
		}
		if v.rev >= rev {
			return nil
		}
		ch := v.changed
		v.mu.Unlock()
		select {
		case <-ch:
		case <-time.After(200 * time.Millisecond):
			// A watch hears of nothing outside its range: progress
			// brings it to the cluster's revision.
			_ = s.cli.RequestProgress(clientv3.WithRequireLeader(s.ctx))
		case <-ctx.Done():
			return s.etcdErr(fmt.Sprintf("waiting for revision %d", rev), ctx.Err())
		}
	}
}

// viewTrials returns a copy of the view's trials in id order; s.v.mu is
// held. overlay makes it this worker's history.
func (s *Store) viewTrials() []*trials.Trial {
	ts := make([]*trials.Trial, 0, len(s.v.trials))
	for _, t := range s.v.trials {
		if t != nil {
			ts = append(ts, t)
		}
	}
	return ts
}

var _ trials.Lender = (*Store)(nil)

// Lend calls fn with every trial in id order from this worker's view,
// once it holds this worker's own writes: trials that did not change are
// the same *Trial as in the last call, so a History syncs at the cost of
// a pointer comparison each. A read-only store reads every trial instead.
func (s *Store) Lend(fn func(ts []*trials.Trial) error) error {
	if s.o.ReadOnly {
		ts, err := s.Trials()
		if err != nil {
			return err
		}
		return fn(ts)
	}
	ctx, cancel := s.op()
	defer cancel()
	if err := s.await(ctx, 0); err != nil {
		return err
	}
	ts := s.viewTrials()
	s.v.mu.Unlock()
	if err := s.overlay(ts); err != nil {
		return err
	}
	return fn(ts)
}
