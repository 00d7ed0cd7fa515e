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
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strconv"

	"github.com/tunekit/tune/internal/examplesetup"
	"github.com/tunekit/tune/nn"
	"github.com/tunekit/tune/study"
	"github.com/tunekit/tune/tuner"
)

func main() {
	config := flag.String("config", examplesetup.StudyPath("csv_regression"), "the study file")
	dataPath := flag.String("data", "", "your csv file (default: the study's)")
	sep := flag.String("separator", "", "its field separator, such as , or ;")
	target := flag.String("target", "", "the column to predict")
	columns := flag.String("columns", "", "the feature columns, comma-separated (default: all but the target)")
	maxTrials := flag.Int("trials", 0, "max trials (default: the study's)")
	overwrite := flag.Bool("overwrite", true, "start afresh instead of resuming")
	flag.Parse()

	var sets []string
	if *dataPath != "" {
		abs, err := examplesetup.AbsPath(*dataPath)
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
	opts.Observer = examplesetup.Printer{Objective: st.Objective}
	t, err := tuner.New(&tuner.Training{HyperModel: st.HyperModel(ds.Profile()), X: ds.X, Y: ds.Y, Config: st.FitConfig(ds)}, opts)
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()
	fmt.Printf("%s: predicting %s from %v; %d training rows, %d validation rows\n",
		st.Data.Path, st.Data.Target, ds.Features, ds.X.Rows, rows(ds))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := t.Search(ctx); err != nil {
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
	logs, err := best[0].Evaluate(context.Background(), ds.ValidationX, ds.ValidationY, nn.EvaluateConfig{BatchSize: 256})
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

func rows(ds *study.LoadedData) int {
	if ds.ValidationX == nil {
		return 0
	}
	return ds.ValidationX.Rows
}
