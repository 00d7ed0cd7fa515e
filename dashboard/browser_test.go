package dashboard

import (
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/tuner"
)

// browser is a headless Chromium shared by the browser tests, with the
// console errors and uncaught exceptions of its pages.
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

// newBrowser starts Debian's Chromium, or skips the test when there is
// none.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		t.Skip("no Chromium on this machine: the browser tests need Debian's chromium package (apt-get install -y chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 1000),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b := &browser{ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.addError(m.String())
			}
		}
	}()
	return b
}

func (b *browser) addError(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errors = append(b.errors, s)
}

// takeErrors returns and forgets the errors so far.
func (b *browser) takeErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.errors
	b.errors = nil
	return e
}

// limit bounds one step, for a hung browser (not a speed test).
const limit = 60 * time.Second

// do runs steps.
func (b *browser) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, limit)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, b *browser, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, limit)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, func(p *runtime.EvaluateParams) { yes := true; p.AwaitPromise = &yes }))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// wait polls a JavaScript condition until it holds. (chromedp's
// WaitVisible can miss a node whose document changes under it.)
func (b *browser) wait(t *testing.T, cond string) {
	t.Helper()
	expr := "(() => { try { return !!(" + cond + ") } catch (e) { return false } })()"
	deadline := time.Now().Add(limit)
	for {
		// A page being replaced may have no document to evaluate in: try
		// again.
		ctx, cancel := context.WithTimeout(b.ctx, limit)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s (%v)", limit, cond, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// open loads url, waits for its data to be drawn and fails on any
// console error. It returns the milliseconds from the start of the
// navigation to the first drawing.
func (b *browser) open(t *testing.T, url string) float64 {
	t.Helper()
	b.do(t, chromedp.Navigate(url))
	b.wait(t, `document.body.dataset.ready !== undefined || document.getElementById("loading").textContent.startsWith("Could not load")`)
	ms := eval[float64](t, b, `tune.readyMs`)
	loading := eval[string](t, b, `document.getElementById("loading").hidden ? "" : document.getElementById("loading").textContent`)
	if strings.HasPrefix(loading, "Could not load") {
		t.Errorf("%s: %s", url, loading)
	}
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("%s: console errors: %q", url, errs)
	}
	return ms
}

// click clicks sel in the trials table page and waits for the table to
// be drawn again.
func (b *browser) click(t *testing.T, sel string) float64 {
	t.Helper()
	before := eval[string](t, b, `document.body.dataset.table`)
	b.do(t, chromedp.Click(chromedp.CSS(sel)))
	b.wait(t, fmt.Sprintf(`document.body.dataset.table !== %q`, before))
	return eval[float64](t, b, `tune.lastTableMs`)
}

// seriesLengths returns the data length of every series of every chart
// on the page, by chart element id.
func (b *browser) seriesLengths(t *testing.T) map[string][]int {
	t.Helper()
	return eval[map[string][]int](t, b, `Object.fromEntries(Object.entries(tune.charts).filter(([id]) => document.getElementById(id)).map(([id, c]) => [id, c.getOption().series.map(s => s.data.length)]))`)
}

// screenshot saves the page to $TUNE_SCREENSHOTS/name.png when set.
func (b *browser) screenshot(t *testing.T, name string) {
	dir := os.Getenv("TUNE_SCREENSHOTS")
	if dir == "" {
		return
	}
	b.do(t, chromedp.Sleep(300*time.Millisecond))
	ctx, cancel := context.WithTimeout(b.ctx, limit)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: a PNG, as the name says
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func counts(ts []*trials.Trial) map[trials.Status]int {
	m := map[trials.Status]int{}
	for _, t := range ts {
		m[t.Status]++
	}
	return m
}

// bestSteps counts the points of the best-so-far line: the first and the
// last scored trial, and each that changes the best.
func bestSteps(ts []*trials.Trial, o goal.Objective) int {
	var best []float64
	for _, t := range ts {
		if t.Status != trials.Completed || t.Score == nil || math.IsNaN(*t.Score) || math.IsInf(*t.Score, 0) {
			continue
		}
		b := *t.Score
		if len(best) > 0 && !o.Better(b, best[len(best)-1]) {
			b = best[len(best)-1]
		}
		best = append(best, b)
	}
	n := 0
	for i := range best {
		if i == 0 || i == len(best)-1 || best[i] != best[i-1] {
			n++
		}
	}
	return n
}

func TestBrowser(t *testing.T) {
	b := newBrowser(t)
	f := fakeStudy{n: 60, epochs: 8, hyperband: true, xss: true}
	hs, _, _ := newTestServer(t, f, Options{Project: "runs/demo", StudyFile: "project: demo\n", MaxTrials: 80,
		Objectives: []goal.Objective{{Name: "val_loss", Direction: goal.Minimize}, {Name: "loss", Direction: goal.Minimize}}})
	gen := genTrials(t, f, testSpace(t, true))
	n := counts(gen)
	steps := bestSteps(gen, goal.Objective{Name: "val_loss", Direction: goal.Minimize})

	t.Run("pages", func(t *testing.T) {
		for _, p := range []struct {
			path string
			want map[string][]int // series lengths by chart
		}{
			{"/", map[string][]int{"chart-history": {n[trials.Completed], steps}, "chart-importance": {5}}},
			{"/trials", nil},
			{"/trials/2", map[string][]int{"trial-chart-0": {8, 8}, "trial-chart-1": {8, 8}}},
			{"/history", map[string][]int{"chart-history": {n[trials.Completed], steps}}},
			{"/parallel", map[string][]int{"chart-parallel": {n[trials.Completed]}}},
			{"/slice", nil},
			{"/curves", map[string][]int{"chart-curves": {8, 8, 8, 8, 8}}},
			{"/intermediate", map[string][]int{"chart-intermediate": slices.Repeat([]int{2}, n[trials.Pruned])}},
			{"/importance", map[string][]int{"chart-importance": {5}}},
			{"/pareto", nil},
		} {

			b.open(t, hs.URL+p.path)
			got := b.seriesLengths(t)
			for id, want := range p.want {
				g := got[id]
				if p.path == "/intermediate" && len(g) > 0 {
					g = g[:len(g)-1] // the running trial's 4 epochs come last
				}
				if !slices.Equal(g, want) {
					t.Errorf("%s: chart %s has series of %v points, want %v", p.path, id, got[id], want)
				}
			}
			canvases := eval[int](t, b, `[...document.querySelectorAll("canvas")].filter(c => c.width > 0 && c.height > 0).length`)
			if len(p.want) > 0 && canvases < len(p.want) {
				t.Errorf("%s: %d canvases drawn, want %d", p.path, canvases, len(p.want))
			}
			if p.path == "/slice" && len(got) != 5 {
				t.Errorf("slice: %d charts, want one per hyperparameter (5): %v", len(got), got)
			}
			if p.path == "/pareto" {
				sum := 0
				for _, l := range got["chart-pareto"] {
					sum += l
				}
				if sum != n[trials.Completed] {
					t.Errorf("pareto: %d points, want %d: %v", sum, n[trials.Completed], got)
				}
			}
		}
	})

	t.Run("table", func(t *testing.T) {
		b.open(t, hs.URL+"/trials")
		ids := func() []string {
			return eval[[]string](t, b, `[...document.querySelectorAll("#trials-table tbody tr")].map(r => r.dataset.id)`)
		}
		click := func(sel string) { b.click(t, sel) }
		if got := ids(); len(got) != 50 || got[0] != "1" || got[49] != "50" {
			t.Fatalf("first page ids %v", got)
		}
		// Sort by the objective, ascending (val_loss is minimized).
		scored := trials.Best(gen, goal.Objective{Name: "val_loss", Direction: goal.Minimize}, 0, trials.WithPruned)
		click(`th[data-key="score"]`)
		if got := ids(); got[0] != fmt.Sprint(scored[0].ID) || got[1] != fmt.Sprint(scored[1].ID) {
			t.Errorf("sorted by score: %v, want %d, %d first", got[:3], scored[0].ID, scored[1].ID)
		}
		click(`th[data-key="score"]`) // descending: unscored last, so the worst scored first
		if got := ids(); got[0] != fmt.Sprint(scored[len(scored)-1].ID) {
			t.Errorf("sorted by score descending: %v, want %d first", got[:3], scored[len(scored)-1].ID)
		}
		click(`input[data-status="failed"]`)
		statuses := eval[[]string](t, b, `[...document.querySelectorAll("#trials-table tbody tr td:nth-child(2)")].map(td => td.textContent)`)
		if len(statuses) != n[trials.Failed] || slices.ContainsFunc(statuses, func(s string) bool { return s != "failed" }) {
			t.Errorf("failed filter: %v, want %d failed", statuses, n[trials.Failed])
		}
		click(`input[data-status="failed"]`)
		// A range on the score.
		lo, hi := *scored[2].Score, *scored[len(scored)/2].Score
		b.do(t, chromedp.SetValue(chromedp.CSS("#range-column"), "score"),
			chromedp.SetValue(chromedp.CSS("#range-lo"), fmt.Sprint(lo)), chromedp.SetValue(chromedp.CSS("#range-hi"), fmt.Sprint(hi)))
		click("#range-add")
		want := 0
		for _, s := range scored {
			if *s.Score >= lo && *s.Score <= hi {
				want++
			}
		}
		count := eval[string](t, b, `document.getElementById("table-count").textContent`)
		if got := ids(); len(got) != want || !strings.HasPrefix(count, fmt.Sprintf("%d of 60 trials", want)) {
			t.Errorf("range [%v, %v]: %d rows, %q; want %d", lo, hi, len(got), count, want)
		}
		// A row opens its trial.
		first := ids()[0]
		b.do(t, chromedp.Click(chromedp.CSS(`#trials-table tbody tr`)))
		b.wait(t, `document.body.dataset.page === "trial" && document.body.dataset.ready !== undefined`)
		loc := eval[string](t, b, `location.href`)
		if !strings.HasSuffix(loc, "/trials/"+first) {
			t.Errorf("row %s opened %s", first, loc)
		}
		if errs := b.takeErrors(); len(errs) > 0 {
			t.Errorf("console errors: %v", errs)
		}
	})

	t.Run("escaping", func(t *testing.T) {
		for _, p := range []string{"/", "/trials", "/trials/4", "/parallel", "/slice", "/importance"} {
			b.open(t, hs.URL+p)
			xss := eval[any](t, b, `window.__xss === undefined ? null : window.__xss`)
			text := eval[string](t, b, `document.body.innerText`)
			if xss != nil {
				t.Errorf("%s ran injected script: __xss = %v", p, xss)
			}
			switch p {
			case "/trials":
				if !strings.Contains(text, xssName) {
					t.Errorf("%s does not show the hyperparameter name as text", p)
				}
			case "/trials/4":
				if !strings.Contains(text, xssName) || !strings.Contains(text, xssError) {
					t.Errorf("%s does not show the name and the error as text:\n%s", p, text)
				}
			}
		}
	})
}

// TestBrowserLive runs a real search on a store the dashboard serves, and
// waits for the page to show the trial it finishes.
func TestBrowserLive(t *testing.T) {
	b := newBrowser(t)
	store, err := trials.Open(filepath.Join(t.TempDir(), "study.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	release := make(chan struct{})
	var srv *Server
	obs := &notifier{notify: func() {
		if srv != nil {
			srv.Notify()
		}
	}}
	objective := func(ctx context.Context, h *hp.HyperParameters, r *tuner.Reporter) (tuner.Metrics, error) {
		x := h.Float("x", 0, 1)
		for e := range 3 {
			if err := r.Report(e, tuner.Metrics{"loss": x + 1/float64(e+1)}); err != nil {
				return nil, err
			}
			if e == 1 {
				<-release // the page is open: finish the trial
			}
		}
		return nil, nil
	}
	tu, err := tuner.New(tuner.ObjectiveFunc(objective), tuner.Options{Objective: "loss", MaxTrials: 1, ParallelTrials: 1, Store: store,
		Oracle: &oracle.RandomSearch{}, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	defer tu.Close()
	srv, err = New(store, Options{Project: "live"})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer func() { srv.Close(); hs.Close() }()
	done := make(chan error, 1)
	go func() { done <- tu.Search(context.Background()) }()

	b.open(t, hs.URL+"/trials")
	// Wait for the running trial, then let it finish.
	b.wait(t, `document.querySelector('#trials-table tbody tr[data-id="1"] .status.running')`)
	finished := time.Now()
	close(release)
	b.wait(t, `document.querySelector('#trials-table tbody tr[data-id="1"] .status.completed')`)
	t.Logf("a finished trial appeared on the page %v after it was let finish", time.Since(finished).Round(time.Millisecond))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if errs := b.takeErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// notifier is a tuner.Observer that calls notify on every event.
type notifier struct{ notify func() }

func (n *notifier) TrialStarted(*trials.Trial)             { n.notify() }
func (n *notifier) EpochEnded(*trials.Trial, trials.Epoch) { n.notify() }
func (n *notifier) TrialEnded(*trials.Trial)               { n.notify() }

// TestBrowserLarge measures a 10,000-trial project: the overview's first
// drawing and the table's pages. It logs the figures and asserts only
// what is drawn.
func TestBrowserLarge(t *testing.T) {
	b := newBrowser(t)
	start := time.Now()
	path := writeProject(t, t.TempDir(), fakeStudy{n: 10000, epochs: 10})
	t.Logf("wrote 10,000 trials in %v", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	srv, err := New(&FileSource{Path: path}, Options{Project: "large"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("read them in %v", time.Since(start).Round(time.Millisecond))
	hs := httptest.NewServer(srv)
	defer func() { srv.Close(); hs.Close() }()

	ms := b.open(t, hs.URL+"/")
	got := b.seriesLengths(t)
	if l := got["chart-history"]; len(l) != 2 || l[0] != 7999 || l[1] < 2 || l[1] > 7999 {
		t.Errorf("history of %v points", l)
	}
	t.Logf("10,000 trials: the overview drew %.0f ms after navigation started (goal < 2000 ms)", ms)

	b.open(t, hs.URL+"/trials")
	var worst, total float64
	keys := []string{"score", "param:learning_rate", "seconds", "score", "id", "param:optimizer"}
	for _, key := range keys {
		ms := b.click(t, fmt.Sprintf(`th[data-key=%q]`, key))
		worst, total = max(worst, ms), total+ms
	}
	ms = b.click(t, "#next")
	worst, total = max(worst, ms), total+ms
	t.Logf("10,000 trials: a sorted table page took %.0f ms on average, %.0f ms at worst, request to drawn rows (goal < 200 ms)", total/float64(len(keys)+1), worst)
	b.open(t, hs.URL+"/parallel")
	if l := b.seriesLengths(t)["chart-parallel"]; len(l) != 1 || l[0] != 7999 {
		t.Errorf("parallel coordinates of %v lines", l)
	}
}

// TestScreenshots saves a screenshot of every page of the project in
// $TUNE_SCREENSHOT_DB (a study.db) to $TUNE_SCREENSHOTS; it is skipped
// without both.
func TestScreenshots(t *testing.T) {
	db, dir := os.Getenv("TUNE_SCREENSHOT_DB"), os.Getenv("TUNE_SCREENSHOTS")
	if db == "" || dir == "" {
		t.Skip("set TUNE_SCREENSHOT_DB to a project's study.db and TUNE_SCREENSHOTS to a directory")
	}
	b := newBrowser(t)
	srv, err := New(&FileSource{Path: db}, Options{Project: filepath.Dir(db), StudyFile: os.Getenv("TUNE_SCREENSHOT_STUDY")})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer func() { srv.Close(); hs.Close() }()
	prefix := os.Getenv("TUNE_SCREENSHOT_PREFIX")
	for _, p := range []struct{ path, name string }{{"/", "overview"}, {"/trials", "trials"}, {"/trials/" + os.Getenv("TUNE_SCREENSHOT_TRIAL"), "trial"},
		{"/history", "history"}, {"/parallel", "parallel"}, {"/slice", "slice"}, {"/curves", "curves"},
		{"/intermediate", "intermediate"}, {"/importance", "importance"}} {
		if strings.HasSuffix(p.path, "/trials/") {
			p.path += "1"
		}
		b.open(t, hs.URL+p.path)
		b.screenshot(t, prefix+p.name)
	}
}
