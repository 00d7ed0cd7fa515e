package study

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
)

// sortedCSV is a csv file of rows sorted by class: 40 of class a, 30 of b,
// 20 of c, 10 of d (string labels).
func sortedCSV() string {
	var b strings.Builder
	b.WriteString("x1,x2,label\n")
	for c, n := range []int{40, 30, 20, 10} {
		for i := range n {
			fmt.Fprintf(&b, "%d,%d,%c\n", i, c, 'a'+c)
		}
	}
	return b.String()
}

func classCounts(y *nn.Matrix) map[int]int {
	m := map[int]int{}
	for _, v := range y.Data {
		m[int(v)]++
	}
	return m
}

// TestDefaultSplitSortedByClass: the study file's default split of a file
// sorted by class puts every class in the training, validation and test
// sets; shuffle: false takes the last rows, which hold one class, and
// says so.
func TestDefaultSplitSortedByClass(t *testing.T) {
	files := map[string]string{"d.csv": sortedCSV()}
	ds, err := loadData(t, "data: {format: csv, path: d.csv, string_labels: true, validation_split: 0.2, test_split: 0.2}\n", files)
	if err != nil {
		t.Fatal(err)
	}
	if ds.X.Rows != 60 || ds.ValidationX.Rows != 20 || ds.TestX.Rows != 20 {
		t.Fatalf("rows %d/%d/%d, want 60/20/20", ds.X.Rows, ds.ValidationX.Rows, ds.TestX.Rows)
	}
	for name, y := range map[string]*nn.Matrix{"training": ds.Y, "validation": ds.ValidationY, "test": ds.TestY} {
		if got := classCounts(y); len(got) != 4 {
			t.Errorf("%s set classes %v, want all 4", name, got)
		}
	}
	// Stratified: the validation set keeps the shares 4:3:2:1.
	if got := classCounts(ds.ValidationY); got[0] != 8 || got[1] != 6 || got[2] != 4 || got[3] != 2 {
		t.Errorf("validation counts %v, want 8/6/4/2", got)
	}
	if len(ds.Warnings) != 0 {
		t.Errorf("warnings %q", ds.Warnings)
	}

	ds, err = loadData(t, "data: {format: csv, path: d.csv, string_labels: true, validation_split: 0.1, shuffle: false}\n", files)
	if err != nil {
		t.Fatal(err)
	}
	if got := classCounts(ds.ValidationY); len(got) != 1 || got[3] != 10 {
		t.Errorf("positional validation counts %v, want the 10 rows of class 3", got)
	}
	if len(ds.Warnings) != 2 || !strings.Contains(ds.Warnings[0], "validation set holds a single class") ||
		!strings.Contains(ds.Warnings[1], "class 3 is absent from the training set") {
		t.Errorf("warnings %q", ds.Warnings)
	}
}

// regressionCSV is y = 1000 + 400·x1 − 250·x2 plus a little noise.
func regressionCSV() string {
	var b strings.Builder
	b.WriteString("x1,x2,y\n")
	for i := range 80 {
		x1, x2 := float64(i%9)/4, float64(i%7)/3
		fmt.Fprintf(&b, "%g,%g,%g\n", x1, x2, 1000+400*x1-250*x2+float64(i%5))
	}
	return b.String()
}

// TestScaleTargetMetrics: with scale_target, the model trains on the
// scaled target, and the validation loss, rmse and mae it reports equal
// the ones computed by hand from its predictions in the target's units.
func TestScaleTargetMetrics(t *testing.T) {
	for _, kind := range []string{"standard", "minmax"} {
		t.Run(kind, func(t *testing.T) {
			s, err := writeStudy(t, "task: regression\nepochs: 3\ndata: {format: csv, path: d.csv, validation_split: 0.25, scale: standard, scale_target: "+kind+"}\n",
				map[string]string{"d.csv": regressionCSV()})
			if err != nil {
				t.Fatal(err)
			}
			ds, err := s.LoadData()
			if err != nil {
				t.Fatal(err)
			}
			if ds.Target == nil || ds.Target.Kind != kind || !(ds.Target.Scale > 10) {
				t.Fatalf("target scaler %+v", ds.Target)
			}
			raw, err := s.LoadRawData()
			if err != nil {
				t.Fatal(err)
			}
			hm := s.HyperModel(ds.Profile())
			h := hp.New()
			m, err := hm.Build(h)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.InitWeights(1); err != nil {
				t.Fatal(err)
			}
			cfg := s.FitConfig(ds)
			var last nn.Logs
			cfg.Callbacks = append(cfg.Callbacks, &lastLogs{logs: &last})
			if _, err := m.Fit(context.Background(), ds.X, ds.Y, cfg); err != nil {
				t.Fatal(err)
			}
			pred, err := m.Predict(ds.ValidationX)
			if err != nil {
				t.Fatal(err)
			}
			inTarget, err := ds.Target.InverseTransform(pred)
			if err != nil {
				t.Fatal(err)
			}
			var se, ae float64
			for i, p := range inTarget.Data {
				d := float64(p) - float64(raw.ValidationY.Data[i])
				se += d * d
				ae += math.Abs(d)
			}
			n := float64(len(inTarget.Data))
			want := map[string]float64{"val_loss": se / n, "val_rmse": math.Sqrt(se / n), "val_mae": ae / n}
			for k, w := range want {
				if got := last[k]; math.Abs(got-w) > 1e-3*w {
					t.Errorf("%s = %v, by hand %v", k, got, w)
				}
				if got := last[k+"_scaled"]; k != "val_loss" && math.Abs(got*ds.Target.Scale-w) > 1e-3*w {
					t.Errorf("%s_scaled = %v, ×%v is not %v", k, got, ds.Target.Scale, w)
				}
			}
			if w, got := want["val_loss"]/(ds.Target.Scale*ds.Target.Scale), last["val_loss_scaled"]; math.Abs(got-w) > 1e-3*w {
				t.Errorf("val_loss_scaled = %v, want %v", got, w)
			}
		})
	}
}

type lastLogs struct {
	nn.BaseCallback
	logs *nn.Logs
}

func (l *lastLogs) OnEpochEnd(_ *nn.Model, _ int, logs nn.Logs) error {
	*l.logs = logs
	return nil
}

func TestScaleTargetErrors(t *testing.T) {
	for _, tt := range []struct{ study, want string }{
		{"data: {format: spirals, scale_target: minmax}\n", "study.yaml:1: data.scale_target minmax scales a regression target; task classification has classes"},
		{"task: regression\ndata: {format: csv, path: d.csv, scale_target: log}\n", `study.yaml:2: data.scale_target "log": want none, minmax or standard`},
		{"task: regression\ndata: {format: csv, path: d.csv, stratify: true}\n", "study.yaml:2: data.stratify applies to classes"},
		{"data: {format: spirals, validation_split: 0.5, test_split: 0.5}\n", "study.yaml:1: data.validation_split 0.5 and data.test_split 0.5 leave no row to train on"},
		{"data: {format: csv, path: d.csv, test_split: 0.2, test_path: t.csv}\n", "study.yaml:1: data.test_split and a test file exclude each other"},
	} {
		_, err := writeStudy(t, tt.study, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.study, err, tt.want)
		}
	}
}
