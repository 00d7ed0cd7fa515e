package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/study"
	"github.com/tunekit/tune/trials"
)

// projectFlags name a project: by its study file (--config), its
// directory (--project), its store file (--db) or its store URL (--store).
type projectFlags struct {
	config, project, db, store string
}

// register adds the flags to cmd.
func (f *projectFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVarP(&f.config, "config", "c", "study.yaml", "the study file whose project to open")
	fl.StringVar(&f.project, "project", "", "the project directory (DIR/NAME)")
	fl.StringVar(&f.db, "db", "", "the project's store file (DIR/NAME/study.db)")
	fl.StringVar(&f.store, "store", "", "the project's store: a file, or an etcd study (etcd://host:2379[,host:2379…]/prefix)")
	cmd.MarkFlagsMutuallyExclusive("config", "project", "db", "store")
	_ = cmd.MarkFlagFilename("config", "yaml", "yml")
	_ = cmd.MarkFlagDirname("project")
	_ = cmd.MarkFlagFilename("db", "db")
}

// storePath finds the store the flags name: a bbolt file's path or an
// etcd study's URL (see openStore).
func (f *projectFlags) storePath(cmd *cobra.Command) (string, error) {
	switch {
	case f.store != "":
		return f.store, nil
	case f.db != "":
		return f.db, nil
	case f.project != "":
		return filepath.Join(f.project, "study.db"), nil
	}
	st, err := study.Load(f.config)
	if err != nil {
		if !cmd.Flags().Changed("config") {
			return "", fmt.Errorf("%w (name the project with --config, --project or --db)", err)
		}
		return "", err
	}
	return st.StorePath(), nil
}

// project is a project opened read-only: its study, its trials and, when
// a study file made it, that file and what it knew of the data.
type project struct {
	dir    string // the project's name in messages: its directory or etcd URL
	outDir string // where its commands write files by default
	store  trials.Store
	study  *trials.StudyRecord
	trials []*trials.Trial // every trial, in id order

	// epochs streams the trials' epochs when they were read without
	// them (see openProjectStreaming); nil when trials hold them.
	epochs trials.EpochStreamer

	spec    *study.Study  // the study file kept with the project; nil if none
	info    *data.Profile // what the search knew of the data; nil if unknown
	specErr error         // why spec is nil
}

// openProject opens the project the flags name, read-only, and reads its
// trials. It fails when the project does not exist or no search has
// started in it.
func openProject(cmd *cobra.Command, f *projectFlags) (*project, error) {
	return openProjectAs(cmd, f, false)
}

// openProjectStreaming is openProject for a command that reads epochs
// through eachEpoch: a store that streams them (trials.EpochStreamer)
// reads the trials without their epochs.
func openProjectStreaming(cmd *cobra.Command, f *projectFlags) (*project, error) {
	return openProjectAs(cmd, f, true)
}

func openProjectAs(cmd *cobra.Command, f *projectFlags, streaming bool) (*project, error) {
	path, err := f.storePath(cmd)
	if err != nil {
		return nil, err
	}
	dir := storeName(path)
	store, err := openStore(path, storeOptions{readOnly: true})
	if err != nil {
		return nil, err
	}
	p := &project{dir: dir, outDir: outputDir(path), store: store}
	p.study, err = store.Study()
	if errors.Is(err, trials.ErrNoStudy) {
		store.Close()
		return nil, fmt.Errorf("project %s is empty: no search has started in it", dir)
	}
	if es, ok := store.(trials.EpochStreamer); ok && streaming && err == nil {
		p.epochs = es
		p.trials, err = es.Summaries()
	} else if err == nil {
		p.trials, err = store.Trials()
	}
	if err != nil {
		store.Close()
		return nil, err
	}
	p.spec, p.info, p.specErr = study.FromConfig(p.study.Config)
	return p, nil
}

// eachEpoch calls fn with each epoch of t in order: streamed from the
// store when the project was opened streaming, else from t.History.
func (p *project) eachEpoch(t *trials.Trial, fn func(trials.Epoch) error) error {
	if p.epochs != nil {
		return p.epochs.EachEpoch(t.ID, fn)
	}
	for _, e := range t.History {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// Close releases the store.
func (p *project) Close() error { return p.store.Close() }

// objective returns the study's objective.
func (p *project) objective() goal.Objective { return p.study.Objective }

// paramNames returns the hyperparameter names in the space's order.
func (p *project) paramNames() []string {
	var names []string
	if p.study.Space != nil {
		for _, q := range p.study.Space.Params() {
			names = append(names, q.Name)
		}
	}
	return names
}

// best returns up to n scored trials of those which says, best first (0:
// all).
func (p *project) best(n int, which trials.Ranked) []*trials.Trial {
	return trials.Best(p.trials, p.objective(), n, which)
}

// allValues returns the values of every trial of the project.
func allValues(p *project) []hp.Values {
	out := make([]hp.Values, len(p.trials))
	for i, t := range p.trials {
		out[i] = t.Values
	}
	return out
}

// needTrials fails when the project has no trial.
func (p *project) needTrials() error {
	if len(p.trials) == 0 {
		return fmt.Errorf("project %s has no trials yet", p.dir)
	}
	return nil
}

// bestTrial returns the best completed trial, or an error saying why
// there is none.
func (p *project) bestTrial() (*trials.Trial, error) {
	if err := p.needTrials(); err != nil {
		return nil, err
	}
	best := p.best(1, trials.CompletedOnly)
	if len(best) == 0 {
		return nil, fmt.Errorf("project %s has no completed trial yet (%d trials)", p.dir, len(p.trials))
	}
	return best[0], nil
}

// trial returns the trial with id arg (a trial number as typed).
func (p *project) trial(arg string) (*trials.Trial, error) {
	id, err := strconv.Atoi(arg)
	if err != nil || id < 1 {
		return nil, fmt.Errorf("trial %q: want a trial number, 1 or more", arg)
	}
	for _, t := range p.trials {
		if t.ID == id {
			return t, nil
		}
	}
	switch n := len(p.trials); n {
	case 0:
		return nil, fmt.Errorf("project %s has no trial %d: it has no trials yet", p.dir, id)
	case 1:
		return nil, fmt.Errorf("project %s has no trial %d (it has trial %d)", p.dir, id, p.trials[0].ID)
	default:
		return nil, fmt.Errorf("project %s has no trial %d (it has trials %d to %d)", p.dir, id, p.trials[0].ID, p.trials[n-1].ID)
	}
}

// chosenTrial returns the trial --trial names, or the best one when it
// is 0.
func (p *project) chosenTrial(id int) (*trials.Trial, error) {
	if id == 0 {
		return p.bestTrial()
	}
	return p.trial(strconv.Itoa(id))
}

// needSpec returns the study file kept with the project, or an error for
// a command that needs it (what: "predict").
func (p *project) needSpec(what string) (*study.Study, *data.Profile, error) {
	if p.spec == nil {
		return nil, nil, fmt.Errorf("tune %s needs the study file a search was run with: project %s: %w", what, p.dir, p.specErr)
	}
	if p.info == nil {
		return nil, nil, fmt.Errorf("tune %s: project %s does not record its data (run tune search again to record it)", what, p.dir)
	}
	return p.spec, p.info, nil
}

// completeTrials completes a TRIAL argument with the trial ids of the
// project the flags name.
func completeTrials(f *projectFlags) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		p, err := openProject(cmd, f)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		defer p.Close()
		var out []cobra.Completion
		for _, t := range p.trials {
			desc := string(t.Status)
			if t.Score != nil {
				desc += fmt.Sprintf(", %s %.4f", p.objective().Name, *t.Score)
			}
			out = append(out, cobra.CompletionWithDesc(strconv.Itoa(t.ID), desc))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeWords completes a flag with fixed words.
func completeWords(words ...string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return words, cobra.ShellCompDirectiveNoFileComp
	}
}
