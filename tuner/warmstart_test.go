package tuner

import (
	"context"
	"errors"
	"github.com/tunekit/tune/trials/live"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
)

// braninSpace is quickBranin's space, declared up front for a warm start.
func braninSpace(t *testing.T) *hp.Space {
	t.Helper()
	s, err := hp.NewSpace(
		hp.Param{Name: "x1", Kind: hp.KindFloat, Min: -5, Max: 10, Default: -5.0},
		hp.Param{Name: "x2", Kind: hp.KindFloat, Min: 0, Max: 15, Default: 0.0},
	)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// recordingOracle is a real oracle that also keeps the prior trials of
// every State it is given.
type recordingOracle struct {
	oracle.Oracle
	priors [][]*trials.Trial
}

func (r *recordingOracle) Next(s oracle.State) (oracle.Proposal, error) {
	r.priors = append(r.priors, s.Prior)
	return r.Oracle.Next(s)
}

// sourceStudy runs a random search of quickBranin in dir/name and returns
// its trials.
func sourceStudy(t *testing.T, dir, name string, n int) []*trials.Trial {
	t.Helper()
	src := search(t, bowl, Options{Objective: "loss", MaxTrials: n, ParallelTrials: 1, Seed: 1, Directory: dir, ProjectName: name})
	ts := allTrials(t, src)
	src.Close()
	return ts
}

// unitDistance is the largest distance of a and b on any coordinate of
// the unit-interval encoding of space.
func unitDistance(t *testing.T, space *hp.Space, a, b hp.Values) float64 {
	t.Helper()
	ua, err := space.ToUnit(a)
	if err != nil {
		t.Fatal(err)
	}
	ub, err := space.ToUnit(b)
	if err != nil {
		t.Fatal(err)
	}
	d := 0.0
	for i := range ua {
		d = max(d, math.Abs(ua[i]-ub[i]))
	}
	return d
}

// bowl has one minimum, at x1 = 2, x2 = 7, for nearness to mean something.
func bowl(_ context.Context, h *hp.HyperParameters, _ *Reporter) (Metrics, error) {
	x1, x2 := h.Float("x1", -5, 10), h.Float("x2", 0, 15)
	return Metrics{"loss": (x1-2)*(x1-2) + (x2-7)*(x2-7)}, nil
}

func TestWarmStartSeedsTheOracle(t *testing.T) {
	for _, name := range []string{"bayesian", "tpe"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			src := sourceStudy(t, dir, "src", 20)
			bestSrc := slices.MinFunc(src, func(a, b *trials.Trial) int { return cmpScore(*a.Score, *b.Score) })
			run := func(project string, warm []string) (*Tuner, *recordingOracle) {
				o, err := oracle.New(name, nil)
				if err != nil {
					t.Fatal(err)
				}
				rec := &recordingOracle{Oracle: o}
				tu := search(t, bowl, Options{Objective: "loss", Oracle: rec, MaxTrials: 3, ParallelTrials: 1, Seed: 7,
					Directory: dir, ProjectName: project, HyperParameters: braninSpace(t), WarmStart: warm})
				return tu, rec
			}
			warm, rec := run("warm", []string{filepath.Join(dir, "src")})
			cold, coldRec := run("cold", nil)

			// The oracle's history holds every source trial, in order,
			// before the study's own.
			for i, prior := range rec.priors {
				if len(prior) != len(src) {
					t.Fatalf("proposal %d: %d prior trials, want the source's %d", i+1, len(prior), len(src))
				}
				for j, p := range prior {
					if p.ID != j-len(src) || p.Values.Key() != src[j].Values.Key() || *p.Score != *src[j].Score || p.Status != trials.Completed {
						t.Fatalf("prior trial %d = %+v, want the source's trial %d %v (score %v) with id %d", j, p, src[j].ID, src[j].Values, *src[j].Score, j-len(src))
					}
				}
			}
			if len(coldRec.priors) == 0 || coldRec.priors[0] != nil {
				t.Errorf("a cold study's oracle was given prior trials")
			}
			// Seeds do not count as trials: three of its own.
			wts, cts := allTrials(t, warm), allTrials(t, cold)
			if len(wts) != 3 || wts[0].ID != 1 {
				t.Fatalf("warm study has %d trials (first id %d), want 3 of its own", len(wts), wts[0].ID)
			}
			if best, _ := warm.BestTrials(10); len(best) != 3 {
				t.Errorf("BestTrials gives %d trials, want the study's 3", len(best))
			}
			if got := warm.WarmStart(); got.Len() != 20 || got.Sources[0].Source != filepath.Join(dir, "src") {
				t.Errorf("WarmStart() = %d trials from %v", got.Len(), got.Sources)
			}
			// Guided from the first trial, near the source's best, where
			// the cold study starts with the defaults and draws at random.
			if wts[0].Values.Key() == cts[0].Values.Key() {
				t.Errorf("warm and cold studies both start with %v", wts[0].Values)
			}
			space := braninSpace(t)
			nearest, warmBest, coldBest := math.Inf(1), math.Inf(1), math.Inf(1)
			for i := range wts {
				nearest = min(nearest, unitDistance(t, space, wts[i].Values, bestSrc.Values))
				warmBest, coldBest = min(warmBest, *wts[i].Score), min(coldBest, *cts[i].Score)
				t.Logf("trial %d: warm %v %.3f, cold %v %.3f", i+1, wts[i].Values, *wts[i].Score, cts[i].Values, *cts[i].Score)
			}
			if nearest > 0.15 {
				t.Errorf("the warm study's first trials are %.2f or more from the source's best %v (unit interval), want ≤ 0.15", nearest, bestSrc.Values)
			}
			if warmBest >= coldBest {
				t.Errorf("the warm study's best of 3 scored %v, the cold study's %v", warmBest, coldBest)
			}
		})
	}
}

func cmpScore(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// writeSource makes a bbolt project at dir/name/study.db holding the
// given trials, ended as given.
func writeSource(t *testing.T, dir, name string, obj goal.Objective, ends []sourceTrial) string {
	t.Helper()
	path := filepath.Join(dir, name, "study.db")
	b, err := trials.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.PutStudy(&trials.StudyRecord{Objective: obj, Oracle: "random", Space: braninSpace(t)}); err != nil {
		t.Fatal(err)
	}
	for _, e := range ends {
		tr, err := b.Create(&trials.Trial{Values: e.values})
		if err != nil {
			t.Fatal(err)
		}
		if e.status == trials.Running {
			continue
		}
		r := trials.Result{Status: e.status}
		if !math.IsInf(e.score, -1) {
			s := e.score
			r.Score = &s
		}
		if err := b.Finish(tr.ID, r); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, name)
}

type sourceTrial struct {
	values hp.Values
	status trials.Status
	score  float64 // -Inf: none
}

var lossMin = goal.Objective{Name: "loss", Direction: goal.Minimize}

func TestWarmStartSkipsMisfits(t *testing.T) {
	dir := t.TempDir()
	src := writeSource(t, dir, "src", lossMin, []sourceTrial{
		{hp.Values{"x1": 0.0, "x2": 1.0}, trials.Completed, 5},                  // 1: fits
		{hp.Values{"x1": 9.0, "x2": 1.0}, trials.Completed, 4},                  // 2: x1 beyond the narrower space
		{hp.Values{"x1": 1}, trials.Completed, 3},                               // 3: x2 takes its default, the int a float
		{hp.Values{"x1": 0.0, "x2": 1.0, "momentum": 0.9}, trials.Completed, 2}, // 4: unknown name
		{hp.Values{"x1": "a", "x2": 1.0}, trials.Completed, 1},                  // 5: wrong type
		{hp.Values{"x1": 0.5, "x2": 1.0}, trials.Failed, math.Inf(-1)},          // 6: not a result
		{hp.Values{"x1": 0.5, "x2": 2.0}, trials.Pruned, 7},                     // 7: a pruned result
		{hp.Values{"x1": 0.5, "x2": 3.0}, trials.Completed, math.NaN()},         // 8: diverged
		{hp.Values{"x1": 0.5, "x2": 4.0}, trials.Running, math.Inf(-1)},         // 9: still running
	})
	space, err := hp.NewSpace(
		hp.Param{Name: "x1", Kind: hp.KindFloat, Min: -5, Max: 2.5, Default: -5.0},
		hp.Param{Name: "x2", Kind: hp.KindFloat, Min: 0, Max: 15, Default: 0.5},
	)
	if err != nil {
		t.Fatal(err)
	}
	narrow := func(_ context.Context, h *hp.HyperParameters, _ *Reporter) (Metrics, error) {
		return Metrics{"loss": branin(h.Float("x1", -5, 2.5), h.Float("x2", 0, 15))}, nil
	}
	tu, err := New(ObjectiveFunc(narrow), Options{Objective: "loss", Oracle: &oracle.TPE{}, MaxTrials: 2, ParallelTrials: 1,
		Directory: dir, ProjectName: "warm", HyperParameters: space, WarmStart: []string{src}})
	if err != nil {
		t.Fatal(err)
	}
	defer tu.Close()
	w := tu.WarmStart()
	if len(w.Sources) != 1 {
		t.Fatalf("%d sources", len(w.Sources))
	}
	s := w.Sources[0]
	var ids []int
	for _, st := range s.Trials {
		ids = append(ids, st.ID)
	}
	if !slices.Equal(ids, []int{1, 3, 7}) {
		t.Errorf("seed trials %v, want 1, 3 and 7", ids)
	}
	if v := s.Trials[1].Values; v["x1"] != 1.0 || v["x2"] != 0.5 {
		t.Errorf("trial 3's values %v, want x1=1.0 (a float) and x2's default 0.5", v)
	}
	if s.Trials[2].Status != trials.Pruned || s.Trials[2].Score != 7 {
		t.Errorf("trial 7 seeds as %s %v, want pruned 7", s.Trials[2].Status, s.Trials[2].Score)
	}
	want := []trials.SkipCount{{Reason: `"x1" outside the space`, Trials: 2}, {Reason: "a score that is not finite", Trials: 1}, {Reason: `unknown hyperparameter "momentum"`, Trials: 1}}
	if !slices.Equal(s.Skipped, want) {
		t.Errorf("skipped %v, want %v", s.Skipped, want)
	}
	line := WarmStartSummary(w)
	wantLine := "warm start: 3 trials from " + src + ` (4 skipped: "x1" outside the space: 2, a score that is not finite: 1, unknown hyperparameter "momentum": 1)`
	if len(line) != 1 || line[0] != wantLine {
		t.Errorf("summary %q, want %q", line, wantLine)
	}
	if err := tu.Search(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ts := allTrials(t, tu); len(ts) != 2 {
		t.Errorf("%d trials, want max_trials 2 of its own", len(ts))
	}
}

func TestWarmStartResumeReadsNoSource(t *testing.T) {
	dir := t.TempDir()
	srcDir := filepath.Join(dir, "src")
	sourceStudy(t, dir, "src", 15)
	opts := func(project string, n int, warm []string) Options {
		return Options{Objective: "loss", Oracle: &oracle.BayesianOptimization{}, MaxTrials: n, ParallelTrials: 1, Seed: 4,
			Directory: dir, ProjectName: project, HyperParameters: braninSpace(t), WarmStart: warm}
	}
	whole := allTrials(t, search(t, quickBranin, opts("whole", 6, []string{srcDir})))
	first := search(t, quickBranin, opts("parts", 3, []string{srcDir}))
	prior := first.WarmStart()
	first.Close()
	if err := os.RemoveAll(srcDir); err != nil {
		t.Fatal(err)
	}
	// Resumed with the same sources, or none, the seeds are the stored ones.
	for _, warm := range [][]string{{srcDir}, nil} {
		tu, err := New(ObjectiveFunc(quickBranin), opts("parts", 3, warm))
		if err != nil {
			t.Fatalf("resume with warm start %v after the source is gone: %v", warm, err)
		}
		if got := tu.WarmStart(); got.Len() != 15 || got.Prior()[0].Values.Key() != prior.Prior()[0].Values.Key() {
			t.Errorf("resumed warm start %d trials, want the stored 15", got.Len())
		}
		tu.Close()
	}
	rest := search(t, quickBranin, opts("parts", 6, []string{srcDir}))
	parts := allTrials(t, rest)
	if len(parts) != 6 {
		t.Fatalf("resumed study has %d trials, want 6", len(parts))
	}
	for i := range whole {
		if whole[i].Values.Key() != parts[i].Values.Key() {
			t.Errorf("trial %d: resumed %v, uninterrupted %v", i+1, parts[i].Values, whole[i].Values)
		}
	}
	rest.Close()
	// Other sources than the project's are refused.
	_, err := New(ObjectiveFunc(quickBranin), opts("parts", 6, []string{filepath.Join(dir, "other")}))
	if !errors.Is(err, ErrStudyMismatch) {
		t.Errorf("resume with another source: %v, want ErrStudyMismatch", err)
	}
}

func TestWarmStartBadSources(t *testing.T) {
	dir := t.TempDir()
	good := sourceStudy(t, dir, "good", 4)
	accuracy := writeSource(t, dir, "accuracy", goal.Objective{Name: "accuracy", Direction: goal.Maximize}, nil)
	damaged := filepath.Join(dir, "damaged")
	if err := os.MkdirAll(damaged, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(damaged, "study.db"), []byte(strings.Repeat("not a store ", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if b, err := trials.Open(filepath.Join(empty, "study.db"), nil); err != nil {
		t.Fatal(err)
	} else {
		b.Close()
	}
	// A project held by a process that serves no live reads.
	heldPath := filepath.Join(writeSource(t, dir, "held", lossMin, nil), "study.db")
	held, err := trials.Open(heldPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()

	opts := func(project string, warm ...string) Options {
		return Options{Objective: "loss", Oracle: &oracle.TPE{}, MaxTrials: 2, ParallelTrials: 1,
			Directory: dir, ProjectName: project, HyperParameters: braninSpace(t), WarmStart: warm}
	}
	// An existing project, to be overwritten.
	ex := search(t, bowl, opts("existing"))
	existing := allTrials(t, ex)
	ex.Close()
	for _, c := range []struct {
		name, src string
		want      error
	}{
		{"missing", filepath.Join(dir, "nowhere"), fs.ErrNotExist},
		{"no study.db", t.TempDir(), fs.ErrNotExist},
		{"damaged", damaged, trials.ErrNotStore},
		{"empty", empty, trials.ErrNoStudy},
		{"other objective", accuracy, ErrStudyMismatch},
		{"locked", heldPath, trials.ErrLocked},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, project := range []string{"fresh", "existing"} {
				o := opts(project, filepath.Join(dir, "good"), c.src)
				o.Overwrite = project == "existing"
				_, err := New(ObjectiveFunc(bowl), o)
				var we *WarmStartError
				if !errors.As(err, &we) || we.Source != c.src || !errors.Is(err, c.want) {
					t.Fatalf("%s: New = %v, want a *WarmStartError naming %s and wrapping %v", project, err, c.src, c.want)
				}
				if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, c.src) {
					t.Errorf("error %q: want one line naming %s", msg, c.src)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "fresh")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a new project's directory exists after a bad source: %v", err)
			}
			b, err := trials.Open(filepath.Join(dir, "existing", "study.db"), &trials.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			st, err := b.Study()
			ts, terr := b.Trials()
			if err != nil || terr != nil || st.WarmStart != nil || len(ts) != len(existing) {
				t.Errorf("the overwritten project changed: study %v (%v), %d trials (%v), want %d", st, err, len(ts), terr, len(existing))
			}
		})
	}
	// The project itself is no source.
	self := opts("existing", filepath.Join(dir, "existing"))
	self.Overwrite = true
	_, err = New(ObjectiveFunc(bowl), self)
	if !errors.As(err, new(*WarmStartError)) || !strings.Contains(err.Error(), "own store") {
		t.Errorf("warm start from the project itself: %v", err)
	}
	// A held project that serves live reads is read through its socket.
	srv, err := live.Serve(held, heldPath)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	tu, err := New(ObjectiveFunc(bowl), opts("live", filepath.Join(dir, "good"), heldPath))
	if err != nil {
		t.Fatalf("warm start from a served project: %v", err)
	}
	defer tu.Close()
	if w := tu.WarmStart(); len(w.Sources) != 2 || w.Len() != len(good) {
		t.Errorf("warm start from a served project: %d sources, %d trials", len(w.Sources), w.Len())
	}
}
