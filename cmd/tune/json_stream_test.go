package main

import (
	"bytes"
	"encoding/csv"
	"math"
	"slices"
	"strconv"
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

// TestExportCSVAsEncodingCSVWrites checks writeExportCSV, which appends
// each epoch's numbers to its trial's cells encoded once, against every
// record written whole by encoding/csv.
func TestExportCSVAsEncodingCSVWrites(t *testing.T) {
	score := math.Inf(-1)
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	ts := []*trials.Trial{
		{ID: 1, Status: trials.Completed, Values: hp.Values{"units": 8, "act": `a,"b"`}, Score: &score, BestEpoch: 1,
			Started: start, Ended: start.Add(1500 * time.Millisecond), History: []trials.Epoch{
				{Epoch: 0, Metrics: map[string]float64{"loss": math.NaN(), "val_loss": 0.5}},
				{Epoch: 1, Metrics: map[string]float64{"loss": 1e-300, "val_loss": math.Inf(-1)}},
				{Execution: 1, Epoch: 0, Metrics: map[string]float64{"acc": -0.125}},
			}},
		{ID: 2, Status: trials.Failed, Error: "bad, \"thing\"\nhere", Values: hp.Values{"units": 16}, Started: start},
		{ID: 3, Status: trials.Running, Values: hp.Values{"act": " lead"}, Started: start,
			History: []trials.Epoch{{Epoch: 0, Metrics: map[string]float64{"loss": 2}}}},
	}
	h := hp.New()
	h.Int("units", 4, 32)
	p := &project{study: &trials.StudyRecord{Objective: goal.Objective{Name: "val_loss", Direction: goal.Minimize}, Space: h.Space()}, trials: ts}
	var got bytes.Buffer
	if err := writeExportCSV(&got, p); err != nil {
		t.Fatal(err)
	}
	names := valueNames(allValues(p), p.paramNames())
	metrics, err := p.metricNames()
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	cw := csv.NewWriter(&want)
	cw.Write(slices.Concat([]string{"trial", "status", "score", "best_epoch", "attempt", "seconds", "error"}, names, []string{"execution", "epoch"}, metrics))
	for _, tr := range ts {
		s, e := scoreCSV(tr.Score, scoredEpoch(tr))
		head := appendValuesCSV([]string{strconv.Itoa(tr.ID), string(tr.Status), s, e, strconv.Itoa(tr.Attempt),
			strconv.FormatFloat(duration(tr).Seconds(), 'f', 3, 64), oneLine(tr.Error)}, tr.Values, names)
		if len(tr.History) == 0 {
			cw.Write(append(head, make([]string, 2+len(metrics))...))
		}
		for _, ep := range tr.History {
			rec := append(slices.Clone(head), strconv.Itoa(ep.Execution), strconv.Itoa(ep.Epoch+1))
			for _, m := range metrics {
				cell := ""
				if v, ok := ep.Metrics[m]; ok {
					cell = strconv.FormatFloat(v, 'g', -1, 64)
				}
				rec = append(rec, cell)
			}
			cw.Write(rec)
		}
	}
	cw.Flush()
	if got.String() != want.String() {
		t.Errorf("export csv:\n%s\nwant\n%s", got.String(), want.String())
	}
}
