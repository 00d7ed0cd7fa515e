package trials_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

func Example() {
	dir, err := os.MkdirTemp("", "tune-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	store, err := trials.Open(filepath.Join(dir, "my_project", "study.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	study := &trials.StudyRecord{Objective: goal.Objective{Name: "val_loss", Direction: goal.Minimize}, Oracle: "random", Seed: 1}
	if err := store.PutStudy(study); err != nil {
		log.Fatal(err)
	}

	for _, units := range []int{32, 64} {
		t, err := store.Create(&trials.Trial{Values: hp.Values{"units": units, "lr": 0.01}})
		if err != nil {
			log.Fatal(err)
		}
		for epoch := range 2 {
			loss := 10 / float64(units*(epoch+1))
			if err := store.AppendEpoch(t.ID, trials.Epoch{Epoch: epoch, Metrics: map[string]float64{"val_loss": loss}}); err != nil {
				log.Fatal(err)
			}
		}
		score := 10 / float64(units*2)
		if err := store.Finish(t.ID, trials.Result{Status: trials.Completed, Score: &score, BestEpoch: 1}); err != nil {
			log.Fatal(err)
		}
	}

	all, err := store.Trials()
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range all {
		fmt.Printf("trial %d %s %v epochs=%d score=%.3f\n", t.ID, t.Status, t.Values, len(t.History), *t.Score)
	}
	// Output:
	// trial 1 completed lr=0.01 units=32 epochs=2 score=0.156
	// trial 2 completed lr=0.01 units=64 epochs=2 score=0.078
}
