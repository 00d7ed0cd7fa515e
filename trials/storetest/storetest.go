package storetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// Open returns a new, empty store for one test.
type Open func(t *testing.T) trials.Store

// Run runs every conformance test against stores made by open.
func Run(t *testing.T, open Open) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s trials.Store)
	}{
		{"Study", testStudyRecord},
		{"Lifecycle", testLifecycle},
		{"IDsNeverReused", testIDsNeverReused},
		{"CreateErrors", testCreateErrors},
		{"ClaimRequeue", testClaimRequeue},
		{"RequeueRunning", testRequeueRunning},
		{"StateErrors", testStateErrors},
		{"Checkpoint", testCheckpoint},
		{"DropCheckpoints", testDropCheckpoints},
		{"Reset", testReset},
		{"ConcurrentCreates", testConcurrentCreates},
		{"ConcurrentClaims", testConcurrentClaims},
		{"Propose", testPropose},
		{"ConcurrentProposals", testConcurrentProposals},
		{"Queue", testQueue},
		{"ConcurrentQueue", testConcurrentQueue},
		{"Worker", testWorker},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { _ = s.Close() })
			tc.fn(t, s)
		})
	}
}

func study(t *testing.T, seed int64) *trials.StudyRecord {
	t.Helper()
	space, err := hp.NewSpace(
		hp.Param{Name: "units", Kind: hp.KindInt, Min: 32, Max: 512, Step: 32},
		hp.Param{Name: "lr", Kind: hp.KindFloat, Min: 1e-4, Max: 1e-2, Sampling: hp.Log},
	)
	if err != nil {
		t.Fatal(err)
	}
	return &trials.StudyRecord{
		Objective: goal.Objective{Name: "val_loss", Direction: goal.Minimize},
		Oracle:    "random", OracleConfig: json.RawMessage(`{"max_trials":10}`),
		Seed: seed, Space: space, Created: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

func create(t *testing.T, s trials.Store, tr *trials.Trial) *trials.Trial {
	t.Helper()
	got, err := s.Create(tr)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return got
}

func get(t *testing.T, s trials.Store, id int) *trials.Trial {
	t.Helper()
	tr, err := s.Trial(id)
	if err != nil {
		t.Fatalf("Trial(%d): %v", id, err)
	}
	return tr
}

func ptr(f float64) *float64 { return &f }

func testStudyRecord(t *testing.T, s trials.Store) {
	if _, err := s.Study(); !errors.Is(err, trials.ErrNoStudy) {
		t.Fatalf("Study of a new store: err = %v, want ErrNoStudy", err)
	}
	want := study(t, 42)
	if err := s.PutStudy(want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Study()
	if err != nil {
		t.Fatal(err)
	}
	if got.Seed != 42 || got.Objective != want.Objective || got.Oracle != "random" ||
		string(got.OracleConfig) != `{"max_trials":10}` || !got.Created.Equal(want.Created) ||
		got.Space.String() != want.Space.String() {
		t.Errorf("Study = %+v, want %+v", got, want)
	}
	create(t, s, &trials.Trial{})
	if err := s.PutStudy(study(t, 7)); err != nil {
		t.Fatal(err)
	}
	if ts, _ := s.Trials(); len(ts) != 1 {
		t.Errorf("PutStudy changed the trials: %d left, want 1", len(ts))
	}
}

func testLifecycle(t *testing.T, s trials.Store) {
	before := time.Now()
	t1 := create(t, s, &trials.Trial{
		Values: hp.Values{"units": 64, "lr": 1.0, "opt": "adam", "shuffle": true},
		Status: trials.Completed, Schedule: trials.Schedule{Epochs: 10, Bracket: 2, Round: 1, Iteration: 1},
	})
	if t1.ID != 1 || t1.Status != trials.Running || t1.Started.Before(before.Add(-time.Second)) || !t1.Ended.IsZero() {
		t.Fatalf("created %+v, want id 1, running, started now", t1)
	}
	if _, ok := t1.Values["units"].(int); !ok {
		t.Errorf("units is %T, want int", t1.Values["units"])
	}
	t2 := create(t, s, &trials.Trial{Values: hp.Values{"units": 32}, Schedule: trials.Schedule{Parent: 1, InitialEpoch: 3}})
	if t2.ID != 2 {
		t.Fatalf("second trial has id %d, want 2", t2.ID)
	}
	epochs := []trials.Epoch{
		{Epoch: 0, Metrics: map[string]float64{"loss": 0.9, "val_loss": 1.0}},
		{Epoch: 1, Metrics: map[string]float64{"loss": 0.5, "val_loss": 0.7}},
		{Epoch: 2, Metrics: map[string]float64{"loss": math.NaN(), "val_loss": math.Inf(1)}},
		{Execution: 1, Epoch: 0, Metrics: map[string]float64{"val_loss": 0.8}},
	}
	for _, e := range epochs {
		if err := s.AppendEpoch(1, e); err != nil {
			t.Fatalf("AppendEpoch(1, %v): %v", e, err)
		}
	}
	if err := s.Finish(1, trials.Result{Status: trials.Completed, Score: ptr(0.7), BestEpoch: 1,
		Metrics: map[string]float64{"val_loss": 0.7}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(2, trials.Result{Status: trials.Failed, Error: "out of memory",
		Values: hp.Values{"units": 32, "dropout": 0.5}}); err != nil {
		t.Fatal(err)
	}
	ts, err := s.Trials()
	if err != nil || len(ts) != 2 {
		t.Fatalf("Trials = %d trials, %v; want 2", len(ts), err)
	}
	g := ts[0]
	if g.Status != trials.Completed || g.Score == nil || *g.Score != 0.7 || g.BestEpoch != 1 || g.Ended.IsZero() ||
		g.Epochs != 10 || g.Bracket != 2 || g.Round != 1 || g.Iteration != 1 || g.Metrics["val_loss"] != 0.7 {
		t.Errorf("trial 1 = %+v", g)
	}
	if len(g.History) != len(epochs) {
		t.Fatalf("trial 1 has %d epochs, want %d", len(g.History), len(epochs))
	}
	for i, e := range g.History {
		w := epochs[i]
		if e.Execution != w.Execution || e.Epoch != w.Epoch || fmt.Sprint(e.Metrics) != fmt.Sprint(w.Metrics) {
			t.Errorf("epoch %d = %+v, want %+v", i, e, w)
		}
	}
	if g := ts[1]; g.Status != trials.Failed || g.Error != "out of memory" || g.Parent != 1 || g.InitialEpoch != 3 ||
		!reflect.DeepEqual(g.Values, hp.Values{"units": 32, "dropout": 0.5}) {
		t.Errorf("trial 2 = %+v", g)
	}
	if one := get(t, s, 1); !reflect.DeepEqual(one.Values, g.Values) && one.ID != 1 {
		t.Errorf("Trial(1) = %+v", one)
	}
	if _, err := s.Trial(3); !errors.Is(err, trials.ErrNoTrial) {
		t.Errorf("Trial(3): err = %v, want ErrNoTrial", err)
	}
}

func testIDsNeverReused(t *testing.T, s trials.Store) {
	for want := 1; want <= 5; want++ {
		tr := create(t, s, &trials.Trial{})
		if tr.ID != want {
			t.Fatalf("trial %d got id %d", want, tr.ID)
		}
		if want%2 == 0 {
			if err := s.Requeue(tr.ID, "again"); err != nil {
				t.Fatal(err)
			}
			if _, ok, err := s.Claim(); !ok || err != nil {
				t.Fatalf("Claim: %v, %v", ok, err)
			}
		}
		if err := s.Finish(tr.ID, trials.Result{Status: trials.Completed}); err != nil {
			t.Fatal(err)
		}
	}
	if tr := create(t, s, &trials.Trial{}); tr.ID != 6 {
		t.Errorf("id after requeues and claims = %d, want 6", tr.ID)
	}
}

func testCreateErrors(t *testing.T, s trials.Store) {
	if _, err := s.Create(&trials.Trial{Schedule: trials.Schedule{Parent: 7}}); !errors.Is(err, trials.ErrNoTrial) {
		t.Errorf("Create with a missing parent: err = %v, want ErrNoTrial", err)
	}
	if _, err := s.Create(&trials.Trial{Values: hp.Values{"x": []int{1}}}); err == nil {
		t.Error("Create with a slice value succeeded")
	}
	if tr := create(t, s, &trials.Trial{}); tr.ID != 1 {
		t.Errorf("first successful Create got id %d, want 1: failed creates used ids", tr.ID)
	}
}

func testClaimRequeue(t *testing.T, s trials.Store) {
	if _, ok, err := s.Claim(); ok || err != nil {
		t.Fatalf("Claim with nothing pending = %v, %v", ok, err)
	}
	for range 3 {
		create(t, s, &trials.Trial{Values: hp.Values{"units": 32}})
	}
	if err := s.AppendEpoch(2, trials.Epoch{Epoch: 0, Metrics: map[string]float64{"loss": 1}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutCheckpoint(2, []byte("stale")); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int{3, 2} {
		if err := s.Requeue(id, "retry me"); err != nil {
			t.Fatal(err)
		}
	}
	if p := get(t, s, 2); p.Status != trials.Pending || p.Error != "retry me" {
		t.Errorf("requeued trial = %+v", p)
	}
	before := time.Now()
	c, ok, err := s.Claim()
	if err != nil || !ok {
		t.Fatalf("Claim = %v, %v", ok, err)
	}
	if c.ID != 2 || c.Status != trials.Running || c.Attempt != 1 || len(c.History) != 0 || c.Error != "" ||
		c.Score != nil || c.Started.Before(before.Add(-time.Second)) || c.Values["units"] != 32 {
		t.Errorf("claimed %+v, want trial 2 (lowest pending), attempt 1, cleared", c)
	}
	if _, err := s.Checkpoint(2); !errors.Is(err, trials.ErrNoCheckpoint) {
		t.Errorf("the interrupted attempt's checkpoint survived the claim: %v", err)
	}
	if stored := get(t, s, 2); stored.Status != trials.Running || stored.Attempt != 1 || len(stored.History) != 0 {
		t.Errorf("stored after claim: %+v", stored)
	}
	if c, ok, _ := s.Claim(); !ok || c.ID != 3 {
		t.Errorf("second Claim = %+v, %v, want trial 3", c, ok)
	}
	if _, ok, _ := s.Claim(); ok {
		t.Error("third Claim found a pending trial")
	}
}

func testRequeueRunning(t *testing.T, s trials.Store) {
	for range 3 {
		create(t, s, &trials.Trial{})
	}
	if err := s.Finish(2, trials.Result{Status: trials.Completed}); err != nil {
		t.Fatal(err)
	}
	n, err := s.RequeueRunning()
	if err != nil || n != 2 {
		t.Fatalf("RequeueRunning = %d, %v, want 2", n, err)
	}
	for id, want := range map[int]trials.Status{1: trials.Pending, 2: trials.Completed, 3: trials.Pending} {
		if got := get(t, s, id); got.Status != want {
			t.Errorf("trial %d is %s, want %s", id, got.Status, want)
		}
	}
	if p := get(t, s, 1); p.Error != trials.RequeueReason {
		t.Errorf("requeued trial's error = %q, want %q", p.Error, trials.RequeueReason)
	}
	if n, err := s.RequeueRunning(); n != 0 || err != nil {
		t.Errorf("second RequeueRunning = %d, %v", n, err)
	}
}

func testStateErrors(t *testing.T, s trials.Store) {
	id := create(t, s, &trials.Trial{}).ID
	if err := s.Finish(id, trials.Result{Status: trials.Running}); !errors.Is(err, trials.ErrState) {
		t.Errorf("Finish with a status that is not final: err = %v, want ErrState", err)
	}
	if err := s.Finish(id, trials.Result{Status: trials.Pruned}); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"AppendEpoch": s.AppendEpoch(id, trials.Epoch{}),
		"Finish":      s.Finish(id, trials.Result{Status: trials.Completed}),
		"Requeue":     s.Requeue(id, "x"),
	} {
		if !errors.Is(err, trials.ErrState) {
			t.Errorf("%s of a pruned trial: err = %v, want ErrState", name, err)
		}
	}
	for name, err := range map[string]error{
		"AppendEpoch":   s.AppendEpoch(99, trials.Epoch{}),
		"Finish":        s.Finish(99, trials.Result{Status: trials.Completed}),
		"Requeue":       s.Requeue(99, "x"),
		"PutCheckpoint": s.PutCheckpoint(99, []byte("w")),
	} {
		if !errors.Is(err, trials.ErrNoTrial) {
			t.Errorf("%s of a missing trial: err = %v, want ErrNoTrial", name, err)
		}
	}
	if got := get(t, s, id); got.Status != trials.Pruned {
		t.Errorf("refused changes changed the trial: %+v", got)
	}
}

func testCheckpoint(t *testing.T, s trials.Store) {
	id := create(t, s, &trials.Trial{}).ID
	if _, err := s.Checkpoint(id); !errors.Is(err, trials.ErrNoCheckpoint) || errors.Is(err, trials.ErrNoTrial) {
		t.Errorf("Checkpoint before any: err = %v, want ErrNoCheckpoint only", err)
	}
	if _, err := s.Checkpoint(42); !errors.Is(err, trials.ErrNoCheckpoint) || !errors.Is(err, trials.ErrNoTrial) {
		t.Errorf("Checkpoint of a missing trial: err = %v, want ErrNoCheckpoint and ErrNoTrial", err)
	}
	big := make([]byte, 5<<20+123) // several MB, more than one etcd request holds
	for i := range big {
		big[i] = byte(i * 7 / 5)
	}
	for _, data := range [][]byte{[]byte("v1"), big, {}, []byte("last")} {
		if err := s.PutCheckpoint(id, data); err != nil {
			t.Fatalf("PutCheckpoint of %d bytes: %v", len(data), err)
		}
		got, err := s.Checkpoint(id)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) || got == nil {
			t.Errorf("Checkpoint returned %d bytes, want %d", len(got), len(data))
		}
	}
	if err := s.Finish(id, trials.Result{Status: trials.Completed}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Checkpoint(id); err != nil || string(got) != "last" {
		t.Errorf("after Finish: %q, %v", got, err)
	}
}

// testDropCheckpoints checks that Finish deletes the checkpoints it is
// told to (retention), its own and other trials', and skips ids without
// one.
func testDropCheckpoints(t *testing.T, s trials.Store) {
	var ids []int
	for range 4 {
		id := create(t, s, &trials.Trial{}).ID
		if err := s.PutCheckpoint(id, make([]byte, 600<<10)); err != nil { // two etcd chunks
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := s.Finish(ids[0], trials.Result{Status: trials.Completed, Score: ptr(1)}); err != nil {
		t.Fatal(err)
	}
	drop := []int{ids[0], ids[2], 99}
	if err := s.Finish(ids[1], trials.Result{Status: trials.Completed, Score: ptr(2), DropCheckpoints: drop}); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		_, err := s.Checkpoint(id)
		gone := i == 0 || i == 2
		if gone != errors.Is(err, trials.ErrNoCheckpoint) || !gone && err != nil {
			t.Errorf("trial %d: Checkpoint err = %v, want it gone: %v", id, err, gone)
		}
	}
	if got := get(t, s, ids[1]); got.Status != trials.Completed || got.Score == nil || *got.Score != 2 {
		t.Errorf("the finishing trial: %s, score %v", got.Status, got.Score)
	}
	// A refused Finish deletes nothing.
	if err := s.Finish(ids[1], trials.Result{Status: trials.Completed, DropCheckpoints: []int{ids[3]}}); !errors.Is(err, trials.ErrState) {
		t.Errorf("finishing a completed trial: err = %v, want ErrState", err)
	}
	if _, err := s.Checkpoint(ids[3]); err != nil {
		t.Errorf("after a refused Finish: %v", err)
	}
}

func testReset(t *testing.T, s trials.Store) {
	if err := s.PutStudy(study(t, 1)); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		id := create(t, s, &trials.Trial{}).ID
		if err := s.PutCheckpoint(id, []byte("w")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Reset(study(t, 2)); err != nil {
		t.Fatal(err)
	}
	if ts, err := s.Trials(); err != nil || len(ts) != 0 {
		t.Errorf("after Reset: Trials = %v, %v", ts, err)
	}
	if st, err := s.Study(); err != nil || st.Seed != 2 {
		t.Errorf("after Reset: Study = %+v, %v", st, err)
	}
	if tr := create(t, s, &trials.Trial{}); tr.ID != 1 {
		t.Errorf("first trial after Reset has id %d, want 1", tr.ID)
	}
	if _, err := s.Checkpoint(1); !errors.Is(err, trials.ErrNoCheckpoint) || errors.Is(err, trials.ErrNoTrial) {
		t.Errorf("the new trial 1 has the old checkpoint: err = %v", err)
	}
}

func testConcurrentCreates(t *testing.T, s trials.Store) {
	const workers, perWorker, epochs = 4, 5, 2
	ts := runWorkers(t, s, workers, func(w int) error {
		for i := range perWorker {
			tr, err := s.Create(&trials.Trial{Values: hp.Values{"worker": w, "i": i}})
			if err == nil {
				for e := 0; e < epochs && err == nil; e++ {
					err = s.AppendEpoch(tr.ID, trials.Epoch{Epoch: e, Metrics: map[string]float64{"w": float64(w)}})
				}
			}
			if err == nil {
				_, err = s.Trials()
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if len(ts) != workers*perWorker {
		t.Fatalf("%d trials, want %d", len(ts), workers*perWorker)
	}
	seen := map[string]bool{}
	for i, tr := range ts {
		if tr.ID != i+1 {
			t.Fatalf("trial at %d has id %d: ids are not 1…%d", i, tr.ID, len(ts))
		}
		seen[tr.Values.Key()] = true
		if len(tr.History) != epochs {
			t.Errorf("trial %d has %d epochs, want %d", tr.ID, len(tr.History), epochs)
		}
		for _, h := range tr.History {
			if h.Metrics["w"] != float64(tr.Values["worker"].(int)) {
				t.Errorf("trial %d has another worker's epoch %+v", tr.ID, h)
			}
		}
	}
	if len(seen) != workers*perWorker {
		t.Errorf("%d distinct trials, want %d", len(seen), workers*perWorker)
	}
}

func testConcurrentClaims(t *testing.T, s trials.Store) {
	const n, workers = 12, 4
	for range n {
		create(t, s, &trials.Trial{})
	}
	if k, err := s.RequeueRunning(); err != nil || k != n {
		t.Fatalf("RequeueRunning = %d, %v", k, err)
	}
	var mu sync.Mutex
	claimed := map[int]int{}
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for {
				tr, ok, err := s.Claim()
				if err != nil {
					errc <- err
					return
				}
				if !ok {
					return
				}
				mu.Lock()
				claimed[tr.ID]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	if len(claimed) != n {
		t.Errorf("%d trials claimed, want %d", len(claimed), n)
	}
	for id, c := range claimed {
		if c != 1 {
			t.Errorf("trial %d claimed %d times", id, c)
		}
	}
}

// proposeNext proposes the trial whose value is the number of trials in
// the history: two proposals from one history are the same.
func proposeNext(history []*trials.Trial) (*trials.Trial, error) {
	return &trials.Trial{Values: hp.Values{"n": len(history)}}, nil
}

func testPropose(t *testing.T, s trials.Store) {
	create(t, s, &trials.Trial{})
	tr, err := s.Propose(proposeNext)
	if err != nil || tr.ID != 2 || tr.Status != trials.Running || tr.Values["n"] != 1 {
		t.Fatalf("Propose = %+v, %v, want trial 2 with n=1", tr, err)
	}
	if tr, err := s.Propose(func([]*trials.Trial) (*trials.Trial, error) { return nil, nil }); tr != nil || err != nil {
		t.Errorf("Propose of nothing = %+v, %v", tr, err)
	}
	sentinel := errors.New("oracle failed")
	if _, err := s.Propose(func([]*trials.Trial) (*trials.Trial, error) { return nil, sentinel }); !errors.Is(err, sentinel) {
		t.Errorf("Propose with a failing proposer: err = %v", err)
	}
	if _, err := s.Propose(func([]*trials.Trial) (*trials.Trial, error) {
		return &trials.Trial{Schedule: trials.Schedule{Parent: 9}}, nil
	}); !errors.Is(err, trials.ErrNoTrial) {
		t.Errorf("Propose with a missing parent: err = %v, want ErrNoTrial", err)
	}
	if ts, _ := s.Trials(); len(ts) != 2 {
		t.Errorf("%d trials after refused proposals, want 2", len(ts))
	}
}

func testConcurrentProposals(t *testing.T, s trials.Store) {
	const workers, each = 4, 5
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for range each {
				if _, err := s.Propose(proposeNext); err != nil {
					errc <- err
					return
				}
				// Creates outside Propose count as history too.
				if _, err := s.Create(&trials.Trial{Values: hp.Values{"plain": true}}); err != nil {
					errc <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	ts, err := s.Trials()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]int{}
	for _, tr := range ts {
		n, ok := tr.Values["n"].(int)
		if !ok {
			continue
		}
		if prev, dup := seen[n]; dup {
			t.Fatalf("trials %d and %d were proposed from the same history (n=%d)", prev, tr.ID, n)
		}
		if n != tr.ID-1 {
			t.Errorf("trial %d was proposed from a history of %d trials", tr.ID, n)
		}
		seen[n] = tr.ID
	}
	if len(seen) != workers*each || len(ts) != 2*workers*each {
		t.Errorf("%d proposals and %d trials, want %d and %d", len(seen), len(ts), workers*each, 2*workers*each)
	}
}

// testWorker: the store names itself as the worker of every trial it
// creates or claims, whatever the caller's trial said, and the name stays
// on the finished record.
func testWorker(t *testing.T, s trials.Store) {
	a := create(t, s, &trials.Trial{})
	if a.Worker == "" {
		t.Fatal("a created trial names no worker")
	}
	b := create(t, s, &trials.Trial{Worker: "someone else"})
	if b.Worker != a.Worker {
		t.Errorf("created with worker %q: stored %q, want the store's %q", "someone else", b.Worker, a.Worker)
	}
	if err := s.Finish(a.ID, trials.Result{Status: trials.Completed, Score: ptr(1)}); err != nil {
		t.Fatal(err)
	}
	if got := get(t, s, a.ID); got.Worker != a.Worker {
		t.Errorf("finished trial's worker %q, want %q", got.Worker, a.Worker)
	}
	if err := s.Requeue(b.ID, "again"); err != nil {
		t.Fatal(err)
	}
	c, ok, err := s.Claim()
	if err != nil || !ok || c.Worker != a.Worker || get(t, s, b.ID).Worker != a.Worker {
		t.Errorf("claimed %+v, %v, %v: want worker %q", c, ok, err, a.Worker)
	}
}

// runWorkers runs work(0), …, work(workers-1) at once, fails the test on
// the first error, and returns the stored trials.
func runWorkers(t *testing.T, s trials.Store, workers int, work func(w int) error) []*trials.Trial {
	t.Helper()
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			if err := work(w); err != nil {
				errc <- err
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	ts, err := s.Trials()
	if err != nil {
		t.Fatal(err)
	}
	return ts
}
