package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/study"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/tuner"
)

type retrainFlags struct {
	projectFlags
	trial, epochs int
	output        string
	force         bool
}

func newRetrainCommand() *cobra.Command {
	var f retrainFlags
	cmd := &cobra.Command{
		Use:   "retrain [--trial N] [--epochs E] [-o model.tnn] [--config study.yaml | --project DIR/NAME | --db FILE]",
		Short: "Train the best configuration on training + validation data, test it, save it",
		Long: `retrain is the last step of a search: it builds a fresh model with the
best trial's hyperparameters (or --trial N's), trains it on the training
and validation data together for --epochs (default: as many epochs as the
trial trained for in the search; it then sees more rows than the trial
did, and its best epoch, picked on the validation data, is an estimate
that stops short of what the larger training set supports), evaluates it on the study's test file (data.test_path, or
data.test_images and data.test_labels) if there is one, and saves the
whole model to --output (default: retrained.tnn in the project
directory; an existing file is kept unless --force). The study's scaling
is fitted on all the training rows and put inside the model, so the saved
model takes raw features, and a scaled regression target (scale_target)
is folded into its output layer, so it answers in the target's units; the
test metrics are in the target's units too. tune predict --model uses it,
and so can a Go program (nn.LoadFile).

It reads the data files named by the study file kept with the project.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runRetrain(cmd, f) },
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.IntVar(&f.trial, "trial", 0, "the trial whose hyperparameters to use; default the best")
	fl.IntVar(&f.epochs, "epochs", 0, "epochs to train; default the epochs the trial trained for")
	fl.BoolVar(&f.force, "force", false, "overwrite the model file if it exists")
	fl.StringVarP(&f.output, "output", "o", "", "the model file to write; default DIR/NAME/retrained.tnn")
	_ = cmd.MarkFlagFilename("output", "tnn")
	_ = cmd.RegisterFlagCompletionFunc("trial", completeTrials(&f.projectFlags))
	return cmd
}

func runRetrain(cmd *cobra.Command, f retrainFlags) error {
	if f.epochs < 0 {
		return fmt.Errorf("--epochs %d: want 1 or more (0: the epochs the trial trained for)", f.epochs)
	}
	p, err := openProject(cmd, &f.projectFlags)
	if err != nil {
		return err
	}
	spec, _, err := p.needSpec("retrain")
	if err == nil {
		err = p.needTrials()
	}
	if err != nil {
		p.Close()
		return err
	}
	t, err := p.chosenTrial(f.trial)
	space := p.study.Space
	seed := p.study.Seed
	order := p.paramNames()
	p.Close() // the search may resume while this trains
	if err != nil {
		return err
	}
	output := f.output
	if output == "" {
		output = filepath.Join(p.outDir, "retrained.tnn")
	}
	if err := checkWritable(output); err != nil {
		return err
	}
	if _, err := os.Stat(output); err == nil && !f.force {
		return fmt.Errorf("%s exists (an earlier retrain's model): --force overwrites it, -o names another file", output)
	}
	epochs := f.epochs
	if epochs == 0 {
		epochs = trainedEpochs(t, spec.Epochs)
	}
	out := cmd.OutOrStdout()

	ds, err := spec.LoadRawData()
	if err != nil {
		return err
	}
	x, y := ds.X, ds.Y
	if ds.ValidationX != nil {
		x, y = concatRows(ds.X, ds.ValidationX), concatRows(ds.Y, ds.ValidationY)
	}
	scaler, err := spec.FitScaler(x)
	if err != nil {
		return err
	}
	hm, err := spec.ScalingHyperModel(ds.Profile(), scaler)
	if err != nil {
		return err
	}
	target, err := spec.FitTarget(y)
	if err != nil {
		return err
	}
	testY := ds.TestY
	if target != nil {
		if y, err = target.Transform(y); err == nil && testY != nil {
			testY, err = target.Transform(testY)
		}
		if err != nil {
			return err
		}
	}
	units := spec.TargetUnits(target)
	m, err := tuner.BuildModel(hm, space, t.Values)
	if err != nil {
		return fmt.Errorf("trial %d: %w", t.ID, err)
	}
	if err := m.InitWeights(seed); err != nil {
		return err
	}
	fmt.Fprintf(out, "retraining trial %d's configuration on %d rows for %d epochs: %s\n", t.ID, x.Rows, epochs,
		formatValues(t.Values, order))
	cfg := nn.FitConfig{Epochs: epochs, BatchSize: spec.BatchSize, Seed: seed}
	if units != nil {
		cfg.Callbacks = append(cfg.Callbacks, units)
	}
	cfg.Callbacks = append(cfg.Callbacks, &epochPrinter{w: out, epochs: epochs})
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if _, err := hm.Fit(ctx, hp.FromValues(space, t.Values), m, x, y, cfg); err != nil {
		return fmt.Errorf("retrain: %w", err)
	}
	if ds.TestX != nil {
		logs, err := m.Evaluate(ctx, ds.TestX, testY, nn.EvaluateConfig{BatchSize: 256})
		if err != nil {
			return fmt.Errorf("evaluate on the test set: %w", err)
		}
		units.Convert(logs)
		fmt.Fprintf(out, "test (%d rows):", ds.TestX.Rows)
		for _, name := range sortedMetrics(logs) {
			fmt.Fprintf(out, " %s=%s", name, formatMetric(logs[name]))
		}
		fmt.Fprintln(out)
	} else {
		fmt.Fprintln(out, "no test set: the study holds none out (data.test_split for csv rows; a test file: data.test_path, data.test_images and data.test_labels, or data.test_directory for images)")
	}
	if err := study.FoldTarget(m, target); err != nil {
		return err
	}
	if err := m.SaveFile(output); err != nil {
		return fileError("write", output, err)
	}
	fmt.Fprintf(out, "saved the model (%d parameters) to %s\n", m.CountParams(), output)
	return nil
}

// trainedEpochs is how many epochs trial t trained for in the search (its
// first execution), or def when it recorded none.
func trainedEpochs(t *trials.Trial, def int) int {
	n := 0
	for _, e := range t.History {
		if e.Execution == 0 {
			n = max(n, e.Epoch+1)
		}
	}
	if n == 0 {
		return def
	}
	return n
}

// concatRows stacks a's rows on b's.
func concatRows(a, b *nn.Matrix) *nn.Matrix {
	out := nn.NewMatrix(a.Rows+b.Rows, a.Cols)
	copy(out.Data, a.Data)
	copy(out.Data[len(a.Data):], b.Data)
	return out
}

// epochPrinter prints one line per epoch.
type epochPrinter struct {
	nn.BaseCallback
	w      io.Writer
	epochs int
}

func (p *epochPrinter) OnEpochEnd(_ *nn.Model, epoch int, logs nn.Logs) error {
	fmt.Fprintf(p.w, "epoch %d/%d ", epoch+1, p.epochs)
	for _, name := range sortedMetrics(logs) {
		fmt.Fprintf(p.w, " %s=%s", name, formatMetric(logs[name]))
	}
	fmt.Fprintln(p.w)
	return nil
}
