package main

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/trials"
)

type showFlags struct {
	projectFlags
	format string
}

func newShowCommand() *cobra.Command {
	var f showFlags
	cmd := &cobra.Command{
		Use:   "show TRIAL [--config study.yaml | --project DIR/NAME | --db FILE] [--format text|json]",
		Short: "Show one trial: its summary and its per-epoch curve",
		Long: `show prints a trial like Keras Tuner's trial summary (status,
hyperparameters, score) with its timing, its Hyperband place and its
error if any, then the trial's curve: every metric at every epoch, with
a bar for the objective and the best epoch marked. --format json prints
the trial as stored, history included (epochs counted from 0).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runShow(cmd, f, args[0]) },
	}
	f.register(cmd)
	cmd.Flags().StringVarP(&f.format, "format", "f", "text", "output format: text or json")
	cmd.ValidArgsFunction = completeTrials(&f.projectFlags)
	_ = cmd.RegisterFlagCompletionFunc("format", completeWords("text", "json"))
	return cmd
}

func runShow(cmd *cobra.Command, f showFlags, arg string) error {
	if err := checkFormat(f.format, "text", "json"); err != nil {
		return err
	}
	p, err := openProjectStreaming(cmd, &f.projectFlags)
	if err != nil {
		return err
	}
	defer p.Close()
	t, err := p.trial(arg)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if f.format == "json" {
		return writeShowJSON(out, p, t)
	}
	return writeTrialSummary(out, p, t)
}

// writeTrialSummary writes a trial's summary and curve.
func writeTrialSummary(w io.Writer, p *project, t *trials.Trial) error {
	o := p.objective()
	fmt.Fprintf(w, "Trial %d summary\n", t.ID)
	fmt.Fprintf(w, "Status: %s\n", t.Status)
	fmt.Fprintln(w, "Hyperparameters:")
	for _, name := range orderedNames(t.Values, p.paramNames()) {
		fmt.Fprintf(w, "  %s: %s\n", name, formatValue(t.Values[name], 'g', -1))
	}
	if t.Score != nil {
		fmt.Fprintf(w, "Score: %s (%s, %s) at epoch %d\n", formatMetric(*t.Score), o.Name, o.Direction, t.BestEpoch+1)
	} else {
		fmt.Fprintf(w, "Score: none (%s, %s)\n", o.Name, o.Direction)
	}
	if !t.Started.IsZero() {
		fmt.Fprintf(w, "Started: %s", t.Started.Local().Format("2006-01-02 15:04:05"))
		if d := duration(t); d > 0 {
			fmt.Fprintf(w, ", ran %s", roundDuration(d))
		}
		fmt.Fprintln(w)
	}
	if t.Attempt > 0 {
		fmt.Fprintf(w, "Attempts: %d\n", t.Attempt+1)
	}
	if t.Worker != "" {
		fmt.Fprintf(w, "Worker: %s\n", t.Worker)
	}
	if t.Parent != 0 || t.Bracket != 0 || t.Round != 0 || t.Iteration != 0 {
		fmt.Fprintf(w, "Hyperband: iteration %d, bracket %d, round %d", t.Iteration, t.Bracket, t.Round)
		if t.Parent != 0 {
			fmt.Fprintf(w, "; continues trial %d from epoch %d", t.Parent, t.InitialEpoch+1)
		}
		fmt.Fprintln(w)
	}
	if t.Error != "" {
		fmt.Fprintf(w, "Error: %s\n", oneLine(t.Error))
	}
	return writeCurves(w, p, t, o)
}

// barWidth is how many block characters a full bar has.
const barWidth = 20

// bar draws v between lo and hi as up to barWidth block characters,
// longer for better values, padded with spaces to barWidth.
func bar(v, lo, hi float64, d goal.Direction) string {
	n := barLength(v, lo, hi, d)
	return strings.Repeat("█", n) + strings.Repeat(" ", barWidth-n)
}

// barLength is how many block characters bar draws.
func barLength(v, lo, hi float64, d goal.Direction) int {
	frac := 1.0
	if hi > lo {
		frac = (v - lo) / (hi - lo)
	}
	if d == goal.Minimize {
		frac = 1 - frac
	}
	if math.IsNaN(frac) {
		// A diverged value (NaN, or an infinite range) has no length.
		return 0
	}
	frac = max(0, min(1, frac))
	return 1 + int(math.Round(frac*(barWidth-1)))
}
