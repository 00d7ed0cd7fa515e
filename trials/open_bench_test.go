package trials

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
)

// largeStore writes a store of n completed trials of epochs epochs each,
// with a small checkpoint for every tenth, in one transaction, and
// returns its path.
func largeStore(b *testing.B, n, epochs int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "study.db")
	s, err := Open(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	err = s.PutStudy(&StudyRecord{Objective: goal.Objective{Name: "val_loss", Direction: goal.Minimize}, Oracle: "random", Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	db, err := bolt.Open(path, 0o644, &bolt.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	started := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	err = db.Update(func(tx *bolt.Tx) error {
		tb, eb, cb := tx.Bucket(bucketTrials), tx.Bucket(bucketEpochs), tx.Bucket(bucketCheckpoints)
		for id := 1; id <= n; id++ {
			score := rng.Float64()
			t := &Trial{ID: id, Status: Completed, Values: hp.Values{"units": 32 * (1 + rng.IntN(16)), "lr": rng.Float64()},
				Schedule: Schedule{Epochs: epochs}, Score: &score, BestEpoch: epochs - 1,
				Metrics: map[string]float64{"loss": score, "val_loss": score}, Started: started, Ended: started.Add(time.Second)}
			data, err := encodeTrial(t)
			if err != nil {
				return err
			}
			if err := tb.Put(idKey(id), data); err != nil {
				return err
			}
			bk, err := eb.CreateBucket(idKey(id))
			if err != nil {
				return err
			}
			for e := range epochs {
				ep := Epoch{Epoch: e, Metrics: map[string]float64{"loss": rng.Float64(), "val_loss": rng.Float64()}}
				if err := bk.Put(idKey(e), ep.AppendJSON(nil)); err != nil {
					return err
				}
			}
			if id%10 == 0 {
				if err := cb.Put(idKey(id), make([]byte, 2000)); err != nil {
					return err
				}
			}
		}
		return tb.SetSequence(uint64(n))
	})
	if err != nil {
		b.Fatal(err)
	}
	return path
}

// cpuTime is the CPU time this process has used: on a busy machine a
// steadier figure than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkOpen opens a store of 10,000 trials of 10 epochs and reads
// from it: the study alone, one trial, or every trial. Read-only, first
// as a process that has not opened the store before (a read command),
// then again (each dashboard request); and for writing (a resumed
// search).
func BenchmarkOpen(b *testing.B) {
	const n = 10_000
	path := largeStore(b, n, 10)
	reads := []struct {
		name string
		read func(s *Bolt) error
	}{
		{"study", func(s *Bolt) error { _, err := s.Study(); return err }},
		{"trial", func(s *Bolt) error {
			t, err := s.Trial(n / 2)
			if err == nil && len(t.History) != 10 {
				err = fmt.Errorf("trial %d has %d epochs", t.ID, len(t.History))
			}
			return err
		}},
		{"trials", func(s *Bolt) error {
			ts, err := s.Trials()
			if err == nil && (len(ts) != n || len(ts[n-1].History) != 10) {
				err = fmt.Errorf("%d trials", len(ts))
			}
			return err
		}},
	}
	for _, mode := range []struct {
		name     string
		readOnly bool
		again    bool
	}{{"read-only", true, false}, {"read-only-again", true, true}, {"writable", false, false}} {
		for _, r := range reads {
			b.Run(fmt.Sprintf("%s/%s/trials=%d", mode.name, r.name, n), func(b *testing.B) {
				b.ReportAllocs()
				cpu := cpuTime()
				for b.Loop() {
					if !mode.again {
						soundFiles.forget(path)
					}
					s, err := Open(path, &Options{ReadOnly: mode.readOnly})
					if err != nil {
						b.Fatal(err)
					}
					err = r.read(s)
					if cerr := s.Close(); err == nil {
						err = cerr
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
			})
		}
	}
}
