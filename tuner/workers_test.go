package tuner

import (
	"context"
	"fmt"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/tunekit/tune/oracle"
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
