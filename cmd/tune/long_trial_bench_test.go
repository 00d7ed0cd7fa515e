package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// longTrialStore writes a store holding one completed trial of the given
// number of epochs, each with four metrics.
func longTrialStore(b *testing.B, epochs int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "study.db")
	s, err := trials.Open(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	h := hp.New()
	h.Int("units", 4, 32)
	err = s.PutStudy(&trials.StudyRecord{Objective: goal.Objective{Name: "val_loss", Direction: goal.Minimize},
		Oracle: "random", Seed: 1, Space: h.Space(), Created: time.Now().UTC()})
	if err != nil {
		b.Fatal(err)
	}
	hist := make([]trials.Epoch, epochs)
	for i := range hist {
		v := 1 / float64(i+1)
		hist[i] = trials.Epoch{Epoch: i, Metrics: map[string]float64{"loss": v, "val_loss": v + 0.01, "accuracy": 1 - v, "val_accuracy": 0.99 - v}}
	}
	tr, err := s.Create(&trials.Trial{Values: hp.Values{"units": 8}, Schedule: trials.Schedule{Epochs: epochs}, History: hist})
	if err != nil {
		b.Fatal(err)
	}
	score := hist[epochs-1].Metrics["val_loss"]
	if err := s.Finish(tr.ID, trials.Result{Status: trials.Completed, Score: &score, BestEpoch: epochs - 1, Metrics: hist[epochs-1].Metrics}); err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
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

// BenchmarkLongTrial runs tune show and tune export on a trial of 100,000
// epochs: time, CPU time and bytes allocated per command, the store's opening
// included.
func BenchmarkLongTrial(b *testing.B) {
	const epochs = 100_000
	path := longTrialStore(b, epochs)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"show", []string{"show", "1"}},
		{"show-json", []string{"show", "1", "--format", "json"}},
		{"export-csv", []string{"export", "-o", "-"}},
		{"export-json", []string{"export", "-o", "-", "--format", "json"}},
	} {
		b.Run(fmt.Sprintf("%s/epochs=%d", c.name, epochs), func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				cmd := NewRootCommand()
				cmd.SetArgs(append(c.args, "--db", path))
				cmd.SetOut(io.Discard)
				cmd.SetErr(io.Discard)
				if err := cmd.ExecuteContext(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}
