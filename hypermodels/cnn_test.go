package hypermodels

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/tuner"
)

func fixed(name string, v any) hp.Param {
	return hp.Param{Name: name, Kind: hp.KindFixed, Values: []any{v}}
}

func TestCNNBuildDefaults(t *testing.T) {
	m := &CNN{Task: Classification, InputShape: []int{28, 28}, Classes: 10, Tune: CNNSpace()}
	h := hp.New()
	model, err := m.Build(h)
	if err != nil {
		t.Fatal(err)
	}
	// 2 blocks of 32 and 64 3×3 filters, 28 → 14 → 7, Dense 128, output:
	// (9·1+1)·32 + (9·32+1)·64 + (7·7·64+1)·128 + (128+1)·10.
	if got, want := model.CountParams(), 320+18496+401536+1290; got != want {
		t.Errorf("parameters %d, want %d\n%s", got, want, model.Summary())
	}
	var got []string
	for _, p := range h.Space().Params() {
		got = append(got, p.Name)
	}
	// Every hyperparameter, in the order of CNNHyperparameters.
	if want := names(CNNHyperparameters); !slices.Equal(got, want) {
		t.Fatalf("space %v, want %v", got, want)
	}
	// Without Tune nothing is registered and the defaults build the same
	// network, without the Dropout layer (dropout's default is 0).
	h = hp.New()
	if model, err = (&CNN{Task: Classification, InputShape: []int{28, 28, 1}, Classes: 10}).Build(h); err != nil {
		t.Fatal(err)
	}
	if h.Space().Len() != 0 || model.CountParams() != 320+18496+401536+1290 {
		t.Errorf("untuned: space %v, %d parameters", h.Space(), model.CountParams())
	}
}

func TestCNNParams(t *testing.T) {
	m := &CNN{Task: Classification, InputShape: []int{8, 8, 3}, Classes: 4, Tune: []hp.Param{
		fixed("conv_blocks", 3), fixed("filters", 8), fixed("pooling", "avg"), fixed("dense_units", 0), fixed("dropout", 0.0),
	}}
	model, err := m.Build(hp.New())
	if err != nil {
		t.Fatal(err)
	}
	// 8 → 4 → 2 → 1 with 8, 16, 32 filters, no hidden Dense, no Dropout:
	// (27+1)·8 + (72+1)·16 + (144+1)·32 + (32+1)·4.
	if got, want := model.CountParams(), 224+1168+4640+132; got != want {
		t.Errorf("parameters %d, want %d\n%s", got, want, model.Summary())
	}
	// Same pooling pads odd sizes: 3 blocks fit a 5×5 image (5 → 3 → 2 → 1).
	m.InputShape = []int{5, 5, 1}
	if _, err := m.Build(hp.New()); err != nil {
		t.Errorf("3 blocks on 5×5: %v", err)
	}
}

func TestCNNErrors(t *testing.T) {
	cases := map[string]struct {
		m    CNN
		want string
	}{
		"unknown":  {CNN{Task: Classification, InputShape: []int{8, 8, 1}, Classes: 2, Tune: []hp.Param{fixed("units", 3)}}, `hypermodels: unknown hyperparameter "units" (want conv_blocks, filters, kernel_size, pooling, dense_units, dropout, optimizer, learning_rate, momentum or batch_size)`},
		"shape":    {CNN{Task: Classification, InputShape: []int{64}, Classes: 2}, "hypermodels: cnn: input shape [64]: want images, (height, width, channels)"},
		"classes":  {CNN{Task: Classification, InputShape: []int{8, 8, 1}, Classes: 1}, "hypermodels: classification needs 2 or more classes, got 1"},
		"type":     {CNN{Task: Classification, InputShape: []int{8, 8, 1}, Classes: 2, Tune: []hp.Param{fixed("filters", "many")}}, `hypermodels: cnn: filters takes whole numbers, not "many"`},
		"pooling":  {CNN{Task: Classification, InputShape: []int{8, 8, 1}, Classes: 2, Tune: []hp.Param{fixed("pooling", "median")}}, `hypermodels: cnn: hyperparameter "pooling": "median" is not max or avg`},
		"dropout":  {CNN{Task: Classification, InputShape: []int{8, 8, 1}, Classes: 2, Tune: []hp.Param{fixed("dropout", 1.0)}}, `hypermodels: cnn: hyperparameter "dropout": 1 is not in [0, 1)`},
		"blocks":   {CNN{Task: Classification, InputShape: []int{8, 8, 1}, Classes: 2, Tune: []hp.Param{fixed("conv_blocks", 0)}}, `hypermodels: cnn: hyperparameter "conv_blocks": 0 is below 1`},
		"too many": {CNN{Task: Classification, InputShape: []int{8, 8, 1}, Classes: 2, Tune: []hp.Param{fixed("conv_blocks", 40)}}, "hypermodels: cnn: 40 conv blocks from 32 filters make more than 16384 filters"},
	}
	for name, c := range cases {
		_, err := c.m.Build(hp.New())
		if err == nil || err.Error() != c.want || !errors.Is(err, ErrConfig) {
			t.Errorf("%s: got %v\nwant %s (ErrConfig)", name, err, c.want)
		}
	}
	// A bad definition is hp's error, naming the hyperparameter.
	bad := CNN{Task: Classification, InputShape: []int{8, 8, 1}, Classes: 2, Tune: []hp.Param{{Name: "filters", Kind: hp.KindInt, Min: 9, Max: 3}}}
	var he *hp.Error
	if _, err := bad.Build(hp.New()); !errors.As(err, &he) {
		t.Errorf("min above max: %v, want an *hp.Error", err)
	}
}

// stripes returns n 8×8 grey images of a vertical (class 0) or
// horizontal (class 1) bar at a random place, with noise.
func stripes(n int, seed uint64) (x, y *nn.Matrix) {
	r := rand.New(rand.NewPCG(seed, 1))
	x, y = nn.NewMatrix(n, 64), nn.NewMatrix(n, 1)
	for i := range n {
		class, at := r.IntN(2), r.IntN(8)
		img := x.Data[i*64 : (i+1)*64]
		for p := range img {
			img[p] = 0.3 * r.Float32()
		}
		for k := range 8 {
			if class == 0 {
				img[k*8+at] = 1
			} else {
				img[at*8+k] = 1
			}
		}
		y.Data[i] = float32(class)
	}
	return x, y
}

func TestCNNTunes(t *testing.T) {
	x, y := stripes(240, 1)
	vx, vy := stripes(120, 2)
	m := &CNN{Task: Classification, InputShape: []int{8, 8, 1}, Classes: 2, Tune: []hp.Param{
		{Name: "conv_blocks", Kind: hp.KindInt, Min: 1, Max: 2},
		fixed("filters", 4), fixed("dense_units", 16),
		{Name: "kernel_size", Kind: hp.KindChoice, Values: []any{3, 5}},
		fixed("optimizer", "adam"), fixed("learning_rate", 0.01), fixed("batch_size", 16),
	}}
	tn, err := tuner.New(&tuner.Training{HyperModel: m, X: x, Y: y, Config: nn.FitConfig{Epochs: 8, ValidationX: vx, ValidationY: vy}},
		tuner.Options{Objective: "val_accuracy", Oracle: &oracle.RandomSearch{}, MaxTrials: 2, Seed: 1, ParallelTrials: 1, Directory: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer tn.Close()
	if err := tn.Search(context.Background()); err != nil {
		t.Fatal(err)
	}
	best, err := tn.BestTrials(2)
	if err != nil || len(best) != 2 {
		t.Fatalf("%d trials: %v", len(best), err)
	}
	// Stripes are what convolutions find: every trial separates them.
	for _, tr := range best {
		if *tr.Score < 0.95 {
			t.Errorf("trial %d %v: val_accuracy %.3f, want ≥ 0.95", tr.ID, tr.Values, *tr.Score)
		}
	}
	// The stored best model predicts as its score says.
	model, err := tn.LoadModel(best[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	logs, err := model.Evaluate(context.Background(), vx, vy, nn.EvaluateConfig{})
	if err != nil || logs["accuracy"] != *best[0].Score {
		t.Errorf("loaded model: accuracy %v (%v), stored score %v", logs["accuracy"], err, *best[0].Score)
	}
}
