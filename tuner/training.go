package tuner

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"time"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
)

// Training is the Evaluator that trains a hypermodel on data: each
// execution builds HyperModel's model for the trial's values and fits it
// on X and Y with Config (Epochs, BatchSize, validation data, callbacks).
// A Hyperband trial overrides Config's Epochs and InitialEpoch, and the
// tuner sets its Seed. The best epoch's weights are stored as the trial's
// checkpoint, so that its model can be loaded back (Tuner.LoadModel).
type Training struct {
	HyperModel HyperModel
	X, Y       *nn.Matrix
	Config     nn.FitConfig
}

// defineSpace calls Build once with recording HyperParameters to discover
// the search space.
func (tr *Training) defineSpace(e *hp.Entries) (*hp.Space, error) {
	if tr.HyperModel == nil {
		return nil, errors.New("tuner: Training has no HyperModel")
	}
	h := hp.New()
	h.SetEntries(e)
	_, err := tr.HyperModel.Build(h)
	// A bad definition explains a build error that follows from it.
	if herr := h.Err(); herr != nil {
		return nil, fmt.Errorf("tuner: search space: %w", herr)
	}
	if err != nil {
		return nil, fmt.Errorf("tuner: build with default hyperparameters: %w", err)
	}
	return h.Space(), nil
}

// checkData fails fast, before any trial is recorded, when the data do not
// fit the model that the default hyperparameters build.
func (tr *Training) checkData(space *hp.Space, e *hp.Entries) error {
	if tr.X == nil || tr.Y == nil || tr.X.Rows == 0 {
		return fmt.Errorf("tuner: Training needs data: X and Y are empty")
	}
	h := hp.FromValues(space, space.Defaults())
	h.SetEntries(e)
	m, err := tr.HyperModel.Build(h)
	if herr := h.Err(); herr != nil {
		err = herr
	}
	if err != nil {
		return fmt.Errorf("tuner: build with default hyperparameters: %w", err)
	}
	if len(m.InputNames()) != 1 || len(m.OutputNames()) != 1 {
		// A model of several inputs or outputs takes its data from the
		// HyperModel's Fit, which splits x and y itself.
		return nil
	}
	if _, err := m.Evaluate(context.Background(), tr.X.Slice(0, 1), tr.Y.Slice(0, 1), nn.EvaluateConfig{BatchSize: 1}); err != nil {
		return fmt.Errorf("tuner: training data: %w", err)
	}
	if vx, vy := tr.Config.ValidationX, tr.Config.ValidationY; vx != nil && vy != nil && vx.Rows > 0 {
		if _, err := m.Evaluate(context.Background(), vx.Slice(0, 1), vy.Slice(0, 1), nn.EvaluateConfig{BatchSize: 1}); err != nil {
			return fmt.Errorf("tuner: validation data: %w", err)
		}
	}
	return nil
}

// Evaluate builds and trains one model, saving a checkpoint whenever it
// beats every earlier epoch of the trial. The metrics are those reported
// per epoch, so it returns nil ones.
func (tr *Training) Evaluate(ctx context.Context, h *hp.HyperParameters, r *Reporter) (Metrics, error) {
	t := r.t
	m, err := tr.HyperModel.Build(h)
	if herr := h.Err(); herr != nil {
		err = herr
	}
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	if m == nil {
		return nil, fmt.Errorf("build returned no model")
	}
	if err := t.growSpace(h.Space()); err != nil {
		return nil, err
	}
	if err := m.InitWeights(r.seed); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	// Trials train single-threaded; when there are fewer trials than cores,
	// each trial's products use the spare ones.
	threads := t.opts.Threads
	if threads == 0 {
		threads = max(runtime.GOMAXPROCS(0)/t.opts.ParallelTrials, 1)
	}
	m.SetThreads(threads)
	if p := r.trial.Parent; p != 0 {
		ck, err := t.store.Checkpoint(p)
		if err != nil {
			return nil, &storeError{fmt.Errorf("warm start from trial %d: %w", p, err)}
		}
		if err := m.UnmarshalWeights(ck); err != nil {
			return nil, fmt.Errorf("warm start from trial %d: %w", p, err)
		}
	}
	r.improved = func() error {
		w, err := m.MarshalWeights()
		if err == nil {
			err = t.store.PutCheckpoint(r.trial.ID, w)
		}
		if err != nil {
			return &storeError{fmt.Errorf("checkpoint: %w", err)}
		}
		return nil
	}
	cfg := tr.Config
	cfg.Epochs = r.trial.Epochs
	cfg.InitialEpoch = r.trial.InitialEpoch
	cfg.Seed = r.seed
	cfg.Callbacks = make([]nn.Callback, 0, len(tr.Config.Callbacks)+1)
	for _, c := range tr.Config.Callbacks {
		// Stateful callbacks such as EarlyStopping are copied per trial,
		// as Keras Tuner deep-copies them.
		if cl, ok := c.(interface{ Clone() nn.Callback }); ok {
			c = cl.Clone()
		}
		cfg.Callbacks = append(cfg.Callbacks, c)
	}
	cb := &callback{r: r}
	cb.batch, _ = t.opts.Observer.(BatchObserver)
	if t.opts.wants(MetricParams) {
		cb.params = float64(m.CountParams())
	}
	cb.epochTime = t.opts.wants(MetricEpochSeconds)
	cfg.Callbacks = append(cfg.Callbacks, cb)
	_, err = tr.HyperModel.Fit(ctx, h, m, tr.X, tr.Y, cfg)
	if t.opts.wants(MetricLatency) && r.seen && (err == nil || errors.Is(err, ErrPruned)) {
		x := tr.X
		if v := tr.Config.ValidationX; v != nil && v.Rows > 0 {
			x = v
		}
		ms, lerr := latency(m, x.Slice(0, 1))
		if lerr != nil {
			return nil, fmt.Errorf("%s: %w", MetricLatency, lerr)
		}
		r.bestLogs = maps.Clone(r.bestLogs)
		r.bestLogs[MetricLatency] = ms
	}
	// A HyperModel may declare hyperparameters in Fit too (batch size,
	// preprocessing); the caller grows the space.
	return nil, err
}

// latencyRuns is how many single-row predictions latency times.
const latencyRuns = 7

// latency returns the median time, in milliseconds, of predicting row.
func latency(m *nn.Model, row *nn.Matrix) (float64, error) {
	if _, err := m.Predict(row); err != nil { // warm the buffers
		return 0, err
	}
	times := make([]float64, latencyRuns)
	for i := range times {
		start := time.Now()
		if _, err := m.Predict(row); err != nil {
			return 0, err
		}
		times[i] = float64(time.Since(start).Nanoseconds()) / 1e6
	}
	slices.Sort(times)
	return times[latencyRuns/2], nil
}
