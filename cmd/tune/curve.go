package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/trials"
)

// A trial's curve is written from its epochs as they stream (see
// project.eachEpoch), never holding its whole history: a first pass
// learns the metric names, each execution's objective range and each
// column's width; then each execution's table is written a row as each
// epoch is read, its columns right-aligned as text/tabwriter would align
// them (padding 2).

// curveColumns is what the first pass learns of one execution's table.
type curveColumns struct {
	epochs int            // epochs logged
	epochW int            // the widest epoch number
	widths map[string]int // the widest value of each metric
	counts map[string]int // how many epochs logged each metric
	lo, hi float64        // the objective's range
}

// writeCurves writes a table of the epochs of each execution of t, with a
// bar for the objective and the trial's best epoch marked, or says that t
// logged no epoch.
func writeCurves(w io.Writer, p *project, t *trials.Trial, o goal.Objective) error {
	seen := map[string]bool{}
	var execs []*curveColumns
	err := p.eachEpoch(t, func(e trials.Epoch) error {
		for len(execs) <= e.Execution {
			execs = append(execs, &curveColumns{widths: map[string]int{}, counts: map[string]int{}, lo: math.Inf(1), hi: math.Inf(-1)})
		}
		c := execs[e.Execution]
		c.epochs++
		c.epochW = max(c.epochW, len(strconv.Itoa(e.Epoch+1)))
		for k, v := range e.Metrics {
			seen[k] = true
			c.counts[k]++
			c.widths[k] = max(c.widths[k], utf8.RuneCountInString(formatMetric(v)))
			if k == o.Name {
				c.lo, c.hi = min(c.lo, v), max(c.hi, v)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(execs) == 0 {
		fmt.Fprintln(w, "\nNo epoch logged.")
		return nil
	}
	names := sortMetricNames(seen)
	bw := bufio.NewWriter(w)
	for ex, c := range execs {
		fmt.Fprintln(bw)
		if len(execs) > 1 {
			fmt.Fprintf(bw, "Execution %d\n", ex+1)
		}
		if err := writeCurve(bw, p, t, ex, c, names, o); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// writeCurve writes the table of one execution.
func writeCurve(w *bufio.Writer, p *project, t *trials.Trial, execution int, c *curveColumns, names []string, o goal.Objective) error {
	widths := make([]int, 1+len(names))
	widths[0] = max(len("epoch"), c.epochW)
	for i, n := range names {
		widths[i+1] = max(utf8.RuneCountInString(n), c.widths[n])
		if c.counts[n] < c.epochs {
			widths[i+1] = max(widths[i+1], len("-"))
		}
	}
	cell := func(i int, s string) {
		w.WriteString(strings.Repeat(" ", widths[i]+2-utf8.RuneCountInString(s)))
		w.WriteString(s)
	}
	cell(0, "epoch")
	for i, n := range names {
		cell(i+1, n)
	}
	w.WriteByte('\n')
	return p.eachEpoch(t, func(e trials.Epoch) error {
		if e.Execution != execution {
			return nil
		}
		cell(0, strconv.Itoa(e.Epoch+1))
		for i, n := range names {
			if v, ok := e.Metrics[n]; ok {
				cell(i+1, formatMetric(v))
			} else {
				cell(i+1, "-")
			}
		}
		mark := ""
		if v, ok := e.Metrics[o.Name]; ok {
			mark = " " + bar(v, c.lo, c.hi, o.Direction)
		}
		if t.Score != nil && e.Epoch == t.BestEpoch {
			mark += " ← best"
		}
		w.WriteString(strings.TrimRight(mark, " "))
		return w.WriteByte('\n')
	})
}
