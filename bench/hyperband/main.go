// Command hyperband measures how many training epochs random search and
// Hyperband need to find a Fashion-MNIST model with a given validation
// accuracy (default 0.87).
//
//	nice go run ./bench/hyperband -seed 1 -parallel 1 -budget 400
//
// Both methods search the space of Hands-On Machine Learning, chapter 10
// (examples/fashion_mnist): an MLP with 0–8 hidden layers (default 2) of
// 16–256 units, a learning rate from 1e-4 to 1e-2 on a log scale and SGD or
// Adam, trained with batches of 32 on the first 55,000 training images and
// validated on the last 5,000. Random search trains every trial for
// -max-epochs epochs; Hyperband uses MaxEpochs = -max-epochs and Factor =
// -factor, with as many iterations as the budget could need.
//
// An Observer counts every epoch trained, in the order the epochs finish,
// across all trials. Hyperband's promoted trials warm-start from their
// parent's checkpoint and train only epochs InitialEpoch..Epochs-1, and only
// those are reported, so the count is the epochs actually trained. The count
// at the first epoch whose val_accuracy reaches -target is the method's
// result; the search is then cancelled, or once -budget epochs have been
// trained without reaching it.
//
// With -parallel above 1 the order in which epochs of concurrent trials
// finish depends on timing, so the count does too; -parallel 1 gives a
// deterministic count for a seed.
//
// The data directory holds the four gzip IDX files of Fashion-MNIST; it
// defaults to $TUNE_DATA_DIR/fashion-mnist, or ../shared/data/fashion-mnist.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"os/signal"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/internal/examplesetup"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/tuner"
)

// build is the book's build_model(hp), as in examples/fashion_mnist.
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

// counter is the Observer: it counts the epochs trained and cancels the
// search when the target is reached or the budget spent.
type counter struct {
	target  float64
	budget  int
	cancel  context.CancelFunc
	start   time.Time
	verbose bool

	mu       sync.Mutex
	epochs   int // epochs reported, in the order they finished
	counted  int // of which within the budget and up to the target
	started  int // trials started (retries included)
	reached  int // count at the first epoch reaching the target; 0: not yet
	reachedT *trials.Trial
	reachedE int
	reachedW time.Duration
	best     float64 // best val_accuracy among the counted epochs
	stopped  bool
}

func (c *counter) TrialStarted(*trials.Trial) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.stopped {
		c.started++
	}
}

func (c *counter) EpochEnded(t *trials.Trial, e trials.Epoch) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epochs++
	if c.stopped {
		// An epoch of another trial that finished after the stop: trained,
		// but after the result was known.
		return
	}
	c.counted++
	v, ok := e.Metrics["val_accuracy"]
	if ok && v > c.best {
		c.best = v
	}
	if ok && v >= c.target {
		c.reached, c.reachedT, c.reachedE, c.reachedW = c.counted, t, e.Epoch, time.Since(c.start)
		c.stopped = true
		c.cancel()
		return
	}
	if c.counted >= c.budget {
		c.stopped = true
		c.cancel()
	}
}

func (c *counter) TrialEnded(t *trials.Trial) {
	if !c.verbose {
		return
	}
	score := "-"
	if t.Score != nil {
		score = fmt.Sprintf("%.4f", *t.Score)
	}
	c.mu.Lock()
	n := c.counted
	c.mu.Unlock()
	where := ""
	if t.Epochs != 0 { // a Hyperband trial
		where = fmt.Sprintf(" bracket %d round %d, epochs %d-%d,", t.Bracket, t.Round, t.InitialEpoch+1, t.Epochs)
	}
	fmt.Fprintf(os.Stderr, "[%5.0fs] trial %2d%s %s val_accuracy=%s (epochs counted: %d) %v\n",
		time.Since(c.start).Seconds(), t.ID, where, t.Status, score, n, t.Values)
}

// result is one method's row.
type result struct {
	method   string
	reached  int
	budget   int
	trained  int // all epochs reported, including those after the stop
	started  int
	wall     time.Duration
	reachedW time.Duration
	best     float64
	how      string
}

func run(ctx context.Context, method string, o oracle.Oracle, maxTrials int, fit nn.FitConfig, x, y *nn.Matrix, seed int64, parallel, budget int, target float64, verbose bool) (result, error) {
	dir, err := os.MkdirTemp("", "tune-bench-hyperband-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := &counter{target: target, budget: budget, cancel: cancel, start: time.Now(), verbose: verbose}
	t, err := tuner.New(&tuner.Training{HyperModel: tuner.BuildFunc(build), X: x, Y: y, Config: fit}, tuner.Options{
		Objective:      "val_accuracy",
		Oracle:         o,
		MaxTrials:      maxTrials,
		Seed:           seed,
		ParallelTrials: parallel,
		Directory:      dir,
		ProjectName:    method,
		Overwrite:      true,
		Observer:       c,
	})
	if err != nil {
		return result{}, err
	}
	defer t.Close()
	err = t.Search(ctx)
	wall := time.Since(c.start)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil && !(c.stopped && errors.Is(err, context.Canceled)) {
		return result{}, fmt.Errorf("%s: %w", method, err)
	}
	r := result{method: method, reached: c.reached, budget: budget, trained: c.epochs, started: c.started,
		wall: wall, reachedW: c.reachedW, best: c.best}
	if c.reachedT != nil {
		tr := c.reachedT
		r.how = fmt.Sprintf("trial %d", tr.ID)
		if tr.Bracket != 0 || tr.Round != 0 || tr.Parent != 0 {
			r.how += fmt.Sprintf(" (bracket %d round %d)", tr.Bracket, tr.Round)
		}
		r.how += fmt.Sprintf(", epoch %d: %v", c.reachedE+1, tr.Values)
	} else if !c.stopped {
		r.how = "search ended before the budget"
	}
	return r, nil
}

// hyperbandEpochs is the number of epochs one Hyperband iteration trains
// when no trial fails: round r > 0 trains Epochs(b, r) − Epochs(b, r−1) per
// trial, as promoted trials warm-start.
func hyperbandEpochs(h *oracle.Hyperband) int {
	n := 0
	for b := h.Brackets() - 1; b >= 0; b-- {
		prev := 0
		for r := 0; r <= b; r++ {
			e := h.Epochs(b, r)
			n += h.Size(b, r) * (e - prev)
			prev = e
		}
	}
	return n
}

func main() {
	dataDir := flag.String("data", examplesetup.DataDir(), "directory holding fashion-mnist/ with the four gzip IDX files")
	seed := flag.Int64("seed", 1, "search seed (both methods)")
	parallel := flag.Int("parallel", 2, "trials at once; 1 gives a deterministic epoch count")
	target := flag.Float64("target", 0.87, "val_accuracy to reach")
	maxEpochs := flag.Int("max-epochs", 10, "Hyperband's max_epochs, and random search's epochs per trial")
	factor := flag.Int("factor", 3, "Hyperband's factor")
	budget := flag.Int("budget", 400, "most epochs each method may train")
	methods := flag.String("methods", "random,hyperband", "methods to run, comma-separated")
	train := flag.Int("train", 0, "training images to use (0: all 55,000; for a quick check)")
	verbose := flag.Bool("v", true, "log each finished trial on stderr")
	flag.Parse()
	if *budget < 1 || *maxEpochs < 1 || *parallel < 1 || *factor < 2 {
		log.Fatal("-budget, -max-epochs and -parallel must be at least 1, -factor at least 2")
	}

	d, err := examplesetup.FashionMNIST(*dataDir) // the last 5,000 training images for validation
	if examplesetup.Missing(err, "fashion-mnist", *dataDir) {
		os.Exit(2)
	}
	if err != nil {
		log.Fatal(err)
	}
	d.LimitTrain(*train)
	trainX, trainY, valX, valY := d.TrainX, d.TrainY, d.ValidX, d.ValidY
	fmt.Printf("Fashion-MNIST: training on %d images, validating on %d; target val_accuracy %.3g, budget %d epochs per method, seed %d, %d parallel trials\n",
		trainX.Rows, valX.Rows, *target, *budget, *seed, *parallel)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	fit := nn.FitConfig{BatchSize: 32, ValidationX: valX, ValidationY: valY}

	var results []result
	for _, m := range strings.Split(*methods, ",") {
		var r result
		switch strings.TrimSpace(m) {
		case "random":
			f := fit
			f.Epochs = *maxEpochs
			trialsCap := (*budget + *maxEpochs - 1) / *maxEpochs
			fmt.Printf("random search: %d epochs per trial, up to %d trials\n", *maxEpochs, trialsCap)
			r, err = run(ctx, "random", &oracle.RandomSearch{}, trialsCap, f, trainX, trainY, *seed, *parallel, *budget, *target, *verbose)
		case "hyperband":
			hb := &oracle.Hyperband{MaxEpochs: *maxEpochs, Factor: *factor}
			per := hyperbandEpochs(hb)
			// Enough iterations to spend the budget, one more in case
			// failed trials are not promoted.
			hb.HyperbandIterations = int(math.Ceil(float64(*budget)/float64(per))) + 1
			fmt.Printf("hyperband: max_epochs %d, factor %d: %d trials and %d epochs per iteration, %d iterations\n",
				*maxEpochs, *factor, hb.TrialsPerIteration(), per, hb.HyperbandIterations)
			r, err = run(ctx, "hyperband", hb, hb.TrialsPerIteration()*hb.HyperbandIterations, fit, trainX, trainY, *seed, *parallel, *budget, *target, *verbose)
		default:
			log.Fatalf("unknown method %q (want random or hyperband)", m)
		}
		if err != nil {
			log.Fatal(err)
		}
		results = append(results, r)
		if ctx.Err() != nil {
			break // interrupted
		}
	}

	fmt.Println()
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "method\tepochs to target\ttrials started\twall time\ttime to target\tbest val_accuracy\tepochs trained\t")
	for _, r := range results {
		reached, at := fmt.Sprintf("not reached within %d", r.budget), "-"
		if r.reached > 0 {
			reached, at = fmt.Sprint(r.reached), r.reachedW.Round(time.Second).String()
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\t%.4f\t%d\t\n", r.method, reached, r.started, r.wall.Round(time.Second), at, r.best, r.trained)
	}
	w.Flush()
	for _, r := range results {
		if r.how != "" {
			fmt.Printf("%s: %s\n", r.method, r.how)
		}
	}
}
