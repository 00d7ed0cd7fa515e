package tuner_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/tuner"
)

// timedOracle measures the time spent proposing.
type timedOracle struct {
	oracle.Oracle
	spent time.Duration
}

func (o *timedOracle) Next(s oracle.State) (oracle.Proposal, error) {
	start := time.Now()
	p, err := o.Oracle.Next(s)
	o.spent += time.Since(start)
	return p, err
}

func trivialObjective(_ context.Context, h *hp.HyperParameters, _ *tuner.Reporter) (tuner.Metrics, error) {
	x := h.Float("x", -5, 5)
	y := h.Int("y", 0, 1000)
	return tuner.Metrics{"loss": x*x + float64(y)}, nil
}

// benchDir is tmpfs when there is one, so that the figures are the
// tuner's and the store's CPU rather than the disk's fsync.
func benchDir(b *testing.B) string {
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		dir, err := os.MkdirTemp("/dev/shm", "tune-bench")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
		return dir
	}
	return b.TempDir()
}

// populate runs one trial (so the tuner learns the objective's space) and
// then stores n-1 completed trials directly.
func populate(b *testing.B, dir string, o oracle.Oracle, n int) {
	t, err := tuner.New(tuner.ObjectiveFunc(trivialObjective), tuner.Options{
		Objective: "loss", Oracle: o, MaxTrials: 1, ParallelTrials: 1,
		Directory: dir, ProjectName: "p",
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := t.Search(context.Background()); err != nil {
		b.Fatal(err)
	}
	st := t.Store()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 1; i < n; i++ {
		x, y := rng.Float64()*10-5, rng.IntN(1001)
		tr, err := st.Create(&trials.Trial{Values: hp.Values{"x": x, "y": y}})
		if err != nil {
			b.Fatal(err)
		}
		score := x*x + float64(y)
		if err := st.AppendEpoch(tr.ID, trials.Epoch{Epoch: 1, Metrics: map[string]float64{"loss": score}}); err != nil {
			b.Fatal(err)
		}
		if err := st.Finish(tr.ID, trials.Result{Status: trials.Completed, Score: &score, BestEpoch: 1, Metrics: map[string]float64{"loss": score}}); err != nil {
			b.Fatal(err)
		}
	}
	if err := t.Close(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSearchOverhead measures the tuner's own cost per trial (store,
// oracle, bookkeeping) with an objective that costs nothing, over the
// last `measured` trials of a study that already holds `stored` trials.
// ms/trial is wall time per trial, cpu-ms/trial the process's CPU time; oracle-ms/trial the part of it spent
// in the oracle's Next.
func BenchmarkSearchOverhead(b *testing.B) {
	cases := []struct {
		name             string
		oracle           func() oracle.Oracle
		stored, measured int
	}{
		{"random/trials=100", func() oracle.Oracle { return &oracle.RandomSearch{} }, 100, 100},
		{"random/trials=1000", func() oracle.Oracle { return &oracle.RandomSearch{} }, 1000, 100},
		{"random/trials=10000", func() oracle.Oracle { return &oracle.RandomSearch{} }, 10000, 100},
		// The Gaussian process refits in O(n³) per proposal: 10,000 stored
		// trials are out of its reach (see BayesianOptimization).
		{"bayesian/trials=100", func() oracle.Oracle { return &oracle.BayesianOptimization{} }, 100, 10},
		{"bayesian/trials=200", func() oracle.Oracle { return &oracle.BayesianOptimization{} }, 200, 10},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var spent, cpuSpent, oracleSpent time.Duration
			for range b.N {
				b.StopTimer()
				dir := benchDir(b)
				populate(b, dir, c.oracle(), c.stored)
				o := &timedOracle{Oracle: c.oracle()}
				t, err := tuner.New(tuner.ObjectiveFunc(trivialObjective), tuner.Options{
					Objective: "loss", Oracle: o, MaxTrials: c.stored + c.measured, ParallelTrials: 1,
					Directory: dir, ProjectName: "p",
				})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start, cpu := time.Now(), cpuTime()
				if err := t.Search(context.Background()); err != nil {
					b.Fatal(err)
				}
				spent += time.Since(start)
				cpuSpent += cpuTime() - cpu
				oracleSpent += o.spent
				b.StopTimer()
				if ts, _ := t.Trials(); len(ts) != c.stored+c.measured {
					b.Fatalf("%d trials, want %d", len(ts), c.stored+c.measured)
				}
				t.Close()
				b.StartTimer()
			}
			per := float64(b.N * c.measured)
			b.ReportMetric(float64(spent.Microseconds())/1000/per, "ms/trial")
			b.ReportMetric(float64(cpuSpent.Microseconds())/1000/per, "cpu-ms/trial")
			b.ReportMetric(float64(oracleSpent.Microseconds())/1000/per, "oracle-ms/trial")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// cpuTime is the CPU time this process has used: on a busy machine the
// figure that wall time is not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// growthSizes are the stored-trial counts of the growth table.
var growthSizes = []int{50, 100, 200, 400, 800, 1600, 3200, 10000}

// BenchmarkSearchGrowth is the growth table: random search overhead per
// trial over the 50 trials after `stored` trials.
func BenchmarkSearchGrowth(b *testing.B) {
	for _, n := range growthSizes {
		b.Run(fmt.Sprintf("stored=%d", n), func(b *testing.B) {
			var spent, cpuSpent time.Duration
			for range b.N {
				b.StopTimer()
				dir := benchDir(b)
				populate(b, dir, &oracle.RandomSearch{}, n)
				t, err := tuner.New(tuner.ObjectiveFunc(trivialObjective), tuner.Options{
					Objective: "loss", Oracle: &oracle.RandomSearch{}, MaxTrials: n + 50, ParallelTrials: 1,
					Directory: dir, ProjectName: "p",
				})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start, cpu := time.Now(), cpuTime()
				if err := t.Search(context.Background()); err != nil {
					b.Fatal(err)
				}
				spent += time.Since(start)
				cpuSpent += cpuTime() - cpu
				b.StopTimer()
				t.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(spent.Microseconds())/1000/float64(b.N*50), "ms/trial")
			b.ReportMetric(float64(cpuSpent.Microseconds())/1000/float64(b.N*50), "cpu-ms/trial")
			b.ReportMetric(0, "ns/op")
		})
	}
}
