package live

import (
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// fixture is a store a test holds for writing, as a search does, with a
// study and three trials: completed (with a checkpoint), running (two
// epochs, one of them NaN) and pending.
func fixture(t *testing.T, dir string) (*trials.Bolt, string) {
	t.Helper()
	path := filepath.Join(dir, "study.db")
	b, err := trials.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	space, err := hp.NewSpace(hp.Param{Name: "lr", Kind: hp.KindFloat, Min: 1e-4, Max: 1e-1, Sampling: hp.Log})
	if err != nil {
		t.Fatal(err)
	}
	st := &trials.StudyRecord{Objective: goal.Objective{Name: "val_loss", Direction: goal.Minimize}, Oracle: "random", Seed: 7,
		Space: space, Config: json.RawMessage(`{"name":"x"}`), Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if err := b.PutStudy(st); err != nil {
		t.Fatal(err)
	}
	for i, lr := range []float64{0.01, 0.001, 0.05} {
		tr, err := b.Create(&trials.Trial{Values: hp.Values{"lr": lr}})
		if err != nil {
			t.Fatal(err)
		}
		switch i {
		case 0:
			must(t, b.AppendEpoch(tr.ID, trials.Epoch{Epoch: 0, Metrics: map[string]float64{"val_loss": 0.5}}))
			must(t, b.PutCheckpoint(tr.ID, []byte("weights\x00\xff")))
			score := 0.5
			must(t, b.Finish(tr.ID, trials.Result{Status: trials.Completed, Score: &score, Metrics: map[string]float64{"val_loss": 0.5}}))
		case 1:
			must(t, b.AppendEpoch(tr.ID, trials.Epoch{Epoch: 0, Metrics: map[string]float64{"val_loss": 0.9}}))
			must(t, b.AppendEpoch(tr.ID, trials.Epoch{Epoch: 1, Metrics: map[string]float64{"val_loss": math.NaN()}}))
		case 2:
			must(t, b.Requeue(tr.ID, "interrupted"))
		}
	}
	return b, path
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func serve(t *testing.T, b *trials.Bolt, path string) *Server {
	t.Helper()
	s, err := Serve(b, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func dialT(t *testing.T, path string) *Client {
	t.Helper()
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// sameTrials compares through JSON, where NaN equals NaN.
func sameTrials(t *testing.T, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	must(t, err)
	w, err := json.Marshal(want)
	must(t, err)
	if string(g) != string(w) {
		t.Fatalf("read through the socket:\n%s\nthe store holds:\n%s", g, w)
	}
}

func TestClientReadsWhatTheStoreHolds(t *testing.T) {
	b, path := fixture(t, t.TempDir())
	serve(t, b, path)
	c := dialT(t, path)

	st, err := c.Study()
	must(t, err)
	want, _ := b.Study()
	if !reflect.DeepEqual(st, want) {
		t.Fatalf("Study = %+v, want %+v", st, want)
	}
	ts, err := c.Trials()
	must(t, err)
	wantTs, _ := b.Trials()
	sameTrials(t, ts, wantTs)
	if ts[1].Status != trials.Running || len(ts[1].History) != 2 || !math.IsNaN(ts[1].History[1].Metrics["val_loss"]) {
		t.Fatalf("running trial = %+v, want its two epochs, the second NaN", ts[1])
	}
	tr, err := c.Trial(3)
	must(t, err)
	if tr.Status != trials.Pending || tr.Error != "interrupted" {
		t.Fatalf("Trial(3) = %+v", tr)
	}
	ck, err := c.Checkpoint(1)
	must(t, err)
	if string(ck) != "weights\x00\xff" {
		t.Fatalf("Checkpoint(1) = %q", ck)
	}

	// The next epoch of the running trial shows, and the version moves.
	v1, err := c.Version()
	must(t, err)
	must(t, b.AppendEpoch(2, trials.Epoch{Epoch: 2, Metrics: map[string]float64{"val_loss": 0.7}}))
	v2, err := c.Version()
	must(t, err)
	if v2 == v1 {
		t.Fatalf("version %d did not change after an epoch", v1)
	}
	ts, err = c.Trials()
	must(t, err)
	if n := len(ts[1].History); n != 3 {
		t.Fatalf("after a third epoch the running trial shows %d", n)
	}
}

func TestClientErrorsKeepTheirSentinels(t *testing.T) {
	b, path := fixture(t, t.TempDir())
	serve(t, b, path)
	c := dialT(t, path)
	_, err := c.Trial(99)
	if !errors.Is(err, trials.ErrNoTrial) {
		t.Errorf("Trial(99): %v, want ErrNoTrial", err)
	}
	if _, berr := b.Trial(99); err == nil || err.Error() != berr.Error() {
		t.Errorf("Trial(99) says %q, the store %q", err, berr)
	}
	if _, err := c.Checkpoint(2); !errors.Is(err, trials.ErrNoCheckpoint) {
		t.Errorf("Checkpoint(2): %v, want ErrNoCheckpoint", err)
	}
	if _, err := c.Checkpoint(99); !errors.Is(err, trials.ErrNoTrial) && !errors.Is(err, trials.ErrNoCheckpoint) {
		t.Errorf("Checkpoint(99): %v", err)
	}
	writes := map[string]error{
		"PutStudy":    c.PutStudy(&trials.StudyRecord{}),
		"Reset":       c.Reset(&trials.StudyRecord{}),
		"AppendEpoch": c.AppendEpoch(2, trials.Epoch{}),
		"Finish":      c.Finish(2, trials.Result{Status: trials.Failed}),
		"Requeue":     c.Requeue(2, "x"),
	}
	_, writes["Create"] = c.Create(&trials.Trial{})
	_, _, writes["Claim"] = c.Claim()
	_, writes["RequeueRunning"] = c.RequeueRunning()
	writes["PutCheckpoint"] = c.PutCheckpoint(2, []byte("x"))
	called := false
	_, writes["Propose"] = c.Propose(func([]*trials.Trial) (*trials.Trial, error) { called = true; return nil, nil })
	for name, err := range writes {
		if !errors.Is(err, trials.ErrReadOnly) {
			t.Errorf("%s: %v, want ErrReadOnly", name, err)
		}
	}
	if called {
		t.Error("Propose called its function")
	}
	ts, _ := b.Trials()
	if len(ts) != 3 || ts[1].Status != trials.Running || len(ts[1].History) != 2 {
		t.Errorf("the store changed: %+v", ts)
	}
}

func TestNoStudyCrossesTheSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "study.db")
	b, err := trials.Open(path, nil)
	must(t, err)
	defer b.Close()
	serve(t, b, path)
	c := dialT(t, path)
	if _, err := c.Study(); !errors.Is(err, trials.ErrNoStudy) {
		t.Fatalf("Study of an empty store: %v, want ErrNoStudy", err)
	}
	ts, err := c.Trials()
	if err != nil || len(ts) != 0 {
		t.Fatalf("Trials of an empty store = %v, %v", ts, err)
	}
}

func TestOpenUsesTheSocketWhileTheFileIsHeld(t *testing.T) {
	b, path := fixture(t, t.TempDir())

	// Held, not served: ErrLocked after the timeout.
	if _, err := Open(path, 150*time.Millisecond); !errors.Is(err, trials.ErrLocked) {
		t.Fatalf("Open of a held store without a server: %v, want ErrLocked", err)
	}
	if _, err := Dial(path); !errors.Is(err, ErrNoServer) {
		t.Fatalf("Dial without a server: %v, want ErrNoServer", err)
	}

	s := serve(t, b, path)
	r, err := Open(path, 0)
	must(t, err)
	if _, ok := r.(*Client); !ok {
		t.Fatalf("Open of a held, served store gave a %T, want a *Client", r)
	}
	ts, err := r.Trials()
	if err != nil || len(ts) != 3 {
		t.Fatalf("Trials = %d, %v", len(ts), err)
	}
	r.Close()

	must(t, s.Close())
	if _, err := os.Lstat(SocketPath(path)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the socket is left after Close: %v", err)
	}
	must(t, b.Close())
	r, err = Open(path, 0)
	must(t, err)
	defer r.Close()
	if _, ok := r.(*trials.Bolt); !ok {
		t.Fatalf("Open of a free store gave a %T, want the file itself", r)
	}
}

func TestSocketIsTheOwnersAlone(t *testing.T) {
	b, path := fixture(t, t.TempDir())
	s := serve(t, b, path)
	fi, err := os.Lstat(s.Path())
	must(t, err)
	if fi.Mode().Type() != fs.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v, want a socket with 0600", fi.Mode())
	}
	if s.Path() != filepath.Join(filepath.Dir(path), "study.sock") {
		t.Fatalf("socket at %s", s.Path())
	}
	// Nothing is left of the private directory the socket was bound in.
	entries, err := os.ReadDir(filepath.Dir(path))
	must(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "study.db study.sock" {
		t.Fatalf("project directory holds %v", names)
	}
}

func TestStaleSocketIsReplaced(t *testing.T) {
	b, path := fixture(t, t.TempDir())
	// A socket left by a killed process: bound, never removed.
	old, err := net.ListenUnix("unix", &net.UnixAddr{Name: SocketPath(path), Net: "unix"})
	must(t, err)
	old.SetUnlinkOnClose(false)
	old.Close()
	if _, err := Dial(path); !errors.Is(err, ErrNoServer) {
		t.Fatalf("Dial of a stale socket: %v, want ErrNoServer", err)
	}
	serve(t, b, path)
	c := dialT(t, path)
	if _, err := c.Trial(1); err != nil {
		t.Fatal(err)
	}
}

func TestSomethingElseInTheWayIsKept(t *testing.T) {
	b, path := fixture(t, t.TempDir())
	must(t, os.WriteFile(SocketPath(path), []byte("mine"), 0o644))
	if _, err := Serve(b, path); !errors.Is(err, ErrNotSocket) {
		t.Fatalf("Serve over a regular file: %v, want ErrNotSocket", err)
	}
	if data, _ := os.ReadFile(SocketPath(path)); string(data) != "mine" {
		t.Fatalf("the file in the way now holds %q", data)
	}
}

func TestLongProjectPath(t *testing.T) {
	dir := t.TempDir()
	for len(dir) < 160 {
		dir = filepath.Join(dir, "a_rather_long_directory_name")
	}
	must(t, os.MkdirAll(dir, 0o755))
	b, path := fixture(t, dir)
	s := serve(t, b, path)
	if len(s.Path()) <= maxSocketPath {
		t.Fatalf("socket path of %d bytes is not long", len(s.Path()))
	}
	c := dialT(t, path)
	ts, err := c.Trials()
	if err != nil || len(ts) != 3 {
		t.Fatalf("Trials over a %d-byte socket path = %d, %v", len(s.Path()), len(ts), err)
	}
}

func TestSocketPath(t *testing.T) {
	for in, want := range map[string]string{
		"p/study.db": "p/study.sock",
		"p/other":    "p/other.sock",
		"a.b/c.d.db": "a.b/c.d.sock",
	} {
		if got := SocketPath(in); got != want {
			t.Errorf("SocketPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// A Client queues values in the store its server holds, and reads the
// queue; the serving store takes them as its own Enqueue would.
func TestEnqueueCrossesTheSocket(t *testing.T) {
	b, path := fixture(t, t.TempDir())
	serve(t, b, path)
	c := dialT(t, path)
	if q, err := c.Queued(); err != nil || len(q) != 0 {
		t.Fatalf("Queued of an empty queue = %v, %v", q, err)
	}
	must(t, b.Enqueue(hp.Values{"lr": 0.02}))
	must(t, c.Enqueue(hp.Values{"lr": 0.003, "units": 64, "act": "relu"}))
	want := []hp.Values{{"lr": 0.02}, {"lr": 0.003, "units": 64, "act": "relu"}}
	for name, read := range map[string]func() ([]hp.Values, error){"store": b.Queued, "client": c.Queued} {
		got, err := read()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s's queue = %#v, %v\nwant %#v", name, got, err, want)
		}
	}
	// The serving store's next new trial takes the oldest.
	tr, err := b.Propose(func([]*trials.Trial) (*trials.Trial, error) { return &trials.Trial{Values: hp.Values{"lr": 0.09}}, nil })
	if err != nil || tr.Values["lr"] != 0.02 {
		t.Errorf("Propose took %v, %v; want the queued lr 0.02", tr, err)
	}
	if q, _ := c.Queued(); len(q) != 1 {
		t.Errorf("after Propose the client sees %v", q)
	}
}

// onlyReader serves a store's reads and hides its queue.
type onlyReader struct{ Reader }

func TestEnqueueOfAServerWithoutQueue(t *testing.T) {
	b, path := fixture(t, t.TempDir())
	s, err := Serve(onlyReader{b}, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := dialT(t, path)
	if err := c.Enqueue(hp.Values{"lr": 0.01}); !errors.Is(err, trials.ErrReadOnly) {
		t.Errorf("Enqueue: %v, want ErrReadOnly", err)
	}
	if _, err := c.Queued(); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Queued: %v, want ErrUnsupported", err)
	}
	if q, _ := b.Queued(); len(q) != 0 {
		t.Errorf("the store's queue changed: %v", q)
	}
}
