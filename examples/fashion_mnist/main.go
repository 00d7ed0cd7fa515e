// Command fashion_mnist runs the random search of Hands-On Machine Learning,
// chapter 10, on Fashion-MNIST: an MLP with 0–8 hidden layers of 16–256
// units, a learning rate from 1e-4 to 1e-2 on a log scale and SGD or Adam;
// 5 trials of 10 epochs, the last 5,000 training images as validation.
//
//	go run ./examples/fashion_mnist -data ../shared/data/fashion-mnist
//
// The data directory holds the four gzip IDX files; it defaults to
// $TUNE_DATA_DIR/fashion-mnist, or ../shared/data/fashion-mnist.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/tuner"
)

func build(h *hp.HyperParameters) (*nn.Model, error) {
	nHidden := h.Int("n_hidden", 0, 8, hp.Default(2))
	nNeurons := h.Int("n_neurons", 16, 256)
	lr := h.Float("learning_rate", 1e-4, 1e-2, hp.Log)
	var opt nn.Optimizer = &nn.SGD{LearningRate: lr}
	if h.ChoiceString("optimizer", []string{"sgd", "adam"}) == "adam" {
		opt = &nn.Adam{LearningRate: lr}
	}
	layers := []nn.Layer{nn.Input(28, 28), nn.Flatten()}
	for range nHidden {
		layers = append(layers, nn.Dense(nNeurons, nn.ReLU))
	}
	layers = append(layers, nn.Dense(10, nn.Softmax))
	m := nn.NewSequential(layers...)
	err := m.Compile(nn.CompileConfig{Loss: "sparse_categorical_crossentropy", Optimizer: opt, Metrics: []string{"accuracy"}})
	return m, err
}

// printer reports each finished trial on one line.
type printer struct{ start time.Time }

func (p printer) TrialStarted(*trials.Trial)             {}
func (p printer) EpochEnded(*trials.Trial, trials.Epoch) {}
func (p printer) TrialEnded(t *trials.Trial) {
	score := "-"
	if t.Score != nil {
		score = fmt.Sprintf("%.4f", *t.Score)
	}
	fmt.Printf("[%6.0fs] trial %d %s val_accuracy=%s  %v %s\n", time.Since(p.start).Seconds(), t.ID, t.Status, score, t.Values, t.Error)
}

func main() {
	root := data.DefaultDataDir()
	if root == "" {
		root = filepath.Join("..", "shared", "data")
	}
	dir := flag.String("data", filepath.Join(root, "fashion-mnist"), "directory with the Fashion-MNIST gzip IDX files")
	out := flag.String("dir", "my_fashion_mnist", "directory for the project")
	trialsFlag := flag.Int("trials", 5, "max trials")
	epochs := flag.Int("epochs", 10, "epochs per trial")
	parallel := flag.Int("parallel", 0, "trials at once (0: one per CPU)")
	seed := flag.Int64("seed", 42, "search seed")
	overwrite := flag.Bool("overwrite", false, "start afresh instead of resuming")
	flag.Parse()

	trainX, trainY, testX, testY, err := data.FashionMNIST(*dir)
	if err != nil {
		log.Fatal(err)
	}
	trainX, trainY, valX, valY, err := data.SplitLast(trainX, trainY, 5000)
	if err != nil {
		log.Fatal(err)
	}
	start := time.Now()
	t, err := tuner.New(tuner.BuildFunc(build), tuner.Options{
		Objective:      "val_accuracy",
		MaxTrials:      *trialsFlag,
		Seed:           *seed,
		ParallelTrials: *parallel,
		Directory:      *out,
		ProjectName:    "my_rnd_search",
		Overwrite:      *overwrite,
		Observer:       printer{start},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err = t.Search(ctx, trainX, trainY, nn.FitConfig{Epochs: *epochs, BatchSize: 32, ValidationX: valX, ValidationY: valY})
	if err != nil {
		log.Fatal(err)
	}
	if err := t.ResultsSummary(os.Stdout, 3); err != nil {
		log.Fatal(err)
	}
	best, err := t.BestModels(1)
	if err != nil {
		log.Fatal(err)
	}
	logs, err := best[0].Evaluate(testX, testY, 1000)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\nsearch took %s; best model on the test set: accuracy %.4f\n", time.Since(start).Round(time.Second), logs["accuracy"])
}
