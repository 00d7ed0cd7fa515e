package study

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/hypermodels"
	"github.com/tunekit/tune/nn"
)

// Data is the data section: where the training data come from, and how
// they are split and scaled.
type Data struct {
	// Format is idx, csv, images or spirals; required.
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
	// name a class, numbered in order of first appearance, unless Labels
	// fixes the order).
	StringLabels bool `yaml:"string_labels"`
	// Labels, with StringLabels, are the class names in class-id order:
	// [no, yes] makes "yes" the positive class of a binary task. Any
	// other label in the files is an error.
	Labels []string `yaml:"labels"`

	// ValidationPath (csv) or ValidationImages and ValidationLabels (idx)
	// name a separate validation file, read like the training file; they
	// replace validation_split and validation_last.
	ValidationPath   string `yaml:"validation_path"`
	ValidationImages string `yaml:"validation_images"`
	ValidationLabels string `yaml:"validation_labels"`
	// TestPath (csv) or TestImages and TestLabels (idx) name a test file,
	// which tune retrain evaluates the final model on (the search never
	// reads it).
	TestPath   string `yaml:"test_path"`
	TestImages string `yaml:"test_images"`
	TestLabels string `yaml:"test_labels"`

	// Directory is the images format's folder, laid out as Keras'
	// image_dataset_from_directory reads it: one subfolder per class,
	// named after it, of PNG or JPEG files (see data.LoadImageDirectory).
	// The images are shuffled with the study's seed before the
	// validation split. ValidationDirectory and TestDirectory are
	// folders of the same layout, read with the training folder's
	// classes. Relative to the study file.
	Directory           string `yaml:"directory"`
	ValidationDirectory string `yaml:"validation_directory"`
	TestDirectory       string `yaml:"test_directory"`
	// ImageSize is the [height, width] every image is resized to;
	// default [28, 28].
	ImageSize []int `yaml:"image_size"`
	// Channels is 1 (grey, the default) or 3 (RGB).
	Channels int `yaml:"channels"`
	// ClassNames, if set, are the class folders in class-id order;
	// default the subfolders sorted by name.
	ClassNames []string `yaml:"class_names"`

	// Samples, Classes and Noise generate the spirals format (see
	// data.Spirals): default 1000 points on 2 arms with noise 0.1, drawn
	// from the study's seed.
	Samples int     `yaml:"samples"`
	Classes int     `yaml:"classes"`
	Noise   float64 `yaml:"noise"`

	// ValidationSplit holds out this fraction of the rows as validation
	// data: n − int(n·(1 − split)) of n rows, the count Keras'
	// validation_split holds out. They are drawn at random with the
	// study's seed (stratified by class for classification and binary
	// tasks) unless shuffle is false. It must be in [0, 1).
	ValidationSplit float64 `yaml:"validation_split"`
	// ValidationLast holds out the last N rows instead (after the test
	// rows are drawn). Set at most one of the two; without either there
	// is no validation data.
	ValidationLast int `yaml:"validation_last"`
	// TestSplit holds out this fraction of the rows as test data, drawn
	// like the validation rows, which tune retrain evaluates the final
	// model on (the search never sees them). It excludes a test file;
	// validation_split + test_split must be below 1.
	TestSplit float64 `yaml:"test_split"`
	// Shuffle draws the held-out rows at random (default true). false
	// takes them from the end of the file, as Keras' validation_split
	// does: the test rows last, the validation rows before them. A file
	// sorted by class or by time then validates on its last classes or
	// latest rows only; LoadData warns about a single-class set.
	Shuffle bool `yaml:"shuffle"`
	// Stratify keeps each class's share of the rows in every held-out set
	// (default true for classification and binary tasks; regression
	// targets are not stratified).
	Stratify bool `yaml:"stratify"`
	// ScaleTarget scales a regression target for training: none
	// (default), minmax onto [0, 1] or standard (zero mean, unit
	// variance), fitted on the training rows. The metrics loss, rmse and
	// mae are reported in the target's own units, and also as computed on
	// the scaled target with a "_scaled" suffix (val_rmse_scaled);
	// predictions are in the target's units.
	ScaleTarget string `yaml:"scale_target"`

	// Scale is none (default), standard (zero mean, unit variance) or
	// minmax ([0, 1]), fitted on the training part only and applied to
	// the features of every part (the fitted scaler is kept with the
	// project, for tune predict).
	Scale string `yaml:"scale"`
}

func defaultData() Data {
	return Data{Separator: ",", Header: true, Target: Column{Index: -1}, Samples: 1000, Classes: 2, Noise: 0.1,
		Scale: "none", Shuffle: true, Stratify: true, ScaleTarget: data.TargetNone}
}

// formatKeys are the keys of each data format; the keys of no format
// (format, validation_*, scale) apply to all.
var formatKeys = map[string][]string{
	"idx":     {"train_images", "train_labels", "validation_images", "validation_labels", "test_images", "test_labels"},
	"csv":     {"path", "separator", "header", "target", "columns", "string_labels", "labels", "validation_path", "test_path"},
	"images":  {"directory", "validation_directory", "test_directory", "image_size", "channels", "class_names"},
	"spirals": {"samples", "classes", "noise"},
}

func (s *Study) checkData() error {
	d := &s.Data
	if !s.has("data") {
		return errorf(s.line("data"), "the data section is missing: set data.format (idx, csv, images or spirals) and its files")
	}
	keys, ok := formatKeys[d.Format]
	if !ok {
		if d.Format == "" {
			return errorf(s.line("data", "format"), "data.format is missing: want idx, csv, images or spirals")
		}
		return errorf(s.line("data", "format"), "data.format %q: want idx, csv, images or spirals", d.Format)
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
	required := map[string]string{"train_images": d.TrainImages, "train_labels": d.TrainLabels, "path": d.Path, "directory": d.Directory}
	for _, k := range keys {
		if v, ok := required[k]; ok && v == "" {
			return errorf(s.line("data", k), "data.%s is missing: the %s format needs it", k, d.Format)
		}
	}
	for _, pair := range [][2]string{{"validation_images", "validation_labels"}, {"test_images", "test_labels"}} {
		a, b := s.has("data", pair[0]), s.has("data", pair[1])
		if a != b {
			missing, given := pair[1], pair[0]
			if b {
				missing, given = pair[0], pair[1]
			}
			return errorf(s.line("data", given), "data.%s is missing: data.%s needs it", missing, given)
		}
	}
	for _, p := range []*string{&d.TrainImages, &d.TrainLabels, &d.Path, &d.ValidationPath, &d.ValidationImages,
		&d.ValidationLabels, &d.TestPath, &d.TestImages, &d.TestLabels, &d.Directory, &d.ValidationDirectory, &d.TestDirectory} {
		*p = s.path(*p)
	}
	if len(d.Labels) > 0 {
		if !d.StringLabels {
			return errorf(s.line("data", "labels"), "data.labels names the classes of string labels: set data.string_labels: true")
		}
		seen := map[string]bool{}
		for _, l := range d.Labels {
			if seen[l] {
				return errorf(s.line("data", "labels"), "data.labels lists %q twice", l)
			}
			seen[l] = true
		}
		if s.Task == hypermodels.Binary && len(d.Labels) != 2 {
			return errorf(s.line("data", "labels"), "task binary needs 2 data.labels, not %d", len(d.Labels))
		}
	}
	if s.Model == "cnn" && d.Format != "images" && d.Format != "idx" {
		return errorf(s.line("model"), "model cnn takes images: set data.format to images or idx, or use model mlp")
	}
	switch d.Format {
	case "csv":
		if d.Separator == "" {
			d.Separator = ","
		}
		if utf8.RuneCountInString(d.Separator) != 1 {
			return errorf(s.line("data", "separator"), "data.separator %q must be one character", d.Separator)
		}
		if !d.Header {
			names := append([]string{d.Target.Name}, d.Columns...)
			for i, n := range names {
				if _, err := strconv.Atoi(n); n != "" && err != nil {
					key := "target"
					if i > 0 {
						key = "columns"
					}
					return errorf(s.line("data", key), "data.%s names column %s, but without a header (header: false) the columns are 0, 1, 2, …", key, data.QuoteCut(n))
				}
			}
		}
		if _, err := d.csvOptions(); err != nil {
			return wrapf(s.line("data"), err, "")
		}
	case "images":
		if err := s.checkImages(); err != nil {
			return err
		}
	case "spirals":
		switch {
		case d.Samples < 1:
			return errorf(s.line("data", "samples"), "data.samples is %d, want 1 or more", d.Samples)
		case d.Classes < 2:
			return errorf(s.line("data", "classes"), "data.classes is %d, want 2 or more", d.Classes)
		case !(d.Noise >= 0) || math.IsInf(d.Noise, 0):
			return errorf(s.line("data", "noise"), "data.noise %v must be 0 or more", d.Noise)
		case s.Task == hypermodels.Regression:
			return errorf(s.line("task"), "task regression does not fit the spirals data, whose labels are classes")
		case s.Task == hypermodels.Binary && d.Classes != 2:
			return errorf(s.line("data", "classes"), "task binary needs data.classes 2, not %d", d.Classes)
		}
	}
	return s.checkHoldout()
}

func (d *Data) csvOptions() (data.CSVOptions, error) {
	o := data.CSVOptions{
		Header:       d.Header,
		Target:       d.Target.Name,
		StringLabels: d.StringLabels,
		Classes:      d.Labels,
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

// LoadedData is a study's data, loaded, split and scaled.
type LoadedData struct {
	// X and Y are the training part: one sample per row of X (flattened),
	// one label or target per row of Y.
	X, Y *nn.Matrix
	// ValidationX and ValidationY are the validation part, nil without
	// one.
	ValidationX, ValidationY *nn.Matrix
	// TestX and TestY are the test file's rows, nil without one.
	TestX, TestY *nn.Matrix
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
	// Scaler is the scaling fitted on the training part (nil for scale:
	// none); LoadData has applied it to every part, LoadRawData not.
	Scaler *data.FeatureScaler
	// Target is the regression target's scaling (data.scale_target), nil
	// for none. LoadData has applied it to every part's Y, LoadRawData
	// not (nor fitted it).
	Target *data.TargetScaler
	// Warnings say what makes the scores misleading: a held-out set of a
	// single class, a class absent from training (see
	// data.ClassWarning). Print them.
	Warnings []string
}

// LoadData loads the data section: it reads the files (or generates the
// spirals), checks the labels against the task, splits off the validation
// rows (or reads the validation file), reads the test file if any, and
// scales the features. Errors name the study file and the data section's
// line, and the data file at fault; CSV content errors are
// data.ParseError values naming the CSV file, line and column.
//
// What it learns (input shape, classes, the fitted scaler) is kept with
// the project by Options.
func (s *Study) LoadData() (*LoadedData, error) {
	ds, err := s.loadData(true)
	if err != nil {
		return nil, s.locate(err)
	}
	return ds, nil
}

// LoadRawData is LoadData without the scaling: ds.Scaler is fitted on the
// training part but not applied (tune retrain puts it inside the model).
func (s *Study) LoadRawData() (*LoadedData, error) {
	ds, err := s.loadData(false)
	if err != nil {
		return nil, s.locate(err)
	}
	return ds, nil
}

// part is one data file read: features, labels and what the file says
// about them.
type part struct {
	x, y       *nn.Matrix
	shape      []int
	classNames []string
	features   []string
	labels     string // the file holding the labels ("" for generated data)
	lines      []int  // a csv file's line of each row; nil for other files
}

// readIDX reads a pair of IDX files; keys name the study's keys for them.
func (s *Study) readIDX(images, labels, imagesKey, labelsKey string) (*part, error) {
	x, shape, err := data.LoadIDXImages(images)
	if err != nil {
		return nil, wrapf(s.line("data", imagesKey), err, "")
	}
	y, err := data.LoadIDXLabels(labels)
	if err != nil {
		return nil, wrapf(s.line("data", labelsKey), err, "")
	}
	if x.Rows != y.Rows {
		return nil, &Error{Line: s.line("data", labelsKey), Err: ErrData,
			Msg: fmt.Sprintf("%s holds %d labels for the %d images of %s", labels, y.Rows, x.Rows, images)}
	}
	return &part{x: x, y: y, shape: shape, labels: labels}, nil
}

// readCSV reads a csv file of the study's layout; classes, when not nil,
// fixes the ids of string labels (those of the training file).
func (s *Study) readCSV(path, key string, classes []string) (*part, error) {
	d := &s.Data
	o, err := d.csvOptions()
	if err != nil {
		return nil, wrapf(s.line("data"), err, "")
	}
	if classes != nil {
		o.Classes = classes
	}
	t, err := data.LoadCSVFile(path, o)
	if err != nil {
		var pe *data.ParseError
		switch {
		case errors.Is(err, data.ErrUnknownColumn) || errors.Is(err, data.ErrDuplicateColumn):
			// The fix is in the study file: point there too.
			k := "columns"
			var ce *data.ColumnError
			if d.Target.Name == "" || errors.As(err, &ce) && ce.Column == d.Target.Name {
				k = "target"
			}
			return nil, wrapf(s.line("data", k), err, "data.%s", k)
		case errors.As(err, &pe):
			return nil, &Error{File: pe.File, Line: pe.Line, Column: pe.Column, Msg: oneLine(pe.Message()), Err: err}
		}
		return nil, wrapf(s.line("data", key), err, "")
	}
	return &part{x: t.X, y: t.Y, shape: []int{t.X.Cols}, classNames: t.Classes, features: t.Features,
		labels: path, lines: t.Lines}, nil
}

// readExtra reads the validation or test file (what: "validation" or
// "test") if the study names one; nil otherwise. Its samples must have
// the training shape.
func (s *Study) readExtra(what string, train *part) (*part, error) {
	d := &s.Data
	var p *part
	var err error
	key := what + "_path"
	switch {
	case d.Format == "csv" && what == "validation" && d.ValidationPath != "":
		p, err = s.readCSV(d.ValidationPath, key, train.classNames)
	case d.Format == "csv" && what == "test" && d.TestPath != "":
		p, err = s.readCSV(d.TestPath, key, train.classNames)
	case d.Format == "idx" && what == "validation" && d.ValidationImages != "":
		key = "validation_images"
		p, err = s.readIDX(d.ValidationImages, d.ValidationLabels, key, "validation_labels")
	case d.Format == "idx" && what == "test" && d.TestImages != "":
		key = "test_images"
		p, err = s.readIDX(d.TestImages, d.TestLabels, key, "test_labels")
	case d.Format == "images" && what == "validation" && d.ValidationDirectory != "":
		key = "validation_directory"
		p, err = s.readImages(d.ValidationDirectory, key, train.classNames)
	case d.Format == "images" && what == "test" && d.TestDirectory != "":
		key = "test_directory"
		p, err = s.readImages(d.TestDirectory, key, train.classNames)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !slices.Equal(p.shape, train.shape) {
		return nil, &Error{Line: s.line("data", key), Err: ErrData,
			Msg: fmt.Sprintf("the %s samples have shape %v, the training samples %v", what, p.shape, train.shape)}
	}
	return p, nil
}

func (s *Study) loadData(scale bool) (*LoadedData, error) {
	d := &s.Data
	var train *part
	var err error
	switch d.Format {
	case "idx":
		train, err = s.readIDX(d.TrainImages, d.TrainLabels, "train_images", "train_labels")
	case "csv":
		// The validation and test files number string labels as the
		// training file does (readExtra); a label only they hold is an
		// error.
		train, err = s.readCSV(d.Path, "path", nil)
	case "images":
		train, err = s.readImages(d.Directory, "directory", d.ClassNames)
	case "spirals":
		x, y := data.Spirals(d.Samples, d.Classes, d.Noise, s.Seed)
		train = &part{x: x, y: y, shape: []int{x.Cols}}
	default:
		return nil, errorf(s.line("data", "format"), "data.format %q: want idx, csv, images or spirals", d.Format)
	}
	if err != nil {
		return nil, err
	}
	ds := &LoadedData{InputShape: train.shape, ClassNames: train.classNames, Features: train.features}
	if ds.Classes, err = s.checkLabels("training", train, 0); err != nil {
		return nil, err
	}
	if len(ds.ClassNames) > ds.Classes {
		// String labels the training rows do not all use.
		ds.Classes = len(ds.ClassNames)
	}
	valFile, err := s.readExtra("validation", train)
	if err == nil && valFile != nil {
		_, err = s.checkLabels("validation", valFile, ds.Classes)
	}
	if err != nil {
		return nil, err
	}
	testFile, err := s.readExtra("test", train)
	if err == nil && testFile != nil {
		_, err = s.checkLabels("test", testFile, ds.Classes)
	}
	if err != nil {
		return nil, err
	}
	if err := s.holdout(ds, train); err != nil {
		return nil, err
	}
	if valFile != nil {
		ds.ValidationX, ds.ValidationY = valFile.x, valFile.y
	}
	if testFile != nil {
		ds.TestX, ds.TestY = testFile.x, testFile.y
	}
	if s.Task != hypermodels.Regression {
		ws, err := data.CheckClasses(ds.Y, ds.ValidationY, ds.TestY)
		if err != nil {
			return nil, wrapf(s.line("data"), err, "")
		}
		for _, w := range ws {
			ds.Warnings = append(ds.Warnings, w.String())
		}
	}
	if ds.Scaler, err = s.FitScaler(ds.X); err != nil {
		return nil, err
	}
	if scale {
		if err := s.applyScaler(ds); err != nil {
			return nil, err
		}
		if err := s.scaleTarget(ds); err != nil {
			return nil, err
		}
	}
	s.info = ds.Profile()
	return ds, nil
}

// applyScaler scales the features of every part with ds.Scaler.
func (s *Study) applyScaler(ds *LoadedData) error {
	if ds.Scaler == nil {
		return nil
	}
	for _, x := range []**nn.Matrix{&ds.X, &ds.ValidationX, &ds.TestX} {
		if *x == nil {
			continue
		}
		scaled, err := ds.Scaler.Transform(*x)
		if err != nil {
			return wrapf(s.line("data", "scale"), err, "data.scale %s", s.Data.Scale)
		}
		*x = scaled
	}
	return nil
}
