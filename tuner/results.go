package tuner

import (
	"errors"
	"fmt"
	"io"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/trials"
)

// Trials returns every trial of the project in id order.
func (t *Tuner) Trials() ([]*trials.Trial, error) { return t.store.Trials() }

// BestTrials returns up to n completed trials, best first.
func (t *Tuner) BestTrials(n int) ([]*trials.Trial, error) {
	ts, err := t.store.Trials()
	if err != nil {
		return nil, err
	}
	best := trials.Best(ts, t.opts.objective, n, trials.CompletedOnly)
	if len(best) == 0 {
		return nil, ErrNoResults
	}
	return best, nil
}

// BestHyperParameters returns the values of up to n best trials.
func (t *Tuner) BestHyperParameters(n int) ([]hp.Values, error) {
	best, err := t.BestTrials(n)
	if err != nil {
		return nil, err
	}
	out := make([]hp.Values, len(best))
	for i, tr := range best {
		out[i] = tr.Values
	}
	return out, nil
}

// BestModels returns the models of up to n best trials, each rebuilt from
// its values and loaded with its best-epoch checkpoint.
func (t *Tuner) BestModels(n int) ([]*nn.Model, error) {
	best, err := t.BestTrials(n)
	if err != nil {
		return nil, err
	}
	out := make([]*nn.Model, len(best))
	for i, tr := range best {
		if out[i], err = t.LoadModel(tr.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// LoadModel rebuilds the model of a trial and loads its best checkpoint.
// It works for a tuner whose Evaluator is a Training.
func (t *Tuner) LoadModel(id int) (*nn.Model, error) {
	tr, ok := t.eval.(*Training)
	if !ok {
		return nil, fmt.Errorf("tuner: a custom objective has no models")
	}
	return LoadModel(t.store, tr.HyperModel, id)
}

// BuildModel builds hm's model for values of space, with fresh weights; a
// hyperparameter the values lack takes its default.
func BuildModel(hm HyperModel, space *hp.Space, values hp.Values) (*nn.Model, error) {
	return buildModel(hm, space, nil, values)
}

// buildModel is BuildModel with the study's predefined hyperparameters.
func buildModel(hm HyperModel, space *hp.Space, e *hp.Entries, values hp.Values) (*nn.Model, error) {
	h := hp.FromValues(space, values)
	h.SetEntries(e)
	m, err := hm.Build(h)
	if herr := h.Err(); herr != nil {
		err = herr
	}
	return m, err
}

// LoadModel rebuilds the model of trial id of the study in store with hm
// (the hypermodel the study was searched with) and loads the trial's best
// checkpoint. A trial that never finished an epoch has no checkpoint: the
// error then wraps trials.ErrNoCheckpoint; one whose checkpoint retention
// deleted gives an error wrapping ErrCheckpointDropped as well.
func LoadModel(store trials.Store, hm HyperModel, id int) (*nn.Model, error) {
	st, err := store.Study()
	if err != nil {
		return nil, err
	}
	tr, err := store.Trial(id)
	if err != nil {
		return nil, err
	}
	m, err := buildModel(hm, st.Space, st.Entries, tr.Values)
	if err != nil {
		return nil, fmt.Errorf("rebuilding trial %d: %w", id, err)
	}
	ck, err := store.Checkpoint(id)
	switch {
	case errors.Is(err, trials.ErrNoCheckpoint) && tr.Status.Final() && len(tr.History) > 0:
		// Training stores a checkpoint at a trial's first epoch: one that
		// logged epochs and has none lost it to retention.
		return nil, fmt.Errorf("trial %d: %w; train it again to get its model: %w", id, ErrCheckpointDropped, trials.ErrNoCheckpoint)
	case errors.Is(err, trials.ErrNoCheckpoint):
		return nil, fmt.Errorf("trial %d is %s and never finished an epoch: %w", id, tr.Status, trials.ErrNoCheckpoint)
	}
	if err != nil {
		return nil, fmt.Errorf("trial %d: %w", id, err)
	}
	if err := m.UnmarshalWeights(ck); err != nil {
		return nil, fmt.Errorf("trial %d's checkpoint does not fit its model: %w", id, err)
	}
	return m, nil
}

// ResultsSummary writes the n best trials like Keras Tuner's
// results_summary: values, score and best epoch of each, counting epochs
// from 1 as Keras prints them (the store counts from 0).
func (t *Tuner) ResultsSummary(w io.Writer, n int) error {
	best, err := t.BestTrials(n)
	if err != nil {
		return err
	}
	o := t.opts.objective
	fmt.Fprintf(w, "Results summary\nObjective: %s (%s)\nShowing %d best trials\n", o.Name, o.Direction, len(best))
	for _, tr := range best {
		fmt.Fprintf(w, "\nTrial %d summary\nHyperparameters:\n", tr.ID)
		for _, p := range t.Space().Params() {
			if v, ok := tr.Values[p.Name]; ok {
				fmt.Fprintf(w, "  %s: %v\n", p.Name, v)
			}
		}
		fmt.Fprintf(w, "Score: %.6g (epoch %d)\n", *tr.Score, tr.BestEpoch+1)
	}
	return nil
}
