package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/tunekit/tune/study"
	"github.com/tunekit/tune/tuner"
)

// summaryTrials is how many trials the results summary after a search shows.
const summaryTrials = 5

func newSearchCommand() *cobra.Command {
	var (
		config           string
		overwrite, quiet bool
	)
	cmd := &cobra.Command{
		Use:   "search [--config study.yaml] [--overwrite] [--quiet]",
		Short: "Run a study's search, or resume it",
		Long: `search loads a study file and its data, then runs trials until the study's
max_trials exist. A project that exists is resumed: trials that were
running when it stopped run again, and raising max_trials continues it.
--overwrite deletes the project's trials first.

A line is printed when a trial ends, and the best trials when the search
ends. Ctrl-C (or SIGTERM) stops the running trials at their next batch;
run the same command again to resume.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSearch(cmd, config, overwrite, quiet)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&config, "config", "c", "study.yaml", "the study file")
	f.BoolVar(&overwrite, "overwrite", false, "delete the project's trials and start afresh")
	f.BoolVarP(&quiet, "quiet", "q", false, "print only the results summary")
	return cmd
}

func runSearch(cmd *cobra.Command, config string, overwrite, quiet bool) error {
	out := cmd.OutOrStdout()
	st, err := study.Load(config)
	if err != nil {
		return err
	}
	ds, err := st.LoadData()
	if err != nil {
		return err
	}
	opts, err := st.Options()
	if err != nil {
		return err
	}
	opts.Overwrite = overwrite
	if !quiet {
		opts.Observer = newTrialPrinter(out, st.Objective, st.Hyperparameters.Names())
	}
	tu, err := tuner.New(st.MLP(ds), opts)
	if err != nil {
		return err
	}
	defer tu.Close()

	if !quiet {
		ts, err := tu.Trials()
		if err != nil {
			return err
		}
		state := "new project"
		if len(ts) > 0 {
			state = fmt.Sprintf("resuming, %d of %d trials exist", len(ts), opts.MaxTrials)
		}
		fmt.Fprintf(out, "project %s (%s)\n", opts.StorePath(), state)
		fmt.Fprintf(out, "training on %d rows", ds.X.Rows)
		if ds.ValidationX != nil {
			fmt.Fprintf(out, ", validating on %d", ds.ValidationX.Rows)
		}
		fmt.Fprintf(out, "; objective %s (%s)\n", opts.Objective, opts.Direction)
	}

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = tu.Search(ctx, ds.X, ds.Y, st.FitConfig(ds))
	interrupted := ctx.Err() != nil
	stop()

	switch {
	case interrupted:
		fmt.Fprintln(out, "search interrupted")
	case err == nil && !quiet:
		fmt.Fprintf(out, "search finished: %s\n", tu.StopReason())
	}
	fmt.Fprintln(out)
	switch serr := tu.ResultsSummary(out, summaryTrials); {
	case errors.Is(serr, tuner.ErrNoResults):
		fmt.Fprintln(out, "no trial has completed yet")
	case serr != nil && err == nil:
		err = serr
	}
	if interrupted {
		return errInterrupted
	}
	return err
}
