package study

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/nn"
)

// Data is the data section: where the training data come from, and how
// they are split and scaled.
type Data struct {
	// Format is idx, csv or spirals; required.
	Format string `yaml:"format"`

	// TrainImages and TrainLabels are the IDX files (gzip or raw) of the
	// idx format: images of any shape (pixels scaled to [0, 1]) and their
	// class labels. Relative paths are relative to the study file.
	TrainImages string `yaml:"train_images"`
	TrainLabels string `yaml:"train_labels"`

	// Path is the csv format's file. Relative to the study file.
	Path string `yaml:"path"`
	// Separator is the csv field separator, one character; default ",".
	Separator string `yaml:"separator"`
	// Header says the first csv line names the columns; default true.
	Header bool `yaml:"header"`
	// Target is the csv column holding the label: a header name, or a
	// 0-based index (negative counts from the end); default -1, the last
	// column.
	Target Column `yaml:"target"`
	// Columns selects the feature columns by header name; default every
	// column but the target.
	Columns []string `yaml:"columns"`
	// StringLabels reads the csv target as class names (each distinct
	// name a class, numbered in order of first appearance).
	StringLabels bool `yaml:"string_labels"`

	// Samples, Classes and Noise generate the spirals format (see
	// data.Spirals): default 1000 points on 2 arms with noise 0.1, drawn
	// from the study's seed.
	Samples int     `yaml:"samples"`
	Classes int     `yaml:"classes"`
	Noise   float64 `yaml:"noise"`

	// ValidationSplit holds out the last fraction of the rows as
	// validation data (Keras' validation_split: the last
	// rows − int(rows·(1 − split)) rows). It must be in [0, 1).
	ValidationSplit float64 `yaml:"validation_split"`
	// ValidationLast holds out the last N rows instead. Set at most one
	// of the two; without either there is no validation data.
	ValidationLast int `yaml:"validation_last"`

	// Scale is none (default), standard (zero mean, unit variance) or
	// minmax ([0, 1]), fitted on the training part only and applied to
	// the features of both parts.
	Scale string `yaml:"scale"`
}

func defaultData() Data {
	return Data{Separator: ",", Header: true, Target: Column{Index: -1}, Samples: 1000, Classes: 2, Noise: 0.1, Scale: "none"}
}

// formatKeys are the keys of each data format; the keys of no format
// (format, validation_*, scale) apply to all.
var formatKeys = map[string][]string{
	"idx":     {"train_images", "train_labels"},
	"csv":     {"path", "separator", "header", "target", "columns", "string_labels"},
	"spirals": {"samples", "classes", "noise"},
}

func (s *Study) checkData() error {
	d := &s.Data
	if !s.has("data") {
		return errorf(s.line("data"), "the data section is missing: set data.format (idx, csv or spirals) and its files")
	}
	keys, ok := formatKeys[d.Format]
	if !ok {
		if d.Format == "" {
			return errorf(s.line("data", "format"), "data.format is missing: want idx, csv or spirals")
		}
		return errorf(s.line("data", "format"), "data.format %q: want idx, csv or spirals", d.Format)
	}
	for format, other := range formatKeys {
		if format == d.Format {
			continue
		}
		for _, k := range other {
			if s.has("data", k) {
				return errorf(s.line("data", k), "data.%s applies to format %s, not %s", k, format, d.Format)
			}
		}
	}
	required := map[string]string{"train_images": d.TrainImages, "train_labels": d.TrainLabels, "path": d.Path}
	for _, k := range keys {
		if v, ok := required[k]; ok && v == "" {
			return errorf(s.line("data", k), "data.%s is missing: the %s format needs it", k, d.Format)
		}
	}
	d.TrainImages, d.TrainLabels, d.Path = s.path(d.TrainImages), s.path(d.TrainLabels), s.path(d.Path)
	switch d.Format {
	case "csv":
		if d.Separator == "" {
			d.Separator = ","
		}
		if utf8.RuneCountInString(d.Separator) != 1 {
			return errorf(s.line("data", "separator"), "data.separator %q must be one character", d.Separator)
		}
		if !d.Header && (d.Target.Name != "" || len(d.Columns) > 0) {
			return errorf(s.line("data", "header"), "data.target and data.columns name columns, which needs header: true")
		}
		if _, err := d.csvOptions(); err != nil {
			return wrapf(s.line("data"), err, "")
		}
	case "spirals":
		switch {
		case d.Samples < 1:
			return errorf(s.line("data", "samples"), "data.samples is %d, want 1 or more", d.Samples)
		case d.Classes < 2:
			return errorf(s.line("data", "classes"), "data.classes is %d, want 2 or more", d.Classes)
		case !(d.Noise >= 0) || math.IsInf(d.Noise, 0):
			return errorf(s.line("data", "noise"), "data.noise %v must be 0 or more", d.Noise)
		case s.Task == Regression:
			return errorf(s.line("task"), "task regression does not fit the spirals data, whose labels are classes")
		case s.Task == Binary && d.Classes != 2:
			return errorf(s.line("data", "classes"), "task binary needs data.classes 2, not %d", d.Classes)
		}
	}
	switch {
	case !(d.ValidationSplit >= 0 && d.ValidationSplit < 1):
		return errorf(s.line("data", "validation_split"), "data.validation_split %v must be in [0, 1)", d.ValidationSplit)
	case d.ValidationLast < 0:
		return errorf(s.line("data", "validation_last"), "data.validation_last is %d, want 0 or more", d.ValidationLast)
	case d.ValidationSplit > 0 && d.ValidationLast > 0:
		return errorf(s.line("data", "validation_last"), "set data.validation_split or data.validation_last, not both")
	}
	switch d.Scale {
	case "":
		d.Scale = "none"
	case "none", "standard", "minmax":
	default:
		return errorf(s.line("data", "scale"), "data.scale %q: want none, standard or minmax", d.Scale)
	}
	return nil
}

func (d *Data) csvOptions() (data.CSVOptions, error) {
	o := data.CSVOptions{
		Header:       d.Header,
		Target:       d.Target.Name,
		StringLabels: d.StringLabels,
		Columns:      d.Columns,
	}
	if d.Target.Name == "" {
		o.TargetIndex = d.Target.Index
	}
	o.Comma, _ = utf8.DecodeRuneInString(d.Separator)
	// Validate the options the way LoadCSV does, on an empty input.
	if _, err := data.LoadCSV(strings.NewReader(""), o); errors.Is(err, data.ErrOptions) {
		return o, err
	}
	return o, nil
}

// Dataset is a study's data, loaded, split and scaled.
type Dataset struct {
	// X and Y are the training part: one sample per row of X (flattened),
	// one label or target per row of Y.
	X, Y *nn.Matrix
	// ValidationX and ValidationY are the validation part, nil without
	// one.
	ValidationX, ValidationY *nn.Matrix
	// InputShape is the shape of one sample: [28 28] for Fashion-MNIST
	// images, [features] otherwise.
	InputShape []int
	// Classes is the number of classes of a classification task (the
	// largest training label + 1), 2 for binary and 0 for regression.
	Classes int
	// ClassNames are the labels of a csv file read with string_labels,
	// indexed by class id; nil otherwise.
	ClassNames []string
	// Features names the csv feature columns, when the file has a header.
	Features []string
}

// LoadData loads the data section: it reads the files (or generates the
// spirals), checks the labels against the task, splits off the validation
// rows and scales the features. Errors name the study file and the data
// section's line, and the data file at fault; CSV content errors are
// data.ParseError values naming the CSV file, line and column.
func (s *Study) LoadData() (*Dataset, error) {
	ds, err := s.loadData()
	if err != nil {
		return nil, s.locate(err)
	}
	return ds, nil
}

func (s *Study) loadData() (*Dataset, error) {
	d := &s.Data
	line := s.line("data")
	ds := &Dataset{}
	var x, y *nn.Matrix
	switch d.Format {
	case "idx":
		var err error
		x, ds.InputShape, err = data.LoadIDXImages(d.TrainImages)
		if err != nil {
			return nil, dataError(s.line("data", "train_images"), err)
		}
		if y, err = data.LoadIDXLabels(d.TrainLabels); err != nil {
			return nil, dataError(s.line("data", "train_labels"), err)
		}
		if x.Rows != y.Rows {
			return nil, &Error{Line: s.line("data", "train_labels"), Err: ErrData,
				Msg: fmt.Sprintf("%s holds %d labels for the %d images of %s", d.TrainLabels, y.Rows, x.Rows, d.TrainImages)}
		}
	case "csv":
		o, err := d.csvOptions()
		if err != nil {
			return nil, wrapf(line, err, "")
		}
		t, err := data.LoadCSVFile(d.Path, o)
		if err != nil {
			var pe *data.ParseError
			switch {
			case errors.Is(err, data.ErrUnknownColumn) || errors.Is(err, data.ErrDuplicateColumn):
				// The fix is in the study file: point there too.
				key := "columns"
				if d.Target.Name == "" || strings.Contains(err.Error(), strconv.Quote(d.Target.Name)) {
					key = "target"
				}
				return nil, wrapf(s.line("data", key), err, "data.%s", key)
			case errors.As(err, &pe):
				return nil, &Error{File: pe.File, Line: pe.Line, Msg: oneLine(strings.TrimPrefix(pe.Error(), fmt.Sprintf("%s:%d: ", pe.File, pe.Line))), Err: err}
			}
			return nil, dataError(s.line("data", "path"), err)
		}
		x, y = t.X, t.Y
		ds.InputShape = []int{x.Cols}
		ds.ClassNames, ds.Features = t.Classes, t.Features
	case "spirals":
		x, y = data.Spirals(d.Samples, d.Classes, d.Noise, s.Seed)
		ds.InputShape = []int{x.Cols}
	default:
		return nil, errorf(s.line("data", "format"), "data.format %q: want idx, csv or spirals", d.Format)
	}

	val := 0
	switch {
	case d.ValidationLast > 0:
		val = d.ValidationLast
	case d.ValidationSplit > 0:
		// Keras: split_at = int(rows * (1 - validation_split)).
		val = x.Rows - int(float64(x.Rows)*(1-d.ValidationSplit))
	}
	if val > 0 && (val >= x.Rows) {
		return nil, &Error{Line: s.validationLine(), Err: ErrData,
			Msg: fmt.Sprintf("the data have %d rows: too few to hold out %d for validation and train on the rest", x.Rows, val)}
	}
	if val == 0 && s.hasValidation() {
		return nil, &Error{Line: s.validationLine(), Err: ErrData,
			Msg: fmt.Sprintf("data.validation_split %v of %d rows holds out no row", d.ValidationSplit, x.Rows)}
	}
	var err error
	ds.X, ds.Y, ds.ValidationX, ds.ValidationY, err = data.SplitLast(x, y, val)
	if err != nil {
		return nil, wrapf(line, err, "")
	}
	if val == 0 {
		ds.ValidationX, ds.ValidationY = nil, nil
	}
	if err := s.checkLabels(ds); err != nil {
		return nil, err
	}
	if err := s.scale(ds); err != nil {
		return nil, err
	}
	return ds, nil
}

func (s *Study) validationLine() int {
	if s.Data.ValidationLast > 0 {
		return s.line("data", "validation_last")
	}
	return s.line("data", "validation_split")
}

// dataError wraps an error of the data package, which names the file.
func dataError(line int, err error) error {
	return &Error{Line: line, Msg: oneLine(strings.TrimPrefix(err.Error(), "data: ")), Err: err}
}

// maxClasses bounds the classes inferred from labels: a larger label is
// more likely a regression target than a class id.
const maxClasses = 10000

// checkLabels checks the labels against the task and sets Classes.
func (s *Study) checkLabels(ds *Dataset) error {
	line := s.line("task")
	if line == 0 {
		line = s.line("data")
	}
	bad := func(format string, args ...any) error {
		return &Error{Line: line, Msg: fmt.Sprintf(format, args...), Err: ErrData}
	}
	if ds.Y.Cols != 1 {
		return bad("the labels have %d columns, want 1", ds.Y.Cols)
	}
	label := func(part string, y *nn.Matrix, classes int) error {
		if y == nil {
			return nil
		}
		for i, v := range y.Data {
			f := float64(v)
			switch s.Task {
			case Classification:
				if f < 0 || f != math.Trunc(f) || f >= maxClasses {
					return bad("%s label %v (row %d) is not a class id 0, 1, 2, … below %d; for a real-valued target use task: regression", part, v, i+1, maxClasses)
				}
				if classes > 0 && int(f) >= classes {
					return bad("validation label %v (row %d) is not a class of the training labels (0 to %d)", v, i+1, classes-1)
				}
			case Binary:
				if f != 0 && f != 1 {
					return bad("%s label %v (row %d) is not 0 or 1, as task binary needs; for more classes use task: classification", part, v, i+1)
				}
			}
		}
		return nil
	}
	if err := label("training", ds.Y, 0); err != nil {
		return err
	}
	switch s.Task {
	case Classification:
		top := float32(0)
		for _, v := range ds.Y.Data {
			top = max(top, v)
		}
		ds.Classes = int(top) + 1
		if ds.Classes < 2 {
			return bad("the training labels hold a single class (0); classification needs 2 or more")
		}
		if len(ds.ClassNames) > ds.Classes {
			// String labels seen only in the validation part.
			ds.Classes = len(ds.ClassNames)
		}
	case Binary:
		ds.Classes = 2
	}
	return label("validation", ds.ValidationY, ds.Classes)
}

// scale fits the scaler on the training features and applies it to both
// parts.
func (s *Study) scale(ds *Dataset) error {
	type scaler interface {
		FitTransform(*nn.Matrix) (*nn.Matrix, error)
		Transform(*nn.Matrix) (*nn.Matrix, error)
	}
	var sc scaler
	switch s.Data.Scale {
	case "standard":
		sc = &data.StandardScaler{}
	case "minmax":
		sc = &data.MinMaxScaler{}
	default:
		return nil
	}
	var err error
	if ds.X, err = sc.FitTransform(ds.X); err == nil && ds.ValidationX != nil {
		ds.ValidationX, err = sc.Transform(ds.ValidationX)
	}
	if err != nil {
		return wrapf(s.line("data", "scale"), err, "data.scale %s", s.Data.Scale)
	}
	return nil
}
