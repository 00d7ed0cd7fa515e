package main

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
)

// maxFrontLabels is the largest front whose trials are labelled with their
// ids; more labels would cover the points.
const maxFrontLabels = 25

// paretoFigure plots every completed trial of a study of the objectives
// objs on two of them, x and y: the trials of the study's Pareto front (on
// every objective) in red, labelled with their ids, the rest in blue, and
// the attainment boundary of the front on x and y as a step line, the edge
// of the region its trials dominate.
func paretoFigure(project string, ts []*trials.Trial, objs []goal.Objective, x, y goal.Objective) (*figure, error) {
	front := map[int]bool{}
	for _, t := range oracle.FrontTrials(ts, objs) {
		front[t.ID] = true
	}
	var others, onFront plotter.XYs
	var ids []string
	for _, t := range ts {
		pt, ok := objectivePoint(t, x, y)
		if !ok {
			continue
		}
		if front[t.ID] {
			onFront = append(onFront, pt)
			ids = append(ids, strconv.Itoa(t.ID))
		} else {
			others = append(others, pt)
		}
	}
	if len(onFront) == 0 {
		return nil, errNothingToPlot
	}
	p := plot.New()
	p.Add(plotter.NewGrid())
	p.X.Label.Text, p.Y.Label.Text = x.String(), y.String()
	all := append(slices.Clone(others), onFront...)
	fitAxis(&p.X, all, func(xy plotter.XY) float64 { return xy.X })
	fitAxis(&p.Y, all, func(xy plotter.XY) float64 { return xy.Y })
	legend := newLegend()

	// The boundary joins the front on these two objectives (with more
	// objectives a subset of the study's front) in the order of x.
	var edge plotter.XYs
	for _, t := range oracle.FrontTrials(ts, []goal.Objective{x, y}) {
		pt, _ := objectivePoint(t, x, y)
		edge = append(edge, pt)
	}
	slices.SortFunc(edge, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
	if len(edge) > 1 {
		l, err := plotter.NewLine(edge)
		if err != nil {
			return nil, err
		}
		// Along x the value attained is the nearest front trial's on the
		// side x improves from: the left one when x is minimized (step
		// after each point), the right one when maximized (step before).
		l.StepStyle = plotter.PostStep
		if x.Direction == goal.Maximize {
			l.StepStyle = plotter.PreStep
		}
		l.Color, l.Width = red, vg.Points(1.5)
		p.Add(l)
		legend.Add("attainment boundary", l)
	}
	frontLabel := fmt.Sprintf("Pareto front (%d)", len(onFront))
	if len(objs) > 2 {
		frontLabel = fmt.Sprintf("Pareto front on all %d (%d)", len(objs), len(onFront))
	}
	for _, g := range []struct {
		label  string
		xys    plotter.XYs
		color  color.Color
		radius vg.Length
	}{{fmt.Sprintf("trial (%d)", len(others)), others, blue, 3}, {frontLabel, onFront, red, 4}} {
		if len(g.xys) == 0 {
			continue
		}
		s, err := plotter.NewScatter(g.xys)
		if err != nil {
			return nil, err
		}
		s.Shape, s.Radius = draw.CircleGlyph{}, vg.Points(float64(g.radius))
		s.Color = g.color
		p.Add(s)
		legend.Add(g.label, s)
	}
	if len(onFront) <= maxFrontLabels {
		labels, err := plotter.NewLabels(plotter.XYLabels{XYs: onFront, Labels: ids})
		if err != nil {
			return nil, err
		}
		for i := range labels.TextStyle {
			labels.TextStyle[i].Font.Size = vg.Points(8)
		}
		labels.Offset = vg.Point{X: vg.Points(5), Y: vg.Points(3)}
		p.Add(labels)
	}
	return &figure{
		title: fmt.Sprintf("%s: Pareto front, %d of %d trials, on %s and %s", project, len(onFront), len(all), x.Name, y.Name),
		plots: [][]*plot.Plot{{p}}, legend: legend, width: 18 * vg.Centimeter, height: 13 * vg.Centimeter,
	}, nil
}

// objectivePoint is a completed trial's point on x and y, false when it
// lacks either or is not completed.
func objectivePoint(t *trials.Trial, x, y goal.Objective) (plotter.XY, bool) {
	if t.Status != trials.Completed {
		return plotter.XY{}, false
	}
	a, okA := t.Metrics[x.Name]
	b, okB := t.Metrics[y.Name]
	if !okA || !okB || !finiteNumber(a) || !finiteNumber(b) {
		return plotter.XY{}, false
	}
	return plotter.XY{X: a, Y: b}, true
}

func finiteNumber(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// fitAxis sets an axis to the values' range with a margin, so that no
// marker is cut at the edge, and makes it logarithmic when the positive
// values span more than a factor of 10 (a parameter count often does),
// saying so in its label.
func fitAxis(a *plot.Axis, xys plotter.XYs, coord func(plotter.XY) float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, xy := range xys {
		lo, hi = min(lo, coord(xy)), max(hi, coord(xy))
	}
	if spread(lo, hi) {
		a.Scale, a.Tick.Marker = plot.LogScale{}, logTicks{}
		a.Label.Text += " (log scale)"
		a.Min, a.Max = lo/1.15, hi*1.15
		return
	}
	pad := (hi - lo) * 0.06
	if pad == 0 {
		pad = math.Max(math.Abs(hi)*0.05, 1e-3)
	}
	a.Min, a.Max = lo-pad, hi+pad
}
