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
		Use:   "predict --input FILE|DIR [--trial N | --model FILE] [-o predictions.csv] [--config study.yaml | --project DIR/NAME | --db FILE]",
		Short: "Predict with the best model (or a trial's) and write the predictions as csv",
		Long: `predict rebuilds the best trial's model (or --trial N's) from the project,
loads its best-epoch checkpoint, and predicts the rows of --input: a csv
file laid out like the study's training file (the feature columns are
found by name when that file has a header; other columns, the target
among them, are ignored; a headerless file may hold the target column
too, where the training file had it), an IDX image file, or PNG/JPEG
images, a folder of them (subfolders included, in path order) or one,
resized and converted to the model's input as a study's image folder is.
The study's scaling, kept with the project, is applied first, and a
regression target's scaling (scale_target) undone last: predictions are
in the target's units. --model predicts with a model file that tune
retrain saved instead (it scales its inputs itself).

The csv written (to standard output or --output) has one row per input
row: row (from 1), file (for images: its path in the folder) and, by task,
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
	fl.StringVarP(&f.input, "input", "i", "", "the csv, IDX or image file, or image folder, to predict")
	fl.StringVarP(&f.output, "output", "o", "", "the csv file to write; default standard output")
	fl.StringVar(&f.format, "input-format", "auto", "the input's format: auto (a folder or .png/.jpg: images; by its name), csv, idx or images")
	_ = cmd.MarkFlagRequired("input")
	cmd.MarkFlagsMutuallyExclusive("trial", "model")
	_ = cmd.MarkFlagFilename("input")
	_ = cmd.MarkFlagFilename("model", "tnn")
	_ = cmd.RegisterFlagCompletionFunc("trial", completeTrials(&f.projectFlags))
	_ = cmd.RegisterFlagCompletionFunc("input-format", completeWords("auto", "csv", "idx", "images"))
	return cmd
}

func runPredict(cmd *cobra.Command, f predictFlags) error {
	if err := checkFormat(f.format, "auto", "csv", "idx", "images"); err != nil {
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
	x, names, err := readInputs(spec, info, f.input, f.format)
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
	err = writePredictions(out, spec.Task, info, y, names)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && f.output != "" {
		fmt.Fprintf(cmd.OutOrStdout(), "wrote %d predictions to %s\n", y.Rows, f.output)
	}
	return err
}

// writePredictions writes the model's outputs as csv, a row per input
// row; with files (image inputs), each row names its file.
func writePredictions(w io.Writer, task hypermodels.Task, info *data.Profile, y *nn.Matrix, files []string) error {
	className := func(c int) string {
		if c < len(info.ClassNames) {
			return info.ClassNames[c]
		}
		return strconv.Itoa(c)
	}
	f := func(v float32) string { return strconv.FormatFloat(float64(v), 'g', 6, 32) }
	var header []string
	switch task {
	case hypermodels.Classification:
		header = []string{"class"}
		for c := range y.Cols {
			header = append(header, "p_"+className(c))
		}
	case hypermodels.Binary:
		header = []string{"class", "probability"}
	default:
		header = []string{"prediction"}
	}
	lead := []string{"row"}
	if files != nil {
		lead = append(lead, "file")
	}
	cw := csv.NewWriter(w)
	cw.Write(append(lead, header...))
	for i := range y.Rows {
		rec := []string{strconv.Itoa(i + 1)}
		if files != nil {
			rec = append(rec, files[i])
		}
		row := y.Row(i)
		switch task {
		case hypermodels.Classification:
			best := 0
			for c, v := range row {
				if v > row[best] {
					best = c
				}
			}
			rec = append(rec, className(best))
			for _, v := range row {
				rec = append(rec, f(v))
			}
		case hypermodels.Binary:
			c := 0
			if row[0] >= 0.5 {
				c = 1
			}
			rec = append(rec, className(c), f(row[0]))
		default:
			rec = append(rec, f(row[0]))
		}
		cw.Write(rec)
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
