package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/study"
	"github.com/tunekit/tune/tuner"
)

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
// other columns, the target among them, are ignored), or an IDX image
// file. format is auto (by the file name), csv or idx.
func readInputs(spec *study.Study, info *study.DataInfo, path, format string) (*nn.Matrix, error) {
	if format == "auto" {
		format = "csv"
		base := strings.ToLower(filepath.Base(path))
		if strings.Contains(base, "idx") || strings.Contains(base, "ubyte") {
			format = "idx"
		}
	}
	width := 1
	for _, d := range info.InputShape {
		width *= d
	}
	var x *nn.Matrix
	switch format {
	case "idx":
		var shape []int
		var err error
		x, shape, err = data.LoadIDXImages(path)
		if err != nil {
			return nil, errors.New(strings.TrimPrefix(err.Error(), "data: "))
		}
		if !slices.Equal(shape, info.InputShape) {
			return nil, fmt.Errorf("%s holds images of shape %v; the model takes %v", path, shape, info.InputShape)
		}
		return x, nil
	case "csv":
	default:
		return nil, fmt.Errorf("unknown input format %q (want auto, csv or idx)", format)
	}
	o := data.CSVOptions{NoTarget: true}
	if spec.Data.Format == "csv" {
		o.Comma, _ = utf8.DecodeRuneInString(spec.Data.Separator)
		o.Header = spec.Data.Header
	}
	if len(info.Features) > 0 {
		o.Header, o.Columns = true, info.Features
	}
	t, err := data.LoadCSVFile(path, o)
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "data: "))
	}
	x = t.X
	if x.Cols == width+1 && spec.Data.Format == "csv" && len(info.Features) == 0 {
		// The target column is there too: drop it.
		target := spec.Data.Target.Index
		if target < 0 {
			target += x.Cols
		}
		x = dropColumn(x, target)
	}
	if x.Cols != width {
		return nil, fmt.Errorf("%s has %d feature columns; the model takes %d", path, x.Cols, width)
	}
	return x, nil
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
