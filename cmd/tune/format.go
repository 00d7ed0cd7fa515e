package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// formatValue formats a hyperparameter value; floats with strconv's format
// and precision (-1: the shortest exact form).
func formatValue(v any, format byte, prec int) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, format, prec, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// formatMetric formats a metric for people: 4 decimals, or 4 significant
// digits for large and tiny values.
func formatMetric(v float64) string {
	var buf [24]byte
	return string(appendMetric(buf[:0], v))
}

// appendMetric appends v as formatMetric formats it.
func appendMetric(dst []byte, v float64) []byte {
	a := math.Abs(v)
	if a != 0 && (a >= 1e4 || a < 1e-3) {
		return strconv.AppendFloat(dst, v, 'g', 4, 64)
	}
	return strconv.AppendFloat(dst, v, 'f', 4, 64)
}

// formatScore formats a score, "-" for none.
func formatScore(s *float64) string {
	if s == nil {
		return "-"
	}
	return formatMetric(*s)
}

// scoredEpoch returns the best epoch of a trial with a score, counted
// from 1 as Keras prints epochs (the store counts from 0); nil for a trial
// without a score. Every output of the command counts epochs from 1.
func scoredEpoch(t *trials.Trial) *int {
	if t.Score == nil {
		return nil
	}
	e := t.BestEpoch + 1
	return &e
}

// trialValues returns a trial's hyperparameter values, empty rather than
// nil so that JSON has {} for none.
func trialValues(t *trials.Trial) hp.Values {
	if t.Values == nil {
		return hp.Values{}
	}
	return t.Values
}

// valueNames returns the hyperparameter names of the values: the space's
// order first, then any others sorted.
func valueNames(vs []hp.Values, order []string) []string {
	merged := hp.Values{}
	for _, v := range vs {
		for k, x := range v {
			merged[k] = x
		}
	}
	return orderedNames(merged, order)
}

// scoreCSV returns the csv cells of a score and its best epoch (from
// scoredEpoch, counted from 1): the exact score; empty for no score.
func scoreCSV(score *float64, bestEpoch *int) (string, string) {
	if score == nil || bestEpoch == nil {
		return "", ""
	}
	return strconv.FormatFloat(*score, 'g', -1, 64), strconv.Itoa(*bestEpoch)
}

// appendValuesCSV appends the csv cells of the values of names, exact,
// "" for a missing one.
func appendValuesCSV(rec []string, v hp.Values, names []string) []string {
	for _, n := range names {
		rec = append(rec, formatValue(v[n], 'g', -1))
	}
	return rec
}

// epochCell formats a best epoch from scoredEpoch; "-" for none.
func epochCell(bestEpoch *int) string {
	if bestEpoch == nil {
		return "-"
	}
	return strconv.Itoa(*bestEpoch)
}

// tabCells is the cells of a tabwriter line, each after a tab.
func tabCells(cells []string) string {
	var b strings.Builder
	for _, c := range cells {
		b.WriteString("\t" + c)
	}
	return b.String()
}

// valueCells is the table cells of the values of names, each after a tab:
// 4 significant digits, "-" for a missing one.
func valueCells(v hp.Values, names []string) string {
	cells := make([]string, len(names))
	for i, n := range names {
		if cells[i] = formatValue(v[n], 'g', 4); cells[i] == "" {
			cells[i] = "-"
		}
	}
	return tabCells(cells)
}

// checkFormat fails unless format is one of want.
func checkFormat(format string, want ...string) error {
	if slices.Contains(want, format) {
		return nil
	}
	return fmt.Errorf("unknown format %q (want %s)", format, orList(want))
}

// orList formats names as "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// output is where a command writes: the command's output, or a file.
type output struct {
	io.Writer
	file *os.File
	path string
}

// createOutput opens path for writing ("" or "-": the command's output).
// Errors are one line naming the file.
func createOutput(cmd *cobra.Command, path string) (*output, error) {
	if path == "" || path == "-" {
		return &output{Writer: cmd.OutOrStdout()}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fileError("write", path, err)
	}
	return &output{Writer: f, file: f, path: path}, nil
}

// Close closes the file, reporting a failed write.
func (o *output) Close() error {
	if o.file == nil {
		return nil
	}
	if err := o.file.Close(); err != nil {
		return fileError("write", o.path, err)
	}
	return nil
}

// fileError is "cannot <op> <path>: <reason>".
func fileError(op, path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("cannot %s %s: %w", op, path, err)
}

// writeJSON writes v indented.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// metricNames returns the metric names the trials logged: loss first,
// then the others sorted, training metrics before validation ones.
func metricNames(ts []*trials.Trial) []string {
	seen := map[string]bool{}
	for _, t := range ts {
		for _, e := range t.History {
			for k := range e.Metrics {
				seen[k] = true
			}
		}
		for k := range t.Metrics {
			seen[k] = true
		}
	}
	return sortMetricNames(seen)
}

// sortMetricNames returns the names in seen in metricNames' order.
func sortMetricNames(seen map[string]bool) []string {
	names := slices.Collect(maps.Keys(seen))
	rank := func(n string) string {
		base, val := strings.CutPrefix(n, "val_")
		r := "0"
		if val {
			r = "1"
		}
		if base == "loss" {
			r += "0"
		} else {
			r += "1"
		}
		return r + base
	}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(rank(a), rank(b)) })
	return names
}

// trialEpochs returns the epochs a trial trains to (0: def).
func trialEpochs(t *trials.Trial, def int) int {
	if t.Epochs > 0 {
		return t.Epochs
	}
	return def
}

// checkWritable fails early when path cannot be created: its directory
// is missing or is not a directory.
func checkWritable(path string) error {
	fi, err := os.Stat(filepath.Dir(path))
	switch {
	case err != nil:
		return fileError("write", path, err)
	case !fi.IsDir():
		return fmt.Errorf("cannot write %s: %s is not a directory", path, filepath.Dir(path))
	}
	return nil
}
