package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/study"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/live"
	"github.com/tunekit/tune/tuner"
)

// errSetValue is a --set of tune enqueue that is not name=value.
var errSetValue = errors.New("want --set name=value")

func newEnqueueCommand() *cobra.Command {
	var config string
	var sets []string
	cmd := &cobra.Command{
		Use:   "enqueue [--config study.yaml] --set name=value [--set name=value…]",
		Short: "Queue hyperparameter values to run before the oracle's proposals",
		Long: `enqueue queues one trial with the hyperparameter values given (as Optuna's
enqueue_trial): the next tune search runs queued trials first, in the order
they were queued, each exactly once however many trials run in parallel and
however often the search is interrupted. Hyperparameters left out take their
defaults. A name the study does not tune, or a value outside its range or
choices, is refused and nothing is queued.

  tune enqueue --set learning_rate=0.01 --set n_neurons=64

Queued trials count toward max_trials. The project is created if it does
not exist. While a search runs on it, the values are queued through that
search (its live-read socket), checked against the study it runs, and its
next new trial takes them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(sets) == 0 {
				return fmt.Errorf("tune enqueue: no values: %w", errSetValue)
			}
			values := hp.Values{}
			for _, s := range sets {
				name, raw, ok := strings.Cut(s, "=")
				if !ok || name == "" {
					return fmt.Errorf("--set %q: %w", s, errSetValue)
				}
				var v any
				if err := yaml.Unmarshal([]byte(raw), &v); err != nil || v == nil {
					v = raw // a plain string
				}
				values[name] = v
			}
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
			store, err := openStore(st.StorePath(), storeOptions{})
			if errors.Is(err, trials.ErrLocked) {
				return enqueueLive(cmd, st.StorePath(), config, values, err)
			}
			if err != nil {
				return err
			}
			defer store.Close()
			opts.Store = store
			tu, err := tuner.New(&tuner.Training{HyperModel: st.HyperModel(ds.Profile()), X: ds.X, Y: ds.Y, Config: st.FitConfig(ds)}, opts)
			if err != nil {
				return err
			}
			defer tu.Close()
			queued, err := tu.Enqueue(values)
			if err != nil {
				return fmt.Errorf("%s: %w", config, err)
			}
			all, err := tu.Store().Queued()
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "queued %s (%d in the queue); tune search runs them first\n", queued, len(all))
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&config, "config", "c", "study.yaml", "the study file")
	fl.StringArrayVar(&sets, "set", nil, "a hyperparameter's value: --set name=value; repeatable")
	_ = cmd.MarkFlagFilename("config", "yaml", "yml")
	return cmd
}

// enqueueLive queues values in a project that a running search holds
// (locked is the error of opening it), through that search's live-read
// socket: checked against the space of the study it runs, queued by it.
func enqueueLive(cmd *cobra.Command, path, config string, values hp.Values, locked error) error {
	c, err := live.Dial(path)
	if errors.Is(err, live.ErrNoServer) {
		return fmt.Errorf("%w, which serves no live reads", locked)
	}
	if err != nil {
		return err
	}
	defer c.Close()
	rec, err := c.Study()
	if err != nil {
		return err
	}
	queued, err := rec.Space.Complete(values)
	if err != nil {
		return fmt.Errorf("%s: enqueue: %w", config, err)
	}
	if err := c.Enqueue(queued); err != nil {
		return err
	}
	all, err := c.Queued()
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "queued %s (%d in the queue); the running search runs them next\n", queued, len(all))
	return nil
}
