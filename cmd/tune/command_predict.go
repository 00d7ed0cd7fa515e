package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/hypermodels"
	"github.com/tunekit/tune/nn"
)

type predictFlags struct {
	projectFlags
	trial                        int
	model, input, output, format string
}

func newPredictCommand() *cobra.Command {
	var f predictFlags
	cmd := &cobra.Command{
		Use:   "predict --input FILE [--trial N | --model FILE] [-o predictions.csv] [--config study.yaml | --project DIR/NAME | --db FILE]",
		Short: "Predict with the best model (or a trial's) and write the predictions as csv",
		Long: `predict rebuilds the best trial's model (or --trial N's) from the project,
loads its best-epoch checkpoint, and predicts the rows of --input: a csv
file laid out like the study's training file (the feature columns are
found by name when that file has a header; other columns, the target
among them, are ignored; a headerless file may hold the target column
too, where the training file had it) or an IDX image file. The study's
scaling, kept with the project, is applied first, and a regression
target's scaling (scale_target) undone last: predictions are in the
target's units. --model predicts with a model file
that tune retrain saved instead (it scales its inputs itself).

The csv written (to standard output or --output) has one row per input
row: row (from 1) and, by task,
  classification  class, then one probability per class (p_<class>)
  binary          class (0 or 1, or the label names) and probability (of class 1)
  regression      prediction`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runPredict(cmd, f) },
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.IntVar(&f.trial, "trial", 0, "the trial whose model predicts; default the best")
	fl.StringVar(&f.model, "model", "", "a model file saved by tune retrain, instead of a trial's")
	fl.StringVarP(&f.input, "input", "i", "", "the csv or IDX file to predict")
	fl.StringVarP(&f.output, "output", "o", "", "the csv file to write; default standard output")
	fl.StringVar(&f.format, "input-format", "auto", "the input's format: auto (by its name), csv or idx")
	_ = cmd.MarkFlagRequired("input")
	cmd.MarkFlagsMutuallyExclusive("trial", "model")
	_ = cmd.MarkFlagFilename("input")
	_ = cmd.MarkFlagFilename("model", "tnn")
	_ = cmd.RegisterFlagCompletionFunc("trial", completeTrials(&f.projectFlags))
	_ = cmd.RegisterFlagCompletionFunc("input-format", completeWords("auto", "csv", "idx"))
	return cmd
}

func runPredict(cmd *cobra.Command, f predictFlags) error {
	if err := checkFormat(f.format, "auto", "csv", "idx"); err != nil {
		return fmt.Errorf("--input-format: %w", err)
	}
	p, err := openProject(cmd, &f.projectFlags)
	if err != nil {
		return err
	}
	defer p.Close()
	spec, info, err := p.needSpec("predict")
	if err != nil {
		return err
	}
	var m *nn.Model
	scaler := info.Scaler
	if f.model != "" {
		if m, err = loadModelFile(f.model); err != nil {
			return err
		}
		scaler = nil // a retrained model scales its inputs itself
	} else {
		t, err := p.chosenTrial(f.trial)
		if err != nil {
			return err
		}
		if m, err = p.trialModel("predict", t.ID); err != nil {
			return err
		}
	}
	x, err := readInputs(spec, info, f.input, f.format)
	if err != nil {
		return err
	}
	if x, err = scaler.Transform(x); err != nil {
		return err
	}
	y, err := m.Predict(x)
	if err != nil {
		return fmt.Errorf("predict: %w", err)
	}
	if f.model == "" && info.Target != nil {
		// The trial's model predicts the scaled target.
		if y, err = info.Target.InverseTransform(y); err != nil {
			return err
		}
	}
	out, err := createOutput(cmd, f.output)
	if err != nil {
		return err
	}
	err = writePredictions(out, spec.Task, info, y)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && f.output != "" {
		fmt.Fprintf(cmd.OutOrStdout(), "wrote %d predictions to %s\n", y.Rows, f.output)
	}
	return err
}

// writePredictions writes the model's outputs as csv.
func writePredictions(w io.Writer, task hypermodels.Task, info *data.Profile, y *nn.Matrix) error {
	className := func(c int) string {
		if c < len(info.ClassNames) {
			return info.ClassNames[c]
		}
		return strconv.Itoa(c)
	}
	f := func(v float32) string { return strconv.FormatFloat(float64(v), 'g', 6, 32) }
	cw := csv.NewWriter(w)
	switch task {
	case hypermodels.Classification:
		header := []string{"row", "class"}
		for c := range y.Cols {
			header = append(header, "p_"+className(c))
		}
		cw.Write(header)
		for i := range y.Rows {
			row := y.Row(i)
			best := 0
			for c, v := range row {
				if v > row[best] {
					best = c
				}
			}
			rec := []string{strconv.Itoa(i + 1), className(best)}
			for _, v := range row {
				rec = append(rec, f(v))
			}
			cw.Write(rec)
		}
	case hypermodels.Binary:
		cw.Write([]string{"row", "class", "probability"})
		for i := range y.Rows {
			v := y.Data[i]
			c := 0
			if v >= 0.5 {
				c = 1
			}
			cw.Write([]string{strconv.Itoa(i + 1), className(c), f(v)})
		}
	default:
		cw.Write([]string{"row", "prediction"})
		for i := range y.Rows {
			cw.Write([]string{strconv.Itoa(i + 1), f(y.Data[i])})
		}
	}
	cw.Flush()
	return cw.Error()
}

// loadModelFile loads a model file, naming it in errors.
func loadModelFile(path string) (*nn.Model, error) {
	m, err := nn.LoadFile(path)
	switch {
	case err == nil:
		return m, nil
	case errors.Is(err, nn.ErrModelFormat):
		return nil, &modelFileError{path: path, err: err}
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		return nil, fileError("read", path, err)
	}
	return nil, err
}

// modelFileError is a model file nn cannot read; it reads as a plain
// sentence, nn's details stay in the wrapped error.
type modelFileError struct {
	path string
	err  error
}

func (e *modelFileError) Error() string {
	return e.path + " is not a model file tune can read: it is cut short or damaged, or tune retrain (nn.Save) did not write it"
}

func (e *modelFileError) Unwrap() error { return e.err }
