package dashboard

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// xssName and xssError are user strings that would run script if a page
// inserted them as HTML.
const (
	xssName  = `<script>window.__xss=1</script>`
	xssError = `<img src=x onerror="window.__xss=2">boom`
)

// fakeStudy describes a generated project.
type fakeStudy struct {
	n         int  // trials
	epochs    int  // per completed trial
	hyperband bool // trials 2k+1 continue trial 2k-1... (parents and rounds)
	xss       bool // a hyperparameter named xssName, an error xssError
	// objectives, when several, are the study record's: a
	// multi-objective study (val_loss first).
	objectives []goal.Objective
}

func testSpace(t testing.TB, xss bool) *hp.Space {
	t.Helper()
	ps := []hp.Param{
		{Name: "learning_rate", Kind: hp.KindFloat, Min: 1e-4, Max: 1e-1, Sampling: hp.Log},
		{Name: "units", Kind: hp.KindInt, Min: 16, Max: 256, Step: 16},
		{Name: "optimizer", Kind: hp.KindChoice, Values: []any{"adam", "sgd"}},
		{Name: "momentum", Kind: hp.KindFloat, Min: 0, Max: 0.9, Conditions: []hp.Condition{{Parent: "optimizer", Values: []any{"sgd"}}}},
	}
	if xss {
		ps = append(ps, hp.Param{Name: xssName, Kind: hp.KindChoice, Values: []any{"a", "<b>"}})
	}
	s, err := hp.NewSpace(ps...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// genTrials makes f.n trials: mostly completed, with every 10th failed,
// every 10th pruned and the last one running. The objective val_loss
// (minimized) depends on the learning rate only.
func genTrials(t testing.TB, f fakeStudy, space *hp.Space) []*trials.Trial {
	rng := rand.New(rand.NewPCG(1, 1))
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var ts []*trials.Trial
	for i := range f.n {
		v := space.Sample(rng)
		lr := v["learning_rate"].(float64)
		tr := &trials.Trial{ID: i + 1, Status: trials.Completed, Values: v, Started: start.Add(time.Duration(i) * time.Second)}
		tr.Ended = tr.Started.Add(800 * time.Millisecond)
		final := math.Abs(math.Log10(lr)+2.5) + 0.1*rng.Float64()
		for e := range f.epochs {
			loss := final + 1/float64(e+1)
			tr.History = append(tr.History, trials.Epoch{Epoch: e, Metrics: map[string]float64{
				"loss": loss * 0.9, "val_loss": loss, "accuracy": 1 - loss/4, "val_accuracy": 1 - loss/3.5}})
		}
		switch {
		case i == f.n-1:
			tr.Status, tr.Ended = trials.Running, time.Time{}
			tr.History = tr.History[:f.epochs/2]
		case i%10 == 3:
			tr.Status, tr.History = trials.Failed, tr.History[:1]
			tr.Error = "the loss diverged"
			if f.xss {
				tr.Error = xssError
			}
		case i%10 == 7:
			tr.Status, tr.History = trials.Pruned, tr.History[:2]
		}
		if tr.Status == trials.Completed || tr.Status == trials.Pruned {
			best := len(tr.History) - 1
			s := tr.History[best].Metrics["val_loss"]
			tr.Score, tr.BestEpoch, tr.Metrics = &s, best, tr.History[best].Metrics
		}
		if f.hyperband {
			tr.Iteration, tr.Bracket, tr.Round = 0, i%3, i%2
			if i%2 == 1 {
				tr.Parent, tr.InitialEpoch = i, f.epochs/2
			}
		}
		ts = append(ts, tr)
	}
	return ts
}

func testStudy(space *hp.Space) *trials.StudyRecord {
	return &trials.StudyRecord{Objective: goal.Objective{Name: "val_loss", Direction: goal.Minimize}, Oracle: "random",
		Seed: 7, Space: space, Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

// writeProject writes a generated project to dir/study.db directly, in
// one bbolt transaction with the layout trials.Bolt documents, so that
// 10,000 trials take a moment. It returns the store path.
func writeProject(t testing.TB, dir string, f fakeStudy) string {
	t.Helper()
	path := filepath.Join(dir, "study.db")
	s, err := trials.Open(path, nil) // lays out the buckets
	if err != nil {
		t.Fatal(err)
	}
	space := testSpace(t, f.xss)
	rec := testStudy(space)
	rec.Objectives = f.objectives
	if err := s.PutStudy(rec); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o644, &bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ts := genTrials(t, f, space)
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("trials"))
		cp := tx.Bucket([]byte("checkpoints"))
		for _, tr := range ts {
			data, err := json.Marshal(tr)
			if err != nil {
				return err
			}
			key := binary.BigEndian.AppendUint64(nil, uint64(tr.ID))
			if err := b.Put(key, data); err != nil {
				return err
			}
			if tr.Status == trials.Completed && tr.ID <= 3 {
				if err := cp.Put(key, []byte(fmt.Sprintf("weights of trial %d", tr.ID))); err != nil {
					return err
				}
			}
		}
		return b.SetSequence(uint64(len(ts)))
	})
	if err != nil {
		t.Fatal(err)
	}
	return path
}
