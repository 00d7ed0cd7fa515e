package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/cwriter"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/study"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/tuner"
)

// summaryTrials is how many trials the results summary after a search shows.
const summaryTrials = 5

// searchFlags are the flags of tune search.
type searchFlags struct {
	config           string
	overwrite, quiet bool
	verbose          bool
	progress         string
	timeout, grace   time.Duration
	dashboard        string // an address to serve the dashboard on while searching
	studyFlags
}

func newSearchCommand() *cobra.Command {
	var f searchFlags
	cmd := &cobra.Command{
		Use:   "search [--config study.yaml] [--overwrite] [--timeout 2h] [--quiet] [settings]",
		Short: "Run a study's search, or resume it",
		Long: `search loads a study file and its data, then runs trials until the study's
max_trials exist (or its oracle ends the search). A project that exists is
resumed: trials that were running when it stopped run again, and raising
max_trials continues it. --overwrite deletes the project's trials first.

--warm-start names another project (a directory, a store file or an etcd
study; repeatable) whose completed trials seed the oracle of a new project
without counting as its trials, as warm_start: in the study file does.

Flags change the study's settings for this run only: --max-trials,
--epochs, --oracle and the others below, or any key with --set key=value
(--set oracle.max_epochs=30). The project records the study as the last
run changed it (report, predict and retrain read that); a later run
without the flags uses the study file's settings again, so after
--max-trials 50 a plain run of a 25-trial study file runs no more trials. Without a study file,
--data names a csv file and the flags are the whole study:

  tune search --data houses.csv --target price --task regression --max-trials 20

On a terminal, live bars show every running trial (epoch, batches, loss
and objective) above an overall line (trials done, best so far, elapsed
time, ETA), every line cut to the terminal's width. Otherwise a line is
printed per finished trial (and per epoch with --verbose). --quiet prints
only the results summary: the best trials, or for a study of several
objectives its Pareto front as tune report prints it.

--timeout stops the search after a time budget: no trial starts after it,
and running trials finish (those still running --timeout-grace later are
stopped and run again when the search resumes). Ctrl-C (or SIGTERM) stops
the running trials at their next batch; run the same command again to
resume.

While it runs, the read commands (report, trials, show, best, export,
plot, predict, importance) and tune dashboard work from other terminals:
the search answers them on a socket beside its store (study.sock).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSearch(cmd, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.config, "config", "c", "study.yaml", "the study file")
	fl.BoolVar(&f.overwrite, "overwrite", false, "delete the project's trials and start afresh")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print only the results summary")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "without bars, print a line per epoch too")
	fl.StringVar(&f.progress, "progress", "auto", "progress display: auto (bars on a terminal, else lines), bars or lines")
	fl.DurationVar(&f.timeout, "timeout", 0, "time budget (such as 90m or 2h): no trial starts after it; 0 for none")
	fl.DurationVar(&f.grace, "timeout-grace", 0, "after the budget, stop trials still running this much later (0: let them finish)")
	fl.StringVar(&f.dashboard, "dashboard", "", "serve the live dashboard on this address (such as "+defaultDashboardAddr+") while searching")
	f.studyFlags.register(cmd)
	_ = cmd.MarkFlagFilename("config", "yaml", "yml")
	_ = cmd.RegisterFlagCompletionFunc("progress", completeWords("auto", "bars", "lines"))
	return cmd
}

func runSearch(cmd *cobra.Command, f *searchFlags) error {
	out := cmd.OutOrStdout()
	if !slices.Contains([]string{"auto", "bars", "lines"}, f.progress) {
		return fmt.Errorf("--progress %q: want auto, bars or lines", f.progress)
	}
	if f.timeout < 0 || f.grace < 0 {
		return fmt.Errorf("--timeout and --timeout-grace must not be negative")
	}
	st, err := f.studyFlags.load(cmd, f.config)
	if err != nil {
		return err
	}
	ds, err := st.LoadData()
	if err != nil {
		return err
	}
	for _, w := range ds.Warnings {
		fmt.Fprintln(cmd.ErrOrStderr(), w)
	}
	opts, err := st.Options()
	if err != nil {
		return err
	}
	opts.Overwrite = f.overwrite
	store, err := openStore(st.StorePath(), storeOptions{})
	if err != nil {
		return err
	}
	defer store.Close()
	opts.Store = store
	started := time.Now()
	if f.timeout > 0 {
		opts.Deadline = started.Add(f.timeout)
	}
	// The observer is set once the existing trials are known.
	obs := &observerSwitch{}
	opts.Observer = obs
	tu, err := tuner.New(newTraining(st, ds), opts)
	if err != nil {
		return err
	}
	defer tu.Close()
	// Served once the study is stored: a read waits for the socket rather
	// than see an empty project.
	if b, ok := store.(*trials.Bolt); ok {
		defer serveLiveReads(cmd.ErrOrStderr(), b)()
	}
	existing, err := tu.Trials()
	if err != nil {
		return err
	}
	if !f.quiet {
		printSearchHeader(out, st, ds, opts, len(existing))
		printWarmStart(out, tu.WarmStart(), opts.Oracle)
	}
	info := &searchInfo{
		objective: goal.Objective{Name: opts.Objective, Direction: opts.Direction},
		order:     st.Hyperparameters.Names(),
		maxTrials: displayedMaxTrials(opts),
		epochs:    st.Epochs,
		trainRows: ds.X.Rows,
		batchSize: st.BatchSize,
		existing:  existing,
	}
	var prog progress
	switch {
	case f.quiet:
	case f.progress == "bars" || f.progress == "auto" && isTerminal(out):
		var opts []mpb.ContainerOption
		width := terminalWidth(out)
		if width == 0 {
			width = 200
			opts = append(opts, mpb.WithAutoRefresh()) // draw all the same
		}
		prog = newBarProgress(out, width, info, opts...)
	default:
		prog = newPlainProgress(out, info, f.verbose)
	}
	obs.set(prog)
	if f.dashboard != "" {
		stopDashboard, err := startSearchDashboard(cmd, f.dashboard, tu, st, obs, prog)
		if err != nil {
			return err
		}
		defer stopDashboard()
	}

	sigCtx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx := sigCtx
	if f.timeout > 0 && f.grace > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(sigCtx, started.Add(f.timeout+f.grace))
		defer cancel()
	}
	err = tu.Search(ctx)
	interrupted := sigCtx.Err() != nil
	overtime := !interrupted && ctx.Err() != nil
	stop()
	if prog != nil {
		prog.Close()
	}

	switch {
	case interrupted:
		fmt.Fprintln(out, "search interrupted")
	case overtime:
		err = nil
		fmt.Fprintf(out, "search stopped: time budget of %s used up and %s of grace; the stopped trials run again when the search resumes\n", f.timeout, f.grace)
	case err == nil && tu.StopReason() == tuner.StopDeadline:
		if !f.quiet {
			fmt.Fprintf(out, "search stopped: time budget of %s used up; run the same command again to continue\n", f.timeout)
		}
	case err == nil && !f.quiet:
		fmt.Fprintf(out, "search finished: %s\n", tu.StopReason())
	}
	fmt.Fprintln(out)
	ts, terr := tu.Trials()
	best := trials.Best(ts, info.objective, summaryTrials, trials.CompletedOnly)
	switch {
	case terr != nil && err == nil:
		err = terr
	case len(best) == 0:
		fmt.Fprintln(out, "no trial has completed yet")
	case len(opts.Objectives) > 1:
		// No single best: the front, as tune report prints it.
		p := &project{dir: storeName(st.StorePath()), store: tu.Store(), trials: ts}
		p.study, terr = tu.Store().Study()
		switch {
		case terr != nil:
			if err == nil {
				err = terr
			}
		case len(p.front()) == 0:
			fmt.Fprintln(out, "no completed trial has every objective yet")
		default:
			if werr := writeFront(out, p, "table", reportTop); err == nil {
				err = werr
			}
		}
	default:
		order := make([]string, 0)
		for _, p := range tu.Space().Params() {
			order = append(order, p.Name)
		}
		writeSummary(out, storeName(st.StorePath()), info.objective, best, order)
	}
	if interrupted {
		return errInterrupted
	}
	return err
}

// printSearchHeader says which project runs, and on what.
func printSearchHeader(out io.Writer, st *study.Study, ds *study.LoadedData, opts tuner.Options, existing int) {
	state := "new project"
	switch {
	case existing == 0:
	case opts.MaxTrials == 0:
		state = fmt.Sprintf("resuming, %d trials exist", existing)
	case existing < opts.MaxTrials:
		state = fmt.Sprintf("resuming, %d of %d trials exist", existing, opts.MaxTrials)
	default:
		state = fmt.Sprintf("%d trials exist, max_trials %d is reached: raise it (--max-trials N) to run more", existing, opts.MaxTrials)
	}
	fmt.Fprintf(out, "project %s (%s)\n", st.StorePath(), state)
	fmt.Fprintf(out, "training on %d rows", ds.X.Rows)
	if ds.ValidationX != nil {
		fmt.Fprintf(out, ", validating on %d", ds.ValidationX.Rows)
	}
	if len(opts.Objectives) > 1 {
		fmt.Fprintf(out, "; objectives %s\n", objectiveList(opts.Objectives))
		return
	}
	fmt.Fprintf(out, "; objective %s (%s)\n", opts.Objective, opts.Direction)
}

// printWarmStart says how many trials of other projects seed the oracle,
// and when the oracle does not learn from them.
func printWarmStart(out io.Writer, w *trials.WarmStart, o oracle.Oracle) {
	for _, line := range tuner.WarmStartSummary(w) {
		fmt.Fprintln(out, line)
	}
	if _, learns := o.(oracle.PriorUser); w != nil && !learns {
		fmt.Fprintf(out, "warm start: the %s oracle does not learn from other projects' trials (bayesian and tpe do)\n", o.Name())
	}
}

// isTerminal reports whether w is a terminal that can redraw bars.
func isTerminal(w io.Writer) bool { return terminalWidth(w) > 0 }

// terminalWidth returns the columns of the terminal w is, or 0 when w is
// not a terminal that can redraw bars (a file, a pipe, TERM=dumb, a pty
// nobody sized).
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" {
		return 0
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return 0
	}
	cols, _, err := cwriter.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return cols
}
