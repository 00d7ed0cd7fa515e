package study

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunekit/tune/data"
)

// writeStudy writes a study file (and other files: name → contents) to a
// temporary directory and loads it.
func writeStudy(t *testing.T, study string, files map[string]string) (*Study, error) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "study.yaml")
	if err := os.WriteFile(path, []byte(study), 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(path)
}

func loadData(t *testing.T, study string, files map[string]string) (*LoadedData, error) {
	t.Helper()
	s, err := writeStudy(t, study, files)
	if err != nil {
		t.Fatal(err)
	}
	return s.LoadData()
}

func TestLoadSpirals(t *testing.T) {
	ds, err := loadData(t, "data: {format: spirals, samples: 200, classes: 3, validation_split: 0.25, scale: standard}\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if ds.X.Rows != 150 || ds.ValidationX.Rows != 50 || ds.Y.Rows != 150 || ds.ValidationY.Rows != 50 {
		t.Errorf("rows %d/%d, validation %d/%d", ds.X.Rows, ds.Y.Rows, ds.ValidationX.Rows, ds.ValidationY.Rows)
	}
	if len(ds.InputShape) != 1 || ds.InputShape[0] != 2 || ds.Classes != 3 {
		t.Errorf("shape %v classes %d", ds.InputShape, ds.Classes)
	}
	// Standardised on the training rows.
	for j := range 2 {
		var sum float64
		for i := range ds.X.Rows {
			sum += float64(ds.X.At(i, j))
		}
		if mean := sum / float64(ds.X.Rows); math.Abs(mean) > 1e-5 {
			t.Errorf("column %d mean %v after standard scaling", j, mean)
		}
	}

	ds, err = loadData(t, "data: {format: spirals, samples: 100, validation_last: 30}\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if ds.X.Rows != 70 || ds.ValidationX.Rows != 30 || ds.Classes != 2 {
		t.Errorf("rows %d, validation %d, classes %d", ds.X.Rows, ds.ValidationX.Rows, ds.Classes)
	}
	ds, err = loadData(t, "data: {format: spirals, samples: 10}\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if ds.X.Rows != 10 || ds.ValidationX != nil || ds.ValidationY != nil {
		t.Errorf("rows %d, validation %v", ds.X.Rows, ds.ValidationX)
	}
}

const csvData = `a,b,label
1,10,0
2,20,1
3,30,2
4,40,0
5,50,1
6,60,2
7,70,1
8,80,0
`

func TestLoadCSV(t *testing.T) {
	ds, err := loadData(t, "data: {format: csv, path: d.csv, validation_last: 2, scale: minmax}\n", map[string]string{"d.csv": csvData})
	if err != nil {
		t.Fatal(err)
	}
	if ds.X.Rows != 6 || ds.X.Cols != 2 || ds.ValidationX.Rows != 2 || ds.Classes != 3 || ds.InputShape[0] != 2 {
		t.Errorf("rows %d cols %d validation %d classes %d", ds.X.Rows, ds.X.Cols, ds.ValidationX.Rows, ds.Classes)
	}
	if strings.Join(ds.Features, ",") != "a,b" {
		t.Errorf("features %v", ds.Features)
	}
	// Min-max on the training rows (1..6): the validation rows 7 and 8
	// scale beyond 1.
	if ds.X.At(0, 0) != 0 || ds.X.At(5, 0) != 1 || ds.ValidationX.At(1, 0) != 1.4 {
		t.Errorf("scaled %v, validation %v", ds.X.Data, ds.ValidationX.Data)
	}

	// A target by name, string labels, another separator.
	ds, err = loadData(t, "data: {format: csv, path: d.csv, separator: ';', target: kind, string_labels: true}\n",
		map[string]string{"d.csv": "kind;x\ncat;1\ndog;2\ncat;3\nbird;4\n"})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Classes != 3 || strings.Join(ds.ClassNames, ",") != "cat,dog,bird" || ds.X.Cols != 1 {
		t.Errorf("classes %d %v, cols %d", ds.Classes, ds.ClassNames, ds.X.Cols)
	}

	// Regression takes any number.
	ds, err = loadData(t, "task: regression\ndata: {format: csv, path: d.csv, header: false, target: 0}\n",
		map[string]string{"d.csv": "1.5,1\n-2.25,2\n"})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Classes != 0 || ds.Y.Data[1] != -2.25 {
		t.Errorf("classes %d, y %v", ds.Classes, ds.Y.Data)
	}
}

// idxFile encodes an unsigned-byte IDX file.
func idxFile(dims []uint32, data []byte) string {
	b := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return string(append(b, data...))
}

func TestLoadIDX(t *testing.T) {
	images := idxFile([]uint32{4, 2, 3}, make([]byte, 24))
	labels := idxFile([]uint32{4}, []byte{0, 1, 2, 1})
	ds, err := loadData(t, "data: {format: idx, train_images: img.idx, train_labels: lbl.idx, validation_last: 1}\n",
		map[string]string{"img.idx": images, "lbl.idx": labels})
	if err != nil {
		t.Fatal(err)
	}
	if ds.X.Rows != 3 || ds.X.Cols != 6 || len(ds.InputShape) != 2 || ds.InputShape[0] != 2 || ds.InputShape[1] != 3 || ds.Classes != 3 {
		t.Errorf("rows %d cols %d shape %v classes %d", ds.X.Rows, ds.X.Cols, ds.InputShape, ds.Classes)
	}

	_, err = loadData(t, "data: {format: idx, train_images: img.idx, train_labels: lbl.idx}\n",
		map[string]string{"img.idx": images, "lbl.idx": idxFile([]uint32{3}, []byte{0, 1, 2})})
	if err == nil || !strings.Contains(err.Error(), "study.yaml:1: ") || !strings.Contains(err.Error(), "holds 3 labels for the 4 images") {
		t.Errorf("error %v", err)
	}
}

func TestLoadDataErrors(t *testing.T) {
	tests := []struct {
		name, study string
		files       map[string]string
		want        []string // substrings
	}{
		{"missing csv", "seed: 1\ndata:\n  format: csv\n  path: missing.csv\n", nil,
			[]string{"study.yaml:4: ", "missing.csv", "no such file"}},
		{"missing labels", "data:\n  format: idx\n  train_images: img.idx\n  train_labels: nope.idx\n",
			map[string]string{"img.idx": idxFile([]uint32{1, 1, 1}, []byte{0})},
			[]string{"study.yaml:4: ", "nope.idx", "no such file"}},
		{"csv content", "data: {format: csv, path: d.csv}\n", map[string]string{"d.csv": "x,y\n1,0\nabc,1\n"},
			[]string{"d.csv:3:1: ", `field "x"`, "not a number"}},
		{"csv unknown target", "data: {format: csv, path: d.csv, target: price}\n", map[string]string{"d.csv": "x,y\n1,0\n"},
			[]string{"study.yaml:1: data.target: ", `d.csv:1: unknown column "price"`}},
		{"csv unknown feature column", "data:\n  format: csv\n  path: d.csv\n  target: y\n  columns: [x, z]\n", map[string]string{"d.csv": "x,y\n1,0\n"},
			[]string{"study.yaml:5: data.columns: ", `d.csv:1: unknown column "z"`}},
		{"fractional class", "task: classification\ndata: {format: csv, path: d.csv}\n", map[string]string{"d.csv": "x,y\n1,0\n2,0.5\n"},
			[]string{"d.csv:3: training label 0.5 is not a class id", "task: regression"}},
		{"negative class", "data: {format: csv, path: d.csv}\n", map[string]string{"d.csv": "x,y\n1,0\n2,-1\n"},
			[]string{"d.csv:3: training label -1 is not a class id"}},
		{"huge class", "data: {format: csv, path: d.csv}\n", map[string]string{"d.csv": "x,y\n1,0\n2,452600\n"},
			[]string{"d.csv:3: training label 452600 is not a class id", "task: regression"}},
		{"single class", "data: {format: csv, path: d.csv}\n", map[string]string{"d.csv": "x,y\n1,0\n2,0\n"},
			[]string{"study.yaml:1: the training labels hold a single class"}},
		{"binary labels", "task: binary\ndata: {format: csv, path: d.csv}\n", map[string]string{"d.csv": "x,y\n1,0\n2,2\n"},
			[]string{"d.csv:3: training label 2 is not 0 or 1"}},
		{"validation file class unseen", "data: {format: csv, path: d.csv, validation_path: v.csv}\n",
			map[string]string{"d.csv": "x,y\n1,0\n2,1\n3,1\n", "v.csv": "x,y\n1,0\n3,2\n"},
			[]string{"v.csv:3: validation label 2 is not a class of the training labels (0 to 1)"}},
		{"validation too large", "data:\n  format: spirals\n  samples: 10\n  validation_last: 10\n", nil,
			[]string{"study.yaml:4: the data have 10 training rows: too few to hold out 10"}},
		{"validation split too small", "data:\n  format: spirals\n  samples: 10\n  validation_split: 1.0e-17\n", nil,
			[]string{"study.yaml:4: data.validation_split 1e-17 and data.test_split 0 of 10 rows hold out no row"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadData(t, tt.study, tt.files)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error has more than one line: %q", msg)
			}
		})
	}
}

func TestLoadDataErrorKinds(t *testing.T) {
	_, err := loadData(t, "data: {format: csv, path: missing.csv}\n", nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v does not wrap fs.ErrNotExist", err)
	}
	_, err = loadData(t, "data: {format: csv, path: d.csv}\n", map[string]string{"d.csv": "x,y\n1,0\n2,0.5\n"})
	if !errors.Is(err, ErrData) {
		t.Errorf("bad label: %v does not wrap ErrData", err)
	}
	_, err = loadData(t, "data: {format: csv, path: d.csv}\n", map[string]string{"d.csv": "x,y\n1,0\nabc,1\n"})
	var pe *data.ParseError
	if !errors.As(err, &pe) || pe.Line != 3 {
		t.Errorf("csv content: %v is not a data.ParseError at line 3", err)
	}
}

// TestQuickstart checks the documented example study.
func TestQuickstart(t *testing.T) {
	s, err := Load(filepath.Join("..", "testdata", "quickstart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Project != "quickstart" || s.Directory != filepath.Join("..", "testdata", "tune_projects") || s.Objective != "val_accuracy" {
		t.Errorf("project %q in %q, objective %q", s.Project, s.Directory, s.Objective)
	}
	ds, err := s.LoadData()
	if err != nil {
		t.Fatal(err)
	}
	if ds.X.Rows != 800 || ds.ValidationX.Rows != 200 || ds.Classes != 2 {
		t.Errorf("rows %d, validation %d, classes %d", ds.X.Rows, ds.ValidationX.Rows, ds.Classes)
	}
}

// TestMultiObjectiveExample checks the documented two-objective study.
func TestMultiObjectiveExample(t *testing.T) {
	s, err := Load(filepath.Join("..", "testdata", "multiobjective.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range s.objectives() {
		got = append(got, o.String())
	}
	if s.Project != "multiobjective" || strings.Join(got, ", ") != "val_accuracy (max), params (min)" || s.MaxTrials != 24 {
		t.Errorf("project %q, objectives %q, max_trials %d", s.Project, got, s.MaxTrials)
	}
}
