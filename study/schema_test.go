package study

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/oracle"
)

// fruitCSV writes a csv file of n rows: a ';'-separated header b;a;kind,
// kind "big" when a > 5 and "small" otherwise.
func fruitCSV(n, offset int) string {
	var b strings.Builder
	b.WriteString("b;a;kind\n")
	for i := range n {
		a := float64((i*37+offset)%100) / 10
		kind := "small"
		if a > 5 {
			kind = "big"
		}
		b.WriteString(strings.Join([]string{string(rune('0' + i%7)), formatFloat(a), kind}, ";") + "\n")
	}
	return b.String()
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

const fruitStudy = `task: binary
model: wide_deep
data:
  format: csv
  path: train.csv
  separator: ";"
  target: kind
  columns: [a, b]
  string_labels: true
  labels: [small, big]
  validation_path: valid.csv
  test_path: test.csv
  scale: minmax
hyperparameters:
  n_hidden: 2
  n_neurons: 4
  dropout: {type: float, min: 0.0, max: 0.5, step: 0.25}
  batch_norm: {type: boolean}
  batch_size: [4, 8]
pruner: {type: median, warmup_trials: 2, warmup_epochs: 1}
oracle: hyperband
`

func TestValidationAndTestFiles(t *testing.T) {
	s, err := writeStudy(t, fruitStudy, map[string]string{
		"train.csv": fruitCSV(40, 0), "valid.csv": fruitCSV(12, 5), "test.csv": fruitCSV(10, 9)})
	if err != nil {
		t.Fatal(err)
	}
	if s.Objective != "val_accuracy" || s.MaxTrials != 0 || s.Model != "wide_deep" {
		t.Errorf("objective %q, max trials %d (hyperband: no cap), model %q", s.Objective, s.MaxTrials, s.Model)
	}
	ds, err := s.LoadData()
	if err != nil {
		t.Fatal(err)
	}
	if ds.X.Rows != 40 || ds.ValidationX.Rows != 12 || ds.TestX.Rows != 10 || ds.Classes != 2 {
		t.Fatalf("rows %d/%d/%d, classes %d", ds.X.Rows, ds.ValidationX.Rows, ds.TestX.Rows, ds.Classes)
	}
	if !slices.Equal(ds.ClassNames, []string{"small", "big"}) || !slices.Equal(ds.Features, []string{"a", "b"}) {
		t.Errorf("classes %v, features %v", ds.ClassNames, ds.Features)
	}
	// labels fixes the ids: big is 1 wherever a > 5 (a is column 0).
	raw, err := s.LoadRawData()
	if err != nil {
		t.Fatal(err)
	}
	for i := range raw.TestX.Rows {
		if big := raw.TestX.At(i, 0) > 5; big != (raw.TestY.Data[i] == 1) {
			t.Errorf("test row %d: a %v, label %v", i, raw.TestX.At(i, 0), raw.TestY.Data[i])
		}
	}
	// minmax on the training rows: training features in [0, 1]; the
	// scaler scales the raw data the same way.
	sc := ds.Scaler
	if sc == nil || sc.Kind != "minmax" || len(sc.Offset) != 2 {
		t.Fatalf("scaler %+v", sc)
	}
	for _, v := range ds.X.Data {
		if v < 0 || v > 1 {
			t.Fatalf("scaled training value %v", v)
		}
	}
	again, err := sc.Transform(raw.TestX)
	if err != nil || !slices.Equal(again.Data, ds.TestX.Data) {
		t.Errorf("Transform(raw test) differs from LoadData's: %v", err)
	}
	// The same scaling as an nn layer.
	norm, err := sc.Normalization()
	if err != nil {
		t.Fatal(err)
	}
	m := nn.NewSequential(nn.Input(2), norm)
	if err := m.Compile(nn.CompileConfig{Loss: "mse"}); err != nil {
		t.Fatal(err)
	}
	out, err := m.PredictMulti([]*nn.Matrix{raw.TestX})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range out[0].Data {
		if math.Abs(float64(v-ds.TestX.Data[i])) > 1e-5 {
			t.Fatalf("Normalization %v, scaler %v", v, ds.TestX.Data[i])
		}
	}

	// Options: the pruner, and what the project keeps.
	opts, err := s.Options()
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := opts.Pruner.(*oracle.MedianStopping); !ok || p.WarmupTrials != 2 || p.WarmupEpochs != 1 {
		t.Errorf("pruner %#v", opts.Pruner)
	}
	back, info, err := FromConfig(opts.Config)
	if err != nil {
		t.Fatal(err)
	}
	if back.Data.Path != s.Data.Path || back.Model != "wide_deep" || info.TrainRows != 40 || info.ValidationRows != 12 ||
		!slices.Equal(info.ClassNames, []string{"small", "big"}) || info.Scaler.Kind != "minmax" || !slices.Equal(info.InputShape, []int{2}) {
		t.Errorf("from config: %+v, %+v", back.Data, info)
	}
	// Relative paths resolve against the study file, wherever we are.
	t.Chdir(t.TempDir())
	if back, _, err = FromConfig(opts.Config); err != nil || !filepath.IsAbs(back.Data.Path) {
		t.Errorf("from config elsewhere: %v %q", err, back.Data.Path)
	}
	if _, err := back.LoadData(); err != nil {
		t.Errorf("load the stored study's data: %v", err)
	}
}

func TestWideDeepAndNewHyperparameters(t *testing.T) {
	s, err := Parse([]byte(fruitStudy), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	hm := s.HyperModel(&data.Profile{InputShape: []int{2}, Classes: 2})
	h := hp.New()
	if _, err := hm.Build(h); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range h.Space().Params() {
		names = append(names, p.Name)
	}
	if !slices.Equal(names, []string{"n_hidden", "n_neurons", "dropout", "batch_norm", "batch_size"}) {
		t.Errorf("space %v", names)
	}
	h = hp.FromValues(h.Space(), hp.Values{"dropout": 0.25, "batch_norm": true, "batch_size": 8})
	m, err := hm.Build(h)
	if err != nil {
		t.Fatal(err)
	}
	sum := m.Summary()
	for _, want := range []string{"Concatenate", "BatchNormalization", "Dropout", "(None, 6)"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %s:\n%s", want, sum)
		}
	}
	// 2 → Dense 4 → BN → Dense 4 → BN, concatenated with the 2 inputs → 1.
	if got, want := m.CountParams(), (2*4+4)+4*4+(4*4+4)+4*4+(6*1+1); got != want {
		t.Errorf("%d parameters, want %d\n%s", got, want, sum)
	}
	// Fit uses the trial's batch size: 16 rows in batches of 8 is 2
	// batches per epoch.
	batches := 0
	cb := &countBatches{n: &batches}
	x := nn.NewMatrix(16, 2)
	y := nn.NewMatrix(16, 1)
	if _, err := hm.Fit(context.Background(), h, m, x, y, nn.FitConfig{Epochs: 1, BatchSize: 32, Callbacks: []nn.Callback{cb}}); err != nil {
		t.Fatal(err)
	}
	if batches != 2 {
		t.Errorf("%d batches, want 2 of 8 rows", batches)
	}
}

type countBatches struct {
	nn.BaseCallback
	n *int
}

func (c *countBatches) OnBatchEnd(*nn.Model, int, nn.Logs) error { *c.n++; return nil }

func TestSchemaErrors(t *testing.T) {
	tests := []struct{ name, study, want string }{
		{"unknown model", "model: resnet\ndata: {format: spirals}\n", `s.yaml:1: model "resnet": want mlp, wide_deep or cnn`},
		{"unknown pruner", "pruner: hyperband\ndata: {format: spirals}\n", `s.yaml:1: unknown pruner "hyperband" (want median, successive_halving or pareto)`},
		{"pruner without type", "pruner: {warmup_trials: 3}\ndata: {format: spirals}\n", `s.yaml:1: pruner.type is missing: want median or successive_halving`},
		{"pruner setting", "pruner: {type: median, warmup_epochs: -1}\ndata: {format: spirals}\n", `s.yaml:1: median pruner: warmup_epochs -1 must not be negative`},
		{"labels without string labels", "data: {format: csv, path: a.csv, labels: [a, b]}\n", "s.yaml:1: data.labels names the classes of string labels: set data.string_labels: true"},
		{"labels twice", "data: {format: csv, path: a.csv, string_labels: true, labels: [a, a]}\n", `s.yaml:1: data.labels lists "a" twice`},
		{"validation twice", "data:\n  format: csv\n  path: a.csv\n  validation_path: v.csv\n  validation_split: 0.2\n",
			"s.yaml:5: data.validation_split and a validation file exclude each other: set one"},
		{"idx pair", "data:\n  format: idx\n  train_images: a\n  train_labels: b\n  test_images: c\n",
			"s.yaml:5: data.test_labels is missing: data.test_images needs it"},
		{"csv key in idx", "data:\n  format: idx\n  train_images: a\n  train_labels: b\n  test_path: c\n",
			"s.yaml:5: data.test_path applies to format csv, not idx"},
		{"boolean for a number", "data: {format: spirals}\nhyperparameters:\n  dropout: {type: boolean}\n",
			`s.yaml:3: hyperparameter "dropout": type boolean does not fit: dropout takes numbers`},
		{"number for a boolean", "data: {format: spirals}\nhyperparameters:\n  batch_norm: [1, 0]\n",
			`s.yaml:3: hyperparameter "batch_norm": batch_norm takes true or false, not 1`},
		{"dropout of 1", "data: {format: spirals}\nhyperparameters:\n  dropout: 1.0\n",
			`s.yaml:3: hyperparameter "dropout": 1 is not in [0, 1)`},
		{"zero batch size", "data: {format: spirals}\nhyperparameters:\n  batch_size: [0, 8]\n",
			`s.yaml:3: hyperparameter "batch_size": 0 is below 1`},
		{"max_trials 0 for random", "max_trials: 0\ndata: {format: spirals}\n", "s.yaml:1: max_trials is 0, want 1 or more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.study), "s.yaml")
			if err == nil || err.Error() != tt.want {
				t.Errorf("error\n got %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestOverride(t *testing.T) {
	src := []byte("# my study\nseed: 1\noracle: random   # the default\ndata:\n  format: spirals\nhyperparameters:\n  n_hidden: {type: int, min: 1, max: 3}\n")
	out, err := Override(src, "seed=2", "oracle.max_collisions=5", "data.samples=300", "hyperparameters.dropout=[0.0, 0.5]", `project="p q"`, "epochs=3")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(out, "s.yaml")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if s.Seed != 2 || s.Oracle.Type != "random" || string(s.Oracle.Config) != `{"max_collisions":5}` || s.Data.Samples != 300 ||
		s.Project != "p q" || s.Epochs != 3 {
		t.Errorf("overridden study %+v\n%s", s, out)
	}
	if d, ok := s.Hyperparameters.Lookup("dropout"); !ok || len(d.Param.Values) != 2 {
		t.Errorf("dropout %+v", d)
	}
	if !strings.Contains(string(out), "# my study") || !strings.Contains(string(out), "# the default") {
		t.Errorf("comments lost:\n%s", out)
	}
	// From nothing.
	out, err = Override(nil, "data.format=spirals")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(out, "s.yaml"); err != nil {
		t.Errorf("%v\n%s", err, out)
	}
	for _, bad := range []string{"seed", "=3", "a..b=1", "data.format=[1"} {
		if _, err := Override(src, bad); err == nil {
			t.Errorf("Override(%q): no error", bad)
		}
	}
	const want = `setting data.format: the value is not YAML: this "[" is never closed`
	if _, err := Override(src, "data.format=[1"); err == nil || err.Error() != want {
		t.Errorf("Override(data.format=[1): %v, want %s", err, want)
	}
}

func TestFromConfigErrors(t *testing.T) {
	if _, _, err := FromConfig(nil); err != ErrNoConfig {
		t.Errorf("nil config: %v", err)
	}
	if _, _, err := FromConfig(json.RawMessage(`{"something":"else"}`)); err == nil || !strings.Contains(err.Error(), "not a stored study file") {
		t.Errorf("foreign config: %v", err)
	}
}
