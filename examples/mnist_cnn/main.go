// Command mnist_cnn trains the lecture's simple convolutional network for
// MNIST with tune's embedded trainer:
//
//	Conv2D 32@5×5 relu → MaxPooling2D 2×2 → Dropout 0.2 → Flatten →
//	Dense 128 relu → Dense 10 softmax (592,074 parameters),
//	categorical cross-entropy, Adam, batch 200, 10 epochs,
//	validated on the test set as the lecture does.
//
// It prints the summary, one line per epoch and the test accuracy and
// error (the lecture's baseline error on MNIST is about 1%).
//
//	go run ./examples/mnist_cnn -data DIR           # any MNIST-layout IDX digit set
//	go run ./examples/mnist_cnn -dataset fashion-mnist [-data ../shared/data]
//
// DIR holds the four IDX files under MNIST's names
// (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
// t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz, gzip or not), 28×28
// grey images and labels 0–9. With -dataset the files are read from
// DATA/DATASET instead. When they are missing the program says what to do
// and exits without error.
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
	"github.com/tunekit/tune/internal/examplesetup"
	"github.com/tunekit/tune/nn"
)

func main() {
	dataDir := flag.String("data", "", "directory holding the four IDX files (with -dataset: the directory holding DATASET/; default $TUNE_DATA_DIR or ../shared/data)")
	dataset := flag.String("dataset", "", "a data set under -data, e.g. fashion-mnist")
	epochs := flag.Int("epochs", 10, "epochs")
	batch := flag.Int("batch", 200, "batch size")
	threads := flag.Int("threads", 1, "threads of the matrix products")
	seed := flag.Int64("seed", 7, "seed of the initial weights, dropout and shuffles")
	save := flag.String("save", "", "save the trained model to this file")
	flag.Parse()

	dir := *dataDir
	name := "mnist"
	switch {
	case *dataset != "":
		if dir == "" {
			dir = examplesetup.DataDir()
		}
		dir, name = filepath.Join(dir, *dataset), *dataset
	case dir == "":
		fmt.Println("give -data DIR, a directory with MNIST's four IDX files, or -dataset fashion-mnist (run `tune data get fashion-mnist` or `tune data get mnist` to download them)")
		return
	}
	trainX, trainY, testX, testY, err := data.FashionMNIST(dir) // the MNIST layout: same file names and shapes
	if examplesetup.Missing(err, name, dir) {
		return
	}
	if err != nil {
		log.Fatal(err)
	}

	model := nn.NewSequential(
		nn.Input(data.WithChannels([]int{28, 28})...),
		nn.Conv2D(32, 5, nn.ReLU),
		nn.MaxPooling2D(2),
		nn.Dropout(0.2),
		nn.Flatten(),
		nn.Dense(128, nn.ReLU),
		nn.Dense(10, nn.Softmax),
	)
	err = model.Compile(nn.CompileConfig{
		Loss:      "sparse_categorical_crossentropy", // categorical cross-entropy on class ids
		Optimizer: &nn.Adam{},
		Metrics:   []string{"accuracy"},
		Seed:      *seed,
	})
	if err != nil {
		log.Fatal(err)
	}
	model.SetThreads(*threads)
	fmt.Print(model.Summary())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	hist, err := model.Fit(ctx, trainX, trainY, nn.FitConfig{
		Epochs:      *epochs,
		BatchSize:   *batch,
		Seed:        *seed,
		ValidationX: testX,
		ValidationY: testY,
		Callbacks:   []nn.Callback{nn.NewEpochLogger(os.Stdout, *epochs)},
	})
	if err != nil {
		log.Fatal(err)
	}
	elapsed := time.Since(start)
	n := len(hist.Epochs)
	test, err := model.Evaluate(context.Background(), testX, testY, nn.EvaluateConfig{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\n%d epochs in %s (%s per epoch)\n", n, elapsed.Round(time.Second), (elapsed / time.Duration(n)).Round(10*time.Millisecond))
	fmt.Printf("test accuracy %.4f, error %.2f%%\n", test["accuracy"], 100*(1-test["accuracy"]))
	if *save != "" {
		if err := model.SaveFile(*save); err != nil {
			log.Fatal(err)
		}
		fmt.Println("saved", *save)
	}
}
