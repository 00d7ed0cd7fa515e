package etcdstore_test

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/etcdstore"
	"github.com/tunekit/tune/trials/etcdstore/etcdtest"
	"github.com/tunekit/tune/trials/storetest"
)

var studies atomic.Int64

// open opens a worker on a new study (a new prefix) of cluster c.
func open(t *testing.T, c *etcdtest.Cluster, o etcdstore.Options) *etcdstore.Store {
	t.Helper()
	if o.Prefix == "" {
		o.Prefix = fmt.Sprintf("/tune/study%d", studies.Add(1))
	}
	o.Endpoints = c.Endpoints()
	s, err := etcdstore.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	c := etcdtest.Start(t, 1)
	storetest.Run(t, func(t *testing.T) trials.Store {
		return open(t, c, etcdstore.Options{})
	})
}

func TestReadOnly(t *testing.T) {
	c := etcdtest.Start(t, 1)
	ro := open(t, c, etcdstore.Options{Prefix: "/tune/ro", ReadOnly: true})
	defer ro.Close()
	if _, err := ro.Study(); !errors.Is(err, trials.ErrNoStudy) {
		t.Errorf("Study of an empty prefix: %v, want ErrNoStudy", err)
	}
	w := open(t, c, etcdstore.Options{Prefix: "/tune/ro"})
	defer w.Close()
	if err := w.PutStudy(&trials.StudyRecord{Oracle: "random"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Create(&trials.Trial{}); err != nil {
		t.Fatal(err)
	}
	if st, err := ro.Study(); err != nil || st.Oracle != "random" {
		t.Errorf("Study: %+v %v", st, err)
	}
	if ts, err := ro.Trials(); err != nil || len(ts) != 1 || ts[0].Status != trials.Running {
		t.Errorf("Trials: %v %v", ts, err)
	}
	for name, err := range map[string]error{
		"PutStudy":      ro.PutStudy(&trials.StudyRecord{}),
		"Reset":         ro.Reset(&trials.StudyRecord{}),
		"AppendEpoch":   ro.AppendEpoch(1, trials.Epoch{}),
		"Finish":        ro.Finish(1, trials.Result{Status: trials.Completed}),
		"Requeue":       ro.Requeue(1, "x"),
		"PutCheckpoint": ro.PutCheckpoint(1, []byte("x")),
	} {
		if !errors.Is(err, trials.ErrReadOnly) {
			t.Errorf("%s: %v, want ErrReadOnly", name, err)
		}
	}
	if _, err := ro.Create(&trials.Trial{}); !errors.Is(err, trials.ErrReadOnly) {
		t.Errorf("Create: %v", err)
	}
	if _, _, err := ro.Claim(); !errors.Is(err, trials.ErrReadOnly) {
		t.Errorf("Claim: %v", err)
	}
	if _, err := ro.RequeueRunning(); !errors.Is(err, trials.ErrReadOnly) {
		t.Errorf("RequeueRunning: %v", err)
	}
	// Closing a reader leaves the writer's trial running.
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	if tr, err := w.Trial(1); err != nil || tr.Status != trials.Running {
		t.Errorf("after the reader closed: %+v %v", tr, err)
	}
}

// TestPutStudyKeepsGrownSpace: a worker that read the study before another
// grew its space, and stores it again (as a worker does when it starts),
// keeps the hyperparameters the other found.
func TestPutStudyKeepsGrownSpace(t *testing.T) {
	c := etcdtest.Start(t, 1)
	a := open(t, c, etcdstore.Options{Prefix: "/tune/grown", Worker: "a"})
	defer a.Close()
	b := open(t, c, etcdstore.Options{Prefix: "/tune/grown", Worker: "b"})
	defer b.Close()
	if err := a.PutStudy(&trials.StudyRecord{Oracle: "random", Space: &hp.Space{}}); err != nil {
		t.Fatal(err)
	}
	stale, err := b.Study()
	if err != nil {
		t.Fatal(err)
	}
	grown, err := hp.NewSpace(hp.Param{Name: "x1", Kind: hp.KindFloat, Min: -5, Max: 10})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.PutStudy(&trials.StudyRecord{Oracle: "random", Space: grown}); err != nil {
		t.Fatal(err)
	}
	stale.Seed = 3
	if err := b.PutStudy(stale); err != nil {
		t.Fatal(err)
	}
	st, err := a.Study()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.Space.Param("x1"); !ok || st.Space.Len() != 1 || st.Seed != 3 {
		t.Errorf("study after a stale write: seed %d, space %v; want seed 3 and x1 kept", st.Seed, st.Space)
	}
}
