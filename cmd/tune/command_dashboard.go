package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/tunekit/tune/dashboard"
	"github.com/tunekit/tune/study"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/etcdstore"
	"github.com/tunekit/tune/tuner"
)

// defaultDashboardAddr is where the dashboard listens unless told: the
// loopback interface only.
const defaultDashboardAddr = "127.0.0.1:8080"

type dashboardFlags struct {
	projectFlags
	addr string
}

func newDashboardCommand() *cobra.Command {
	var f dashboardFlags
	cmd := &cobra.Command{
		Use:   "dashboard [--config study.yaml | --project DIR/NAME | --db FILE | --store etcd://HOST:2379/PREFIX] [--addr 127.0.0.1:8080]",
		Short: "Serve a web view of a project",
		Long: `dashboard serves a web view of a project until interrupted: an overview,
a trials table to sort and filter, a page per trial with its curves, and
charts (optimization history, parallel coordinates, slices, learning
curves, intermediate values, hyperparameter importance). Pages follow the
project as it changes, within a second or so of each epoch and trial end.

The dashboard only reads the project. It opens its store only for the
moment of each read, so a search can start while it runs; while a
search runs, it reads through that search (the socket beside the store
file), so it follows the running trials without slowing or blocking the
search. --store etcd://… follows a study shared in etcd.

It listens on 127.0.0.1:8080, the loopback interface only; --addr
chooses another address (a warning is printed for one other machines
can reach: the dashboard has no authentication).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDashboard(cmd, f) },
	}
	f.register(cmd)
	cmd.Flags().StringVar(&f.addr, "addr", defaultDashboardAddr, "the address to listen on, host:port")
	return cmd
}

func runDashboard(cmd *cobra.Command, f dashboardFlags) error {
	path, err := f.storePath(cmd)
	if err != nil {
		return err
	}
	name := storeName(path)
	src, reload, err := dashboardSource(path)
	if err != nil {
		return err
	}
	defer src.Close()
	st, err := src.Study()
	switch {
	case errors.Is(err, trials.ErrLocked):
		return fmt.Errorf("%w: a process holds %s without serving live reads (a search run from Go, or an older tune); wait for it to end", err, name)
	case errors.Is(err, trials.ErrNoStudy):
		return fmt.Errorf("project %s is empty: no search has started in it", name)
	case err != nil:
		return err
	}
	opts := dashboardOptions(name, spec(st))
	opts.Reload = reload
	srv, err := dashboard.New(src, opts)
	if err != nil {
		return err
	}
	ln, err := listenDashboard(cmd.ErrOrStderr(), f.addr)
	if err != nil {
		srv.Close()
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return serveDashboard(ctx, cmd.OutOrStdout(), ln, srv)
}

// dashboardSource is what the dashboard of the store at path reads, and
// how often it looks for changes (0: the dashboard's default): a bbolt
// file through a dashboard.FileSource, which never holds the file and
// reads a running search through its live-read socket; an etcd study
// through a read-only etcd store, looked at every second, since each look
// reads the whole study.
func dashboardSource(path string) (closingSource, time.Duration, error) {
	if etcdstore.IsURL(path) {
		s, err := openStore(path, storeOptions{readOnly: true})
		return s, time.Second, err
	}
	if _, err := os.Stat(path); err != nil {
		return nil, 0, fmt.Errorf("no project at %s: %s does not exist (run tune search first)", filepath.Dir(path), path)
	}
	return fileSource{&dashboard.FileSource{Path: path}}, 0, nil
}

// closingSource is a dashboard.Source to close when the dashboard ends.
type closingSource interface {
	dashboard.Source
	Close() error
}

// fileSource is a FileSource, which has nothing to close.
type fileSource struct{ *dashboard.FileSource }

func (fileSource) Close() error { return nil }

// spec returns the study file kept with a study, or nil.
func spec(st *trials.StudyRecord) *study.Study {
	s, _, _ := study.FromConfig(st.Config)
	return s
}

// dashboardOptions describes a project for the dashboard, from the study
// file kept with it (spec may be nil).
func dashboardOptions(dir string, spec *study.Study) dashboard.Options {
	o := dashboard.Options{Project: dir}
	if spec == nil {
		return o
	}
	o.StudyFile = string(spec.Source())
	if spec.Pruner.Type != "" {
		o.Pruner = spec.Pruner.Type
		if len(spec.Pruner.Config) > 2 {
			o.Pruner += " " + string(spec.Pruner.Config)
		}
	}
	if opts, err := spec.Options(); err == nil {
		o.MaxTrials = displayedMaxTrials(opts)
		o.Objectives = opts.Objectives // several: the Pareto page
	}
	return o
}

// listenDashboard listens on addr, warning on errw when other machines
// can reach it.
func listenDashboard(errw io.Writer, addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--addr %q: want host:port, such as %s: %w", addr, defaultDashboardAddr, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		fmt.Fprintf(errw, "warning: the dashboard listens on %s, which other machines may reach; it has no authentication and shows the whole project\n", ln.Addr())
	}
	return ln, nil
}

// serveDashboard serves srv on addr until ctx ends, then closes it.
func serveDashboard(ctx context.Context, out io.Writer, ln net.Listener, srv *dashboard.Server) error {
	defer srv.Close()
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(out, "dashboard: http://%s/ (Ctrl-C to stop)\n", ln.Addr())
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	srv.Close() // ends the event streams, so that Shutdown need not wait for them
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if hs.Shutdown(sctx) != nil {
		hs.Close()
	}
	return nil
}

// startSearchDashboard serves the dashboard of a search's own store on
// addr while it runs: the pages are told of every epoch and trial end
// through the observer. It returns the function that stops it.
func startSearchDashboard(cmd *cobra.Command, addr string, tu *tuner.Tuner, spec *study.Study, obs *observerSwitch, prog tuner.Observer) (func(), error) {
	srv, err := dashboard.New(tu.Store(), dashboardOptions(filepath.Dir(spec.StorePath()), spec))
	if err != nil {
		return nil, err
	}
	ln, err := listenDashboard(cmd.ErrOrStderr(), addr)
	if err != nil {
		srv.Close()
		return nil, err
	}
	obs.set(&notifyingObserver{next: prog, notify: srv.Notify})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveDashboard(ctx, cmd.OutOrStdout(), ln, srv) }()
	return func() {
		cancel()
		<-done
	}, nil
}

// notifyingObserver calls notify after each event, then forwards it to
// next (which may be nil).
type notifyingObserver struct {
	next   tuner.Observer
	notify func()
}

func (o *notifyingObserver) TrialStarted(t *trials.Trial) {
	o.notify()
	if o.next != nil {
		o.next.TrialStarted(t)
	}
}

func (o *notifyingObserver) EpochEnded(t *trials.Trial, e trials.Epoch) {
	o.notify()
	if o.next != nil {
		o.next.EpochEnded(t, e)
	}
}

func (o *notifyingObserver) TrialEnded(t *trials.Trial) {
	o.notify()
	if o.next != nil {
		o.next.TrialEnded(t)
	}
}

func (o *notifyingObserver) BatchEnded(t *trials.Trial, epoch, batch int, logs map[string]float64) {
	if b, ok := o.next.(tuner.BatchObserver); ok {
		b.BatchEnded(t, epoch, batch, logs)
	}
}
