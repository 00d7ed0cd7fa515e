// Command fashion_mlp trains the classification MLP of Hands-On Machine
// Learning (3rd ed.), chapter 10, on Fashion-MNIST with tune's embedded
// trainer, as the book does with Keras:
//
//	Flatten → Dense 300 relu → Dense 100 relu → Dense 10 softmax,
//	sparse categorical cross-entropy, SGD with learning rate 0.01,
//	batch 32, 30 epochs, the last 5,000 training images as validation.
//
// It prints the model summary, one line per epoch, and the validation and
// test accuracy (the book reports val_accuracy 0.8894 after 30 epochs).
//
//	go run ./examples/fashion_mlp [-data ../shared/data] [-epochs 30] [-save model.tnn]
//
// The data directory holds fashion-mnist/ with the four gzip IDX files; it
// defaults to $TUNE_DATA_DIR, or ../shared/data. When the data are missing
// the program says so and exits without error.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	"github.com/tunekit/tune/internal/examplesetup"
	"github.com/tunekit/tune/nn"
)

func main() {
	dataDir := flag.String("data", examplesetup.DataDir(), "directory holding fashion-mnist/")
	epochs := flag.Int("epochs", 30, "epochs")
	seed := flag.Int64("seed", 42, "seed of the initial weights and of the shuffles")
	save := flag.String("save", "", "save the trained model to this file")
	flag.Parse()

	d, err := examplesetup.FashionMNIST(*dataDir) // the last 5,000 training images for validation
	if examplesetup.Missing(err, "fashion-mnist", *dataDir) {
		return
	}
	if err != nil {
		log.Fatal(err)
	}

	model := nn.NewSequential(
		nn.Input(28, 28),
		nn.Flatten(),
		nn.Dense(300, nn.ReLU),
		nn.Dense(100, nn.ReLU),
		nn.Dense(10, nn.Softmax),
	)
	err = model.Compile(nn.CompileConfig{
		Loss:      "sparse_categorical_crossentropy",
		Optimizer: &nn.SGD{LearningRate: 0.01},
		Metrics:   []string{"accuracy"},
		Seed:      *seed,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(model.Summary())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	hist, err := model.Fit(ctx, d.TrainX, d.TrainY, nn.FitConfig{
		Epochs:      *epochs,
		BatchSize:   32,
		Seed:        *seed,
		ValidationX: d.ValidX,
		ValidationY: d.ValidY,
		Callbacks:   []nn.Callback{nn.NewEpochLogger(os.Stdout, *epochs)},
	})
	if err != nil {
		log.Fatal(err)
	}
	elapsed := time.Since(start)
	n := len(hist.Epochs)
	test, err := model.Evaluate(context.Background(), d.TestX, d.TestY, nn.EvaluateConfig{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\n%d epochs in %s (%s per epoch)\n", n, elapsed.Round(time.Second), (elapsed / time.Duration(n)).Round(10*time.Millisecond))
	fmt.Printf("val_accuracy %.4f (the book: 0.8894), test accuracy %.4f\n", hist.Metrics["val_accuracy"][n-1], test["accuracy"])
	if *save != "" {
		if err := model.SaveFile(*save); err != nil {
			log.Fatal(err)
		}
		fmt.Println("saved", *save)
	}
}
