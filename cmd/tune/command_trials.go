package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// statuses are the trial statuses, for --status.
var statuses = []string{string(trials.Pending), string(trials.Running), string(trials.Completed),
	string(trials.Failed), string(trials.Pruned), string(trials.Stopped)}

type trialsFlags struct {
	projectFlags
	status []string
	format string
}

func newTrialsCommand() *cobra.Command {
	var f trialsFlags
	cmd := &cobra.Command{
		Use:   "trials [--config study.yaml | --project DIR/NAME | --db FILE] [--status completed,failed] [--format table|json|csv]",
		Short: "List a project's trials",
		Long: `trials lists every trial of a project in id order: status, score, best
epoch, epochs run, duration, attempts, error and hyperparameters.
--status keeps the trials of the given statuses (pending, running,
completed, failed, pruned, stopped; comma-separated or repeated).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runTrials(cmd, f) },
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringSliceVarP(&f.status, "status", "s", nil, "only trials with these statuses")
	fl.StringVarP(&f.format, "format", "f", "table", "output format: table, json or csv")
	_ = cmd.RegisterFlagCompletionFunc("status", completeWords(statuses...))
	_ = cmd.RegisterFlagCompletionFunc("format", completeWords(reportFormats...))
	return cmd
}

// trialRow is one trial of tune trials; its JSON form is the json format's.
type trialRow struct {
	ID              int                `json:"id"`
	Status          trials.Status      `json:"status"`
	Score           *float64           `json:"score"`
	BestEpoch       *int               `json:"best_epoch"`
	Epochs          int                `json:"epochs_run"`
	Seconds         float64            `json:"seconds"`
	Attempt         int                `json:"attempt"`
	Worker          string             `json:"worker,omitempty"`
	Error           string             `json:"error,omitempty"`
	Hyperparameters hp.Values          `json:"hyperparameters"`
	Metrics         map[string]float64 `json:"metrics,omitempty"`
}

func runTrials(cmd *cobra.Command, f trialsFlags) error {
	if err := checkFormat(f.format, reportFormats...); err != nil {
		return err
	}
	for _, s := range f.status {
		if !slices.Contains(statuses, s) {
			return fmt.Errorf("unknown status %q (want %s)", s, orList(statuses))
		}
	}
	p, err := openProject(cmd, &f.projectFlags)
	if err != nil {
		return err
	}
	defer p.Close()
	if err := p.needTrials(); err != nil {
		return err
	}
	var rows []trialRow
	for _, t := range p.trials {
		if len(f.status) > 0 && !slices.Contains(f.status, string(t.Status)) {
			continue
		}
		rows = append(rows, trialRow{ID: t.ID, Status: t.Status, Score: t.Score, BestEpoch: scoredEpoch(t),
			Epochs: epochsRun(t), Seconds: duration(t).Seconds(), Attempt: t.Attempt, Worker: t.Worker, Error: t.Error,
			Hyperparameters: trialValues(t), Metrics: t.Metrics})
	}
	if len(rows) == 0 && f.format != "json" && f.format != "csv" {
		// Nothing to list is an answer, not an error.
		fmt.Fprintf(cmd.OutOrStdout(), "no %s trial (the project has %d trials)\n", strings.Join(f.status, " or "), len(p.trials))
		return nil
	}
	if rows == nil {
		rows = []trialRow{} // json: []
	}
	var all []hp.Values
	for _, r := range rows {
		all = append(all, r.Hyperparameters)
	}
	names := valueNames(all, p.paramNames())
	out := cmd.OutOrStdout()
	switch f.format {
	case "json":
		return writeJSON(out, rows)
	case "csv":
		return writeTrialsCSV(out, rows, names)
	}
	return writeTrialsTable(out, rows, names)
}

// epochsRun counts the distinct epochs a trial logged (of its first
// execution).
func epochsRun(t *trials.Trial) int {
	n := 0
	for _, e := range t.History {
		if e.Execution == 0 {
			n++
		}
	}
	return n
}

// duration is how long a trial ran (so far, for a running one).
func duration(t *trials.Trial) time.Duration {
	switch {
	case t.Started.IsZero():
		return 0
	case t.Ended.IsZero():
		if t.Status == trials.Running {
			return time.Since(t.Started)
		}
		return 0
	}
	return t.Ended.Sub(t.Started)
}

func writeTrialsCSV(w io.Writer, rows []trialRow, names []string) error {
	cw := csv.NewWriter(w)
	cw.Write(append([]string{"id", "status", "score", "best_epoch", "epochs_run", "seconds", "attempt", "worker", "error"}, names...))
	for _, r := range rows {
		score, epoch := scoreCSV(r.Score, r.BestEpoch)
		rec := []string{strconv.Itoa(r.ID), string(r.Status), score, epoch, strconv.Itoa(r.Epochs),
			strconv.FormatFloat(r.Seconds, 'f', 3, 64), strconv.Itoa(r.Attempt), r.Worker, r.Error}
		cw.Write(appendValuesCSV(rec, r.Hyperparameters, names))
	}
	cw.Flush()
	return cw.Error()
}

// writeTrialsTable writes the table, with a worker column when more than
// one worker ran the trials (a study shared in etcd).
func writeTrialsTable(w io.Writer, rows []trialRow, names []string) error {
	workers := map[string]bool{}
	for _, r := range rows {
		workers[r.Worker] = true
	}
	shared := len(workers) > 1
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "id\tstatus\tscore\tbest_epoch\tepochs\ttime"
	if shared {
		head += "\tworker"
	}
	fmt.Fprintf(tw, "%s%s\tnote\n", head, tabCells(names))
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s", r.ID, r.Status, formatScore(r.Score), epochCell(r.BestEpoch), r.Epochs,
			roundDuration(time.Duration(r.Seconds*float64(time.Second))))
		if shared {
			fmt.Fprintf(tw, "\t%s", r.Worker)
		}
		fmt.Fprint(tw, valueCells(r.Hyperparameters, names))
		note := oneLine(r.Error)
		if len(note) > 60 {
			note = note[:57] + "..."
		}
		if r.Attempt > 0 {
			note = strings.TrimSpace(fmt.Sprintf("attempt %d %s", r.Attempt+1, note))
		}
		fmt.Fprintf(tw, "\t%s\n", note)
	}
	return tw.Flush()
}
