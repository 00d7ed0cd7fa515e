package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/etcdstore/etcdtest"
)

// childEnv holds the arguments (JSON) of the test binary re-executed as
// the tune command; holdEnv, if set, "id path": the child's search holds
// trial id and those after it once they have recorded an epoch, until the
// file at path exists.
const (
	childEnv = "TUNE_TEST_CHILD_ARGS"
	holdEnv  = "TUNE_TEST_HOLD"
)

func runChild(args string) int {
	var a []string
	if err := json.Unmarshal([]byte(args), &a); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if hold, ok := os.LookupEnv(holdEnv); ok {
		var id int
		var path string
		if _, err := fmt.Sscanf(hold, "%d %s", &id, &path); err != nil {
			fmt.Fprintf(os.Stderr, "%s=%q: %v\n", holdEnv, hold, err)
			return 2
		}
		epochHook = func(t *trials.Trial, _ trials.Epoch) {
			for t.ID >= id {
				if _, err := os.Stat(path); err == nil {
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
	}
	code := run(context.Background(), a, os.Stdout, os.Stderr)
	if _, ok := os.LookupEnv(memoryEnv); ok {
		reportMemory(os.Stderr)
	}
	return code
}

// child is a tune command running in another process.
type child struct {
	cmd  *exec.Cmd
	out  strings.Builder
	done chan struct{}
	err  error
}

// startChild runs tune args in a child process: the test binary,
// re-executed as tune, with env added to its environment. The test waits
// for it at its end.
func startChild(t *testing.T, env []string, args ...string) *child {
	t.Helper()
	a, _ := json.Marshal(args)
	c := &child{cmd: exec.Command(os.Args[0]), done: make(chan struct{})}
	c.cmd.Env = append(append(os.Environ(), env...), childEnv+"="+string(a))
	c.cmd.Stdout, c.cmd.Stderr = &c.out, &c.out
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.err = c.cmd.Wait(); close(c.done) }()
	t.Cleanup(func() { c.cmd.Process.Kill(); <-c.done })
	return c
}

func (c *child) running() bool {
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

// wait waits for the child and fails the test if it failed.
func (c *child) wait(t *testing.T) {
	t.Helper()
	<-c.done
	if c.err != nil {
		t.Fatalf("tune %s: %v\n%s", c.cmd.Env[len(c.cmd.Env)-1], c.err, c.out.String())
	}
}

// liveStudy runs for a few seconds: 8 trials of 40 epochs, one at a
// time, so that its trials and scores depend on the seed alone.
var liveStudy = strings.NewReplacer("samples: 120", "samples: 300", "max_trials: 3", "max_trials: 8",
	"epochs: 2", "epochs: 40", "parallel_trials: 2", "parallel_trials: 1").Replace(tinyStudy)

// latencies collects how long reads took, by command.
type latencies map[string][]time.Duration

func (l latencies) String() string {
	var parts []string
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range l {
			if !yield(k) {
				return
			}
		}
	}) {
		d := slices.Clone(l[k])
		slices.Sort(d)
		parts = append(parts, fmt.Sprintf("%s: %d reads, median %v, max %v", k, len(d),
			d[len(d)/2].Round(time.Millisecond), d[len(d)-1].Round(time.Millisecond)))
	}
	return strings.Join(parts, "; ")
}

// TestLiveReads runs a search in another process and, while it runs,
// reads it with every read command from this one: they work, show the
// running trial with its latest epoch, and the search ends with the same
// trials and scores as the same search run unread beside it. The search
// holds its fourth trial after its first epoch until the reads are done,
// so that however slow this process is, it reads a running search. The
// latencies are logged, not asserted.
func TestLiveReads(t *testing.T) {
	readDir, unreadDir := t.TempDir(), t.TempDir()
	config := writeFile(t, readDir, "study.yaml", liveStudy)
	unreadConfig := writeFile(t, unreadDir, "study.yaml", liveStudy)
	input := writeFile(t, readDir, "points.csv", "0.1,0.2\n-0.5,0.4\n")
	readsDone := filepath.Join(t.TempDir(), "reads-done")
	searched := startChild(t, []string{holdEnv + "=4 " + readsDone}, "search", "--config", config, "--quiet")
	unread := startChild(t, nil, "search", "--config", unreadConfig, "--quiet")
	sock := filepath.Join(readDir, "tune_projects", "tiny", "study.sock")
	for searched.running() {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}

	lat := latencies{}
	read := func(args ...string) (string, bool) {
		start := time.Now()
		out, stderr, err := execute(context.Background(), append(args, "--config", config)...)
		d := time.Since(start)
		_, serr := os.Stat(sock)
		live := serr == nil // the search still ran when the read ended
		if err != nil || stderr != "" {
			t.Fatalf("tune %s while a search runs: %v %s", strings.Join(args, " "), err, stderr)
		}
		if live {
			lat[args[0]] = append(lat[args[0]], d)
		}
		return out, live
	}
	dash := startDashboard(t, "--config", config)
	var sawTrials, sawReport, sawDashboard, others bool
	for searched.running() && !(sawTrials && sawReport && sawDashboard && others) {
		out, live := read("trials", "--format", "json")
		var rows []trialRow
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			t.Fatalf("trials json: %v\n%s", err, out)
		}
		running := slices.IndexFunc(rows, func(r trialRow) bool { return r.Status == "running" && r.Epochs > 0 })
		sawTrials = sawTrials || live && running >= 0

		out, live = read("report", "--format", "json", "--all")
		var report []struct {
			ID     int    `json:"id"`
			Status string `json:"status"`
		}
		if err := json.Unmarshal([]byte(out), &report); err != nil {
			t.Fatalf("report json: %v\n%s", err, out)
		}
		sawReport = sawReport || live && slices.IndexFunc(report, func(r struct {
			ID     int    `json:"id"`
			Status string `json:"status"`
		}) bool {
			return r.Status == "running"
		}) >= 0

		_, statuses := dashboardTrials(t, dash)
		_, serr := os.Stat(sock)
		sawDashboard = sawDashboard || serr == nil && slices.Contains(slices.Collect(maps.Values(statuses)), "running")

		// The other read commands, once three trials have completed (for
		// importance) and another runs.
		if !others && running >= 3 {
			id := fmt.Sprint(rows[running].ID)
			out, _ := read("show", id, "--format", "json")
			var shown struct {
				Status  string `json:"status"`
				History []any  `json:"history"`
			}
			if err := json.Unmarshal([]byte(out), &shown); err != nil || len(shown.History) == 0 {
				t.Errorf("show %s of a running trial: %v\n%.300s", id, err, out)
			}
			read("best", "--format", "json")
			read("export", "--format", "json")
			read("plot", "-o", filepath.Join(readDir, "live.png"))
			read("predict", "-i", input)
			read("importance")
			others = true
		}
	}
	if !sawTrials || !sawReport || !sawDashboard {
		t.Errorf("no read showed a running trial (trials %v, report %v, dashboard %v): the search ended first", sawTrials, sawReport, sawDashboard)
	}
	t.Logf("reads while the search ran: %v", lat)
	if err := os.WriteFile(readsDone, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	searched.wait(t)
	unread.wait(t)

	// Read or not, the search found the same trials with the same scores.
	for _, args := range [][]string{{"report", "--format", "json", "--all"}, {"trials", "--format", "json"}} {
		got := untimed(t, mustExecute(t, append(args, "--config", config)...))
		want := untimed(t, mustExecute(t, append(args, "--config", unreadConfig)...))
		if got != want {
			t.Errorf("tune %s of the search that was read:\n%s\nof the one that was not:\n%s", strings.Join(args, " "), got, want)
		}
	}
	if _, err := os.Stat(sock); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the socket is left after the search: %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startDashboard runs tune dashboard args on a free port until the test
// ends, and returns its address.
func startDashboard(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := NewRootCommand()
	var out, errb syncBuffer
	cmd.SetArgs(append([]string{"dashboard", "--addr", "127.0.0.1:0"}, args...))
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("dashboard: %v", err)
		}
	})
	for {
		if addr, ok := strings.CutPrefix(strings.TrimSpace(out.String()), "dashboard: "); ok {
			return strings.TrimSuffix(strings.Fields(addr)[0], "/")
		}
		select {
		case err := <-done:
			t.Fatalf("dashboard ended: %v %s", err, errb.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// dashboardTrials reads a dashboard's trials table API: the total, and
// the statuses by trial id.
func dashboardTrials(t *testing.T, base string) (int, map[int]string) {
	t.Helper()
	resp, err := http.Get(base + "/api/trials?limit=100")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Total int `json:"total"`
		Rows  []struct {
			ID     int    `json:"id"`
			Status string `json:"status"`
		} `json:"rows"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	st := map[int]string{}
	for _, r := range page.Rows {
		st[r.ID] = r.Status
	}
	return page.Total, st
}

// TestDashboardEtcd serves the dashboard of a study kept in etcd.
func TestDashboardEtcd(t *testing.T) {
	c := etcdtest.Start(t, 1)
	url := "etcd://" + c.Hosts() + "/tune/dash"
	config := writeFile(t, t.TempDir(), "study.yaml", tinyStudy)
	mustExecute(t, "search", "--config", config, "--quiet", "--store", url)
	total, statuses := dashboardTrials(t, startDashboard(t, "--store", url))
	if total != 3 || statuses[1] != "completed" || statuses[3] != "completed" {
		t.Errorf("dashboard of the etcd study: %d trials, %v; want 3 completed", total, statuses)
	}
}
