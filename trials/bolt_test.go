package trials

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	bolt "go.etcd.io/bbolt"
)

// open opens a store and closes it when the test ends.
func open(t *testing.T, path string, opts *Options) *Bolt {
	t.Helper()
	b, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func newStore(t *testing.T) *Bolt {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "study.db"), nil)
}

func testStudy(t *testing.T, seed int64) *StudyRecord {
	t.Helper()
	space, err := hp.NewSpace(
		hp.Param{Name: "units", Kind: hp.KindInt, Min: 32, Max: 512, Step: 32},
		hp.Param{Name: "lr", Kind: hp.KindFloat, Min: 1e-4, Max: 1e-2, Sampling: hp.Log},
		hp.Param{Name: "optimizer", Kind: hp.KindChoice, Values: []any{"adam", "sgd"}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return &StudyRecord{
		Objective:    goal.Objective{Name: "val_loss", Direction: goal.Minimize},
		Oracle:       "random",
		OracleConfig: json.RawMessage(`{"max_trials":10}`),
		Seed:         seed,
		Space:        space,
		Created:      time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC),
	}
}

func mustCreate(t *testing.T, s Store, tr *Trial) *Trial {
	t.Helper()
	got, err := s.Create(tr)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return got
}

func ptr(f float64) *float64 { return &f }

// sameTrial compares trials, with times by Equal and NaN equal to NaN.
func sameTrial(a, b *Trial) bool {
	if a == nil || b == nil {
		return a == b
	}
	if !sameTime(a.Started, b.Started) || !sameTime(a.Ended, b.Ended) {
		return false
	}
	if (a.Score == nil) != (b.Score == nil) || a.Score != nil && !sameFloat(*a.Score, *b.Score) {
		return false
	}
	if !sameMetrics(a.Metrics, b.Metrics) || len(a.History) != len(b.History) {
		return false
	}
	for i := range a.History {
		ea, eb := a.History[i], b.History[i]
		if ea.Execution != eb.Execution || ea.Epoch != eb.Epoch || !sameMetrics(ea.Metrics, eb.Metrics) {
			return false
		}
	}
	x, y := *a, *b
	x.Started, x.Ended, x.Score, x.Metrics, x.History = time.Time{}, time.Time{}, nil, nil, nil
	y.Started, y.Ended, y.Score, y.Metrics, y.History = time.Time{}, time.Time{}, nil, nil, nil
	return reflect.DeepEqual(x, y)
}

// sameTime reports whether a and b are the same instant with the same
// offset from UTC (a zone's name does not survive JSON).
func sameTime(a, b time.Time) bool {
	_, oa := a.Zone()
	_, ob := b.Zone()
	return a.Equal(b) && oa == ob
}

func sameFloat(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }

func sameMetrics(a, b map[string]float64) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !sameFloat(v, w) {
			return false
		}
	}
	return true
}

func TestLifecycle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "study.db") // parents are created
	s := open(t, path, nil)
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	if _, err := s.Study(); !errors.Is(err, ErrNoStudy) {
		t.Fatalf("Study on a new store: err = %v, want ErrNoStudy", err)
	}
	study := testStudy(t, 42)
	if err := s.PutStudy(study); err != nil {
		t.Fatal(err)
	}

	before := time.Now()
	t1 := mustCreate(t, s, &Trial{
		Values:   hp.Values{"units": 64, "lr": 1.0, "optimizer": "adam", "shuffle": true, "big": int64(1) << 40},
		Status:   Completed, // ignored: Create makes it Running
		Schedule: Schedule{Epochs: 10, Bracket: 2, Round: 1},
	})
	if t1.ID != 1 || t1.Status != Running || t1.Started.Before(before.Add(-time.Second)) || !t1.Ended.IsZero() {
		t.Fatalf("created %+v, want id 1, running, started now", t1)
	}
	t2 := mustCreate(t, s, &Trial{Values: hp.Values{"units": 32}, Schedule: Schedule{Parent: 1, InitialEpoch: 3}})
	if t2.ID != 2 {
		t.Fatalf("second trial has id %d, want 2", t2.ID)
	}

	epochs := []Epoch{
		{Epoch: 0, Metrics: map[string]float64{"loss": 0.9, "val_loss": 1.0}},
		{Epoch: 1, Metrics: map[string]float64{"loss": 0.5, "val_loss": 0.7}},
		{Epoch: 2, Metrics: map[string]float64{"loss": math.NaN(), "val_loss": math.Inf(1)}}, // diverged
		{Execution: 1, Epoch: 0, Metrics: map[string]float64{"val_loss": math.Copysign(0, -1)}},
	}
	for _, e := range epochs {
		if err := s.AppendEpoch(1, e); err != nil {
			t.Fatalf("AppendEpoch(1, %v): %v", e, err)
		}
	}
	if err := s.Finish(1, Result{Status: Completed, Score: ptr(0.7), BestEpoch: 1,
		Metrics: map[string]float64{"loss": 0.5, "val_loss": 0.7}}); err != nil {
		t.Fatal(err)
	}
	// A trial that met hyperparameters unknown at its creation records the
	// values it ran with.
	if err := s.Finish(2, Result{Status: Failed, Score: ptr(math.NaN()), Error: "out of memory",
		Values: hp.Values{"units": 32, "dropout": 0.5}}); err != nil {
		t.Fatal(err)
	}
	want, err := s.Trials()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, path, nil)
	got, err := s.Trials()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("after reopening: %d trials, want 2", len(got))
	}
	for i := range got {
		if !sameTrial(got[i], want[i]) {
			t.Errorf("after reopening trial %d = %+v, want %+v", i+1, got[i], want[i])
		}
	}

	g := got[0]
	wantValues := hp.Values{"units": 64, "lr": 1.0, "optimizer": "adam", "shuffle": true, "big": 1 << 40}
	if !reflect.DeepEqual(g.Values, wantValues) {
		t.Errorf("values = %#v, want %#v", g.Values, wantValues)
	}
	if _, ok := g.Values["units"].(int); !ok {
		t.Errorf("units is %T, want int", g.Values["units"])
	}
	if _, ok := g.Values["lr"].(float64); !ok {
		t.Errorf("lr (1.0) is %T, want float64", g.Values["lr"])
	}
	if g.Status != Completed || g.Score == nil || *g.Score != 0.7 || g.BestEpoch != 1 || g.Ended.IsZero() ||
		g.Epochs != 10 || g.Bracket != 2 || g.Round != 1 {
		t.Errorf("trial 1 = %+v", g)
	}
	if !sameTrial(&Trial{History: g.History}, &Trial{History: epochs}) {
		t.Errorf("history = %v, want %v", g.History, epochs)
	}
	if e := g.History[3].Metrics["val_loss"]; !math.Signbit(e) {
		t.Errorf("-0 metric read back as %v", e)
	}
	if ys, vs := g.Curve(0, "val_loss"); !reflect.DeepEqual(ys, []int{0, 1, 2}) || len(vs) != 3 || vs[1] != 0.7 || !math.IsInf(vs[2], 1) {
		t.Errorf("Curve(0, val_loss) = %v, %v", ys, vs)
	}
	if g := got[1]; g.Status != Failed || g.Score == nil || !math.IsNaN(*g.Score) || g.Error != "out of memory" ||
		g.Parent != 1 || g.InitialEpoch != 3 || !reflect.DeepEqual(g.Values, hp.Values{"units": 32, "dropout": 0.5}) {
		t.Errorf("trial 2 = %+v", g)
	}

	st, err := s.Study()
	if err != nil {
		t.Fatal(err)
	}
	if st.Seed != 42 || st.Objective != study.Objective || st.Oracle != "random" ||
		string(st.OracleConfig) != `{"max_trials":10}` || !st.Created.Equal(study.Created) {
		t.Errorf("study = %+v, want %+v", st, study)
	}
	if st.Space == nil || st.Space.String() != study.Space.String() {
		t.Errorf("space = %v, want %v", st.Space, study.Space)
	}
	if p, ok := st.Space.Param("units"); !ok || p.Kind != hp.KindInt || p.Default != 32 {
		t.Errorf("units param after reopening = %+v", p)
	}

	// Ids continue after reopening.
	if t3 := mustCreate(t, s, &Trial{}); t3.ID != 3 || t3.Values == nil {
		t.Errorf("third trial = %+v, want id 3 with empty values", t3)
	}
	// Trial returns the same as Trials.
	if one, err := s.Trial(1); err != nil || !sameTrial(one, want[0]) {
		t.Errorf("Trial(1) = %+v, %v", one, err)
	}
}

func TestCreateErrors(t *testing.T) {
	s := newStore(t)
	if _, err := s.Create(&Trial{Schedule: Schedule{Parent: 7}}); !errors.Is(err, ErrNoTrial) {
		t.Errorf("Create with a missing parent: err = %v, want ErrNoTrial", err)
	}
	if _, err := s.Create(&Trial{Values: hp.Values{"x": []int{1}}}); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("Create with a slice value: err = %v, want an error naming x", err)
	}
	if _, err := s.Create(nil); err == nil {
		t.Error("Create(nil) succeeded")
	}
	// Failed creates use no id.
	if tr := mustCreate(t, s, &Trial{}); tr.ID != 1 {
		t.Errorf("first successful Create got id %d, want 1", tr.ID)
	}
}

func TestClaimRequeue(t *testing.T) {
	s := newStore(t)
	for range 4 {
		mustCreate(t, s, &Trial{Values: hp.Values{"units": 32}})
	}
	if _, ok, err := s.Claim(); ok || err != nil {
		t.Fatalf("Claim with nothing pending: ok=%v err=%v", ok, err)
	}
	for _, id := range []int{1, 2, 3} {
		if err := s.AppendEpoch(id, Epoch{Metrics: map[string]float64{"loss": 1}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutCheckpoint(3, []byte("weights")); err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(1, Result{Status: Completed, Score: ptr(1)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Requeue(3, "worker lost"); err != nil {
		t.Fatal(err)
	}
	if tr, _ := s.Trial(3); tr.Status != Pending || tr.Error != "worker lost" || len(tr.History) != 1 {
		t.Errorf("requeued trial = %+v, want pending, reason kept, history kept", tr)
	}

	// Trials 2 and 4 are still running: after a crash they were interrupted.
	n, err := s.RequeueRunning()
	if err != nil || n != 2 {
		t.Fatalf("RequeueRunning = %d, %v; want 2", n, err)
	}
	ts, _ := s.Trials()
	wantStatus := []Status{Completed, Pending, Pending, Pending}
	wantErr := []string{"", RequeueReason, "worker lost", RequeueReason}
	for i, tr := range ts {
		if tr.Status != wantStatus[i] || tr.Error != wantErr[i] {
			t.Errorf("trial %d: status %s error %q, want %s %q", tr.ID, tr.Status, tr.Error, wantStatus[i], wantErr[i])
		}
	}

	before := time.Now().Add(-time.Second)
	for _, want := range []int{2, 3, 4} { // lowest id first
		tr, ok, err := s.Claim()
		if err != nil || !ok {
			t.Fatalf("Claim: ok=%v err=%v", ok, err)
		}
		if tr.ID != want || tr.Status != Running || tr.Attempt != 1 || tr.History != nil ||
			tr.Error != "" || tr.Score != nil || tr.Started.Before(before) {
			t.Errorf("Claim = %+v, want trial %d running, attempt 1, cleared", tr, want)
		}
		if stored, _ := s.Trial(want); !sameTrial(stored, tr) {
			t.Errorf("stored %+v, Claim returned %+v", stored, tr)
		}
	}
	if _, err := s.Checkpoint(3); !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("checkpoint of a reclaimed trial: err = %v, want ErrNoCheckpoint", err)
	}
	if _, ok, err := s.Claim(); ok || err != nil {
		t.Errorf("Claim with nothing pending: ok=%v err=%v", ok, err)
	}
	if n, err := s.RequeueRunning(); n != 3 || err != nil {
		t.Errorf("RequeueRunning = %d, %v; want 3", n, err)
	}
	if tr, _, _ := s.Claim(); tr.ID != 2 || tr.Attempt != 2 {
		t.Errorf("second Claim of trial 2: %+v, want attempt 2", tr)
	}
}

func TestStateErrors(t *testing.T) {
	s := newStore(t)
	running := mustCreate(t, s, &Trial{}).ID
	completed := mustCreate(t, s, &Trial{}).ID
	pending := mustCreate(t, s, &Trial{}).ID
	if err := s.Finish(completed, Result{Status: Completed}); err != nil {
		t.Fatal(err)
	}
	if err := s.Requeue(pending, "x"); err != nil {
		t.Fatal(err)
	}
	const missing = 99

	tests := []struct {
		name string
		op   func() error
		want error
	}{
		{"append to completed", func() error { return s.AppendEpoch(completed, Epoch{}) }, ErrState},
		{"append to pending", func() error { return s.AppendEpoch(pending, Epoch{}) }, ErrState},
		{"append to missing", func() error { return s.AppendEpoch(missing, Epoch{}) }, ErrNoTrial},
		{"finish completed", func() error { return s.Finish(completed, Result{Status: Failed}) }, ErrState},
		{"finish pending", func() error { return s.Finish(pending, Result{Status: Failed}) }, ErrState},
		{"finish missing", func() error { return s.Finish(missing, Result{Status: Failed}) }, ErrNoTrial},
		{"finish as running", func() error { return s.Finish(running, Result{Status: Running}) }, ErrState},
		{"finish as pending", func() error { return s.Finish(running, Result{Status: Pending}) }, ErrState},
		{"finish with no status", func() error { return s.Finish(running, Result{}) }, ErrState},
		{"finish with unknown status", func() error { return s.Finish(running, Result{Status: "done"}) }, ErrState},
		{"requeue completed", func() error { return s.Requeue(completed, "") }, ErrState},
		{"requeue pending", func() error { return s.Requeue(pending, "") }, ErrState},
		{"requeue missing", func() error { return s.Requeue(missing, "") }, ErrNoTrial},
		{"get missing", func() error { _, err := s.Trial(missing); return err }, ErrNoTrial},
		{"get zero", func() error { _, err := s.Trial(0); return err }, ErrNoTrial},
		{"get negative", func() error { _, err := s.Trial(-1); return err }, ErrNoTrial},
		{"checkpoint of missing", func() error { return s.PutCheckpoint(missing, []byte("w")) }, ErrNoTrial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.op()
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), "trial ") {
				t.Errorf("error %q does not name the trial", err)
			}
		})
	}
	// Nothing changed.
	for id, want := range map[int]Status{running: Running, completed: Completed, pending: Pending} {
		if tr, _ := s.Trial(id); tr.Status != want || tr.History != nil {
			t.Errorf("trial %d = %+v, want %s with no history", id, tr, want)
		}
	}
}

func TestLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "study.db")
	first := open(t, path, nil)
	short := &Options{Timeout: 200 * time.Millisecond}

	for _, opts := range []*Options{short, {Timeout: 200 * time.Millisecond, ReadOnly: true}} {
		start := time.Now()
		_, err := Open(path, opts)
		took := time.Since(start)
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("second Open (read-only %v): err = %v, want ErrLocked", opts.ReadOnly, err)
		}
		if want := "open " + path + ": project is in use by another process"; err.Error() != want {
			t.Errorf("err = %q, want %q", err, want)
		}
		// Only the lower bound holds on a busy machine.
		if took < 100*time.Millisecond {
			t.Errorf("second Open gave up after %v, want at least the 200ms timeout", took)
		}
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	s := open(t, path, short)
	if _, err := s.Create(&Trial{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Readers share the file; a writer waits for them.
	r1 := open(t, path, &Options{ReadOnly: true, Timeout: -1})
	r2 := open(t, path, &Options{ReadOnly: true, Timeout: -1})
	if _, err := Open(path, &Options{Timeout: -1}); !errors.Is(err, ErrLocked) {
		t.Errorf("Open for writing while readers have the store: err = %v, want ErrLocked", err)
	}
	for _, r := range []*Bolt{r1, r2} {
		if ts, err := r.Trials(); err != nil || len(ts) != 1 {
			t.Errorf("reader: Trials = %v, %v", ts, err)
		}
	}
}

func TestReadOnly(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "study.db")
	if _, err := Open(missing, &Options{ReadOnly: true}); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("read-only Open of a missing file: err = %v, want ErrNotExist naming the file", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "no")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("read-only Open created the directory: %v", err)
	}

	path := filepath.Join(dir, "study.db")
	s := open(t, path, nil)
	if err := s.PutStudy(testStudy(t, 1)); err != nil {
		t.Fatal(err)
	}
	id := mustCreate(t, s, &Trial{}).ID
	if err := s.PutCheckpoint(id, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	r := open(t, path, &Options{ReadOnly: true})
	if st, err := r.Study(); err != nil || st.Seed != 1 {
		t.Errorf("Study = %+v, %v", st, err)
	}
	if tr, err := r.Trial(id); err != nil || tr.Status != Running {
		t.Errorf("Trial = %+v, %v", tr, err)
	}
	if c, err := r.Checkpoint(id); err != nil || !bytes.Equal(c, []byte{1, 2, 3}) {
		t.Errorf("Checkpoint = %v, %v", c, err)
	}
	changes := map[string]func() error{
		"PutStudy":       func() error { return r.PutStudy(testStudy(t, 2)) },
		"Reset":          func() error { return r.Reset(testStudy(t, 2)) },
		"Create":         func() error { _, err := r.Create(&Trial{}); return err },
		"Claim":          func() error { _, _, err := r.Claim(); return err },
		"AppendEpoch":    func() error { return r.AppendEpoch(id, Epoch{}) },
		"Finish":         func() error { return r.Finish(id, Result{Status: Completed}) },
		"Requeue":        func() error { return r.Requeue(id, "") },
		"RequeueRunning": func() error { _, err := r.RequeueRunning(); return err },
		"PutCheckpoint":  func() error { return r.PutCheckpoint(id, nil) },
	}
	for name, change := range changes {
		if err := change(); !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s on a read-only store: err = %v, want ErrReadOnly naming the file", name, err)
		}
	}
}

// writeBolt writes a raw bbolt file with fn.
func writeBolt(t *testing.T, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// tuneBuckets lays out a store by hand with the given schema value.
func tuneBuckets(schema string) func(tx *bolt.Tx) error {
	return func(tx *bolt.Tx) error {
		for _, name := range []string{"meta", "trials", "checkpoints"} {
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte(schema))
	}
}

func TestOpenErrors(t *testing.T) {
	random := make([]byte, 64<<10)
	for i := range random {
		random[i] = byte(i*7919 + i>>8)
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
		want  error
		text  []string // in the message besides the path
	}{
		{"text file", func(t *testing.T, path string) {
			os.WriteFile(path, []byte("units: 32\nlr: 0.01\n"), 0o644)
		}, ErrNotStore, nil},
		{"random bytes", func(t *testing.T, path string) {
			os.WriteFile(path, random, 0o644)
		}, ErrNotStore, nil},
		{"bbolt file of another program", func(t *testing.T, path string) {
			writeBolt(t, path, func(tx *bolt.Tx) error {
				_, err := tx.CreateBucket([]byte("widgets"))
				return err
			})
		}, ErrNotStore, []string{`"meta"`}},
		{"newer format", func(t *testing.T, path string) {
			writeBolt(t, path, tuneBuckets("3"))
		}, ErrSchema, []string{"version 3", fmt.Sprintf("version %d", SchemaVersion)}},
		{"older format", func(t *testing.T, path string) {
			writeBolt(t, path, tuneBuckets("0"))
		}, ErrSchema, []string{"version 0", fmt.Sprintf("version %d", SchemaVersion)}},
		{"garbled format version", func(t *testing.T, path string) {
			writeBolt(t, path, tuneBuckets("one"))
		}, ErrCorrupt, []string{`"one"`}},
		{"no format version", func(t *testing.T, path string) {
			writeBolt(t, path, func(tx *bolt.Tx) error {
				_, err := tx.CreateBucket([]byte("meta"))
				return err
			})
		}, ErrCorrupt, nil},
		{"no trials bucket", func(t *testing.T, path string) {
			writeBolt(t, path, func(tx *bolt.Tx) error {
				if err := tuneBuckets("1")(tx); err != nil {
					return err
				}
				return tx.DeleteBucket([]byte("trials"))
			})
		}, ErrCorrupt, []string{`"trials"`}},
		{"empty file, read-only", func(t *testing.T, path string) {
			os.WriteFile(path, nil, 0o644)
		}, ErrNotStore, []string{"empty"}},
		{"directory", func(t *testing.T, path string) {
			os.Mkdir(path, 0o755)
		}, nil, []string{"is a directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "study.db")
			tt.setup(t, path)
			for _, ro := range []bool{true, false} {
				if !ro && strings.HasSuffix(tt.name, "read-only") {
					continue
				}
				s, err := Open(path, &Options{ReadOnly: ro})
				if err == nil {
					s.Close()
					t.Fatalf("Open (read-only %v) succeeded", ro)
				}
				t.Logf("read-only %v: %v", ro, err)
				if tt.want != nil && !errors.Is(err, tt.want) {
					t.Errorf("Open (read-only %v): err = %v, want %v", ro, err, tt.want)
				}
				for _, s := range append(tt.text, path) {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("Open (read-only %v): error %q does not contain %q", ro, err, s)
					}
				}
			}
		})
	}
}

func TestCorruptRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "study.db")
	s := open(t, path, nil)
	for range 3 {
		mustCreate(t, s, &Trial{})
	}
	if err := s.PutStudy(testStudy(t, 1)); err != nil {
		t.Fatal(err)
	}
	s.Close()

	tests := []struct {
		name  string
		key   []byte
		value string
		id    int
	}{
		{"not json", idKey(2), "{not json", 2},
		{"unknown status", idKey(2), `{"id":2,"status":"exploded","values":{}}`, 2},
		{"record of another id", idKey(2), `{"id":3,"status":"running","values":{}}`, 2},
		{"bad value", idKey(2), `{"id":2,"status":"running","values":{"x":[1]}}`, 2},
		{"bad key", []byte("xyz"), `{"id":2,"status":"running","values":{}}`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "study.db")
			data, _ := os.ReadFile(path)
			os.WriteFile(p, data, 0o644)
			writeBolt(t, p, func(tx *bolt.Tx) error {
				return tx.Bucket([]byte("trials")).Put(tt.key, []byte(tt.value))
			})
			s := open(t, p, nil)
			check := func(op string, err error) {
				t.Helper()
				if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), p) {
					t.Errorf("%s: err = %v, want ErrCorrupt naming the file", op, err)
				} else if tt.id != 0 && !strings.Contains(err.Error(), fmt.Sprintf("trial %d:", tt.id)) {
					t.Errorf("%s: error %q does not name trial %d", op, err, tt.id)
				}
			}
			_, err := s.Trials()
			check("Trials", err)
			_, err = s.RequeueRunning()
			check("RequeueRunning", err)
			_, _, err = s.Claim()
			check("Claim", err)
			if tt.id != 0 {
				_, err = s.Trial(tt.id)
				check("Trial", err)
				check("AppendEpoch", s.AppendEpoch(tt.id, Epoch{}))
			}
			if tr, err := s.Trial(1); err != nil || tr.ID != 1 {
				t.Errorf("the sound trial 1: %+v, %v", tr, err)
			}
		})
	}

	t.Run("study", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "study.db")
		data, _ := os.ReadFile(path)
		os.WriteFile(p, data, 0o644)
		writeBolt(t, p, func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("meta")).Put([]byte("study"), []byte(`{"space":[{"name":"x","kind":"nope"}]}`))
		})
		s := open(t, p, nil)
		if _, err := s.Study(); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), p) {
			t.Errorf("Study: err = %v, want ErrCorrupt naming the file", err)
		}
	})
}

func TestConcurrent(t *testing.T) {
	s := newStore(t)
	const workers, perWorker, epochs = 6, 5, 3
	var wg sync.WaitGroup
	ids := make(chan int, workers*perWorker)
	errc := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				tr, err := s.Create(&Trial{Values: hp.Values{"worker": w, "i": i}})
				if err != nil {
					errc <- err
					return
				}
				ids <- tr.ID
				for e := range epochs {
					if err := s.AppendEpoch(tr.ID, Epoch{Epoch: e, Metrics: map[string]float64{"w": float64(w)}}); err != nil {
						errc <- err
						return
					}
				}
				if _, err := s.Trials(); err != nil { // readers alongside writers
					errc <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(ids)
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for id := range ids {
		if seen[id] {
			t.Errorf("id %d given twice", id)
		}
		seen[id] = true
	}
	ts, err := s.Trials()
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != workers*perWorker || len(seen) != workers*perWorker {
		t.Fatalf("%d trials stored, %d ids returned, want %d", len(ts), len(seen), workers*perWorker)
	}
	for i, tr := range ts {
		if tr.ID != i+1 || !seen[tr.ID] {
			t.Errorf("trial at %d has id %d; ids are not 1…%d", i, tr.ID, len(ts))
		}
		w := tr.Values["worker"]
		if len(tr.History) != epochs {
			t.Errorf("trial %d has %d epochs, want %d", tr.ID, len(tr.History), epochs)
		}
		for e, h := range tr.History {
			if h.Epoch != e || h.Metrics["w"] != float64(w.(int)) {
				t.Errorf("trial %d of worker %v: epoch %d = %+v", tr.ID, w, e, h)
			}
		}
	}
}

func TestCheckpoint(t *testing.T) {
	s := newStore(t)
	id := mustCreate(t, s, &Trial{}).ID
	if _, err := s.Checkpoint(id); !errors.Is(err, ErrNoCheckpoint) || errors.Is(err, ErrNoTrial) {
		t.Errorf("Checkpoint before any: err = %v, want ErrNoCheckpoint only", err)
	}
	if _, err := s.Checkpoint(42); !errors.Is(err, ErrNoCheckpoint) || !errors.Is(err, ErrNoTrial) {
		t.Errorf("Checkpoint of a missing trial: err = %v, want ErrNoCheckpoint and ErrNoTrial", err)
	}
	big := bytes.Repeat([]byte("weights!"), 64<<10) // 512 KiB: overflow pages
	for _, data := range [][]byte{[]byte("v1"), big, {}} {
		if err := s.PutCheckpoint(id, data); err != nil {
			t.Fatal(err)
		}
		got, err := s.Checkpoint(id)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) || got == nil {
			t.Errorf("Checkpoint returned %d bytes, want %d", len(got), len(data))
		}
	}
	if err := s.PutCheckpoint(id, big); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Checkpoint(id)
	// The copy outlives the transaction and later writes.
	for range 3 {
		if err := s.PutCheckpoint(id, []byte("overwritten")); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got, big) {
		t.Error("a returned checkpoint changed after later writes")
	}
	// Finished trials keep their checkpoint.
	if err := s.Finish(id, Result{Status: Completed}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Checkpoint(id); err != nil || string(got) != "overwritten" {
		t.Errorf("after Finish: %q, %v", got, err)
	}
}

func TestReset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "study.db")
	s := open(t, path, nil)
	if err := s.PutStudy(testStudy(t, 1)); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		id := mustCreate(t, s, &Trial{}).ID
		if err := s.PutCheckpoint(id, []byte("w")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Reset(testStudy(t, 2)); err != nil {
		t.Fatal(err)
	}
	if ts, err := s.Trials(); err != nil || len(ts) != 0 {
		t.Errorf("after Reset: Trials = %v, %v", ts, err)
	}
	if _, err := s.Checkpoint(1); !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("after Reset: Checkpoint(1) err = %v", err)
	}
	if st, err := s.Study(); err != nil || st.Seed != 2 {
		t.Errorf("after Reset: Study = %+v, %v", st, err)
	}
	// A new study numbers its trials from 1, also after reopening.
	if tr := mustCreate(t, s, &Trial{}); tr.ID != 1 {
		t.Errorf("first trial after Reset has id %d, want 1", tr.ID)
	}
	if _, err := s.Checkpoint(1); !errors.Is(err, ErrNoCheckpoint) || errors.Is(err, ErrNoTrial) {
		t.Errorf("the new trial 1 has the old checkpoint: err = %v", err)
	}
	s.Close()
	s = open(t, path, nil)
	if tr := mustCreate(t, s, &Trial{}); tr.ID != 2 {
		t.Errorf("next trial after reopening has id %d, want 2", tr.ID)
	}
	// PutStudy leaves the trials alone.
	if err := s.PutStudy(testStudy(t, 3)); err != nil {
		t.Fatal(err)
	}
	if ts, _ := s.Trials(); len(ts) != 2 {
		t.Errorf("PutStudy changed the trials: %d left", len(ts))
	}
}

func TestEmptyReadOnly(t *testing.T) {
	// A bbolt file with nothing in it reads as an empty store.
	path := filepath.Join(t.TempDir(), "study.db")
	writeBolt(t, path, func(*bolt.Tx) error { return nil })
	r := open(t, path, &Options{ReadOnly: true})
	if _, err := r.Study(); !errors.Is(err, ErrNoStudy) {
		t.Errorf("Study: %v", err)
	}
	if ts, err := r.Trials(); err != nil || len(ts) != 0 {
		t.Errorf("Trials = %v, %v", ts, err)
	}
	if _, err := r.Trial(1); !errors.Is(err, ErrNoTrial) {
		t.Errorf("Trial: %v", err)
	}
	if _, err := r.Checkpoint(1); !errors.Is(err, ErrNoCheckpoint) {
		t.Errorf("Checkpoint: %v", err)
	}
	r.Close()
	// Opened for writing, it is laid out; so is a zero-byte file (a crash
	// between creating the file and laying it out).
	zero := filepath.Join(t.TempDir(), "zero.db")
	if err := os.WriteFile(zero, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, zero} {
		s := open(t, p, nil)
		if tr := mustCreate(t, s, &Trial{}); tr.ID != 1 {
			t.Errorf("%s: first id %d", p, tr.ID)
		}
	}
}

func TestClosed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "study.db")
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Trials(); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Trials after Close: err = %v, want an error naming the file", err)
	}
	if _, err := s.Create(&Trial{}); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Create after Close: err = %v, want an error naming the file", err)
	}
}
