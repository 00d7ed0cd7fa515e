package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// memoryEnv, set in a child's environment (see runChild), makes it write
// its peak memory to standard error as it exits (reportMemory).
const memoryEnv = "TUNE_TEST_REPORT_MEMORY"

// peakMemory is what reportMemory writes: the peak resident set of this
// process since it started (VmHWM; the parent's at fork, which
// getrusage's ru_maxrss would count, is not in it), and HeapSys, the heap
// memory obtained from the system, which never shrinks.
type peakMemory struct {
	RSS  int64 `json:"rss"`
	Heap int64 `json:"heap"`
}

// reportMemory writes this process's peakMemory as JSON on a line of its
// own.
func reportMemory(w io.Writer) {
	var p peakMemory
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for line := range strings.Lines(string(status)) {
			if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 10, 64)
				p.RSS = n << 10
			}
		}
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	p.Heap = int64(m.HeapSys)
	b, _ := json.Marshal(p)
	fmt.Fprintf(w, "\n%s\n", b)
}

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

// childMemory runs tune args in a child process (the test binary
// re-executed as tune) and returns its peak memory. The resident set
// includes the pages of the store file the command read, which bbolt
// maps; the heap is what the command holds.
func childMemory(b *testing.B, args []string) peakMemory {
	b.Helper()
	a, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"="+string(a), memoryEnv+"=1")
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("tune %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	text := strings.TrimSpace(stderr.String())
	var p peakMemory
	if err := json.Unmarshal([]byte(text[strings.LastIndexByte(text, '\n')+1:]), &p); err != nil || p.RSS == 0 {
		b.Fatalf("tune %s: no memory report (%v):\n%s", strings.Join(args, " "), err, text)
	}
	return p
}

// BenchmarkLongTrial runs tune show and tune export on a trial of 10,000
// and of 100,000 epochs: time, CPU time and bytes allocated per command,
// the store's opening included, then the peak resident set and peak heap
// of the same command run once in a process of its own.
func BenchmarkLongTrial(b *testing.B) {
	for _, epochs := range []int{10_000, 100_000} {
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
			args := append(c.args, "--db", path)
			b.Run(fmt.Sprintf("%s/epochs=%d", c.name, epochs), func(b *testing.B) {
				b.ReportAllocs()
				cpu := cpuTime()
				for b.Loop() {
					cmd := NewRootCommand()
					cmd.SetArgs(args)
					cmd.SetOut(io.Discard)
					cmd.SetErr(io.Discard)
					if err := cmd.ExecuteContext(context.Background()); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
				peak := childMemory(b, args)
				b.ReportMetric(float64(peak.RSS)/(1<<20), "peak-rss-MB")
				b.ReportMetric(float64(peak.Heap)/(1<<20), "peak-heap-MB")
			})
		}
	}
}
