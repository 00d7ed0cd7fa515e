// Command csv_binary runs the binary classification study of study.yaml on
// a csv file, by default the customer churn data next to it, or your own
// file with names as labels:
//
//	go run ./examples/csv_binary
//	go run ./examples/csv_binary -data my.csv -test my_test.csv -target outcome -labels no,yes
//
// It is what "tune search" then "tune retrain" do, written with the study
// and tuner packages: search, then evaluate the best model on the test
// file with a confusion matrix.
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
	"github.com/tunekit/tune/study"
	"github.com/tunekit/tune/tuner"
)

func main() {
	config := flag.String("config", examplesetup.StudyPath("csv_binary"), "the study file")
	dataPath := flag.String("data", "", "your csv file (default: the study's)")
	testPath := flag.String("test", "", "your test csv file (default: the study's)")
	sep := flag.String("separator", "", "the field separator, such as , or ;")
	target := flag.String("target", "", "the column to predict")
	labels := flag.String("labels", "", "the two labels, negative first, comma-separated (such as no,yes)")
	columns := flag.String("columns", "", "the feature columns, comma-separated (default: all but the target)")
	maxTrials := flag.Int("trials", 0, "max trials (default: the study's)")
	flag.Parse()

	var sets []string
	if *dataPath != "" {
		abs, err := examplesetup.AbsPath(*dataPath)
		if err != nil {
			log.Fatal(err)
		}
		sets = append(sets, "data.path="+strconv.Quote(abs), "data.columns=null", "data.test_path=null")
	}
	if *testPath != "" {
		abs, err := examplesetup.AbsPath(*testPath)
		if err != nil {
			log.Fatal(err)
		}
		sets = append(sets, "data.test_path="+strconv.Quote(abs))
	}
	for flagValue, key := range map[*string]string{sep: "data.separator", target: "data.target"} {
		if *flagValue != "" {
			sets = append(sets, key+"="+strconv.Quote(*flagValue))
		}
	}
	if *labels != "" {
		sets = append(sets, "data.labels=["+*labels+"]")
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
	opts.Overwrite = true
	opts.Observer = examplesetup.Printer{Objective: st.Objective}
	t, err := tuner.New(&tuner.Training{HyperModel: st.HyperModel(ds.Profile()), X: ds.X, Y: ds.Y, Config: st.FitConfig(ds)}, opts)
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()
	fmt.Printf("%s: predicting %s %v from %v; %d training rows\n", st.Data.Path, st.Data.Target, ds.ClassNames, ds.Features, ds.X.Rows)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := t.Search(ctx); err != nil {
		log.Fatal(err)
	}
	if err := t.ResultsSummary(os.Stdout, 1); err != nil {
		log.Fatal(err)
	}
	if ds.TestX == nil {
		fmt.Println("\nno test file: set data.test_path or -test to evaluate the best model")
		return
	}
	best, err := t.BestModels(1)
	if err != nil {
		log.Fatal(err)
	}
	p, err := best[0].Predict(ds.TestX)
	if err != nil {
		log.Fatal(err)
	}
	var confusion [2][2]int // [actual][predicted]
	for i, prob := range p.Data {
		pred := 0
		if prob >= 0.5 {
			pred = 1
		}
		confusion[int(ds.TestY.Data[i])][pred]++
	}
	n := float64(p.Rows)
	fmt.Printf("\nbest model on the test file (%d rows): accuracy %.4f\n", p.Rows, float64(confusion[0][0]+confusion[1][1])/n)
	name := func(c int) string {
		if c < len(ds.ClassNames) {
			return ds.ClassNames[c]
		}
		return strconv.Itoa(c)
	}
	fmt.Printf("%12s  predicted %-5s  predicted %-5s\n", "", name(0), name(1))
	for a := range 2 {
		fmt.Printf("actual %-5s  %15d  %15d\n", name(a), confusion[a][0], confusion[a][1])
	}
}

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
