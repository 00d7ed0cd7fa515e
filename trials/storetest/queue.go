package storetest

import (
	"testing"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

func queued(t *testing.T, s trials.Store) []hp.Values {
	t.Helper()
	q, err := s.Queued()
	if err != nil {
		t.Fatalf("Queued: %v", err)
	}
	return q
}

func testQueue(t *testing.T, s trials.Store) {
	if q := queued(t, s); len(q) != 0 {
		t.Fatalf("a new store queues %v", q)
	}
	for _, u := range []int{64, 128} {
		if err := s.Enqueue(hp.Values{"units": u, "lr": 0.01}); err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
	}
	if q := queued(t, s); len(q) != 2 || q[0]["units"] != 64 || q[1]["units"] != 128 {
		t.Fatalf("Queued = %v, want units 64 then 128", q)
	}
	// Create and a proposal that is not fresh leave the queue alone.
	first := create(t, s, &trials.Trial{Values: hp.Values{"units": 32, "lr": 0.001}})
	if first.Enqueued || first.Values["units"] != 32 {
		t.Errorf("Create took queued values: %+v", first)
	}
	promoted, err := s.Propose(func([]*trials.Trial) (*trials.Trial, error) {
		return &trials.Trial{Values: hp.Values{"units": 32, "lr": 0.001}, Schedule: trials.Schedule{Parent: first.ID, InitialEpoch: 2, Epochs: 4}}, nil
	})
	if err != nil || promoted.Enqueued || promoted.Values["units"] != 32 {
		t.Errorf("a promotion took queued values: %+v, %v", promoted, err)
	}
	for i, want := range []int{64, 128, 256} {
		tr, err := s.Propose(func([]*trials.Trial) (*trials.Trial, error) {
			return &trials.Trial{Values: hp.Values{"units": 256, "lr": 0.002}, Schedule: trials.Schedule{Epochs: 3}}, nil
		})
		if err != nil {
			t.Fatalf("Propose: %v", err)
		}
		if tr.Values["units"] != want || tr.Enqueued != (i < 2) || tr.Epochs != 3 || tr.Status != trials.Running {
			t.Errorf("proposal %d = %+v, want units %d (enqueued %v) with the proposal's schedule", i, tr, want, i < 2)
		}
		if got := get(t, s, tr.ID); got.Enqueued != tr.Enqueued || got.Values["units"] != want {
			t.Errorf("stored trial %d = %+v", tr.ID, got)
		}
	}
	if q := queued(t, s); len(q) != 0 {
		t.Errorf("queue after use = %v", q)
	}
	if err := s.Enqueue(hp.Values{"units": 512}); err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(study(t, 1)); err != nil {
		t.Fatal(err)
	}
	if q := queued(t, s); len(q) != 0 {
		t.Errorf("queue after Reset = %v", q)
	}
}

// testConcurrentQueue has workers race to propose while values are queued:
// every queued set runs exactly once, and before any proposal.
func testConcurrentQueue(t *testing.T, s trials.Store) {
	const n, workers, each = 6, 4, 3
	for i := range n {
		if err := s.Enqueue(hp.Values{"q": i}); err != nil {
			t.Fatal(err)
		}
	}
	ts := runWorkers(t, s, workers, func(int) error {
		for range each {
			if _, err := s.Propose(proposeNext); err != nil {
				return err
			}
		}
		return nil
	})
	if len(ts) != workers*each {
		t.Fatalf("%d trials, want %d", len(ts), workers*each)
	}
	for _, tr := range ts {
		q, isQueued := tr.Values["q"].(int)
		switch {
		case tr.ID <= n && (!isQueued || q != tr.ID-1 || !tr.Enqueued):
			t.Errorf("trial %d = %v (enqueued %v), want the queued q=%d", tr.ID, tr.Values, tr.Enqueued, tr.ID-1)
		case tr.ID > n && (isQueued || tr.Enqueued):
			t.Errorf("trial %d = %v (enqueued %v) ran queued values twice", tr.ID, tr.Values, tr.Enqueued)
		}
	}
	if q := queued(t, s); len(q) != 0 {
		t.Errorf("queue after use = %v", q)
	}
}
