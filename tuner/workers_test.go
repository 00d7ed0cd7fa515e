package tuner

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	clientv3 "go.etcd.io/etcd/client/v3"
	"golang.org/x/sync/errgroup"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/etcdstore"
	"github.com/tunekit/tune/trials/etcdstore/etcdtest"
)

// Three workers, each with its own etcd store (its own lease), share one
// study: ids are contiguous, every trial is complete with its whole curve,
// no values are proposed twice, and Hyperband's schedule and promotions
// are those of one process.
func TestWorkersShareAnEtcdStudy(t *testing.T) {
	c := etcdtest.Start(t, 1)
	for _, kind := range []string{"random", "hyperband", "bayesian"} {
		t.Run(kind, func(t *testing.T) {
			o, maxTrials, _ := crashOracle(kind)
			if kind == "random" {
				maxTrials = 30
			}
			var g errgroup.Group
			for w := range 3 {
				s, err := etcdstore.New(etcdstore.Options{Endpoints: c.Endpoints(), Prefix: "/tune/workers-" + kind,
					Worker: fmt.Sprintf("w%d", w)})
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				o, _, _ := crashOracle(kind) // an oracle per worker, as in separate processes
				tu, err := New(ObjectiveFunc(curveObjective), Options{
					Objective: "loss", Oracle: o, MaxTrials: maxTrials, Seed: 11, ParallelTrials: 1, Epochs: oraclesEpochs, Store: s,
				})
				if err != nil {
					t.Fatal(err)
				}
				g.Go(func() error { return tu.Search(context.Background()) })
			}
			if err := g.Wait(); err != nil {
				t.Fatal(err)
			}
			s, err := etcdstore.New(etcdstore.Options{Endpoints: c.Endpoints(), Prefix: "/tune/workers-" + kind})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ts, err := s.Trials()
			if err != nil {
				t.Fatal(err)
			}
			checkFullCurves(t, ts)
			distinctValues(t, ts)
			switch kind {
			case "hyperband":
				checkHyperbandSchedule(t, o.(*oracle.Hyperband), ts, 2)
			default:
				if len(ts) != maxTrials {
					t.Fatalf("%d trials, want %d", len(ts), maxTrials)
				}
			}
		})
	}
}

// A worker that loses a trial's claim (its lease expired under it) drops
// that trial and goes on: the trial runs again, and the search completes.
func TestClaimLostDropsTheTrial(t *testing.T) {
	c := etcdtest.Start(t, 1)
	s, err := etcdstore.New(etcdstore.Options{Endpoints: c.Endpoints(), Prefix: "/tune/lost", Worker: "w"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	admin, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints()})
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var once sync.Once
	var revokeErr error
	objective := func(ctx context.Context, h *hp.HyperParameters, r *Reporter) (Metrics, error) {
		x := h.Float("x", 0, 1)
		for e := range r.Epochs() {
			if r.Trial() == 2 && e == 1 {
				// The cluster expires the worker's lease, as it does to a
				// worker stopped past its TTL.
				once.Do(func() {
					ls, err := admin.Leases(ctx)
					for _, l := range ls.Leases {
						if err == nil {
							_, err = admin.Revoke(ctx, l.ID)
						}
					}
					revokeErr = err
				})
			}
			if err := r.Report(e, Metrics{"loss": x + 1/float64(e+1)}); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	var ended []string
	var mu sync.Mutex
	obs := observerFunc(func(tr *trials.Trial) {
		mu.Lock()
		defer mu.Unlock()
		ended = append(ended, fmt.Sprintf("%d %s", tr.ID, tr.Status))
	})
	tu, err := New(ObjectiveFunc(objective), Options{Objective: "loss", MaxTrials: 4, Seed: 3, ParallelTrials: 1, Epochs: 3, Store: s, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	if err := tu.Search(context.Background()); err != nil {
		t.Fatalf("search ended on a lost claim: %v", err)
	}
	if revokeErr != nil {
		t.Fatal(revokeErr)
	}
	ts, err := s.Trials()
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 4 {
		t.Fatalf("%d trials, want 4", len(ts))
	}
	checkFullCurves(t, ts)
	if ts[1].Attempt != 1 || ts[1].Status != trials.Completed || ts[1].Worker != "w" {
		t.Errorf("trial 2 %+v: want completed on its second attempt", ts[1])
	}
	if !slices.Contains(ended, "2 running") {
		t.Errorf("the observer did not see trial 2 dropped: %v", ended)
	}
}

// observerFunc calls itself for every trial that ends.
type observerFunc func(*trials.Trial)

func (f observerFunc) TrialStarted(*trials.Trial)             {}
func (f observerFunc) EpochEnded(*trials.Trial, trials.Epoch) {}
func (f observerFunc) TrialEnded(t *trials.Trial)             { f(t) }
