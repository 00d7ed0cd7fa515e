package etcdstore_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/etcdstore"
	"github.com/tunekit/tune/trials/etcdstore/etcdtest"
)

// A trial's epochs and checkpoint go into its Finish: the trial costs two
// writes (create, finish), and the record and checkpoint that land are
// whole. Until then, the worker reads its own epochs and checkpoint, and
// others read the trial as last written.
func TestEpochsAndCheckpointGoWithFinish(t *testing.T) {
	c := etcdtest.Start(t, 1)
	const study = "/tune/writeback"
	w := open(t, c, etcdstore.Options{Prefix: study, EpochInterval: time.Hour})
	defer w.Close()
	r := open(t, c, etcdstore.Options{Prefix: study, ReadOnly: true})
	defer r.Close()
	var reqs etcdstore.Requests
	etcdstore.CountRequests(w, &reqs)

	tr, err := w.Create(&trials.Trial{Values: hp.Values{"x": 1}})
	if err != nil {
		t.Fatal(err)
	}
	weights := bytes.Repeat([]byte("w"), 100<<10)
	for e := range 3 {
		if err := w.AppendEpoch(tr.ID, trials.Epoch{Epoch: e, Metrics: map[string]float64{"loss": float64(3 - e)}}); err != nil {
			t.Fatal(err)
		}
		if err := w.PutCheckpoint(tr.ID, weights[:(e+1)<<10]); err != nil {
			t.Fatal(err)
		}
	}
	if own, err := w.Trial(tr.ID); err != nil || len(own.History) != 3 || own.History[2].Metrics["loss"] != 1 {
		t.Errorf("the worker's own view: %+v, %v; want its 3 epochs", own, err)
	}
	if ts, err := w.Trials(); err != nil || len(ts) != 1 || len(ts[0].History) != 3 {
		t.Errorf("the worker's own Trials: %v, %v; want its 3 epochs", ts, err)
	}
	if ck, err := w.Checkpoint(tr.ID); err != nil || len(ck) != 3<<10 {
		t.Errorf("the worker's own checkpoint: %d bytes, %v; want %d", len(ck), err, 3<<10)
	}
	if other, err := r.Trial(tr.ID); err != nil || len(other.History) != 0 || other.Status != trials.Running {
		t.Errorf("another reader before Finish: %+v, %v; want the created record", other, err)
	}
	score := 1.0
	if err := w.Finish(tr.ID, trials.Result{Status: trials.Completed, Score: &score, BestEpoch: 2}); err != nil {
		t.Fatal(err)
	}
	if n := reqs.WriteTxn.Load() + reqs.Put.Load() + reqs.Do.Load(); n != 2 {
		t.Errorf("%d writes for create, 3 epochs, 3 checkpoints and finish; want 2", n)
	}
	got, err := r.Trial(tr.ID)
	if err != nil || got.Status != trials.Completed || len(got.History) != 3 || got.History[0].Metrics["loss"] != 3 {
		t.Fatalf("finished record: %+v, %v", got, err)
	}
	if ck, err := r.Checkpoint(tr.ID); err != nil || !bytes.Equal(ck, weights[:3<<10]) {
		t.Errorf("stored checkpoint: %d bytes, %v; want the last one, %d", len(ck), err, 3<<10)
	}
}

// An epoch waits at most EpochInterval: a trial whose next epoch or end
// is far off has its last epoch written by then all the same.
func TestEpochWrittenWithinInterval(t *testing.T) {
	c := etcdtest.Start(t, 1)
	const study = "/tune/interval"
	w := open(t, c, etcdstore.Options{Prefix: study, EpochInterval: 50 * time.Millisecond})
	defer w.Close()
	r := open(t, c, etcdstore.Options{Prefix: study, ReadOnly: true})
	defer r.Close()
	tr, err := w.Create(&trials.Trial{})
	if err != nil {
		t.Fatal(err)
	}
	for e := range 2 {
		if err := w.AppendEpoch(tr.ID, trials.Epoch{Epoch: e, Metrics: map[string]float64{"loss": 1}}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := r.Trial(tr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.History) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("another reader sees %d epochs 10 s after they were reported, want 2", len(got.History))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
