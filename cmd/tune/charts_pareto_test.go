package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/trials"
)

// svgElement is a path or text of an SVG image, as gonum's vgsvg writes
// them.
type svgElement struct {
	name, d, style, text string
	rotated              bool // inside a rotate(90) group: the y axis's label
}

// svgElements parses the paths and texts of an SVG image.
func svgElements(t *testing.T, svg []byte) []svgElement {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var out []svgElement
	var groups []bool // per open g: whether it rotates
	var cur *svgElement
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("svg: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			attr := func(name string) string {
				for _, a := range tok.Attr {
					if a.Name.Local == name {
						return a.Value
					}
				}
				return ""
			}
			switch tok.Name.Local {
			case "g":
				groups = append(groups, strings.Contains(attr("transform"), "rotate(90)"))
			case "path", "text":
				cur = &svgElement{name: tok.Name.Local, d: attr("d"), style: attr("style"), rotated: slices.Contains(groups, true)}
			}
		case xml.CharData:
			if cur != nil {
				cur.text += string(tok)
			}
		case xml.EndElement:
			switch tok.Name.Local {
			case "g":
				groups = groups[:len(groups)-1]
			case "path", "text":
				out = append(out, *cur)
				cur = nil
			}
		}
	}
}

// markers counts the circles of radius r (points) filled with fill.
func markers(els []svgElement, r, fill string) int {
	n := 0
	for _, e := range els {
		if e.name == "path" && strings.Contains(e.d, "A"+r+","+r+" ") && strings.Contains(e.style, "fill:"+fill) {
			n++
		}
	}
	return n
}

const (
	svgRed  = "#D62728"
	svgBlue = "#1F77B4"
)

// boundary returns the vertices of the attainment boundary, the red line
// of several segments (the legend's sample is one).
func boundary(t *testing.T, els []svgElement) [][2]float64 {
	t.Helper()
	for _, e := range els {
		if e.name != "path" || !strings.Contains(e.style, "stroke:"+svgRed) || strings.Count(e.d, "L") < 2 {
			continue
		}
		var pts [][2]float64
		for _, f := range strings.FieldsFunc(e.d, func(r rune) bool { return r == 'M' || r == 'L' }) {
			x, y, _ := strings.Cut(f, ",")
			a, err1 := strconv.ParseFloat(x, 64)
			b, err2 := strconv.ParseFloat(y, 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("boundary path %q", e.d)
			}
			pts = append(pts, [2]float64{a, b})
		}
		return pts
	}
	t.Fatal("no attainment boundary")
	return nil
}

// objectiveTrial is a completed trial with the metrics given.
func objectiveTrial(id int, status trials.Status, metrics map[string]float64) *trials.Trial {
	return &trials.Trial{ID: id, Status: status, Metrics: metrics}
}

// TestParetoFigure draws a known front: trials 1, 2 and 3 on cost (min)
// and gain (max), trials 4 and 5 behind them, a pruned trial left out.
// The boundary is a staircase through the three, its first step along
// the better-first direction of x: horizontal when x is minimized (the
// left trial's gain holds until the next), vertical when maximized. With
// a third objective on which trial 4 is best, trial 4 joins the study's
// front (red) but not the boundary of cost and gain.
func TestParetoFigure(t *testing.T) {
	cost := goal.Objective{Name: "cost", Direction: goal.Minimize}
	gain := goal.Objective{Name: "gain", Direction: goal.Maximize}
	speed := goal.Objective{Name: "speed", Direction: goal.Maximize}
	ts := []*trials.Trial{
		objectiveTrial(1, trials.Completed, map[string]float64{"cost": 1, "gain": 1, "speed": 1}),
		objectiveTrial(2, trials.Completed, map[string]float64{"cost": 2, "gain": 3, "speed": 1}),
		objectiveTrial(3, trials.Completed, map[string]float64{"cost": 3, "gain": 4, "speed": 1}),
		objectiveTrial(4, trials.Completed, map[string]float64{"cost": 2.5, "gain": 2, "speed": 9}),
		objectiveTrial(5, trials.Completed, map[string]float64{"cost": 4, "gain": 3.5, "speed": 1}),
		objectiveTrial(6, trials.Pruned, map[string]float64{"cost": 0, "gain": 10, "speed": 1}),
	}
	for _, tt := range []struct {
		name             string
		objs             []goal.Objective
		x, y             goal.Objective
		front, others    int
		ids              []string
		firstHorizontal  bool
		xLabel, yLabel   string
		boundaryVertices int
	}{
		{"x minimized", []goal.Objective{cost, gain}, cost, gain, 3, 2, []string{"1", "2", "3"}, true, "cost (min)", "gain (max)", 5},
		{"x maximized", []goal.Objective{cost, gain}, gain, cost, 3, 2, []string{"1", "2", "3"}, false, "gain (max)", "cost (min)", 5},
		{"three objectives", []goal.Objective{cost, gain, speed}, cost, gain, 4, 1, []string{"1", "2", "3", "4"}, true, "cost (min)", "gain (max)", 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := paretoFigure("p", ts, tt.objs, tt.x, tt.y)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := f.write(&b, "svg"); err != nil {
				t.Fatal(err)
			}
			els := svgElements(t, b.Bytes())
			// One marker of each in the legend.
			if got := markers(els, "4", svgRed) - 1; got != tt.front {
				t.Errorf("%d front markers, want %d", got, tt.front)
			}
			if got := markers(els, "3", svgBlue) - 1; got != tt.others {
				t.Errorf("%d other markers, want %d", got, tt.others)
			}
			var ids []string
			var xLabel, yLabel string
			for _, e := range els {
				switch {
				case e.name == "text" && strings.Contains(e.style, "font-size:8px"):
					ids = append(ids, e.text)
				case e.name == "text" && strings.Contains(e.style, "font-size:12px") && e.rotated:
					yLabel = e.text
				case e.name == "text" && strings.Contains(e.style, "font-size:12px"):
					xLabel = e.text
				}
			}
			slices.Sort(ids)
			if !slices.Equal(ids, tt.ids) {
				t.Errorf("labelled trials %v, want %v", ids, tt.ids)
			}
			if xLabel != tt.xLabel || yLabel != tt.yLabel {
				t.Errorf("axes %q, %q; want %q, %q", xLabel, yLabel, tt.xLabel, tt.yLabel)
			}
			pts := boundary(t, els)
			if len(pts) != tt.boundaryVertices {
				t.Fatalf("boundary %v: %d vertices, want %d", pts, len(pts), tt.boundaryVertices)
			}
			for i := 1; i < len(pts); i++ {
				horizontal := pts[i][1] == pts[i-1][1]
				vertical := pts[i][0] == pts[i-1][0]
				if want := (i%2 == 1) == tt.firstHorizontal; horizontal != want || vertical == want {
					t.Errorf("boundary %v: segment %d horizontal %v, vertical %v", pts, i, horizontal, vertical)
				}
			}
		})
	}
	// No completed trial with both objectives: nothing to plot.
	if _, err := paretoFigure("p", ts[5:], []goal.Objective{cost, gain}, cost, gain); !errors.Is(err, errNothingToPlot) {
		t.Errorf("only a pruned trial: err = %v", err)
	}
}
