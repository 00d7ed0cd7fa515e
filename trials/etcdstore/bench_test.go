package etcdstore_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/etcdstore"
	"github.com/tunekit/tune/trials/etcdstore/etcdtest"
)

// BenchmarkWorkers runs b.N trials on 1, 2 and 4 workers sharing one study
// on an embedded single-member etcd, with an objective that takes no time
// or sleeps 100 ms, and a checkpoint of 64 KiB or none. Each trial makes
// the store calls a tuner worker makes: bring its history in step, Claim,
// Propose, the objective, 3 epochs, the checkpoint and Finish. It reports
// trials/s; the store's time per trial (store-ms/trial: the time a trial
// spends in store calls, summed over workers and divided by trials); the
// wall time per trial beyond the objective, per worker (over-ms/trial:
// workers × elapsed / trials − objective, which also holds the sleep's
// own lateness and the last trials' uneven end); the process's CPU time
// per trial (cpu-ms/trial: the workers' and the etcd member's, from
// getrusage); the requests per trial by kind; and the member's WAL fsyncs
// per trial (synced writes). txn-w are transactions that write, txn-r
// those that only read, get single reads, put and do single writes. The
// member's data directory is in TMPDIR: set TMPDIR=/dev/shm to leave the
// disk's syncs out.
func BenchmarkWorkers(b *testing.B) {
	c := etcdtest.Start(b, 1)
	var study atomic.Int64
	for _, objective := range []time.Duration{0, 100 * time.Millisecond} {
		for _, ckpt := range []int{0, 64 << 10} {
			for _, workers := range []int{1, 2, 4} {
				name := fmt.Sprintf("objective=%v/checkpoint=%dKiB/workers=%d", objective, ckpt>>10, workers)
				b.Run(name, func(b *testing.B) { benchWorkers(b, c, study.Add(1), objective, ckpt, workers) })
			}
		}
	}
}

func benchWorkers(b *testing.B, c *etcdtest.Cluster, study int64, objective time.Duration, ckpt, workers int) {
	o := etcdstore.Options{Endpoints: c.Endpoints(), Prefix: fmt.Sprintf("/bench/%d", study)}
	stores := make([]*etcdstore.Store, workers)
	var reqs etcdstore.Requests
	for i := range stores {
		s, err := etcdstore.New(o)
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		etcdstore.CountRequests(s, &reqs)
		stores[i] = s
	}
	var weights []byte
	if ckpt > 0 {
		weights = make([]byte, ckpt)
	}
	var left atomic.Int64
	left.Store(int64(b.N))
	var inStore atomic.Int64
	var wg sync.WaitGroup
	b.ReportAllocs()
	fsyncs, cpu := walFsyncs(b), cpuTime()
	b.ResetTimer()
	start := time.Now()
	for _, s := range stores {
		wg.Go(func() {
			var h trials.History
			for left.Add(-1) >= 0 {
				if err := oneTrial(s, &h, objective, weights, &inStore); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(n/elapsed.Seconds(), "trials/s")
	b.ReportMetric(float64(inStore.Load())/1e6/n, "store-ms/trial")
	b.ReportMetric((float64(workers)*float64(elapsed)/n-float64(objective))/1e6, "over-ms/trial")
	b.ReportMetric(float64(cpuTime()-cpu)/1e6/n, "cpu-ms/trial")
	b.ReportMetric(float64(walFsyncs(b)-fsyncs)/n, "fsyncs/trial")
	for unit, c := range map[string]*atomic.Int64{
		"txn-w/trial": &reqs.WriteTxn, "txn-r/trial": &reqs.ReadTxn, "get/trial": &reqs.Range,
		"put/trial": &reqs.Put, "do/trial": &reqs.Do,
	} {
		b.ReportMetric(float64(c.Load())/n, unit)
	}
}

// walFsyncs returns how many WAL fsyncs the embedded members made so far.
func walFsyncs(b *testing.B) uint64 {
	mfs, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		b.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "etcd_disk_wal_fsync_duration_seconds" {
			var n uint64
			for _, m := range mf.GetMetric() {
				n += m.GetHistogram().GetSampleCount()
			}
			return n
		}
	}
	return 0
}

// syncHistory brings h in step with s as the tuner does before it claims or
// proposes.
func syncHistory(s trials.Store, h *trials.History) error {
	if l, ok := s.(trials.Lender); ok {
		return l.Lend(func(ts []*trials.Trial) error { h.Sync(ts); return nil })
	}
	ts, err := s.Trials()
	if err == nil {
		h.Sync(ts)
	}
	return err
}

func oneTrial(s trials.Store, h *trials.History, objective time.Duration, weights []byte, inStore *atomic.Int64) error {
	t0 := time.Now()
	if err := syncHistory(s, h); err != nil {
		return err
	}
	if _, ok, err := s.Claim(); err != nil || ok {
		return fmt.Errorf("Claim = %v, %v; want nothing pending", ok, err)
	}
	tr, err := s.Propose(func(history []*trials.Trial) (*trials.Trial, error) {
		h.Sync(history)
		return &trials.Trial{Values: hp.Values{"x": float64(h.Len())}}, nil
	})
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
	if weights != nil {
		if err := s.PutCheckpoint(tr.ID, weights); err != nil {
			return err
		}
	}
	score := 0.5
	if err := s.Finish(tr.ID, trials.Result{Status: trials.Completed, Score: &score}); err != nil {
		return err
	}
	inStore.Add(int64(spent + time.Since(t0)))
	return nil
}
