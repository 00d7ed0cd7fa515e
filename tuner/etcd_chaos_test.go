package tuner

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/etcdstore"
	"github.com/tunekit/tune/trials/etcdstore/etcdtest"
)

// The etcd chaos tests run workers in child processes (TestEtcdWorkerChild)
// on one etcd study and kill, stop or cut them off at random instants.

const (
	etcdWorkerEnv = "TUNE_ETCD_WORKER" // kind endpoints prefix name log epoch-delay gate-path gate-hold
	chaosTTL      = 2 * time.Second    // the workers' lease; etcd's minimum with its default tick
	chaosDelay    = 60 * time.Millisecond
)

// chaosOracle is crashOracle with the trial caps of the chaos tests: enough
// work for 30 kills among 3 workers.
func chaosOracle(kind string) (oracle.Oracle, int) {
	if kind == "single" {
		return &oracle.RandomSearch{}, 1
	}
	o, maxTrials, err := crashOracle(kind)
	if err != nil {
		panic(err)
	}
	switch kind {
	case "random":
		maxTrials = 60
	case "bayesian":
		maxTrials = 40
	}
	return o, maxTrials
}

// skipChaos skips the multi-process tests in -short runs and under the race
// detector (whose children would cost CI minutes; the in-process worker
// tests cover the store's concurrency there).
func skipChaos(t *testing.T) {
	t.Helper()
	if testing.Short() || raceEnabled {
		t.Skip("starts worker processes; not under -short or -race")
	}
}

// gate holds a worker's trials with ids above hold before every epoch but
// their first, until the file at path exists: the test opens it when it is
// done with the workers (a study that cannot end before the kills are over,
// a zombie that cannot finish its trial before it is stopped), so that no
// outcome depends on how fast the machine is. The zero gate holds nothing.
type gate struct {
	path string
	hold int
}

func (g gate) String() string {
	if g.path == "" {
		return "- 0"
	}
	return fmt.Sprintf("%s %d", g.path, g.hold)
}

// wait returns once trial id may run its next epoch, or ctx is done.
func (g gate) wait(ctx context.Context, id int) error {
	if g.path == "" || id <= g.hold {
		return nil
	}
	for {
		if _, err := os.Stat(g.path); err == nil {
			return nil
		}
		select {
		case <-time.After(10 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// open lets the held trials go on.
func (g gate) open(t *testing.T) {
	t.Helper()
	if err := os.WriteFile(g.path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

// startLog records, one line per trial attempt started, "id attempt pid".
type startLog struct {
	mu sync.Mutex
	f  *os.File
}

func (l *startLog) TrialStarted(t *trials.Trial) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.f, "%d %d %d\n", t.ID, t.Attempt, os.Getpid())
	_ = l.f.Sync()
}
func (l *startLog) EpochEnded(*trials.Trial, trials.Epoch) {}
func (l *startLog) TrialEnded(*trials.Trial)               {}

// TestEtcdWorkerChild is a worker of the etcd chaos tests; it does nothing
// unless started by one. Its objective is curveObjective's, slower, with
// the process id as a metric of every epoch.
func TestEtcdWorkerChild(t *testing.T) {
	arg := os.Getenv(etcdWorkerEnv)
	if arg == "" {
		return
	}
	f := strings.Fields(arg)
	if len(f) != 8 {
		t.Fatalf("%s=%q", etcdWorkerEnv, arg)
	}
	kind, endpoints, prefix, name, logPath := f[0], strings.Split(f[1], ","), f[2], f[3], f[4]
	delay, err := time.ParseDuration(f[5])
	if err != nil {
		t.Fatal(err)
	}
	var g gate
	if f[6] != "-" {
		g.path = f[6]
		if g.hold, err = strconv.Atoi(f[7]); err != nil {
			t.Fatal(err)
		}
	}
	lf, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	s, err := etcdstore.New(etcdstore.Options{Endpoints: endpoints, Prefix: prefix, Worker: name, TTL: chaosTTL})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	pid := float64(os.Getpid())
	objective := func(ctx context.Context, h *hp.HyperParameters, r *Reporter) (Metrics, error) {
		x1 := h.Float("x1", -5, 10)
		x2 := h.ChoiceFloat("x2", []float64{0, 7.5, 15})
		for e := r.InitialEpoch(); e < r.Epochs(); e++ {
			if e > r.InitialEpoch() {
				if err := g.wait(ctx, r.trial.ID); err != nil {
					return nil, err
				}
			}
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if err := r.Report(e, Metrics{"loss": branin(x1, x2) + 10/float64(e+1), "pid": pid}); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	o, maxTrials := chaosOracle(kind)
	tu, err := New(ObjectiveFunc(objective), Options{Objective: "loss", Oracle: o, MaxTrials: maxTrials, Seed: 11,
		ParallelTrials: 1, Epochs: oraclesEpochs, Store: s, Observer: &startLog{f: lf}})
	if err != nil {
		t.Fatal(err)
	}
	if err := tu.Search(context.Background()); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("worker %s: %s\n", name, tu.StopReason())
}

// worker is one worker child process.
type worker struct {
	name string
	cmd  *exec.Cmd
	out  *bytes.Buffer
	done chan error
}

// startWorker starts a worker child named name on the study at prefix,
// its trials held by g.
func startWorker(t *testing.T, c *etcdtest.Cluster, kind, prefix, name, logPath string, delay time.Duration, g gate) *worker {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestEtcdWorkerChild$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %s %s %s %s %s %s", etcdWorkerEnv, kind,
		strings.Join(c.Endpoints(), ","), prefix, name, logPath, delay, g))
	w := &worker{name: name, cmd: cmd, out: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = w.out, w.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { w.done <- cmd.Wait() }()
	return w
}

// workerGuard bounds the wait for a worker to end its study: a guard
// against a hang, far above what a loaded machine takes.
const workerGuard = 5 * time.Minute

// wait waits for the worker to end the study, and fails the test if it
// failed or takes longer than d (a guard against a hang).
func (w *worker) wait(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case err := <-w.done:
		if err != nil {
			t.Fatalf("worker %s: %v\n%s", w.name, err, w.out)
		}
	case <-time.After(d):
		_ = w.cmd.Process.Kill()
		t.Fatalf("worker %s still running after %s\n%s", w.name, d, w.out)
	}
}

// checkStarts checks the workers' start logs: no trial attempt started
// twice (in one process or two).
func checkStarts(t *testing.T, logPath string) int {
	t.Helper()
	f, err := os.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[[2]int]string{}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var id, attempt, pid int
		if _, err := fmt.Sscanf(sc.Text(), "%d %d %d", &id, &attempt, &pid); err != nil {
			t.Fatalf("start log line %q: %v", sc.Text(), err)
		}
		k := [2]int{id, attempt}
		if prev, ok := seen[k]; ok {
			t.Fatalf("trial %d attempt %d started twice: by %s and by %d", id, attempt, prev, pid)
		}
		seen[k] = fmt.Sprint(pid)
		n++
	}
	return n
}

// checkStudy checks a finished chaos study: ids contiguous and complete
// with their full curves, each epoch written by the process that ran the
// attempt that stands, no values twice, the trial count or Hyperband's
// schedule and promotions.
func checkStudy(t *testing.T, kind string, ts []*trials.Trial) {
	t.Helper()
	checkFullCurves(t, ts)
	distinctValues(t, ts)
	for _, tr := range ts {
		for _, e := range tr.History {
			if e.Metrics["pid"] != tr.History[0].Metrics["pid"] {
				t.Fatalf("trial %d: epochs written by processes %v and %v", tr.ID, tr.History[0].Metrics["pid"], e.Metrics["pid"])
			}
		}
	}
	o, maxTrials := chaosOracle(kind)
	switch kind {
	case "hyperband":
		checkHyperbandSchedule(t, o.(*oracle.Hyperband), ts, 2)
	default:
		if len(ts) != maxTrials {
			t.Fatalf("%d trials, want %d", len(ts), maxTrials)
		}
	}
}

// orphan is a trial attempt whose worker was killed.
type orphan struct {
	id, attempt int
	killed      time.Time
}

// requeueGuard bounds the wait for a killed worker's trial to run again.
// It only keeps a broken requeue from hanging the test: how long the
// requeue takes (a lease, plus seconds on a busy machine) is logged, and
// how many took longer than the lease plus 5 s, not asserted.
const requeueGuard = 3 * time.Minute

// TestEtcdWorkersSurviveSIGKILL: 3 worker processes on one etcd study,
// 30 SIGKILLs of random workers at random instants, each restarted at once.
// Every killed worker's trial runs again (the delays are logged against
// the lease plus 5 s). The study's last trial is held (gate) until the
// kills are over, so the study cannot end before them however the workers
// and this process are scheduled.
func TestEtcdWorkersSurviveSIGKILL(t *testing.T) {
	skipChaos(t)
	c := etcdtest.Start(t, 1)
	const kills = 30
	for _, kind := range []string{"random", "hyperband", "bayesian"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel() // the workers mostly sleep
			prefix := "/tune/chaos-" + kind
			logPath := filepath.Join(t.TempDir(), "starts.log")
			obs, err := etcdstore.New(etcdstore.Options{Endpoints: c.Endpoints(), Prefix: prefix, ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer obs.Close()
			seed := uint64(time.Now().UnixNano())
			t.Logf("kill schedule seed %d", seed)
			rng := rand.New(rand.NewPCG(seed, 0))
			o, total := chaosOracle(kind)
			if h, ok := o.(*oracle.Hyperband); ok {
				total = h.TrialsPerIteration() * h.HyperbandIterations
			}
			g := gate{path: filepath.Join(t.TempDir(), "kills-done"), hold: total - 1}
			workers := make([]*worker, 3)
			for i := range workers {
				workers[i] = startWorker(t, c, kind, prefix, fmt.Sprintf("w%d", i), logPath, chaosDelay, g)
			}
			var mu sync.Mutex
			var delays []time.Duration
			var late int
			var polls sync.WaitGroup
			tracked := map[[2]int]bool{}
			for k := 0; k < kills; k++ {
				time.Sleep(time.Duration(50+rng.IntN(250)) * time.Millisecond)
				i := rng.IntN(len(workers))
				w := workers[i]
				_ = w.cmd.Process.Signal(syscall.SIGKILL)
				err := <-w.done
				killed := time.Now()
				var ee *exec.ExitError
				if !errors.As(err, &ee) || !ee.Sys().(syscall.WaitStatus).Signaled() {
					t.Fatalf("kill %d: worker %s had ended (%v) before it: the study is too short\n%s", k+1, w.name, err, w.out)
				}
				ts, err := obs.Trials()
				if err != nil {
					t.Fatal(err)
				}
				for _, tr := range ts {
					key := [2]int{tr.ID, tr.Attempt}
					if tr.Status != trials.Running || tr.Worker != w.name || tracked[key] {
						continue
					}
					tracked[key] = true
					polls.Add(1)
					go func(o orphan) {
						defer polls.Done()
						d, ok := runningAgain(obs, o, requeueGuard)
						mu.Lock()
						defer mu.Unlock()
						if !ok {
							t.Errorf("trial %d attempt %d not running again %s after the kill", o.id, o.attempt, d)
							return
						}
						delays = append(delays, d)
						if d > chaosTTL+5*time.Second {
							late++
						}
					}(orphan{tr.ID, tr.Attempt, killed})
				}
				workers[i] = startWorker(t, c, kind, prefix, w.name, logPath, chaosDelay, g)
			}
			g.open(t)
			for _, w := range workers {
				w.wait(t, workerGuard)
			}
			polls.Wait()
			if t.Failed() {
				return
			}
			ts, err := obs.Trials()
			if err != nil {
				t.Fatal(err)
			}
			checkStudy(t, kind, ts)
			starts := checkStarts(t, logPath)
			slices.Sort(delays)
			t.Logf("%d trials, %d attempts started, %d kills orphaned %d attempts; requeued and running again after %v (TTL %s; %d later than TTL + 5 s)",
				len(ts), starts, kills, len(delays), summarizeDelays(delays), chaosTTL, late)
		})
	}
}

// TestEtcdZombieWorker: a worker stopped (SIGSTOP) past its lease while it
// runs a trial, then continued, records nothing more for it: the trial's
// record is the one the worker that ran it again wrote, and the zombie
// drops the trial and ends with the study. The zombie's trial is held
// after its first epoch until it has been continued, so that it cannot
// finish before the stop however slow this process is.
func TestEtcdZombieWorker(t *testing.T) {
	skipChaos(t)
	t.Parallel()
	c := etcdtest.Start(t, 1)
	prefix := "/tune/zombie"
	logPath := filepath.Join(t.TempDir(), "starts.log")
	// This store's watch requeues the zombie's trial when its lease ends.
	s, err := etcdstore.New(etcdstore.Options{Endpoints: c.Endpoints(), Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	held := gate{path: filepath.Join(t.TempDir(), "continued")}
	zombie := startWorker(t, c, "single", prefix, "zombie", logPath, 10*time.Millisecond, held)
	defer zombie.cmd.Process.Kill()
	waitTrial(t, s, func(tr *trials.Trial) bool { return len(tr.History) > 0 }, "the zombie's first epoch")
	if err := zombie.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	waitTrial(t, s, func(tr *trials.Trial) bool { return tr.Status == trials.Pending }, "the trial requeued")
	t.Logf("requeued %v after SIGSTOP (TTL %s)", time.Since(stopped).Round(10*time.Millisecond), chaosTTL)
	other := startWorker(t, c, "single", prefix, "other", logPath, 10*time.Millisecond, gate{})
	other.wait(t, workerGuard)
	if err := zombie.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	held.open(t)
	zombie.wait(t, workerGuard)

	ts, err := s.Trials()
	if err != nil {
		t.Fatal(err)
	}
	checkStudy(t, "single", ts)
	tr := ts[0]
	if tr.Worker != "other" || tr.Attempt != 1 || tr.History[0].Metrics["pid"] != float64(other.cmd.Process.Pid) {
		t.Fatalf("trial 1: worker %s, attempt %d, epochs of process %v; want the other worker's (%d), second attempt",
			tr.Worker, tr.Attempt, tr.History[0].Metrics["pid"], other.cmd.Process.Pid)
	}
	if n := checkStarts(t, logPath); n != 2 {
		t.Errorf("%d attempts started, want 2", n)
	}
}

// TestEtcdFailover: a Hyperband study on a 3-member cluster, with 3 worker
// processes given every member's endpoint; the leader is stopped mid-study
// and restarted. The study completes with its whole schedule.
func TestEtcdFailover(t *testing.T) {
	skipChaos(t)
	t.Parallel()
	c := etcdtest.Start(t, 3)
	prefix := "/tune/failover"
	logPath := filepath.Join(t.TempDir(), "starts.log")
	obs, err := etcdstore.New(etcdstore.Options{Endpoints: c.Endpoints(), Prefix: prefix, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer obs.Close()
	var workers []*worker
	for i := range 3 {
		workers = append(workers, startWorker(t, c, "hyperband", prefix, fmt.Sprintf("w%d", i), logPath, chaosDelay, gate{}))
	}
	waitTrial(t, obs, func(tr *trials.Trial) bool { return tr.ID >= 10 }, "trial 10")
	// A busy machine can starve the members into an election: wait it out.
	leader := c.Leader()
	for deadline := time.Now().Add(workerGuard); leader == nil && time.Now().Before(deadline); leader = c.Leader() {
		time.Sleep(20 * time.Millisecond)
	}
	if leader == nil {
		t.Fatalf("no leader after %s", workerGuard)
	}
	leader.Stop()
	time.Sleep(2 * time.Second)
	if err := leader.Restart(); err != nil {
		t.Fatal(err)
	}
	for _, w := range workers {
		w.wait(t, workerGuard)
	}
	ts, err := obs.Trials()
	if err != nil {
		t.Fatal(err)
	}
	checkStudy(t, "hyperband", ts)
	t.Logf("%d trials, %d attempts started", len(ts), checkStarts(t, logPath))
}

// waitTrial polls the last trial of s until ok holds for it.
func waitTrial(t *testing.T, s *etcdstore.Store, ok func(*trials.Trial) bool, what string) {
	t.Helper()
	deadline := time.Now().Add(workerGuard)
	for time.Now().Before(deadline) {
		ts, err := s.Trials()
		if err == nil && len(ts) > 0 && ok(ts[len(ts)-1]) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s after %s", what, workerGuard)
}

// runningAgain polls trial o.id until a later attempt has started (or the
// trial ended), and returns how long after the kill that was seen.
func runningAgain(s *etcdstore.Store, o orphan, limit time.Duration) (time.Duration, bool) {
	for {
		tr, err := s.Trial(o.id)
		if err == nil && (tr.Attempt > o.attempt || tr.Status.Final()) {
			return time.Since(o.killed), true
		}
		if d := time.Since(o.killed); d > limit {
			return d, false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// summarizeDelays returns min, median and max of sorted delays.
func summarizeDelays(d []time.Duration) string {
	if len(d) == 0 {
		return "none"
	}
	r := func(x time.Duration) time.Duration { return x.Round(10 * time.Millisecond) }
	return fmt.Sprintf("min %v, median %v, max %v", r(d[0]), r(d[len(d)/2]), r(d[len(d)-1]))
}
