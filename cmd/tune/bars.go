package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/tunekit/tune/trials"
)

// barProgress draws live progress bars on a terminal with mpb: one bar
// per running trial, filled by the batches of the current epoch,
//
//	trial  12  epoch  3/10 [=========>-----------]  812/1719  loss 0.4123  val_accuracy 0.8433
//
// and, below them, an overall line:
//
//	trials 11/30  best val_accuracy 0.8791 (trial 7)  elapsed 4m12s  ETA 7m40s
//
// The line of every trial that ends is printed above the bars and its bar
// removed. Every line is cut to the terminal's width, so nothing wraps.
// The bars never "complete" in mpb's sense (they are made with no total,
// which is set afterwards), so a bar that filled up in one epoch moves
// again in the next. State changes happen under mu; mpb's methods are
// called outside it, since mpb calls the decorators (which take mu) from
// its own goroutines.
type barProgress struct {
	info  *searchInfo
	p     *mpb.Progress
	width int // columns of the terminal

	mu      sync.Mutex
	trials  map[int]*trialBar
	overall *mpb.Bar
	start   time.Time
	final   int // trials that ended for good, this run or before
	ended   int // trials that ended in this run
	best    *float64
	bestID  int
	// epochsDone are the epochs of the trials that ended in this run,
	// for the ETA.
	epochsDone float64
}

// trialBar is the state of one running trial's bar.
type trialBar struct {
	bar     *mpb.Bar
	epoch   int // 0-based epoch running
	epochs  int
	batches int
	loss    float64
	hasLoss bool
	obj     float64 // the objective at the last finished epoch
	hasObj  bool
	batch   int // batches done in the running epoch
}

// newBarProgress draws on w, a terminal of width columns (the bars' width
// when w is not a terminal).
func newBarProgress(w io.Writer, width int, info *searchInfo, opts ...mpb.ContainerOption) *barProgress {
	b := &barProgress{info: info, trials: map[int]*trialBar{}, start: time.Now(), width: max(width, 20)}
	for _, t := range info.existing {
		b.count(t)
	}
	b.p = mpb.New(append([]mpb.ContainerOption{mpb.WithOutput(w), mpb.WithWidth(b.width),
		mpb.WithRefreshRate(200 * time.Millisecond)}, opts...)...)
	b.overall = b.p.New(0, mpb.NopStyle(), mpb.BarPriority(math.MaxInt),
		mpb.PrependDecorators(decor.Any(func(decor.Statistics) string { return b.overallLine() })))
	return b
}

// count adds a final trial to the totals; the caller holds mu (or owns b).
func (b *barProgress) count(t *trials.Trial) {
	if !t.Status.Final() {
		return
	}
	b.final++
	if t.Status == trials.Completed && t.Score != nil && (b.best == nil || b.info.objective.Better(*t.Score, *b.best)) {
		s := *t.Score
		b.best, b.bestID = &s, t.ID
	}
}

// TrialStarted adds the trial's bar.
func (b *barProgress) TrialStarted(t *trials.Trial) {
	tb := &trialBar{epochs: trialEpochs(t, b.info.epochs), batches: b.info.batches(t), epoch: t.InitialEpoch}
	id := t.ID
	bar := b.p.New(0, mpb.BarStyle().Lbound("[").Rbound("]"), mpb.BarPriority(id),
		mpb.PrependDecorators(decor.Any(func(decor.Statistics) string { return b.trialLabel(id) })),
		mpb.AppendDecorators(
			decor.CountersNoUnit(" %d/%d", decor.WCSyncWidth),
			decor.Any(func(decor.Statistics) string { return b.trialMetrics(id) }),
		))
	bar.SetTotal(int64(max(tb.batches, 1)), false)
	b.mu.Lock()
	tb.bar = bar
	b.trials[id] = tb
	b.mu.Unlock()
}

// BatchEnded moves the trial's bar.
func (b *barProgress) BatchEnded(t *trials.Trial, epoch, batch int, logs map[string]float64) {
	b.mu.Lock()
	tb := b.trials[t.ID]
	if tb == nil {
		b.mu.Unlock()
		return
	}
	tb.epoch = epoch
	tb.batch = batch + 1
	if v, ok := logs["loss"]; ok {
		tb.loss, tb.hasLoss = v, true
	}
	bar := tb.bar
	b.mu.Unlock()
	bar.SetCurrent(int64(batch + 1))
}

// EpochEnded records the epoch's objective and empties the bar for the
// next epoch.
func (b *barProgress) EpochEnded(t *trials.Trial, e trials.Epoch) {
	b.mu.Lock()
	tb := b.trials[t.ID]
	if tb == nil {
		b.mu.Unlock()
		return
	}
	if v, ok := e.Metrics[b.info.objective.Name]; ok {
		tb.obj, tb.hasObj = v, true
	}
	if v, ok := e.Metrics["loss"]; ok {
		tb.loss, tb.hasLoss = v, true
	}
	tb.epoch = e.Epoch + 1
	tb.batch = 0
	bar := tb.bar
	last := tb.epoch >= tb.epochs
	b.mu.Unlock()
	if !last {
		bar.SetCurrent(0)
	}
}

// TrialEnded removes the trial's bar and prints its line above the bars.
func (b *barProgress) TrialEnded(t *trials.Trial) {
	b.mu.Lock()
	tb := b.trials[t.ID]
	delete(b.trials, t.ID)
	if t.Status.Final() {
		b.ended++
		if tb != nil {
			b.epochsDone += float64(tb.epochs - t.InitialEpoch)
		}
	}
	b.count(t)
	b.mu.Unlock()
	if tb != nil {
		tb.bar.Abort(true)
	}
	io.WriteString(b.p, cutLine(formatTrialLine(t, b.info.objective.Name, b.info.order), b.width-1))
}

// Close removes the remaining bars and waits for the last drawing.
func (b *barProgress) Close() {
	b.mu.Lock()
	var bars []*mpb.Bar
	for id, tb := range b.trials {
		bars = append(bars, tb.bar)
		delete(b.trials, id)
	}
	b.mu.Unlock()
	for _, bar := range bars {
		bar.Abort(true)
	}
	b.overall.SetTotal(-1, true)
	b.p.Wait()
}

func (b *barProgress) trialLabel(id int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	tb := b.trials[id]
	if tb == nil {
		return fmt.Sprintf("trial %3d", id)
	}
	return fmt.Sprintf("trial %3d  epoch %2d/%d", id, min(tb.epoch+1, tb.epochs), tb.epochs)
}

func (b *barProgress) trialMetrics(id int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	tb := b.trials[id]
	if tb == nil {
		return ""
	}
	var s strings.Builder
	if tb.hasLoss {
		fmt.Fprintf(&s, "  loss %s", formatMetric(tb.loss))
	}
	if tb.hasObj && b.info.objective.Name != "loss" {
		fmt.Fprintf(&s, "  %s %s", b.info.objective.Name, formatMetric(tb.obj))
	}
	return s.String()
}

// overallLine is the line under the bars, in its long form when it fits
// the terminal, else a short one:
//
//	trials 11/30 done, 2 running  best val_accuracy 0.8791 (trial 7)  elapsed 4m12s  ETA 7m40s
//	trials 11/30  best 0.8791 (7)  4m12s  ETA 7m40s
func (b *barProgress) overallLine() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	done := fmt.Sprint(b.final)
	if b.info.maxTrials > 0 {
		done += fmt.Sprintf("/%d", b.info.maxTrials)
	}
	elapsed := time.Since(b.start)
	eta := "-"
	if d, ok := b.eta(elapsed); ok {
		eta = roundDuration(d).String()
	}
	long := fmt.Sprintf("trials %s done, %d running", done, len(b.trials))
	short := "trials " + done
	if b.best != nil {
		long += fmt.Sprintf("  best %s %s (trial %d)", b.info.objective.Name, formatMetric(*b.best), b.bestID)
		short += fmt.Sprintf("  best %s (%d)", formatMetric(*b.best), b.bestID)
	}
	long += fmt.Sprintf("  elapsed %s  ETA %s", roundDuration(elapsed), eta)
	short += fmt.Sprintf("  %s  ETA %s", roundDuration(elapsed), eta)
	if utf8.RuneCountInString(long) < b.width {
		return long
	}
	return cutLine(short, b.width-1)
}

// eta estimates the time left from the epochs done in this run: those of
// the trials that ended and the running trials' epochs and batches, against
// the epochs the trials left to run will take. The caller holds mu.
func (b *barProgress) eta(elapsed time.Duration) (time.Duration, bool) {
	if b.info.maxTrials <= 0 {
		return 0, false
	}
	done, running := b.epochsDone, 0.0
	for _, tb := range b.trials {
		part := float64(tb.epoch)
		if tb.batches > 0 {
			part += float64(tb.batch) / float64(tb.batches)
		}
		done += part
		running += float64(tb.epochs) - part
	}
	if done <= 0 {
		return 0, false
	}
	waiting := max(b.info.maxTrials-b.final-len(b.trials), 0)
	left := running + float64(waiting*max(b.info.epochs, 1))
	return time.Duration(float64(elapsed) / done * left), true
}

// cutLine cuts the text of line (which ends in a newline or not) to width
// runes, marking a cut with "…".
func cutLine(line string, width int) string {
	text, nl := strings.CutSuffix(line, "\n")
	if utf8.RuneCountInString(text) > width {
		r := []rune(text)
		text = string(r[:max(width-1, 0)]) + "…"
	}
	if nl {
		text += "\n"
	}
	return text
}

// roundDuration rounds d for people: milliseconds under a second (a small
// model's trial takes tens of them: "0s" said nothing), tenths of a second
// under 10 seconds, seconds under an hour, minutes above.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Hour:
		return d.Round(time.Minute)
	case d >= 10*time.Second:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}
