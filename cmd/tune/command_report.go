package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// reportTop is how many trials tune report lists by default, and the
// front a multi-objective search prints at its end.
const reportTop = 10

// reportFormats are the formats of tune report.
var reportFormats = []string{"table", "json", "csv"}

type reportFlags struct {
	projectFlags
	top    int
	all    bool
	format string
}

func newReportCommand() *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "report [--config study.yaml | --project DIR/NAME | --db FILE] [--top N] [--format table|json|csv]",
		Short: "List a project's best trials",
		Long: `report lists the best trials of a project, best first: id, status, score,
best epoch and every hyperparameter. It opens the project's store
read-only, so it never changes it; it waits a moment, then fails, while a
search is running on the project.

The project is the one of a study file (--config, default study.yaml), a
project directory (--project tune_projects/NAME) or a store file (--db).

Formats: table (aligned columns), json (an array of objects with id,
status, score, best_epoch, hyperparameters and metrics) and csv (a
header, then one row per trial).

A study of several objectives has no single best: report lists its Pareto
front (the completed trials no other beats on every objective), by the
first objective, with a column per objective.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReport(cmd, f)
		},
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.IntVarP(&f.top, "top", "n", reportTop, "how many trials to list; 0 for all")
	fl.BoolVar(&f.all, "all", false, "also list the trials without a score (failed, running, pending) after the others")
	fl.StringVarP(&f.format, "format", "f", "table", "output format: table, json or csv")
	_ = cmd.RegisterFlagCompletionFunc("format", completeWords(reportFormats...))
	return cmd
}

// reportRow is one trial of a report; its JSON form is the json format's.
type reportRow struct {
	ID              int                `json:"id"`
	Status          trials.Status      `json:"status"`
	Score           *float64           `json:"score"`
	BestEpoch       *int               `json:"best_epoch"`
	Hyperparameters hp.Values          `json:"hyperparameters"`
	Metrics         map[string]float64 `json:"metrics,omitempty"`
}

func runReport(cmd *cobra.Command, f reportFlags) error {
	if err := checkFormat(f.format, reportFormats...); err != nil {
		return err
	}
	if f.top < 0 {
		return fmt.Errorf("--top %d: want 0 (all) or more", f.top)
	}
	p, err := openProject(cmd, &f.projectFlags)
	if err != nil {
		return err
	}
	defer p.Close()
	if p.multiObjectives() != nil {
		return writeFront(cmd.OutOrStdout(), p, f.format, f.top)
	}
	ts := p.trials
	rows := selectTrials(ts, p.objective(), f.top, f.all)
	if len(rows) == 0 {
		if len(ts) == 0 {
			return fmt.Errorf("project %s has no trials yet", p.dir)
		}
		return fmt.Errorf("project %s has no scored trial yet (%d trials, none completed); --all lists them", p.dir, len(ts))
	}
	values := make([]hp.Values, len(rows))
	for i, r := range rows {
		values[i] = r.Hyperparameters
	}
	names := valueNames(values, p.paramNames())
	out := cmd.OutOrStdout()
	switch f.format {
	case "json":
		return writeJSON(out, rows)
	case "csv":
		return writeCSV(out, rows, names)
	}
	return writeTable(out, rows, names, p.objective(), len(ts))
}

// selectTrials returns the top scored trials, best first (pruned trials with
// a score among them), and with all the unscored ones after them in id
// order.
func selectTrials(ts []*trials.Trial, o goal.Objective, top int, all bool) []reportRow {
	best := trials.Best(ts, o, top, trials.WithPruned)
	if all {
		for _, t := range ts {
			if !slices.Contains(best, t) {
				best = append(best, t)
			}
		}
	}
	rows := make([]reportRow, len(best))
	for i, t := range best {
		rows[i] = reportRow{ID: t.ID, Status: t.Status, Score: t.Score, BestEpoch: scoredEpoch(t),
			Hyperparameters: trialValues(t), Metrics: t.Metrics}
	}
	return rows
}

func writeCSV(w io.Writer, rows []reportRow, names []string) error {
	cw := csv.NewWriter(w)
	cw.Write(append([]string{"id", "status", "score", "best_epoch"}, names...))
	for _, r := range rows {
		score, epoch := scoreCSV(r.Score, r.BestEpoch)
		cw.Write(appendValuesCSV([]string{strconv.Itoa(r.ID), string(r.Status), score, epoch}, r.Hyperparameters, names))
	}
	cw.Flush()
	return cw.Error()
}

func writeTable(w io.Writer, rows []reportRow, names []string, o goal.Objective, total int) error {
	fmt.Fprintf(w, "objective: %s (%s); %d of %d trials shown\n\n", o.Name, o.Direction, len(rows), total)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "id\tstatus\tscore\tbest_epoch%s\n", tabCells(names))
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s%s\n", r.ID, r.Status, formatScore(r.Score), epochCell(r.BestEpoch), valueCells(r.Hyperparameters, names))
	}
	return tw.Flush()
}
