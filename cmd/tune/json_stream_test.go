package main

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// oneBasedEpochs returns copies of ts with the epochs of their histories
// and their best epochs counted from 1.
func oneBasedEpochs(ts []*trials.Trial) []*trials.Trial {
	out := make([]*trials.Trial, len(ts))
	for i, t := range ts {
		c := *t
		c.History = make([]trials.Epoch, len(t.History))
		for j, e := range t.History {
			e.Epoch++
			c.History[j] = e
		}
		if c.Score != nil {
			c.BestEpoch++
		}
		out[i] = &c
	}
	return out
}

func TestJSONStreamsAsWriteJSONWrites(t *testing.T) {
	score := 0.25
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	ts := []*trials.Trial{
		{ID: 1, Status: trials.Completed, Values: hp.Values{"units": 8, "act": "<relu>&"}, Score: &score, BestEpoch: 1,
			Metrics: map[string]float64{"val_loss": 0.25}, Started: start, Ended: start.Add(time.Second), Worker: "w",
			History: []trials.Epoch{
				{Epoch: 0, Metrics: map[string]float64{"loss": math.NaN(), "val_loss": 0.5}},
				{Epoch: 1, Metrics: map[string]float64{"loss": 1, "val_loss": 0.25}},
				{Execution: 1, Epoch: 0, Metrics: map[string]float64{"history": 3}},
			}},
		{ID: 2, Status: trials.Failed, Error: "bad\nthing \"history\": [", Values: hp.Values{"history": 1}, Started: start},
		{ID: 3, Status: trials.Running, Started: start, History: []trials.Epoch{{Epoch: 0, Metrics: map[string]float64{"loss": 2}}}},
	}
	for _, tr := range ts {
		var got, want bytes.Buffer
		if err := writeShowJSON(&got, &project{}, tr); err != nil {
			t.Fatal(err)
		}
		if err := writeJSON(&want, tr); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("show json of trial %d:\n%s\nwant\n%s", tr.ID, got.String(), want.String())
		}
	}
	h := hp.New()
	h.Int("units", 4, 32)
	doc := exportJSON{Objective: "val_loss", Direction: goal.Minimize, Oracle: "random", Seed: 7, Space: h.Space(),
		Objectives: []goal.Objective{{Name: "val_loss", Direction: goal.Minimize}, {Name: "trials", Direction: goal.Maximize}}, ParetoFront: []int{1}}
	var got, want bytes.Buffer
	stream := doc
	stream.Trials = []*trials.Trial{}
	if err := writeTrialsJSON(&got, &project{}, stream, ts, 1); err != nil {
		t.Fatal(err)
	}
	doc.Trials = oneBasedEpochs(ts)
	if err := writeJSON(&want, doc); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("export json:\n%s\nwant\n%s", got.String(), want.String())
	}
}
