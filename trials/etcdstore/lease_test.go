package etcdstore_test

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/etcdstore"
	"github.com/tunekit/tune/trials/etcdstore/etcdtest"
)

// waitStatus polls s until trial id has status want, for at most limit.
func waitStatus(t *testing.T, s trials.Store, id int, want trials.Status, limit time.Duration) *trials.Trial {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		tr, err := s.Trial(id)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Status == want {
			return tr
		}
		if time.Now().After(deadline) {
			t.Fatalf("trial %d still %s after %v, want %s", id, tr.Status, limit, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// claimWithin calls s.Claim until it claims a trial, for at most limit.
func claimWithin(t *testing.T, s trials.Store, limit time.Duration) *trials.Trial {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		tr, ok, err := s.Claim()
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return tr
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing to claim after %v", limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A worker whose lease expired while it was stopped cannot record anything
// for its trial; the record is the one of the worker that ran it again.
func TestZombieIsFenced(t *testing.T) {
	c := etcdtest.Start(t, 1)
	const study = "/tune/zombie"
	zombie := open(t, c, etcdstore.Options{Prefix: study, TTL: 2 * time.Second, Worker: "zombie"})
	defer zombie.Close()
	other := open(t, c, etcdstore.Options{Prefix: study, TTL: 2 * time.Second, Worker: "rerunner"})
	defer other.Close()

	tr, err := zombie.Create(&trials.Trial{Values: hp.Values{"x": 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := zombie.AppendEpoch(tr.ID, trials.Epoch{Epoch: 0, Metrics: map[string]float64{"loss": 9}}); err != nil {
		t.Fatal(err)
	}
	if err := zombie.PutCheckpoint(tr.ID, []byte("zombie weights")); err != nil {
		t.Fatal(err)
	}
	// The cluster drops the zombie's lease; the other worker's watch
	// requeues the trial and it claims it.
	if err := zombie.RevokeFromOutside(); err != nil {
		t.Fatal(err)
	}
	p := waitStatus(t, other, tr.ID, trials.Pending, 5*time.Second)
	if p.Error != etcdstore.LostReason {
		t.Errorf("requeued trial's error = %q, want %q", p.Error, etcdstore.LostReason)
	}
	// The other worker claims from its view, which hears of the requeue
	// (by either worker's watch) a moment later.
	re := claimWithin(t, other, 5*time.Second)
	if re.ID != tr.ID || re.Attempt != 1 {
		t.Fatalf("Claim = %+v", re)
	}
	// The zombie wakes up and tries to go on. An epoch and a checkpoint
	// wait for the trial's next write, unless the zombie has already
	// found its lease lost; its Finish is refused, and everything after.
	for name, err := range map[string]error{
		"AppendEpoch":   zombie.AppendEpoch(tr.ID, trials.Epoch{Epoch: 1, Metrics: map[string]float64{"loss": 8}}),
		"PutCheckpoint": zombie.PutCheckpoint(tr.ID, []byte("stale weights")),
	} {
		if err != nil && !errors.Is(err, etcdstore.ErrClaimLost) {
			t.Errorf("zombie's %s: err = %v, want nil or ErrClaimLost", name, err)
		}
	}
	for name, err := range map[string]error{
		"Finish":        zombie.Finish(tr.ID, trials.Result{Status: trials.Completed, Score: new(float64)}),
		"Requeue":       zombie.Requeue(tr.ID, "x"),
		"AppendEpoch":   zombie.AppendEpoch(tr.ID, trials.Epoch{Epoch: 2, Metrics: map[string]float64{"loss": 7}}),
		"PutCheckpoint": zombie.PutCheckpoint(tr.ID, []byte("stale weights")),
	} {
		if !errors.Is(err, etcdstore.ErrClaimLost) {
			t.Errorf("zombie's %s: err = %v, want ErrClaimLost", name, err)
		}
	}
	if err := other.AppendEpoch(tr.ID, trials.Epoch{Epoch: 0, Metrics: map[string]float64{"loss": 3}}); err != nil {
		t.Fatal(err)
	}
	if err := other.PutCheckpoint(tr.ID, []byte("fresh weights")); err != nil {
		t.Fatal(err)
	}
	score := 3.0
	if err := other.Finish(tr.ID, trials.Result{Status: trials.Completed, Score: &score}); err != nil {
		t.Fatal(err)
	}
	got, err := zombie.Trial(tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != trials.Completed || *got.Score != 3 || len(got.History) != 1 || got.History[0].Metrics["loss"] != 3 {
		t.Errorf("record = %+v, want the re-runner's", got)
	}
	if ck, err := zombie.Checkpoint(tr.ID); err != nil || string(ck) != "fresh weights" {
		t.Errorf("checkpoint = %q, %v, want the re-runner's", ck, err)
	}
	// The zombie got a new lease and works on.
	if n, err := zombie.Create(&trials.Trial{}); err != nil || n.ID != 2 {
		t.Errorf("zombie's next Create = %+v, %v", n, err)
	}
}

// A zombie whose checkpoint is too big for its Finish writes no chunk of
// it once its lease is gone: the cluster's revision does not move. The
// worker that re-ran the trial, writing the very same bytes (a re-run from
// the same seed), keeps its checkpoint whole.
func TestZombieWritesNothing(t *testing.T) {
	c := etcdtest.Start(t, 1)
	const study = "/tune/zombie-chunks"
	zombie := open(t, c, etcdstore.Options{Prefix: study, TTL: 2 * time.Second, Worker: "zombie"})
	defer zombie.Close()
	other := open(t, c, etcdstore.Options{Prefix: study, TTL: 2 * time.Second, Worker: "rerunner"})
	defer other.Close()

	weights := make([]byte, 3<<20)
	for i := range weights {
		weights[i] = byte(i * 7 / 5)
	}
	tr, err := zombie.Create(&trials.Trial{Values: hp.Values{"x": 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := zombie.PutCheckpoint(tr.ID, weights); err != nil {
		t.Fatal(err)
	}
	if err := zombie.RevokeFromOutside(); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, other, tr.ID, trials.Pending, 5*time.Second)
	if re := claimWithin(t, other, 5*time.Second); re.ID != tr.ID {
		t.Fatalf("Claim = %+v", re)
	}
	before, err := other.Revision()
	if err != nil {
		t.Fatal(err)
	}
	if err := zombie.Finish(tr.ID, trials.Result{Status: trials.Completed, Score: new(float64)}); !errors.Is(err, etcdstore.ErrClaimLost) {
		t.Errorf("zombie's Finish: err = %v, want ErrClaimLost", err)
	}
	after, err := other.Revision()
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("the zombie's Finish moved the revision from %d to %d", before, after)
	}
	if n, err := other.ChunkKeys(tr.ID); err != nil || n != 0 {
		t.Errorf("%d chunks stored for the re-run trial before its Finish (err %v), want 0", n, err)
	}
	if err := other.PutCheckpoint(tr.ID, weights); err != nil {
		t.Fatal(err)
	}
	if err := other.Finish(tr.ID, trials.Result{Status: trials.Completed, Score: new(float64)}); err != nil {
		t.Fatal(err)
	}
	if n, err := other.ChunkKeys(tr.ID); err != nil || n != 6 {
		t.Errorf("%d chunks stored (err %v), want 6 of 512 KiB", n, err)
	}
	got, err := zombie.Checkpoint(tr.ID)
	if err != nil || !bytes.Equal(got, weights) {
		t.Errorf("checkpoint: %d bytes, err %v; want the re-runner's %d", len(got), err, len(weights))
	}
}

// A worker killed without a word loses its trials to the others once its
// lease expires; one closed (Ctrl-C) hands them back at once.
func TestDeadWorkersTrialsRequeue(t *testing.T) {
	c := etcdtest.Start(t, 1)
	const ttl = 2 * time.Second
	o := etcdstore.Options{Prefix: "/tune/dead", TTL: ttl}
	survivor := open(t, c, o)
	defer survivor.Close()
	killed := open(t, c, o)
	closed := open(t, c, o)
	a, _ := killed.Create(&trials.Trial{})
	b, _ := closed.Create(&trials.Trial{})

	killed.Crash()
	start := time.Now()
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, survivor, b.ID, trials.Pending, ttl) // revoked: no wait for the TTL
	waitStatus(t, survivor, a.ID, trials.Pending, ttl+5*time.Second)
	t.Logf("killed worker's trial pending again after %v (TTL %v)", time.Since(start).Round(10*time.Millisecond), ttl)
	// A worker opened later finds nothing left to reap, and RequeueRunning
	// leaves the survivor's own running trial alone only if it is not its.
	mine, _ := survivor.Create(&trials.Trial{})
	late := open(t, c, o)
	defer late.Close()
	if n, err := late.RequeueRunning(); err != nil || n != 0 {
		t.Errorf("RequeueRunning on a worker beside a live one = %d, %v; want 0", n, err)
	}
	if tr, _ := late.Trial(mine.ID); tr.Status != trials.Running {
		t.Errorf("a live worker's trial was requeued: %s", tr.Status)
	}
}

// Racing workers never create more than MaxTrials trials, and ids stay
// contiguous.
func TestMaxTrialsAcrossWorkers(t *testing.T) {
	c := etcdtest.Start(t, 1)
	const max, workers = 10, 3
	o := etcdstore.Options{Prefix: "/tune/max", MaxTrials: max}
	var wg sync.WaitGroup
	var mu sync.Mutex
	made := 0
	for range workers {
		s := open(t, c, o)
		defer s.Close()
		wg.Go(func() {
			for {
				_, err := s.Create(&trials.Trial{})
				if errors.Is(err, etcdstore.ErrMaxTrials) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				made++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	s := open(t, c, o)
	defer s.Close()
	ts, err := s.Trials()
	if err != nil {
		t.Fatal(err)
	}
	if made != max || len(ts) != max {
		t.Fatalf("%d creates succeeded, %d trials stored, want %d", made, len(ts), max)
	}
	for i, tr := range ts {
		if tr.ID != i+1 {
			t.Fatalf("trial %d has id %d", i+1, tr.ID)
		}
	}
}

func TestURL(t *testing.T) {
	eps, prefix, err := etcdstore.ParseURL("etcd://a:2379,b:2380/tune/mnist")
	if err != nil || len(eps) != 2 || eps[0] != "http://a:2379" || eps[1] != "http://b:2380" || prefix != "/tune/mnist" {
		t.Errorf("ParseURL = %v, %q, %v", eps, prefix, err)
	}
	for _, bad := range []string{"etcd://a:2379", "etcd://a:2379/", "http://a:2379/x", "etcd:///x", "etcd://a/x", "etcd://a:1,/x"} {
		if _, _, err := etcdstore.ParseURL(bad); !errors.Is(err, etcdstore.ErrURL) {
			t.Errorf("ParseURL(%q): err = %v, want ErrURL", bad, err)
		}
	}
	if !etcdstore.IsURL("etcd://x:1/p") || etcdstore.IsURL("results/study.db") {
		t.Error("IsURL")
	}
}
