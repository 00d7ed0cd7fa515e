package trials

import (
	"errors"
	"maps"
	"math"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/tunekit/tune/hp"
)

// streamFixture writes a store holding trial 1 with three epochs over two
// executions and trial 2 with none, and returns its path.
func streamFixture(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "study.db")
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutStudy(testStudy(t, 1)); err != nil {
		t.Fatal(err)
	}
	hist := []Epoch{
		{Epoch: 0, Metrics: map[string]float64{"loss": 3, "val_loss": 4}},
		{Epoch: 1, Metrics: map[string]float64{"loss": 2}},
		{Execution: 1, Epoch: 0, Metrics: map[string]float64{"loss": 1}},
	}
	mustCreate(t, s, &Trial{Values: hp.Values{"units": 64}, Schedule: Schedule{Epochs: 2}, History: hist})
	mustCreate(t, s, &Trial{Values: hp.Values{"units": 96}})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func collectEpochs(t *testing.T, s EpochStreamer, id int) []Epoch {
	t.Helper()
	var got []Epoch
	err := s.EachEpoch(id, func(e Epoch) error {
		e.Metrics = maps.Clone(e.Metrics) // valid until fn returns
		got = append(got, e)
		return nil
	})
	if err != nil {
		t.Fatalf("EachEpoch(%d): %v", id, err)
	}
	return got
}

func sameEpochs(a, b []Epoch) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Execution != b[i].Execution || a[i].Epoch != b[i].Epoch || !sameMetrics(a[i].Metrics, b[i].Metrics) {
			return false
		}
	}
	return true
}

func TestEachEpochStreamsWhatTrialsHold(t *testing.T) {
	path := streamFixture(t)
	for _, readOnly := range []bool{true, false} {
		s := open(t, path, &Options{ReadOnly: readOnly})
		sum, err := s.Summaries()
		if err != nil {
			t.Fatal(err)
		}
		if len(sum) != 2 || sum[0].ID != 1 || sum[1].ID != 2 || sum[0].History != nil || sum[0].Values["units"] != 64 {
			t.Fatalf("read-only %v: Summaries = %+v, want trials 1 and 2 without history", readOnly, sum)
		}
		// Streamed before and after the whole history is read.
		first := collectEpochs(t, s, 1)
		all, err := s.Trials()
		if err != nil {
			t.Fatal(err)
		}
		if !sameEpochs(first, all[0].History) || len(first) != 3 || first[2].Execution != 1 {
			t.Errorf("read-only %v: EachEpoch = %+v, Trials holds %+v", readOnly, first, all[0].History)
		}
		if again := collectEpochs(t, s, 1); !sameEpochs(again, first) {
			t.Errorf("read-only %v: EachEpoch after Trials = %+v, want %+v", readOnly, again, first)
		}
		if got := collectEpochs(t, s, 2); len(got) != 0 {
			t.Errorf("read-only %v: trial 2 streamed %+v, want nothing", readOnly, got)
		}
		if err := s.EachEpoch(3, func(Epoch) error { return nil }); !errors.Is(err, ErrNoTrial) {
			t.Errorf("read-only %v: EachEpoch(3) = %v, want ErrNoTrial", readOnly, err)
		}
		stop := errors.New("stop")
		n := 0
		err = s.EachEpoch(1, func(Epoch) error { n++; return stop })
		if err != stop || n != 1 {
			t.Errorf("read-only %v: EachEpoch stopped with %v after %d epochs, want stop after 1", readOnly, err, n)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestEachEpochReportsADamagedRecord(t *testing.T) {
	path := streamFixture(t)
	writeBolt(t, path, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketEpochs).Bucket(idKey(1)).Put(idKey(1), []byte("{"))
	})
	s := open(t, path, &Options{ReadOnly: true})
	n := 0
	err := s.EachEpoch(1, func(Epoch) error { n++; return nil })
	if !errors.Is(err, ErrCorrupt) || n != 1 {
		t.Errorf("EachEpoch = %v after %d epochs, want ErrCorrupt after 1", err, n)
	}
	if _, err := s.Trials(); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Trials = %v, want ErrCorrupt", err)
	}
	if tr, err := s.Trial(2); err != nil || tr.ID != 2 {
		t.Errorf("Trial(2) = %v, %v; want the sound trial", tr, err)
	}
	if err := s.EachEpoch(1, func(Epoch) error { return nil }); !errors.Is(err, ErrCorrupt) {
		t.Errorf("EachEpoch once the epochs are read = %v, want ErrCorrupt", err)
	}
}

// TestEachEpochMemoryDoesNotGrowWithTheHistory streams a history of 100
// and of 2,000 epochs from a read-only store: the allocations of a stream
// (a count, which load cannot change) are the same for both, so what a
// stream holds is bounded whatever the history's length.
func TestEachEpochMemoryDoesNotGrowWithTheHistory(t *testing.T) {
	allocs := map[int]float64{}
	for _, epochs := range []int{100, 2000} {
		path := filepath.Join(t.TempDir(), "study.db")
		s := open(t, path, nil)
		if err := s.PutStudy(testStudy(t, 1)); err != nil {
			t.Fatal(err)
		}
		hist := make([]Epoch, epochs)
		for i := range hist {
			v := 1 / float64(i+1)
			hist[i] = Epoch{Epoch: i, Metrics: map[string]float64{"loss": v, "val_loss": -v, "accuracy": 1 - v, "val_accuracy": math.NaN()}}
		}
		mustCreate(t, s, &Trial{Values: hp.Values{"units": 64}, History: hist})
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s = open(t, path, &Options{ReadOnly: true})
		n := 0
		stream := func() {
			n = 0
			err := s.EachEpoch(1, func(e Epoch) error {
				if e.Epoch != n || len(e.Metrics) != 4 || e.Metrics["val_loss"] != -1/float64(n+1) {
					t.Fatalf("epoch %d: %+v", n, e)
				}
				n++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		allocs[epochs] = testing.AllocsPerRun(3, stream)
		if n != epochs {
			t.Fatalf("streamed %d epochs of %d", n, epochs)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if allocs[2000] > allocs[100] {
		t.Errorf("streaming 2,000 epochs allocates %.0f times, 100 epochs %.0f: a stream grows with its history", allocs[2000], allocs[100])
	}
}
