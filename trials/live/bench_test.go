package live

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// benchStore is a held store of n completed trials of 10 epochs and one
// running trial, served.
func benchStore(b *testing.B, n int) (*trials.Bolt, string, int) {
	b.Helper()
	// On tmpfs where there is one: the setup's many commits cost no disk
	// flushes.
	dir, err := os.MkdirTemp("/dev/shm", "tune-bench-")
	if err != nil {
		dir = b.TempDir()
	} else {
		b.Cleanup(func() { os.RemoveAll(dir) })
	}
	path := filepath.Join(dir, "study.db")
	s, err := trials.Open(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if err := s.PutStudy(&trials.StudyRecord{Oracle: "random"}); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		t, err := s.Create(&trials.Trial{Values: hp.Values{"lr": float64(i) / float64(n)}})
		if err != nil {
			b.Fatal(err)
		}
		r := trials.Result{Status: trials.Completed, Score: new(float64)}
		for e := range 10 {
			r.Metrics = map[string]float64{"loss": 1 / float64(e+1), "val_loss": 1.1 / float64(e+1)}
			if err := s.AppendEpoch(t.ID, trials.Epoch{Epoch: e, Metrics: r.Metrics}); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.Finish(t.ID, r); err != nil {
			b.Fatal(err)
		}
	}
	run, err := s.Create(&trials.Trial{Values: hp.Values{"lr": 0.5}})
	if err != nil {
		b.Fatal(err)
	}
	srv, err := Serve(s, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	return s, path, run.ID
}

// BenchmarkTrials is one Client.Trials of a served study: what a read
// command or a dashboard's reload costs, both processes' work together.
func BenchmarkTrials(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("trials=%d", n), func(b *testing.B) {
			_, path, _ := benchStore(b, n)
			c, err := Dial(path)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				if _, err := c.Trials(); err != nil {
					b.Fatal(err)
				}
			}
			// CPU time: the wall time of a busy machine says little.
			b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/1e3/float64(b.N), "cpu-ms/op")
		})
	}
}

// BenchmarkEpochWhileRead is the search's side: one AppendEpoch to the
// running trial of a 1,000-trial study, unread, then while a reader
// reads every trial 4 times a second (a dashboard, or a watch of tune
// trials), then while readers read without pause.
func BenchmarkEpochWhileRead(b *testing.B) {
	for _, reader := range []struct {
		name  string
		pause time.Duration // -1: no reader
	}{{"unread", -1}, {"reads=4/s", 250 * time.Millisecond}, {"reads=flat-out", 0}} {
		b.Run(reader.name, func(b *testing.B) {
			s, path, id := benchStore(b, 1000)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			if reader.pause >= 0 {
				c, err := Dial(path)
				if err != nil {
					b.Fatal(err)
				}
				defer c.Close()
				wg.Go(func() {
					for {
						select {
						case <-stop:
							return
						case <-time.After(reader.pause):
						}
						if _, err := c.Trials(); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			e := 0
			for b.Loop() {
				if err := s.AppendEpoch(id, trials.Epoch{Epoch: e, Metrics: map[string]float64{"loss": 0.5}}); err != nil {
					b.Fatal(err)
				}
				e++
			}
			close(stop)
			wg.Wait()
		})
	}
}

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkServeAfterEpoch is what a reader costs the search's process:
// after each epoch of the running trial, the server's answer to a read of
// every trial.
func BenchmarkServeAfterEpoch(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("trials=%d", n), func(b *testing.B) {
			s, path, id := benchStore(b, n)
			srv, err := Serve(s, filepath.Join(filepath.Dir(path), "other.db")) // a second server, to call directly
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			if _, err := srv.encodedTrials(); err != nil {
				b.Fatal(err)
			}
			e, serve := 0, time.Duration(0)
			for b.Loop() {
				if err := s.AppendEpoch(id, trials.Epoch{Epoch: e, Metrics: map[string]float64{"loss": 0.5}}); err != nil {
					b.Fatal(err)
				}
				e++
				start := cpuTime()
				if _, err := srv.encodedTrials(); err != nil {
					b.Fatal(err)
				}
				serve += cpuTime() - start
			}
			b.ReportMetric(float64(serve.Microseconds())/1e3/float64(b.N), "serve-cpu-ms/op")
		})
	}
}
