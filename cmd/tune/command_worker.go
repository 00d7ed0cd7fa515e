package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/tunekit/tune/study"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/etcdstore"
	"github.com/tunekit/tune/tuner"
)

// workerFlags are the flags of tune worker.
type workerFlags struct {
	store             string
	name              string
	parallel, threads int
	ttl               time.Duration
	quiet, verbose    bool
}

func newWorkerCommand() *cobra.Command {
	var f workerFlags
	cmd := &cobra.Command{
		Use:   "worker --store etcd://host:2379[,host:2379…]/prefix [--parallel N] [--threads N] [--name NAME]",
		Short: "Join a study kept in etcd and run its trials until it is done",
		Long: `worker joins a study that "tune search --store etcd://…" started, on this
machine or another, and runs its trials alongside the search and the other
workers until the study is done: its max_trials exist and none is running
(or its oracle ended the search). It needs nothing but the store: the study
file is kept in it, and the data files are read from the paths the search
used (a shared filesystem, or a copy at the same paths).

The worker holds a lease in etcd, renewed while it runs (--ttl, default
10s). If it dies, the trials it ran go back to the queue when the lease
expires and the other workers run them again; if it is stopped past its
lease, whatever it would still write for them is refused. Ctrl-C (or
SIGTERM) stops its trials at their next batch and hands them back at once.

--name names the worker in the trials it runs ("tune trials" shows it);
default host-pid. --parallel sets how many trials it runs at once (default:
the study's parallel_trials, else one per CPU) and --threads the goroutines
each trial's matrix products use (default: the CPUs shared among them).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runWorker(cmd, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.store, "store", "", "the study to join: etcd://host:2379[,host:2379…]/prefix")
	fl.StringVar(&f.name, "name", "", "the worker's name in its trials (default host-pid)")
	fl.IntVar(&f.parallel, "parallel", 0, "trials at once (0: the study's parallel_trials, else one per CPU)")
	fl.IntVar(&f.threads, "threads", 0, "goroutines per trial's matrix products (0: the CPUs shared among the trials)")
	fl.DurationVar(&f.ttl, "ttl", etcdstore.DefaultTTL, "the worker's lease: how long after it dies its trials go to the others")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "print only the end of the study")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "print a line per epoch too")
	_ = cmd.MarkFlagRequired("store")
	return cmd
}

func runWorker(cmd *cobra.Command, f *workerFlags) error {
	out := cmd.OutOrStdout()
	switch {
	case !etcdstore.IsURL(f.store):
		return fmt.Errorf("--store %q: tune worker joins a study kept in etcd, etcd://host:2379[,host:2379…]/prefix (a store file serves one process: run tune search)", f.store)
	case f.parallel < 0 || f.threads < 0:
		return fmt.Errorf("--parallel and --threads must not be negative")
	case f.ttl < time.Second:
		return fmt.Errorf("--ttl %s: want at least 1s", f.ttl)
	}
	store, err := etcdstore.OpenURL(f.store, &etcdstore.Options{Worker: f.name, TTL: f.ttl})
	if err != nil {
		return err
	}
	defer store.Close()
	stored, err := store.Study()
	if errors.Is(err, trials.ErrNoStudy) {
		return fmt.Errorf("%s holds no study yet: start it with tune search --store %s", f.store, f.store)
	}
	if err != nil {
		return err
	}
	spec, _, err := study.FromConfig(stored.Config)
	if err != nil {
		return fmt.Errorf("study %s: %w; a Go program's study is joined by running that program", f.store, err)
	}
	ds, err := spec.LoadData()
	if err != nil {
		return fmt.Errorf("study %s: %w", f.store, err)
	}
	opts, err := spec.Options()
	if err != nil {
		return err
	}
	// The study keeps the search's study file; the worker changes nothing
	// in it.
	opts.Config = nil
	opts.Store = store
	if f.parallel > 0 {
		opts.ParallelTrials = f.parallel
	}
	opts.Threads = f.threads
	obs := &observerSwitch{}
	opts.Observer = obs
	tu, err := tuner.New(newTraining(spec, ds), opts)
	if err != nil {
		return err
	}
	defer tu.Close()
	existing, err := tu.Trials()
	if err != nil {
		return err
	}
	info := &searchInfo{objective: stored.Objective, order: spec.Hyperparameters.Names(), maxTrials: displayedMaxTrials(opts),
		epochs: spec.Epochs, trainRows: ds.X.Rows, batchSize: spec.BatchSize, existing: existing}
	if !f.quiet {
		fmt.Fprintf(out, "worker %s joined %s (%d trials exist); objective %s (%s)\n",
			store.Worker(), f.store, len(existing), stored.Objective.Name, stored.Objective.Direction)
		obs.set(newPlainProgress(out, info, f.verbose))
	}

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = tu.Search(ctx)
	interrupted := ctx.Err() != nil
	stop()
	switch {
	case interrupted:
		// Search requeued the running trials; Close revokes the lease
		// (deferred above) for anything it could not.
		fmt.Fprintf(out, "worker %s interrupted: its running trials went back to the queue\n", store.Worker())
		return errInterrupted
	case err != nil:
		return err
	}
	fmt.Fprintf(out, "study done: %s\n", tu.StopReason())
	return nil
}
