package main

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"text/tabwriter"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/tuner"
)

// A multi-objective study has no single best trial: report and best show
// its Pareto front, the completed trials no other completed trial beats on
// every objective, ordered by the first objective, best first.

// multiObjectives returns the study's objectives when it has several.
func (p *project) multiObjectives() []goal.Objective {
	if len(p.study.Objectives) < 2 {
		return nil
	}
	return p.study.Objectives
}

// front returns the Pareto front, ordered by the first objective.
func (p *project) front() []*trials.Trial {
	objs := p.multiObjectives()
	front := oracle.FrontTrials(p.trials, objs)
	first := objs[0]
	slices.SortStableFunc(front, func(a, b *trials.Trial) int {
		x, y := a.Metrics[first.Name], b.Metrics[first.Name]
		switch {
		case first.Better(x, y):
			return -1
		case first.Better(y, x):
			return 1
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return front
}

// frontIDs returns the ids of the front's trials in id order, nil for a
// study of one objective.
func (p *project) frontIDs() []int {
	objs := p.multiObjectives()
	if objs == nil {
		return nil
	}
	var ids []int
	for _, t := range oracle.FrontTrials(p.trials, objs) {
		ids = append(ids, t.ID)
	}
	return ids
}

// frontRow is one trial of the front in report's json format.
type frontRow struct {
	ID              int                `json:"id"`
	Status          trials.Status      `json:"status"`
	Objectives      map[string]float64 `json:"objectives"`
	BestEpoch       int                `json:"best_epoch"`
	Hyperparameters hp.Values          `json:"hyperparameters"`
	Metrics         map[string]float64 `json:"metrics,omitempty"`
}

func frontRows(front []*trials.Trial, objs []goal.Objective) []frontRow {
	rows := make([]frontRow, len(front))
	for i, t := range front {
		o := make(map[string]float64, len(objs))
		for _, ob := range objs {
			o[ob.Name] = t.Metrics[ob.Name]
		}
		rows[i] = frontRow{ID: t.ID, Status: t.Status, Objectives: o, BestEpoch: t.BestEpoch + 1,
			Hyperparameters: trialValues(t), Metrics: t.Metrics}
	}
	return rows
}

// objectiveList is "val_accuracy (max), params (min)".
func objectiveList(objs []goal.Objective) string {
	s := ""
	for i, o := range objs {
		if i > 0 {
			s += ", "
		}
		s += o.String()
	}
	return s
}

// writeFront writes the front in one of report's formats.
func writeFront(w io.Writer, p *project, format string, top int) error {
	objs := p.multiObjectives()
	front := p.front()
	if len(front) == 0 {
		return fmt.Errorf("project %s has no completed trial with every objective yet (%d trials)", p.dir, len(p.trials))
	}
	shown := front
	if top > 0 && len(shown) > top {
		shown = shown[:top]
	}
	rows := frontRows(shown, objs)
	values := make([]hp.Values, len(rows))
	for i, r := range rows {
		values[i] = r.Hyperparameters
	}
	names := valueNames(values, p.paramNames())
	switch format {
	case "json":
		return writeJSON(w, rows)
	case "csv":
		cw := csv.NewWriter(w)
		head := []string{"id", "status"}
		for _, o := range objs {
			head = append(head, o.Name)
		}
		cw.Write(append(append(head, "best_epoch"), names...))
		for _, r := range rows {
			rec := []string{strconv.Itoa(r.ID), string(r.Status)}
			for _, o := range objs {
				rec = append(rec, strconv.FormatFloat(r.Objectives[o.Name], 'g', -1, 64))
			}
			cw.Write(appendValuesCSV(append(rec, strconv.Itoa(r.BestEpoch)), r.Hyperparameters, names))
		}
		cw.Flush()
		return cw.Error()
	}
	fmt.Fprintf(w, "objectives: %s\nPareto front: %d of %d trials (%d shown), by %s\n\n",
		objectiveList(objs), len(front), len(p.trials), len(rows), objs[0].Name)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "id\tstatus")
	for _, o := range objs {
		fmt.Fprintf(tw, "\t%s", o.Name)
	}
	fmt.Fprintf(tw, "\tbest_epoch%s\n", tabCells(names))
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%s", r.ID, r.Status)
		for _, o := range objs {
			fmt.Fprintf(tw, "\t%s", formatObjective(o.Name, r.Objectives[o.Name]))
		}
		fmt.Fprintf(tw, "\t%d%s\n", r.BestEpoch, valueCells(r.Hyperparameters, names))
	}
	return tw.Flush()
}

// writeBestFront is tune best for a multi-objective study: every trial of
// the front, as text or json (yaml needs one trial: the first objective's
// best).
func writeBestFront(w io.Writer, p *project, format string) error {
	objs := p.multiObjectives()
	front := p.front()
	if len(front) == 0 {
		return fmt.Errorf("project %s has no completed trial with every objective yet (%d trials)", p.dir, len(p.trials))
	}
	if format == "json" {
		return writeJSON(w, frontRows(front, objs))
	}
	fmt.Fprintf(w, "Pareto front: %d of %d trials on %s\n", len(front), len(p.trials), objectiveList(objs))
	for _, t := range front {
		fmt.Fprintf(w, "\ntrial %d (epoch %d):", t.ID, t.BestEpoch+1)
		for _, o := range objs {
			fmt.Fprintf(w, " %s=%s", o.Name, formatObjective(o.Name, t.Metrics[o.Name]))
		}
		fmt.Fprintln(w)
		for _, name := range orderedNames(t.Values, p.paramNames()) {
			fmt.Fprintf(w, "  %s: %s\n", name, formatValue(t.Values[name], 'g', -1))
		}
	}
	return nil
}

// formatObjective formats an objective's value as formatMetric does, but a
// parameter count as the whole number it is (formatMetric would write
// 99,338 as 9.934e+04).
func formatObjective(name string, v float64) string {
	if name == tuner.MetricParams && v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return formatMetric(v)
}
