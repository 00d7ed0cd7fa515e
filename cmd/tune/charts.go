package main

import (
	"fmt"
	"hash/fnv"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// figure is a grid of plots drawn on one image, under a title and with a
// legend in a strip on the right, outside the plots.
type figure struct {
	title         string
	plots         [][]*plot.Plot
	legend        *plot.Legend
	width, height vg.Length // of the plots, without the title and legend
}

// legendWidth is the width of a figure's legend strip.
const legendWidth = 4.5 * vg.Centimeter

// newLegend returns an empty figure legend, left-aligned at the top.
func newLegend() *plot.Legend {
	l := plot.NewLegend()
	l.Top, l.Left = true, true
	l.TextStyle.Font.Size = vg.Points(10)
	return &l
}

// write draws the figure as format (png or svg).
func (f *figure) write(out io.Writer, format string) error {
	const titleHeight = vg.Centimeter
	w, h := f.width, f.height
	if f.legend != nil {
		w += legendWidth
	}
	if f.title != "" {
		h += titleHeight
	}
	c, err := draw.NewFormattedCanvas(w, h, format)
	if err != nil {
		return err
	}
	cols := 0
	for _, row := range f.plots {
		cols = max(cols, len(row))
	}
	tiles := draw.Tiles{Rows: len(f.plots), Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	grid := make([][]*plot.Plot, len(f.plots))
	for i, row := range f.plots {
		grid[i] = make([]*plot.Plot, cols)
		copy(grid[i], row)
	}
	dc := draw.New(c)
	// A white background: PNG viewers show transparency as black or a
	// checkerboard.
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	if f.title != "" {
		sty := plot.New().Title.TextStyle
		sty.Font.Size = vg.Points(14)
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
		dc.FillText(sty, vg.Point{X: dc.Min.X + f.width/2, Y: dc.Max.Y - titleHeight/4}, f.title)
		dc = draw.Crop(dc, 0, 0, 0, -titleHeight)
	}
	if f.legend != nil {
		lc := draw.Crop(dc, dc.Max.X-dc.Min.X-legendWidth+vg.Millimeter*2, 0, 0, -vg.Centimeter)
		f.legend.Draw(lc)
		dc = draw.Crop(dc, 0, -legendWidth, 0, 0)
	}
	canvases := plot.Align(grid, tiles, dc)
	for i, row := range grid {
		for j, p := range row {
			if p != nil {
				p.Draw(canvases[i][j])
			}
		}
	}
	_, err = c.WriteTo(out)
	return err
}

var dashed = []vg.Length{vg.Points(5), vg.Points(3)}

// curvesFigure plots the learning curves of trials (best first): the loss
// and the objective's metric, training solid and validation dashed, one
// color per trial.
func curvesFigure(project string, ts []*trials.Trial, o goal.Objective) (*figure, error) {
	present := metricNames(ts)
	has := func(m string) bool { return slices.Contains(present, m) || slices.Contains(present, "val_"+m) }
	base := strings.TrimPrefix(o.Name, "val_")
	var metrics []string
	if has("loss") {
		metrics = append(metrics, "loss")
	}
	if base != "loss" && has(base) {
		metrics = append(metrics, base)
	} else {
		// A loss objective: show the first other metric too, if any.
		for _, m := range present {
			if !strings.HasPrefix(m, "val_") && !strings.HasSuffix(m, "loss") && !strings.HasSuffix(m, "_scaled") {
				metrics = append(metrics, m)
				break
			}
		}
	}
	if len(metrics) == 0 {
		return nil, fmt.Errorf("the trials logged no epoch: no curve to plot")
	}
	inLegend := map[int]bool{}
	var row []*plot.Plot
	legend := newLegend()
	for _, m := range metrics {
		p := plot.New()
		p.Title.Text = m
		p.X.Label.Text = "epoch"
		p.X.Tick.Marker = intTicks{}
		p.Y.Label.Text = m
		p.Add(plotter.NewGrid())
		var all, later []float64 // every value; those after each curve's first epoch
		for i, t := range ts {
			col := plotutil.Color(i)
			for _, name := range []string{m, "val_" + m} {
				epochs, values := t.Curve(0, name)
				if len(values) == 0 {
					continue
				}
				xys := make(plotter.XYs, len(values))
				for j := range values {
					xys[j] = plotter.XY{X: float64(epochs[j] + 1), Y: values[j]}
				}
				all = append(all, values...)
				later = append(later, values[1:]...)
				l, s, err := plotter.NewLinePoints(xys)
				if err != nil {
					return nil, err
				}
				l.Color, s.Color = col, col
				l.Width = vg.Points(1.5)
				s.Radius = vg.Points(2)
				if strings.HasPrefix(name, "val_") {
					l.Dashes = dashed
					s.Shape = draw.RingGlyph{}
				} else {
					s.Shape = draw.CircleGlyph{}
				}
				p.Add(l, s)
				if !inLegend[t.ID] {
					inLegend[t.ID] = true
					legend.Add(fmt.Sprintf("trial %d: %s", t.ID, formatScore(t.Score)), l)
				}
			}
		}
		curveAxis(p, all, later)
		row = append(row, p)
	}
	train := &plotter.Line{LineStyle: draw.LineStyle{Color: color.Black, Width: vg.Points(1.5)}}
	val := &plotter.Line{LineStyle: draw.LineStyle{Color: color.Black, Width: vg.Points(1.5), Dashes: dashed}}
	legend.Add("", &plotter.Line{})
	legend.Add("training", train)
	legend.Add("validation", val)
	return &figure{
		title:  fmt.Sprintf("%s: curves of the %d best trials (%s, %s)", project, len(ts), o.Name, o.Direction),
		plots:  [][]*plot.Plot{row},
		legend: legend,
		width:  max(vg.Length(len(row))*14, 20) * vg.Centimeter, height: 11 * vg.Centimeter,
	}, nil
}

var (
	blue   = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	orange = color.RGBA{R: 255, G: 127, B: 14, A: 255}
	red    = color.RGBA{R: 214, G: 39, B: 40, A: 255}
)

// historyFigure plots the objective of every scored trial against its
// number, with the best score so far as a step line.
func historyFigure(project string, ts []*trials.Trial, o goal.Objective) (*figure, error) {
	p := plot.New()
	legend := newLegend()
	p.X.Label.Text = "trial"
	p.Y.Label.Text = o.Name
	p.Add(plotter.NewGrid())
	var completed, pruned, best plotter.XYs
	var runBest *float64
	for _, t := range ts {
		if t.Score == nil {
			continue
		}
		pt := plotter.XY{X: float64(t.ID), Y: *t.Score}
		if t.Status == trials.Pruned {
			pruned = append(pruned, pt)
			continue
		}
		if t.Status != trials.Completed {
			continue
		}
		completed = append(completed, pt)
		if runBest == nil || o.Better(*t.Score, *runBest) {
			s := *t.Score
			runBest = &s
		}
		best = append(best, plotter.XY{X: float64(t.ID), Y: *runBest})
	}
	if len(completed)+len(pruned) == 0 {
		return nil, errNothingToPlot
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, xy := range append(slices.Clone(completed), pruned...) {
		lo, hi = min(lo, xy.Y), max(hi, xy.Y)
	}
	if spread(lo, hi) {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, logTicks{}
		p.Y.Label.Text += " (log scale)"
	}
	if len(best) > 0 {
		if last := ts[len(ts)-1].ID; float64(last) > best[len(best)-1].X {
			best = append(best, plotter.XY{X: float64(last), Y: best[len(best)-1].Y})
		}
		l, err := plotter.NewLine(best)
		if err != nil {
			return nil, err
		}
		l.StepStyle = plotter.PostStep
		l.Color, l.Width = red, vg.Points(2)
		p.Add(l)
		legend.Add("best so far", l)
	}
	for _, g := range []struct {
		name  string
		xys   plotter.XYs
		color color.Color
		shape draw.GlyphDrawer
	}{{"completed", completed, blue, draw.CircleGlyph{}}, {"pruned", pruned, orange, draw.TriangleGlyph{}}} {
		if len(g.xys) == 0 {
			continue
		}
		s, err := plotter.NewScatter(g.xys)
		if err != nil {
			return nil, err
		}
		s.Color, s.Shape, s.Radius = g.color, g.shape, vg.Points(3.5)
		p.Add(s)
		legend.Add(g.name, s)
	}
	return &figure{title: fmt.Sprintf("%s: %s (%s) by trial", project, o.Name, o.Direction),
		plots: [][]*plot.Plot{{p}}, legend: legend, width: 18 * vg.Centimeter, height: 11 * vg.Centimeter}, nil
}

// hparamsFigure plots the objective against each tuned hyperparameter, one
// scatter panel each, in the spirit of TensorBoard's HPARAMS scatter view:
// numbers on their axis (logarithmic for log sampling), choices and
// booleans as columns with a little jitter; the best trial in red.
func hparamsFigure(project string, ts []*trials.Trial, o goal.Objective, space *hp.Space, order []string) (*figure, error) {
	var scored []*trials.Trial
	for _, t := range ts {
		if t.Score != nil && (t.Status == trials.Completed || t.Status == trials.Pruned) {
			scored = append(scored, t)
		}
	}
	if len(scored) == 0 {
		return nil, errNothingToPlot
	}
	best := trials.Best(scored, o, 1, trials.WithPruned)[0]
	var panels []*plot.Plot
	for _, name := range order {
		var param *hp.Param
		if space != nil {
			param, _ = space.Param(name)
		}
		if param != nil && param.Kind == hp.KindFixed {
			continue
		}
		p, err := hparamPanel(name, param, scored, best, o)
		if err != nil {
			return nil, err
		}
		if p != nil {
			panels = append(panels, p)
		}
	}
	if len(panels) == 0 {
		return nil, fmt.Errorf("no hyperparameter varies across the trials: nothing to plot")
	}
	cols := min(3, len(panels))
	var grid [][]*plot.Plot
	for i := 0; i < len(panels); i += cols {
		grid = append(grid, panels[i:min(i+cols, len(panels))])
	}
	// One y range for all, so that panels compare.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, t := range scored {
		lo, hi = min(lo, *t.Score), max(hi, *t.Score)
	}
	pad := (hi - lo) * 0.05
	if pad == 0 {
		pad = math.Max(math.Abs(hi)*0.05, 1e-3)
	}
	logY := spread(lo, hi)
	for _, p := range panels {
		p.Y.Min, p.Y.Max = lo-pad, hi+pad
		if logY {
			p.Y.Min, p.Y.Max = lo/1.1, hi*1.1
			p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, logTicks{}
		}
	}
	legend := newLegend()
	for _, g := range []struct {
		label string
		color color.Color
	}{{"trial", blue}, {fmt.Sprintf("best: trial %d", best.ID), red}} {
		legend.Add(g.label, &plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: g.color, Shape: draw.CircleGlyph{}, Radius: vg.Points(3)}})
	}
	return &figure{title: fmt.Sprintf("%s: %s (%s) by hyperparameter", project, o.Name, o.Direction),
		plots: grid, legend: legend, width: vg.Length(cols) * 9 * vg.Centimeter, height: vg.Length(len(grid)) * 8 * vg.Centimeter}, nil
}

// hparamPanel is one hyperparameter's scatter; nil if no trial has it.
func hparamPanel(name string, param *hp.Param, ts []*trials.Trial, best *trials.Trial, o goal.Objective) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = name
	p.X.Label.Text = name
	p.Y.Label.Text = o.Name
	p.Add(plotter.NewGrid())
	// Categories: the values that are not numbers, in the space's order.
	var cats []string
	if param != nil && (param.Kind == hp.KindChoice || param.Kind == hp.KindBoolean) {
		if param.Kind == hp.KindBoolean {
			cats = []string{"false", "true"}
		} else {
			for _, v := range param.Values {
				cats = append(cats, fmt.Sprint(v))
			}
		}
	}
	numeric := len(cats) == 0
	var pts, top plotter.XYs
	positive := true
	for _, t := range ts {
		v, ok := t.Values[name]
		if !ok {
			continue
		}
		var x float64
		switch n := v.(type) {
		case int:
			x = float64(n)
		case float64:
			x = n
		default:
			numeric = false
		}
		if !numeric {
			s := fmt.Sprint(v)
			i := indexOf(cats, s)
			if i < 0 {
				cats = append(cats, s)
				i = len(cats) - 1
			}
			x = float64(i) + jitter(t.ID)
		}
		positive = positive && x > 0
		pt := plotter.XY{X: x, Y: *t.Score}
		if t == best {
			top = append(top, pt)
		} else {
			pts = append(pts, pt)
		}
	}
	if len(pts)+len(top) == 0 {
		return nil, nil
	}
	if !numeric {
		p.NominalX(cats...)
		p.X.Min, p.X.Max = -0.5, float64(len(cats))-0.5
	} else if param != nil && (param.Kind == hp.KindInt || param.Kind == hp.KindFloat) {
		// The whole range searched, not just the values tried.
		p.X.Min, p.X.Max = param.Min, param.Max
		if param.Kind == hp.KindInt {
			p.X.Tick.Marker = intTicks{}
		}
		if param.Sampling == hp.Log && positive && param.Min > 0 {
			p.X.Scale = plot.LogScale{}
			p.X.Tick.Marker = logTicks{}
		}
	}
	for _, g := range []struct {
		xys   plotter.XYs
		color color.Color
		label string
	}{{pts, blue, "trial"}, {top, red, "best"}} {
		if len(g.xys) == 0 {
			continue
		}
		s, err := plotter.NewScatter(g.xys)
		if err != nil {
			return nil, err
		}
		s.Color, s.Shape, s.Radius = g.color, draw.CircleGlyph{}, vg.Points(3)
		p.Add(s)
	}
	return p, nil
}

// logTicks marks a logarithmic axis at the powers of ten, labelled (and at
// 2 and 5 times them too when the axis spans less than two decades), with
// unlabelled ticks at the other integers times them, so labels never
// overlap.
type logTicks struct{}

// Ticks returns the ticks between lo and hi.
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	if !(lo > 0) || !(hi > lo) {
		return ticks
	}
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for m := 1.0; m < 10; m++ {
			v := m * math.Pow(10, e)
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || (m == 2 || m == 5) && hi/lo < 100 {
				t.Label = decadeLabel(v)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// curveAxis keeps a learning curve's axis readable when the first epochs
// are far above the rest (a regression's first loss often is 30 times its
// last): positive values spanning more than a factor of 10 get a
// logarithmic axis; otherwise, when the first epochs' values stand more
// than the later values' range above them, the axis stops a little above
// the later values and its label says which values it cut off.
func curveAxis(p *plot.Plot, all, later []float64) {
	if len(all) == 0 {
		return
	}
	lo, hi := slices.Min(all), slices.Max(all)
	if spread(lo, hi) {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, logTicks{}
		p.Y.Label.Text += " (log scale)"
		return
	}
	if len(later) == 0 {
		return
	}
	laterLo, laterHi := slices.Min(later), slices.Max(later)
	span := laterHi - laterLo
	if span > 0 && hi-laterHi > span {
		p.Y.Min, p.Y.Max = min(lo, laterLo)-0.05*span, laterHi+0.25*span
		p.Y.Label.Text += fmt.Sprintf(" (clipped: first epochs up to %.3g off the top)", hi)
	}
}

// spread reports whether positive values from lo to hi span more than a
// factor of 10, for a logarithmic axis (errors and losses often do).
func spread(lo, hi float64) bool {
	return lo > 0 && hi/lo > 10
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// jitter spreads the points of a category by up to ±0.2, the same for a
// trial every time.
func jitter(id int) float64 {
	h := fnv.New32a()
	fmt.Fprint(h, id)
	return (float64(h.Sum32()%1000)/999 - 0.5) * 0.4
}

// decadeLabel writes a tick value briefly: 0.01, 100, 1e-04 → "1e-4".
func decadeLabel(v float64) string {
	if e := math.Log10(v); e < -3 || e >= 5 {
		m, exp, _ := strings.Cut(strconv.FormatFloat(v, 'e', -1, 64), "e")
		n, _ := strconv.Atoi(exp)
		return m + "e" + strconv.Itoa(n)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// intTicks marks an integer hyperparameter's axis at integers only, about
// five of them labelled.
type intTicks struct{}

// Ticks returns the ticks between lo and hi.
func (intTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	if !(hi >= lo) || math.IsInf(hi-lo, 0) {
		return ticks
	}
	// The smallest of 1, 2, 5, 10, 20, 50, … giving at most 6 intervals.
	step := 1.0
	for i := 0; (hi-lo)/step > 6 && i < 60; i++ {
		step *= []float64{2, 2.5, 2}[i%3]
	}
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
	}
	return ticks
}
