package trials

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// testdata/v1.db was written by the version-1 format (histories inside
// the trial records): trial 1 completed with 3 epochs, trial 2 pending
// (requeued) with 2, trial 3 running with 1; each has a 4-byte
// checkpoint.
func TestVersion1StoreOpens(t *testing.T) {
	fixture, err := os.ReadFile("testdata/v1.db")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "study.db")
	if err := os.WriteFile(path, fixture, 0o644); err != nil {
		t.Fatal(err)
	}
	check := func(s *Bolt) []*Trial {
		t.Helper()
		ts, err := s.Trials()
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != 3 {
			t.Fatalf("%d trials, want 3", len(ts))
		}
		for i, tr := range ts {
			want := []Status{Completed, Pending, Running}[i]
			if tr.Status != want || len(tr.History) != 3-i || tr.Values["units"] != 4*(i+1) {
				t.Fatalf("trial %d: %s with %d epochs, values %v", tr.ID, tr.Status, len(tr.History), tr.Values)
			}
			for e, ep := range tr.History {
				if ep.Epoch != e || ep.Metrics["val_loss"] != float64(10*(i+1)+e)+0.5 {
					t.Fatalf("trial %d epoch %d: %+v", tr.ID, e, ep)
				}
			}
			if ck, err := s.Checkpoint(tr.ID); err != nil || ck[0] != byte(i+1) {
				t.Fatalf("trial %d: checkpoint %v, %v", tr.ID, ck, err)
			}
		}
		if st, err := s.Study(); err != nil || st.Seed != 7 {
			t.Fatalf("study %+v, %v", st, err)
		}
		return ts
	}

	// Read-only, the file stays as it is.
	ro, err := Open(path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	before := check(ro)
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	if got := schemaOf(t, path); got != "1" {
		t.Fatalf("a read-only open changed the format version to %s", got)
	}

	// Opened for writing, it moves to version 2 and reads the same.
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	after := check(s)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("the migrated trials differ:\n%+v\n%+v", before, after)
	}
	if err := s.AppendEpoch(3, Epoch{Epoch: 1, Metrics: map[string]float64{"val_loss": 1}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := schemaOf(t, path); got != "2" {
		t.Fatalf("format version %s after a writing open, want 2", got)
	}
	s, err = Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tr, err := s.Trial(3)
	if err != nil || len(tr.History) != 2 || tr.History[1].Metrics["val_loss"] != 1 {
		t.Fatalf("trial 3 after the append: %+v, %v", tr, err)
	}
}

func schemaOf(t *testing.T, path string) string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v string
	_ = db.View(func(tx *bolt.Tx) error {
		v = string(tx.Bucket(bucketMeta).Get(keySchema))
		return nil
	})
	return v
}
