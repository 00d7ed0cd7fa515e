package trials

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tunekit/tune/hp"
)

func TestWarmStartStoredWithStudy(t *testing.T) {
	b, err := Open(filepath.Join(t.TempDir(), "study.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	w := &WarmStart{Sources: []WarmSource{
		{Source: "/a", Trials: []SeedTrial{{ID: 4, Status: Completed, Values: hp.Values{"units": 64, "lr": 0.1}, Score: 0.5},
			{ID: 9, Status: Pruned, Values: hp.Values{"units": 32, "lr": 0.01}, Score: 0.7}},
			Skipped: []SkipCount{{Reason: `unknown hyperparameter "x"`, Trials: 2}}},
		{Source: "etcd://h:2379/b", Trials: []SeedTrial{{ID: 1, Status: Completed, Values: hp.Values{"units": 16, "lr": 0.5}, Score: -1}}},
	}}
	st := testStudy(t, 1)
	st.WarmStart = w
	if err := b.Reset(st); err != nil {
		t.Fatal(err)
	}
	got, err := b.Study()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.WarmStart, w) {
		t.Errorf("stored warm start %+v, want %+v", got.WarmStart, w)
	}
	prior := got.WarmStart.Prior()
	if got.WarmStart.Len() != 3 || len(prior) != 3 {
		t.Fatalf("%d seeds, %d prior trials, want 3", got.WarmStart.Len(), len(prior))
	}
	for i, want := range []struct {
		id    int
		s     Status
		score float64
	}{{-3, Completed, 0.5}, {-2, Pruned, 0.7}, {-1, Completed, -1}} {
		if p := prior[i]; p.ID != want.id || p.Status != want.s || *p.Score != want.score {
			t.Errorf("prior trial %d = id %d %s %v, want id %d %s %v", i, p.ID, p.Status, *p.Score, want.id, want.s, want.score)
		}
	}
	if (*WarmStart)(nil).Prior() != nil || (*WarmStart)(nil).Len() != 0 {
		t.Error("a nil warm start has prior trials")
	}
}
