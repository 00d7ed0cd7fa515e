package main

import (
	"bufio"
	"bytes"
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
	var buf []byte
	err := p.eachEpoch(t, func(e trials.Epoch) error {
		for len(execs) <= e.Execution {
			execs = append(execs, &curveColumns{widths: map[string]int{}, counts: map[string]int{}, lo: math.Inf(1), hi: math.Inf(-1)})
		}
		c := execs[e.Execution]
		c.epochs++
		c.epochW = max(c.epochW, len(strconv.AppendInt(buf[:0], int64(e.Epoch+1), 10)))
		for k, v := range e.Metrics {
			seen[k] = true
			c.counts[k]++
			buf = appendMetric(buf[:0], v) // ASCII
			c.widths[k] = max(c.widths[k], len(buf))
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
	// A row is built in one buffer: 100,000 epochs allocate nothing.
	var row []byte
	cell := func(i int, start int) {
		// Right-align row[start:] (ASCII) in widths[i]+2 columns.
		n := len(row) - start
		pad := widths[i] + 2 - n
		row = append(row, spaces(pad)...)
		copy(row[start+pad:], row[start:start+n])
		copy(row[start:start+pad], spaces(pad))
	}
	w.WriteString(strings.Repeat(" ", widths[0]+2-len("epoch")) + "epoch")
	for i, n := range names {
		w.WriteString(strings.Repeat(" ", widths[i+1]+2-utf8.RuneCountInString(n)) + n)
	}
	w.WriteByte('\n')
	return p.eachEpoch(t, func(e trials.Epoch) error {
		if e.Execution != execution {
			return nil
		}
		row = strconv.AppendInt(row[:0], int64(e.Epoch+1), 10)
		cell(0, 0)
		for i, n := range names {
			start := len(row)
			if v, ok := e.Metrics[n]; ok {
				row = appendMetric(row, v)
			} else {
				row = append(row, '-')
			}
			cell(i+1, start)
		}
		if v, ok := e.Metrics[o.Name]; ok {
			k := barLength(v, c.lo, c.hi, o.Direction)
			row = append(row, ' ')
			for range k {
				row = append(row, "█"...)
			}
			row = append(row, spaces(barWidth-k)...)
		}
		if t.Score != nil && e.Epoch == t.BestEpoch {
			row = append(row, " ← best"...)
		}
		// The marks end without spaces; the cells always end in a value.
		row = bytes.TrimRight(row, " ")
		row = append(row, '\n')
		_, err := w.Write(row)
		return err
	})
}

// blanks is spaces for padding without allocating.
const blanks = "                                                                "

// spaces returns n spaces.
func spaces(n int) string {
	if n <= len(blanks) {
		return blanks[:n]
	}
	return strings.Repeat(" ", n)
}
