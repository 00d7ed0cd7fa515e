// Command fashion_cnn tunes tune's built-in convolutional hypermodel
// (hypermodels.CNN) on Fashion-MNIST with Hyperband, then evaluates the
// best model on the test set.
//
//	go run ./examples/fashion_cnn [-data ../shared/data] [-max-epochs 6] [-factor 3] [-min-epochs 2] [-iterations 2] [-parallel 2]
//
// The data directory holds fashion-mnist/ with the four gzip IDX files; it
// defaults to $TUNE_DATA_DIR, or ../shared/data. Without the data the
// program says so and exits. The last 5,000 training images are the
// validation set the search scores trials on.
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
	"github.com/tunekit/tune/hypermodels"
	"github.com/tunekit/tune/internal/examplesetup"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/tuner"
)

// space narrows hypermodels.CNNSpace to what two shared cores can train
// in an hour: 3×3 kernels, 16 or 32 first-block filters, 64 to 256 dense
// units, Adam or RMSprop near their usual learning rates, batches of 64
// or 128 (see the README).
func space() []hp.Param {
	var out []hp.Param
	for _, p := range hypermodels.CNNSpace() {
		switch p.Name {
		case "filters":
			p = hp.Param{Name: p.Name, Kind: hp.KindChoice, Values: []any{16, 32}, Default: 32}
		case "kernel_size":
			p = hp.Param{Name: p.Name, Kind: hp.KindFixed, Values: []any{3}}
		case "dense_units":
			p.Min, p.Step = 64, 64
		case "optimizer":
			p.Values = []any{"adam", "rmsprop"}
		case "learning_rate":
			p.Min, p.Max = 3e-4, 3e-3
		case "momentum":
			continue // sgd's only
		case "batch_size":
			p.Values = []any{64, 128}
		}
		out = append(out, p)
	}
	return out
}

// progress prints a line per epoch as well as the Printer's per trial.
type progress struct{ examplesetup.Printer }

func (p progress) EpochEnded(t *trials.Trial, e trials.Epoch) {
	fmt.Printf("[%5.0fs]   trial %2d epoch %d: val_accuracy %.4f, accuracy %.4f\n",
		time.Since(p.Start).Seconds(), t.ID, e.Epoch+1, e.Metrics["val_accuracy"], e.Metrics["accuracy"])
}

func main() {
	dataDir := flag.String("data", examplesetup.DataDir(), "directory holding fashion-mnist/ with the four gzip IDX files")
	out := flag.String("dir", "my_fashion_cnn", "directory for the project")
	maxEpochs := flag.Int("max-epochs", 6, "Hyperband's max_epochs")
	factor := flag.Int("factor", 3, "Hyperband's factor")
	minEpochs := flag.Int("min-epochs", 2, "Hyperband's min_epochs (epochs of a first round)")
	iterations := flag.Int("iterations", 2, "Hyperband's hyperband_iterations")
	parallel := flag.Int("parallel", 2, "trials at once")
	overwrite := flag.Bool("overwrite", false, "start afresh instead of resuming")
	flag.Parse()

	d, err := examplesetup.FashionMNIST(*dataDir)
	if examplesetup.Missing(err, "fashion-mnist", *dataDir) {
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	hb := &oracle.Hyperband{MaxEpochs: *maxEpochs, Factor: *factor, MinEpochs: *minEpochs, HyperbandIterations: *iterations}
	model := &hypermodels.CNN{Task: hypermodels.Classification, InputShape: data.WithChannels([]int{28, 28}), Classes: 10, Tune: space()}
	fmt.Printf("training on %d images, validating on %d; Hyperband: %d trials per iteration, %d iterations\n",
		d.TrainX.Rows, d.ValidX.Rows, hb.TrialsPerIteration(), *iterations)
	start := time.Now()
	t, err := tuner.New(&tuner.Training{HyperModel: model, X: d.TrainX, Y: d.TrainY, Config: nn.FitConfig{ValidationX: d.ValidX, ValidationY: d.ValidY}}, tuner.Options{
		Objective:      "val_accuracy",
		Oracle:         hb,
		Seed:           42,
		ParallelTrials: *parallel,
		Directory:      *out,
		ProjectName:    "fashion_cnn",
		Overwrite:      *overwrite,
		Observer: progress{examplesetup.Printer{Objective: "val_accuracy", Start: start, Detail: func(t *trials.Trial) string {
			return fmt.Sprintf("[bracket %d round %d, epochs %d-%d]", t.Bracket, t.Round, t.InitialEpoch+1, t.Epochs)
		}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := t.Search(ctx); err != nil {
		log.Fatal(err)
	}
	if err := t.ResultsSummary(os.Stdout, 3); err != nil {
		log.Fatal(err)
	}
	best, err := t.BestTrials(1)
	if err != nil {
		log.Fatal(err)
	}
	m, err := t.LoadModel(best[0].ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(m.Summary())
	logs, err := m.Evaluate(ctx, d.TestX, d.TestY, nn.EvaluateConfig{BatchSize: 1000})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\nsearch took %s; best trial %d: val_accuracy %.4f; on the test set: accuracy %.4f\n",
		time.Since(start).Round(time.Second), best[0].ID, *best[0].Score, logs["accuracy"])
}
