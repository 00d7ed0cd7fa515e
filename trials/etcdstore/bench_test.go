package etcdstore_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/etcdstore"
	"github.com/tunekit/tune/trials/etcdstore/etcdtest"
)

// BenchmarkWorkers runs b.N trials (create, 3 epochs, a checkpoint,
// finish) on 1, 2 and 4 workers sharing one study on an embedded
// single-member etcd, with an objective that takes no time or sleeps
// 100 ms. It reports trials/s and the store's time per trial
// (store-ms/trial: the time in store calls, summed over workers, per
// trial).
func BenchmarkWorkers(b *testing.B) {
	c := etcdtest.Start(b, 1)
	var study atomic.Int64
	for _, objective := range []time.Duration{0, 100 * time.Millisecond} {
		for _, workers := range []int{1, 2, 4} {
			b.Run(fmt.Sprintf("objective=%v/workers=%d", objective, workers), func(b *testing.B) {
				o := etcdstore.Options{Endpoints: c.Endpoints(), Prefix: fmt.Sprintf("/bench/%d", study.Add(1))}
				stores := make([]*etcdstore.Store, workers)
				for i := range stores {
					s, err := etcdstore.New(o)
					if err != nil {
						b.Fatal(err)
					}
					defer s.Close()
					stores[i] = s
				}
				weights := make([]byte, 64<<10)
				var left atomic.Int64
				left.Store(int64(b.N))
				var inStore atomic.Int64
				var wg sync.WaitGroup
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				for _, s := range stores {
					wg.Go(func() {
						for left.Add(-1) >= 0 {
							if err := oneTrial(s, objective, weights, &inStore); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				elapsed := time.Since(start)
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "trials/s")
				b.ReportMetric(float64(inStore.Load())/1e6/float64(b.N), "store-ms/trial")
			})
		}
	}
}

func oneTrial(s trials.Store, objective time.Duration, weights []byte, inStore *atomic.Int64) error {
	t0 := time.Now()
	tr, err := s.Create(&trials.Trial{Values: hp.Values{"x": 1.5}})
	if err != nil {
		return err
	}
	spent := time.Since(t0)
	time.Sleep(objective)
	t0 = time.Now()
	for e := range 3 {
		if err := s.AppendEpoch(tr.ID, trials.Epoch{Epoch: e, Metrics: map[string]float64{"loss": 1 / float64(e+1)}}); err != nil {
			return err
		}
	}
	if err := s.PutCheckpoint(tr.ID, weights); err != nil {
		return err
	}
	score := 0.5
	if err := s.Finish(tr.ID, trials.Result{Status: trials.Completed, Score: &score}); err != nil {
		return err
	}
	inStore.Add(int64(spent + time.Since(t0)))
	return nil
}
