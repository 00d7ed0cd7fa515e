// Command csv_regression runs the regression study of study.yaml on a csv
// file, by default the house prices next to it, or your own file:
//
//	go run ./examples/csv_regression
//	go run ./examples/csv_regression -data my.csv -separator , -target price -columns area,rooms
//
// It is what "tune search" does, written with the study and tuner
// packages: load the study, override some settings, load the data, search,
// then print the best trial and the best model's predictions for a few
// validation rows.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"

	"github.com/tunekit/tune/study"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/tuner"
)

// printer prints one line per finished trial.
type printer struct{ objective string }

func (p printer) TrialStarted(*trials.Trial)             {}
func (p printer) EpochEnded(*trials.Trial, trials.Epoch) {}
func (p printer) TrialEnded(t *trials.Trial) {
	if t.Score != nil {
		fmt.Printf("trial %2d %s  %s=%.4f (epoch %d)  %v\n", t.ID, t.Status, p.objective, *t.Score, t.BestEpoch+1, t.Values)
	} else {
		fmt.Printf("trial %2d %s  %s\n", t.ID, t.Status, t.Error)
	}
}

// studyPath finds study.yaml from the repository root or this directory.
func studyPath() string {
	for _, p := range []string{"examples/csv_regression/study.yaml", "study.yaml"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return "examples/csv_regression/study.yaml"
}

func main() {
	config := flag.String("config", studyPath(), "the study file")
	dataPath := flag.String("data", "", "your csv file (default: the study's)")
	sep := flag.String("separator", "", "its field separator, such as , or ;")
	target := flag.String("target", "", "the column to predict")
	columns := flag.String("columns", "", "the feature columns, comma-separated (default: all but the target)")
	maxTrials := flag.Int("trials", 0, "max trials (default: the study's)")
	overwrite := flag.Bool("overwrite", true, "start afresh instead of resuming")
	flag.Parse()

	var sets []string
	if *dataPath != "" {
		abs, err := absPath(*dataPath)
		if err != nil {
			log.Fatal(err)
		}
		sets = append(sets, "data.path="+strconv.Quote(abs), "data.columns=null")
	}
	if *sep != "" {
		sets = append(sets, "data.separator="+strconv.Quote(*sep))
	}
	if *target != "" {
		sets = append(sets, "data.target="+strconv.Quote(*target))
	}
	if *columns != "" {
		sets = append(sets, "data.columns=["+*columns+"]")
	}
	if *maxTrials > 0 {
		sets = append(sets, "max_trials="+strconv.Itoa(*maxTrials))
	}
	st, err := load(*config, sets)
	if err != nil {
		log.Fatal(err)
	}
	ds, err := st.LoadData()
	if err != nil {
		log.Fatal(err)
	}
	opts, err := st.Options()
	if err != nil {
		log.Fatal(err)
	}
	opts.Overwrite = *overwrite
	opts.Observer = printer{st.Objective}
	t, err := tuner.New(st.MLP(ds), opts)
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()
	fmt.Printf("%s: predicting %s from %v; %d training rows, %d validation rows\n",
		st.Data.Path, st.Data.Target, ds.Features, ds.X.Rows, rows(ds))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := t.Search(ctx, ds.X, ds.Y, st.FitConfig(ds)); err != nil {
		log.Fatal(err)
	}
	if err := t.ResultsSummary(os.Stdout, 1); err != nil {
		log.Fatal(err)
	}
	if ds.ValidationX == nil {
		return
	}
	best, err := t.BestModels(1)
	if err != nil {
		log.Fatal(err)
	}
	logs, err := best[0].Evaluate(ds.ValidationX, ds.ValidationY, 256)
	if err != nil {
		log.Fatal(err)
	}
	pred, err := best[0].Predict(ds.ValidationX.Slice(0, 5))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\nbest model: validation RMSE %.2f, MAE %.2f\n", logs["rmse"], logs["mae"])
	for i := range pred.Rows {
		fmt.Printf("  validation row %d: predicted %.1f, actual %.1f\n", i+1, pred.Data[i], ds.ValidationY.Data[i])
	}
}

// load reads the study file with the settings changed.
func load(path string, sets []string) (*study.Study, error) {
	st, err := study.Load(path)
	if err != nil || len(sets) == 0 {
		return st, err
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	src, err = study.Override(src, sets...)
	if err != nil {
		return nil, err
	}
	return study.Parse(src, path)
}

// absPath makes a path given on the command line absolute: the study
// resolves relative paths against its own directory.
func absPath(p string) (string, error) {
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s: no such file", p)
	}
	return filepath.Abs(p)
}

func rows(ds *study.Dataset) int {
	if ds.ValidationX == nil {
		return 0
	}
	return ds.ValidationX.Rows
}
