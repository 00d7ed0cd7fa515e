package main

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/hypermodels"
)

// guessRows is how many rows of a csv file the guesses read.
const guessRows = 1000

// csvGuess is what tune init and tune search --data guess of a csv file,
// with the reason for each guess, to be printed.
type csvGuess struct {
	sep        rune
	sepWhy     string
	header     bool
	headerWhy  string
	names      []string // the header's names, or "0", "1", … without one
	target     int      // the target column's index
	targetWhy  string
	task       hypermodels.Task
	taskWhy    string
	stringTarg bool // the target holds names (string_labels)
}

// guessCSV reads the first rows of a csv file and guesses its separator,
// whether its first line is a header, its target column (target: a name
// or an index; "" for the last) and the task (task: "" to guess).
func guessCSV(path, target, task string) (*csvGuess, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fileError("read", path, err)
	}
	defer file.Close()
	br := bufio.NewReader(file)
	first, err := br.ReadString('\n')
	if err != nil && first == "" {
		return nil, fmt.Errorf("%s: the file is empty", path)
	}
	g := &csvGuess{sep: ','}
	counts := map[rune]int{',': strings.Count(first, ","), ';': strings.Count(first, ";"), '\t': strings.Count(first, "\t")}
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[g.sep] {
			g.sep = r
		}
	}
	g.sepWhy = fmt.Sprintf("the first line holds %d of them (%d ',', %d ';', %d tabs)", counts[g.sep], counts[','], counts[';'], counts['\t'])
	r := csv.NewReader(io.MultiReader(strings.NewReader(first), br))
	r.Comma = g.sep
	r.FieldsPerRecord = -1
	var rows [][]string
	for len(rows) <= guessRows {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, fmt.Errorf("%s: %v", path, err)
			}
			return nil, fmt.Errorf("%s:%d: %v", path, pe.Line, pe.Err)
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if len(rows) == 0 && len(rec) > 0 {
			rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
		}
		rows = append(rows, rec)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: the file is empty", path)
	}
	g.guessHeader(rows)
	body := rows
	if g.header {
		g.names = rows[0]
		body = rows[1:]
	} else {
		for i := range rows[0] {
			g.names = append(g.names, strconv.Itoa(i))
		}
	}
	if len(body) == 0 {
		return nil, fmt.Errorf("%s holds a header line and no row", path)
	}
	if err := g.guessTarget(path, target); err != nil {
		return nil, err
	}
	g.guessTask(body, task)
	return g, nil
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// guessHeader decides whether rows[0] names the columns: it does when a
// column whose other values are all numbers has something else in the
// first line; it does not when the first line has a number in every such
// column.
func (g *csvGuess) guessHeader(rows [][]string) {
	if len(rows) < 2 {
		g.header, g.headerWhy = false, "the file has a single line, taken as a row"
		return
	}
	numericCols := 0
	for j := range rows[0] {
		numeric := true
		for _, rec := range rows[1:] {
			if j < len(rec) && !isNumber(rec[j]) {
				numeric = false
				break
			}
		}
		if !numeric {
			continue
		}
		numericCols++
		if !isNumber(rows[0][j]) {
			g.header = true
			g.headerWhy = fmt.Sprintf("column %d holds numbers below a first line that says %s", j, data.QuoteCut(rows[0][j]))
			return
		}
	}
	if numericCols == 0 {
		g.header, g.headerWhy = true, "no column holds only numbers, so the first line cannot be told from a row; taken as names"
		return
	}
	g.headerWhy = fmt.Sprintf("the first line holds numbers (%s) where a header would hold names", data.QuoteCut(rows[0][0]))
}

// guessTarget finds the target column: by name, by index, or the last.
func (g *csvGuess) guessTarget(path, target string) error {
	g.target = len(g.names) - 1
	g.targetWhy = "the last column (--target NAME or INDEX chooses another)"
	if target == "" {
		return nil
	}
	for j, n := range g.names {
		if n == target {
			g.target, g.targetWhy = j, "--target"
			return nil
		}
	}
	if j, err := strconv.Atoi(target); err == nil {
		if j < 0 {
			j += len(g.names)
		}
		if j >= 0 && j < len(g.names) {
			g.target, g.targetWhy = j, "--target"
			return nil
		}
	}
	return fmt.Errorf("%s has no column %s (it has %s)", path, data.QuoteCut(target), orList(g.names))
}

// guessTask guesses the task from the target's values: names or a few
// whole numbers make a classification, two values (names, or 0 and 1)
// a binary one, other numbers a regression.
func (g *csvGuess) guessTask(body [][]string, task string) {
	distinct := map[string]bool{}
	numeric, whole := true, true
	for _, rec := range body {
		if g.target >= len(rec) {
			continue
		}
		v := rec[g.target]
		distinct[v] = true
		x, err := strconv.ParseFloat(v, 64)
		numeric = numeric && err == nil
		whole = whole && err == nil && x == math.Trunc(x)
	}
	g.stringTarg = !numeric
	if task != "" {
		g.task, g.taskWhy = hypermodels.Task(task), "--task"
		return
	}
	n := len(distinct)
	switch {
	case !numeric && n == 2:
		g.task, g.taskWhy = hypermodels.Binary, "the target holds 2 distinct names"
	case numeric && n == 2 && distinct["0"] && distinct["1"]:
		g.task, g.taskWhy = hypermodels.Binary, "the target holds only 0 and 1"
	case !numeric:
		g.task, g.taskWhy = hypermodels.Classification, fmt.Sprintf("the target holds %d distinct names", n)
	case whole && n <= 20:
		g.task, g.taskWhy = hypermodels.Classification, fmt.Sprintf("the target holds %d distinct whole numbers", n)
	default:
		g.task, g.taskWhy = hypermodels.Regression, fmt.Sprintf("the target holds %d distinct numbers", n)
	}
}

// sepName is the separator as a person reads it.
func (g *csvGuess) sepName() string {
	if g.sep == '\t' {
		return "tab"
	}
	return strconv.QuoteRune(g.sep)
}

// explain writes the guesses, why, and how to change them.
func (g *csvGuess) explain(w io.Writer, path string) {
	header := "none (columns 0, 1, 2, …)"
	if g.header {
		header = "yes (the first line names the columns)"
	}
	fmt.Fprintf(w, "guessed from the first %d rows of %s:\n", guessRows, path)
	fmt.Fprintf(w, "  separator  %s: %s\n", g.sepName(), g.sepWhy)
	fmt.Fprintf(w, "  header     %s: %s\n", header, g.headerWhy)
	fmt.Fprintf(w, "  target     column %d (%s): %s\n", g.target, data.QuoteCut(g.names[g.target]), g.targetWhy)
	fmt.Fprintf(w, "  task       %s: %s\n", g.task, g.taskWhy)
}

// dataSection writes the data section of a study file for the guesses;
// path is the file's name as the study file should give it.
func (g *csvGuess) dataSection(path string) string {
	var d strings.Builder
	fmt.Fprintf(&d, "  format: csv\n  path: %s\n", strconv.Quote(path))
	fmt.Fprintf(&d, "  separator: %s   # guessed\n", strconv.Quote(string(g.sep)))
	if g.header {
		fmt.Fprintf(&d, "  header: true          # guessed: the first line names the columns\n")
		fmt.Fprintf(&d, "  target: %s       # the column to predict\n", strconv.Quote(g.names[g.target]))
	} else {
		fmt.Fprintf(&d, "  header: false         # guessed: no header line; columns are 0, 1, 2, …\n")
		fmt.Fprintf(&d, "  target: %d            # the column to predict, 0-based\n", g.target)
	}
	var features []string
	for i, h := range g.names {
		if i != g.target {
			features = append(features, strconv.Quote(h))
		}
	}
	fmt.Fprintf(&d, "  columns: [%s]   # the features\n", strings.Join(features, ", "))
	if g.stringTarg {
		fmt.Fprintf(&d, "  string_labels: true     # the target holds class names\n")
	}
	d.WriteString("  validation_split: 0.2   # 20% of the rows validate, drawn at random (stratified for classes)\n")
	d.WriteString("  # test_split: 0.1       # rows held out for tune retrain's test; or test_path: test.csv\n")
	d.WriteString("  # shuffle: false        # hold out the last rows instead, as Keras' validation_split does\n")
	if g.task == hypermodels.Regression {
		d.WriteString("  scale_target: standard  # train on a standardized target; metrics stay in its units\n")
	}
	return d.String()
}
