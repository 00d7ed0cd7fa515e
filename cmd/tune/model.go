package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/study"
	"github.com/tunekit/tune/tuner"
)

// newTraining is what the trials of a study file train: its hypermodel on
// its data, as search and worker run them.
func newTraining(st *study.Study, ds *study.LoadedData) *tuner.Training {
	return &tuner.Training{HyperModel: st.HyperModel(ds.Profile()), X: ds.X, Y: ds.Y, Config: st.FitConfig(ds)}
}

// trialModel rebuilds a trial's model from the study kept with the
// project and loads the trial's best checkpoint.
func (p *project) trialModel(what string, id int) (*nn.Model, error) {
	spec, info, err := p.needSpec(what)
	if err != nil {
		return nil, err
	}
	return tuner.LoadModel(p.store, spec.HyperModel(info), id)
}

// readInputs reads the rows to predict: a csv file laid out like the
// study's (feature columns by name when the study's file has a header;
// other columns, the target among them, are ignored), an IDX image file,
// or PNG/JPEG images (a folder, read with its subfolders, or one file),
// resized and converted to the model's input shape. format is auto (by
// the file name, or a folder), csv, idx or images. For images, names
// are the files read, in row order, relative to a folder.
func readInputs(spec *study.Study, info *data.Profile, path, format string) (x *nn.Matrix, names []string, err error) {
	if format == "auto" {
		format = "csv"
		base := strings.ToLower(filepath.Base(path))
		switch fi, err := os.Stat(path); {
		case err == nil && fi.IsDir(), data.IsImageFile(base):
			format = "images"
		case strings.Contains(base, "idx") || strings.Contains(base, "ubyte"):
			format = "idx"
		}
	}
	width := info.Width()
	switch format {
	case "idx":
		x, shape, err := data.LoadIDXImages(path)
		if err != nil {
			return nil, nil, inputError(path, err)
		}
		if !slices.Equal(shape, info.InputShape) {
			return nil, nil, fmt.Errorf("%s holds images of shape %v; the model takes %v", path, shape, info.InputShape)
		}
		return x, nil, nil
	case "images":
		return readImageInputs(info, path)
	case "csv":
	default:
		return nil, nil, fmt.Errorf("unknown input format %q (want auto, csv, idx or images)", format)
	}
	o := data.CSVOptions{NoTarget: true}
	header := true
	if spec.Data.Format == "csv" {
		o.Comma, _ = utf8.DecodeRuneInString(spec.Data.Separator)
		header = spec.Data.Header
	}
	if len(info.Features) > 0 {
		// The feature columns by name (generated ones, "0", "1", …,
		// without a header): the target and any other column are left
		// out, and need not be numbers.
		o.Header, o.Columns = header, info.Features
	}
	t, err := data.LoadCSVFile(path, o)
	if !header && errors.Is(err, data.ErrUnknownColumn) {
		// A headerless file of the features alone.
		o.Columns = nil
		t, err = data.LoadCSVFile(path, o)
	}
	if err != nil {
		return nil, nil, inputError(path, err)
	}
	x = t.X
	if x.Cols == width+1 && len(info.Features) == 0 && spec.Data.Format == "csv" && spec.Data.Target.Name == "" {
		// A project that kept no feature names: drop the target column.
		target := spec.Data.Target.Index
		if target < 0 {
			target += x.Cols
		}
		x = dropColumn(x, target)
	}
	if x.Cols != width {
		return nil, nil, fmt.Errorf("%s has %d feature columns; the model takes %d", path, x.Cols, width)
	}
	return x, nil, nil
}

// readImageInputs reads the images to predict: the PNG and JPEG files of a
// folder and its subfolders, or one such file, sized for a model that
// takes height × width [× channels] images.
func readImageInputs(info *data.Profile, path string) (*nn.Matrix, []string, error) {
	shape := info.InputShape
	channels := 1
	if len(shape) == 3 {
		channels = shape[2]
	}
	if (len(shape) != 2 && len(shape) != 3) || (channels != 1 && channels != 3) {
		return nil, nil, fmt.Errorf("%s: the model takes inputs of shape %v, not images", path, shape)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, inputError(path, err)
	}
	paths, names := []string{path}, []string{filepath.Base(path)}
	if fi.IsDir() {
		if paths, err = data.ImageFiles(path); err != nil {
			return nil, nil, inputError(path, err)
		}
		names = make([]string, len(paths))
		for i, p := range paths {
			rel, err := filepath.Rel(path, p)
			if err != nil {
				return nil, nil, err
			}
			names[i] = filepath.ToSlash(rel)
		}
	}
	x, err := data.LoadImageFiles(paths, shape[0], shape[1], channels)
	if err != nil {
		return nil, nil, inputError(path, err)
	}
	return x, names, nil
}

// dropColumn returns x without column j.
func dropColumn(x *nn.Matrix, j int) *nn.Matrix {
	out := nn.NewMatrix(x.Rows, x.Cols-1)
	for i := range x.Rows {
		row := x.Row(i)
		copy(out.Row(i), row[:j])
		copy(out.Row(i)[j:], row[j+1:])
	}
	return out
}

// inputError names a file that cannot be opened as such; the data
// package's other errors name it already.
func inputError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fileError("read", path, err)
	}
	return err
}
