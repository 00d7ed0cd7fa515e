package main

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/trials"
)

// tabwriterCurves is how show wrote curves before they streamed: the
// whole history through text/tabwriter. writeCurves must match it byte
// for byte.
func tabwriterCurves(t *trials.Trial, o goal.Objective) string {
	var w bytes.Buffer
	executions := 0
	for _, e := range t.History {
		executions = max(executions, e.Execution+1)
	}
	if executions == 0 {
		return "\nNo epoch logged.\n"
	}
	names := metricNames([]*trials.Trial{{History: t.History}})
	for ex := range executions {
		fmt.Fprintln(&w)
		if executions > 1 {
			fmt.Fprintf(&w, "Execution %d\n", ex+1)
		}
		_, objs := t.Curve(ex, o.Name)
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range objs {
			lo, hi = min(lo, v), max(hi, v)
		}
		tw := tabwriter.NewWriter(&w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "epoch\t")
		for _, n := range names {
			fmt.Fprintf(tw, "%s\t", n)
		}
		fmt.Fprintln(tw, "")
		for _, e := range t.History {
			if e.Execution != ex {
				continue
			}
			fmt.Fprintf(tw, "%d\t", e.Epoch+1)
			for _, n := range names {
				if v, ok := e.Metrics[n]; ok {
					fmt.Fprintf(tw, "%s\t", formatMetric(v))
				} else {
					fmt.Fprint(tw, "-\t")
				}
			}
			mark := ""
			if v, ok := e.Metrics[o.Name]; ok {
				mark = " " + bar(v, lo, hi, o.Direction)
			}
			if t.Score != nil && e.Epoch == t.BestEpoch {
				mark += " ← best"
			}
			fmt.Fprintln(tw, strings.TrimRight(mark, " "))
		}
		tw.Flush()
	}
	return w.String()
}

func TestCurvesMatchTabwriter(t *testing.T) {
	score := 0.5
	o := goal.Objective{Name: "val_loss", Direction: goal.Minimize}
	for _, tr := range []*trials.Trial{
		{ID: 1},
		{ID: 2, Score: &score, BestEpoch: 1, History: []trials.Epoch{
			{Epoch: 0, Metrics: map[string]float64{"loss": 12345.678, "val_loss": 0.9, "a_very_long_metric_name": 1}},
			{Epoch: 1, Metrics: map[string]float64{"loss": 0.0001, "val_loss": 0.5}},
			{Epoch: 9, Metrics: map[string]float64{"loss": math.NaN(), "val_loss": 0.75}},
			{Execution: 2, Epoch: 0, Metrics: map[string]float64{"accuracy": -3}},
			{Execution: 2, Epoch: 123, Metrics: map[string]float64{"val_loss": 0.7, "accuracy": 0.25}},
		}},
		{ID: 3, History: []trials.Epoch{{Epoch: 0, Metrics: map[string]float64{"val_loss": 1}}, {Epoch: 1, Metrics: map[string]float64{"val_loss": 1}}}},
	} {
		var got bytes.Buffer
		if err := writeCurves(&got, &project{}, tr, o); err != nil {
			t.Fatal(err)
		}
		if want := tabwriterCurves(tr, o); got.String() != want {
			t.Errorf("trial %d: writeCurves wrote\n%s\nwant\n%s", tr.ID, got.String(), want)
		}
	}
}
