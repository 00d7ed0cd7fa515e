package trials

import (
	"testing"
	"time"

	"github.com/tunekit/tune/hp"
)

func TestHistorySync(t *testing.T) {
	at := func(s int) time.Time { return time.Unix(int64(s), 0) }
	a := &Trial{ID: 1, Status: Running, Values: hp.Values{"x": 1}}
	b := &Trial{ID: 2, Status: Failed, Values: hp.Values{"x": 2}, Ended: at(5)}
	c := &Trial{ID: 3, Status: Completed, Values: hp.Values{"x": 2}, Ended: at(3)}
	var h History
	h.Sync([]*Trial{a, b, c})
	if h.Len() != 3 || h.Running() != 1 || !h.Tried(hp.Values{"x": 2}.Key()) || h.Tried(hp.Values{"x": 3}.Key()) {
		t.Fatalf("after the first sync: len %d, running %d", h.Len(), h.Running())
	}
	if e := h.Ended(); len(e) != 2 || e[0] != c || e[1] != b {
		t.Fatalf("ended %v, want trials 3 then 2", e)
	}
	if u := h.Unended(); len(u) != 1 || u[0] != a {
		t.Fatalf("unended %v, want trial 1", u)
	}

	// Trial 1 ends with other values (the space grew); trial 2's record is
	// replaced by an equal copy; trial 4 is new.
	a2 := &Trial{ID: 1, Status: Completed, Values: hp.Values{"x": 3}, Ended: at(9)}
	b2 := *b
	d := &Trial{ID: 4, Status: Pending, Values: hp.Values{"x": 1}}
	h.Sync([]*Trial{a2, &b2, c, d})
	if h.Running() != 0 || !h.Tried(hp.Values{"x": 3}.Key()) || !h.Tried(hp.Values{"x": 1}.Key()) || h.Trial(4) != d || h.Trial(5) != nil {
		t.Fatalf("after the second sync: running %d, tried 3: %v", h.Running(), h.Tried(hp.Values{"x": 3}.Key()))
	}
	if e := h.Ended(); len(e) != 3 || e[0] != c || e[1] != &b2 || e[2] != a2 {
		t.Fatalf("ended %v, want trials 3, 2, 1", e)
	}
	d2 := &Trial{ID: 4, Status: Running, Values: hp.Values{"x": 4}}
	h.Sync([]*Trial{a2, &b2, c, d2})
	if u := h.Unended(); len(u) != 1 || u[0] != d2 {
		t.Fatalf("unended %v, want trial 4", u)
	}
	if h.Tried(hp.Values{"x": 1}.Key()) || h.Running() != 1 {
		t.Fatalf("values x=1 no longer held by any trial but still tried, or running %d", h.Running())
	}

	// A new study (Reset): other trials under the same ids.
	n := &Trial{ID: 1, Status: Running, Values: hp.Values{"x": 7}}
	h.Sync([]*Trial{n})
	if h.Len() != 1 || h.Tried(hp.Values{"x": 3}.Key()) || !h.Tried(hp.Values{"x": 7}.Key()) || len(h.Ended()) != 0 || h.Running() != 1 {
		t.Fatalf("after a reset: len %d, ended %d, running %d", h.Len(), len(h.Ended()), h.Running())
	}
}

// TestLendSharesTheCache checks that Lend and Propose hand out the cached
// trials themselves, which a History then compares by pointer.
func TestLendSharesTheCache(t *testing.T) {
	b, err := Open(t.TempDir()+"/s.db", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for range 3 {
		if _, err := b.Create(&Trial{Values: hp.Values{"x": 1}}); err != nil {
			t.Fatal(err)
		}
	}
	var h History
	if err := b.Lend(func(ts []*Trial) error { h.Sync(ts); return nil }); err != nil {
		t.Fatal(err)
	}
	first := h.Trial(1)
	if err := b.AppendEpoch(2, Epoch{Epoch: 0, Metrics: map[string]float64{"loss": 1}}); err != nil {
		t.Fatal(err)
	}
	_, err = b.Propose(func(ts []*Trial) (*Trial, error) {
		if ts[0] != first {
			t.Error("Propose's history is not the cache's trials")
		}
		h.Sync(ts)
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if h.Trial(1) != first || len(h.Trial(2).History) != 1 {
		t.Fatalf("after the sync: trial 1 replaced, or trial 2 holds %d epochs", len(h.Trial(2).History))
	}
}
