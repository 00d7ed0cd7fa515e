// Command fashion_hyperband runs the Hyperband search of Hands-On Machine
// Learning, chapter 10, on Fashion-MNIST, with the book's HyperModel whose
// fit also tunes preprocessing: a "normalize" boolean that standardises the
// images before training.
//
//	go run ./examples/fashion_hyperband [-data ../shared/data] [-max-epochs 10] [-factor 3] [-iterations 1] [-train 10000]
//
// The data directory holds fashion-mnist/ with the four gzip IDX files; it
// defaults to $TUNE_DATA_DIR, or ../shared/data. Without the data the
// program says so and exits.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/internal/examplesetup"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/tuner"
)

// classifier is the book's MyClassificationHyperModel: Build is
// build_model(hp), and Fit standardises the data when hp.Boolean("normalize")
// says so, as the book's fit applies a Normalization layer to X.
type classifier struct{}

func (classifier) Build(h *hp.HyperParameters) (*nn.Model, error) {
	nHidden := h.Int("n_hidden", 0, 8, hp.Default(2))
	nNeurons := h.Int("n_neurons", 16, 256)
	lr := h.Float("learning_rate", 1e-4, 1e-2, hp.Log)
	var opt nn.Optimizer = &nn.SGD{LearningRate: lr}
	if h.ChoiceString("optimizer", []string{"sgd", "adam"}) == "adam" {
		opt = &nn.Adam{LearningRate: lr}
	}
	// Fit's hyperparameter, declared here too: the tuner discovers the
	// search space from Build (see the README).
	h.Boolean("normalize")
	layers := []nn.Layer{nn.Input(28, 28), nn.Flatten()}
	for range nHidden {
		layers = append(layers, nn.Dense(nNeurons, nn.ReLU))
	}
	layers = append(layers, nn.Dense(10, nn.Softmax))
	m := nn.NewSequential(layers...)
	err := m.Compile(nn.CompileConfig{Loss: "sparse_categorical_crossentropy", Optimizer: opt, Metrics: []string{"accuracy"}})
	return m, err
}

func (classifier) Fit(ctx context.Context, h *hp.HyperParameters, m *nn.Model, x, y *nn.Matrix, cfg nn.FitConfig) (*nn.History, error) {
	if h.Boolean("normalize") {
		var err error
		if x, cfg.ValidationX, err = standardize(x, cfg.ValidationX); err != nil {
			return nil, err
		}
	}
	return m.Fit(ctx, x, y, cfg)
}

// standardize scales x and the other matrix with the mean and standard
// deviation of each of x's pixels, as a Normalization layer adapted to the
// flattened images would.
func standardize(x *nn.Matrix, others ...*nn.Matrix) (*nn.Matrix, *nn.Matrix, error) {
	var sc data.StandardScaler
	xs, err := sc.FitTransform(x)
	if err != nil {
		return nil, nil, err
	}
	var v *nn.Matrix
	if len(others) > 0 && others[0] != nil {
		if v, err = sc.Transform(others[0]); err != nil {
			return nil, nil, err
		}
	}
	return xs, v, nil
}

// hyperbandPlace shows where a trial stands in Hyperband's brackets of
// successive halving, and the epochs it trained (warm-started from the
// checkpoint of the trial it continues, after the first round).
func hyperbandPlace(t *trials.Trial) string {
	return fmt.Sprintf("[bracket %d round %d, epochs %d-%d]", t.Bracket, t.Round, t.InitialEpoch+1, t.Epochs)
}

func main() {
	dataDir := flag.String("data", examplesetup.DataDir(), "directory holding fashion-mnist/ with the four gzip IDX files")
	out := flag.String("dir", "my_fashion_mnist", "directory for the project")
	maxEpochs := flag.Int("max-epochs", 10, "Hyperband's max_epochs")
	factor := flag.Int("factor", 3, "Hyperband's factor")
	iterations := flag.Int("iterations", 1, "Hyperband's hyperband_iterations (the book uses 2)")
	train := flag.Int("train", 10000, "training images to use (0: all 55,000)")
	parallel := flag.Int("parallel", 0, "trials at once (0: one per CPU)")
	overwrite := flag.Bool("overwrite", true, "start afresh instead of resuming")
	flag.Parse()

	d, err := examplesetup.FashionMNIST(*dataDir) // the last 5,000 training images for validation
	if examplesetup.Missing(err, "fashion-mnist", *dataDir) {
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	d.LimitTrain(*train)
	hb := &oracle.Hyperband{MaxEpochs: *maxEpochs, Factor: *factor, HyperbandIterations: *iterations}
	fmt.Printf("training on %d images, validating on %d; Hyperband: %d trials per iteration\n", d.TrainX.Rows, d.ValidX.Rows, hb.TrialsPerIteration())
	start := time.Now()
	t, err := tuner.New(&tuner.Training{HyperModel: classifier{}, X: d.TrainX, Y: d.TrainY, Config: nn.FitConfig{BatchSize: 32, ValidationX: d.ValidX, ValidationY: d.ValidY}}, tuner.Options{
		Objective:      "val_accuracy",
		Oracle:         hb,
		Seed:           42,
		ParallelTrials: *parallel,
		Directory:      *out,
		ProjectName:    "my_hyperband",
		Overwrite:      *overwrite,
		Observer:       examplesetup.Printer{Objective: "val_accuracy", Start: start, Detail: hyperbandPlace},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err = t.Search(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := t.ResultsSummary(os.Stdout, 3); err != nil {
		log.Fatal(err)
	}
	best, err := t.BestTrials(1)
	if err != nil {
		log.Fatal(err)
	}
	model, err := t.LoadModel(best[0].ID)
	if err != nil {
		log.Fatal(err)
	}
	// The model was trained on standardised images if normalize was on:
	// the test images need the same scaling (fitted on the training set).
	x := d.TestX
	if best[0].Values["normalize"] == true {
		if _, x, err = standardize(d.TrainX, d.TestX); err != nil {
			log.Fatal(err)
		}
	}
	logs, err := model.Evaluate(context.Background(), x, d.TestY, nn.EvaluateConfig{BatchSize: 1000})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\nsearch took %s; best model (trial %d) on the test set: accuracy %.4f\n",
		time.Since(start).Round(time.Second), best[0].ID, logs["accuracy"])
}
