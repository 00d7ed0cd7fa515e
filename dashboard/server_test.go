package dashboard

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/live"
)

// newTestServer serves a generated project from a FileSource.
func newTestServer(t *testing.T, f fakeStudy, opts Options) (*httptest.Server, *Server, string) {
	t.Helper()
	path := writeProject(t, t.TempDir(), f)
	if opts.Reload == 0 {
		opts.Reload = 20 * time.Millisecond
	}
	srv, err := New(&FileSource{Path: path}, opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	// Closing the server first ends its event streams, which the test
	// server would wait for.
	t.Cleanup(func() { srv.Close(); hs.Close() })
	return hs, srv, path
}

func get(t *testing.T, url string, wantCode int) []byte {
	t.Helper()
	r, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	if r.StatusCode != wantCode {
		t.Fatalf("GET %s: %d, want %d: %s", url, r.StatusCode, wantCode, b)
	}
	return b
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	if err := json.Unmarshal(get(t, url, 200), v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

func TestOverview(t *testing.T) {
	hs, _, _ := newTestServer(t, fakeStudy{n: 40, epochs: 6}, Options{Project: "runs/demo", MaxTrials: 50, Pruner: "median", StudyFile: "project: demo\n"})
	var ov overview
	getJSON(t, hs.URL+"/api/study", &ov)
	if ov.Total != 40 || ov.Counts["completed"] != 31 || ov.Counts["failed"] != 4 || ov.Counts["pruned"] != 4 || ov.Counts["running"] != 1 {
		t.Errorf("counts %v of %d", ov.Counts, ov.Total)
	}
	if ov.Objective.Name != "val_loss" || ov.Oracle != "random" || ov.Pruner != "median" || ov.StudyFile != "project: demo\n" || len(ov.Params) != 4 {
		t.Errorf("overview %+v", ov)
	}
	if !ov.Params[0].Log || ov.Params[3].Condition != "optimizer in [sgd]" || !slices.Equal(ov.Metrics, []string{"accuracy", "loss", "val_accuracy", "val_loss"}) {
		t.Errorf("params %+v metrics %v", ov.Params, ov.Metrics)
	}
	// momentum's range starts at 0, which must still be sent; a choice has no range.
	if m := ov.Params[3]; m.Min == nil || *m.Min != 0 || m.Max == nil || *m.Max != 0.9 || ov.Params[2].Min != nil {
		t.Errorf("momentum range %v..%v, optimizer min %v", m.Min, m.Max, ov.Params[2].Min)
	}
	// The best trial is the completed one with the lowest val_loss.
	var page tablePage
	getJSON(t, hs.URL+"/api/trials?status=completed&sort=score&limit=1", &page)
	if ov.Best == nil || ov.Best.ID != page.Rows[0].ID || *ov.Best.Score != *page.Rows[0].Score {
		t.Errorf("best %+v, table's best %+v", ov.Best, page.Rows[0])
	}
	if !ov.Running || ov.ETA == nil || *ov.ETA <= 0 || ov.Elapsed <= 0 {
		t.Errorf("running %v eta %v elapsed %v", ov.Running, ov.ETA, ov.Elapsed)
	}
	for _, p := range []string{"/", "/trials", "/trials/3", "/history", "/parallel", "/slice", "/curves", "/intermediate", "/importance", "/pareto"} {
		if b := get(t, hs.URL+p, 200); !strings.Contains(string(b), "<title>") || !strings.Contains(string(b), "runs/demo") {
			t.Errorf("%s: %.200s", p, b)
		}
	}
	get(t, hs.URL+"/trials/41", 404)
	get(t, hs.URL+"/nothing", 404)
}

func TestTable(t *testing.T) {
	hs, _, _ := newTestServer(t, fakeStudy{n: 120, epochs: 4}, Options{})
	var p tablePage
	getJSON(t, hs.URL+"/api/trials", &p)
	if p.Total != 120 || p.Matched != 120 || len(p.Rows) != defaultLimit || p.Rows[0].ID != 1 || p.Rows[49].ID != 50 {
		t.Fatalf("first page: total %d matched %d rows %d", p.Total, p.Matched, len(p.Rows))
	}
	getJSON(t, hs.URL+"/api/trials?offset=100&limit=50", &p)
	if len(p.Rows) != 20 || p.Rows[0].ID != 101 {
		t.Errorf("last page: %d rows from %d", len(p.Rows), p.Rows[0].ID)
	}
	// Sorted by score descending: scores fall, unscored trials last.
	getJSON(t, hs.URL+"/api/trials?sort=score&order=desc&limit=1000", &p)
	for i := 1; i < len(p.Rows); i++ {
		a, b := p.Rows[i-1].Score, p.Rows[i].Score
		if a == nil && b != nil || a != nil && b != nil && *a < *b {
			t.Fatalf("rows %d and %d out of order", p.Rows[i-1].ID, p.Rows[i].ID)
		}
	}
	if p.Rows[len(p.Rows)-1].Score != nil {
		t.Error("an unscored trial does not sort last")
	}
	// A hyperparameter column, and a status and range filter.
	getJSON(t, hs.URL+"/api/trials?sort=param:learning_rate&status=completed,pruned&range=param:learning_rate:0.001:0.01&limit=1000", &p)
	if p.Matched == 0 || p.Matched == 120 {
		t.Fatalf("filter matched %d", p.Matched)
	}
	for i, r := range p.Rows {
		lr := r.Values["learning_rate"].(float64)
		if lr < 0.001 || lr > 0.01 || r.Status != trials.Completed && r.Status != trials.Pruned {
			t.Errorf("row %+v passes the filter", r)
		}
		if i > 0 && p.Rows[i-1].Values["learning_rate"].(float64) > lr {
			t.Errorf("learning rates out of order at %d", i)
		}
	}
	for _, bad := range []string{"sort=bogus", "order=up", "status=lost", "range=score:x:1", "range=score", "offset=-1"} {
		var e struct{ Error string }
		if err := json.Unmarshal(get(t, hs.URL+"/api/trials?"+bad, 400), &e); err != nil || e.Error == "" {
			t.Errorf("%s: %v %q", bad, err, e.Error)
		}
	}
}

func TestTrialAndCheckpoint(t *testing.T) {
	hs, _, _ := newTestServer(t, fakeStudy{n: 12, epochs: 5, hyperband: true}, Options{})
	var d struct {
		ID       int               `json:"id"`
		Parent   int               `json:"parent"`
		Bracket  int               `json:"bracket"`
		Children []int             `json:"children"`
		Metrics  []string          `json:"metric_names"`
		Best     map[string]any    `json:"best_metrics"`
		Curve    curve             `json:"curve"`
		Values   map[string]any    `json:"values"`
		Score    *float64          `json:"score"`
		History  []json.RawMessage `json:"history"`
	}
	getJSON(t, hs.URL+"/api/trials/2", &d)
	// Hyperband's iteration 0 is a value the trial page shows, not an absent one.
	var raw map[string]json.RawMessage
	if getJSON(t, hs.URL+"/api/trials/2", &raw); string(raw["iteration"]) != "0" || string(raw["round"]) == "" {
		t.Errorf("trial 2 schedule: iteration %s round %s", raw["iteration"], raw["round"])
	}
	if d.ID != 2 || d.Parent != 1 || d.Bracket != 1 || len(d.Children) != 0 || d.Score == nil {
		t.Errorf("trial 2: %+v", d)
	}
	var parent struct{ Children []int }
	if getJSON(t, hs.URL+"/api/trials/1", &parent); !slices.Equal(parent.Children, []int{2}) {
		t.Errorf("trial 1's children %v, want [2]", parent.Children)
	}
	if !slices.Equal(d.Curve.Epochs, []int{1, 2, 3, 4, 5}) || len(d.Curve.Values["val_loss"]) != 5 || len(d.Metrics) != 4 || d.Best["val_loss"] != *d.Score || d.History != nil {
		t.Errorf("trial 2 curve %+v metrics %v best %v", d.Curve, d.Metrics, d.Best)
	}
	if b := get(t, hs.URL+"/api/trials/2/checkpoint", 200); string(b) != "weights of trial 2" {
		t.Errorf("checkpoint %q", b)
	}
	get(t, hs.URL+"/api/trials/9/checkpoint", 404)
	get(t, hs.URL+"/api/trials/99", 404)
	get(t, hs.URL+"/api/trials/x", 400)

	var c struct {
		Metrics []string `json:"metrics"`
		Trials  []curve  `json:"trials"`
	}
	getJSON(t, hs.URL+"/api/curves?ids=1,2,99&metrics=loss,val_loss", &c)
	if len(c.Trials) != 2 || c.Trials[1].ID != 2 || len(c.Trials[1].Values["loss"]) != 5 {
		t.Errorf("curves %+v", c)
	}
	var im struct {
		Metric string  `json:"metric"`
		Trials []curve `json:"trials"`
	}
	getJSON(t, hs.URL+"/api/intermediate", &im)
	// Trials 8 (pruned) and 12 (running).
	if im.Metric != "val_loss" || len(im.Trials) != 2 || im.Trials[0].ID != 8 || im.Trials[1].Status != trials.Running || len(im.Trials[1].Epochs) != 2 {
		t.Errorf("intermediate %+v", im)
	}
}

func TestHistoryPointsImportance(t *testing.T) {
	hs, _, _ := newTestServer(t, fakeStudy{n: 200, epochs: 3}, Options{
		Objectives: []goal.Objective{{Name: "val_loss", Direction: goal.Minimize}, {Name: "val_accuracy", Direction: goal.Maximize}}})
	var h []historyPoint
	getJSON(t, hs.URL+"/api/history", &h)
	best := h[0].Score
	for _, p := range h {
		best = min(best, p.Score)
		if p.Best != best {
			t.Fatalf("trial %d: best so far %v, want %v", p.ID, p.Best, best)
		}
	}
	var pts points
	getJSON(t, hs.URL+"/api/points", &pts)
	if len(pts.Trials) != len(h) || len(pts.Params) != 4 || len(pts.Objectives) != 2 {
		t.Fatalf("points: %d trials, %d params, %d objectives", len(pts.Trials), len(pts.Params), len(pts.Objectives))
	}
	// val_accuracy falls as val_loss rises in the generated data, so the
	// front is the single best trial... unless ties; every front point
	// must be undominated.
	front := 0
	for _, p := range pts.Trials {
		if p.Values[3] != nil && p.Values[2] != "sgd" {
			t.Errorf("trial %d has momentum without sgd", p.ID)
		}
		if !p.Front {
			continue
		}
		front++
		for _, q := range pts.Trials {
			a0, a1 := p.Objs[0].(float64), p.Objs[1].(float64)
			b0, b1 := q.Objs[0].(float64), q.Objs[1].(float64)
			if b0 <= a0 && b1 >= a1 && (b0 < a0 || b1 > a1) {
				t.Errorf("front trial %d is dominated by %d", p.ID, q.ID)
			}
		}
	}
	if front == 0 {
		t.Error("no Pareto front")
	}
	var imp importanceAnswer
	getJSON(t, hs.URL+"/api/importance", &imp)
	if imp.Method != "PED-ANOVA" || len(imp.Importances) != 4 || imp.Importances[0].Name != "learning_rate" || imp.Importances[0].Share < 0.8 {
		t.Errorf("importance %+v", imp)
	}
}

func TestReadOnlyAndStatic(t *testing.T) {
	hs, _, _ := newTestServer(t, fakeStudy{n: 5, epochs: 2}, Options{})
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		for _, p := range []string{"/api/trials", "/api/trials/1", "/api/study", "/"} {
			req, _ := http.NewRequest(method, hs.URL+p, strings.NewReader("{}"))
			r, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			if r.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: %d, want 405", method, p, r.StatusCode)
			}
		}
	}
	if b := get(t, hs.URL+"/static/app.js", 200); !strings.Contains(string(b), "textContent") {
		t.Error("app.js not served")
	}
	get(t, hs.URL+"/static/echarts/LICENSE", 200)
	for _, p := range []string{"/static/../server.go", "/static/%2e%2e/server.go", "/static/..%2fdoc.go", "/static/../../go.mod", "/static/assets/templates/layout.html"} {
		req, _ := http.NewRequest(http.MethodGet, hs.URL+p, nil)
		req.URL.RawPath = p // send the path as written, dots included
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode == 200 && (strings.Contains(string(b), "package dashboard") || strings.Contains(string(b), "module ")) {
			t.Errorf("%s served a file outside the static set", p)
		}
	}
	r, _ := http.Get(hs.URL + "/")
	r.Body.Close()
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
}

func TestEscaping(t *testing.T) {
	hs, _, _ := newTestServer(t, fakeStudy{n: 12, epochs: 3, xss: true}, Options{Project: "dir/" + xssName, StudyFile: xssName})
	for _, p := range []string{"/", "/trials", "/trials/4", "/parallel"} {
		b := string(get(t, hs.URL+p, 200))
		if strings.Contains(b, xssName) || !strings.Contains(b, "&lt;script&gt;window.__xss=1&lt;/script&gt;") {
			t.Errorf("%s does not escape the project name:\n%s", p, b)
		}
	}
	for _, p := range []string{"/api/study", "/api/trials", "/api/trials/4", "/api/points"} {
		b := string(get(t, hs.URL+p, 200))
		if strings.Contains(b, "<script>") || strings.Contains(b, "<img") {
			t.Errorf("%s holds raw markup: %.300s", p, b)
		}
	}
	var d struct{ Error string }
	getJSON(t, hs.URL+"/api/trials/4", &d)
	if d.Error != xssError {
		t.Errorf("error %q, want %q", d.Error, xssError)
	}
}

// TestLive checks that a change to the store reaches the event stream
// and the API, over a FileSource and over a store written in process.
func TestLive(t *testing.T) {
	hs, _, path := newTestServer(t, fakeStudy{n: 5, epochs: 2}, Options{})
	events := openEvents(t, hs.URL)
	if v := <-events; v != 1 {
		t.Fatalf("first event %d, want 1", v)
	}
	s, err := trials.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := s.Create(&trials.Trial{Values: map[string]any{"learning_rate": 0.01, "units": 32, "optimizer": "adam"}})
	if err != nil {
		t.Fatal(err)
	}
	// While the store is open for writing, the dashboard keeps its last
	// reading and says why.
	waitFor(t, func() bool {
		var v struct{ Stale string }
		getJSON(t, hs.URL+"/api/version", &v)
		return v.Stale != ""
	})
	var p tablePage
	if getJSON(t, hs.URL+"/api/trials", &p); p.Total != 5 {
		t.Errorf("while locked: %d trials, want the 5 read before", p.Total)
	}
	// Served, as a search serves it: the pages follow the running trial
	// through the socket, epoch by epoch.
	ls, err := live.Serve(s, path)
	if err != nil {
		t.Fatal(err)
	}
	if v := nextEvent(t, events); v < 2 {
		t.Errorf("event %d after the search began serving", v)
	}
	if getJSON(t, hs.URL+"/api/trials", &p); p.Total != 6 {
		t.Errorf("served: %d trials, want 6 with the running one", p.Total)
	}
	if err := s.AppendEpoch(tr.ID, trials.Epoch{Epoch: 0, Metrics: map[string]float64{"val_loss": 0.7}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		var d struct {
			Status trials.Status `json:"status"`
			Curve  curve         `json:"curve"`
		}
		getJSON(t, hs.URL+"/api/trials/"+strconv.Itoa(tr.ID), &d)
		return d.Status == trials.Running && len(d.Curve.Epochs) == 1
	})
	score := 0.5
	if err := s.Finish(tr.ID, trials.Result{Status: trials.Completed, Score: &score}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		getJSON(t, hs.URL+"/api/trials?sort=id&order=desc&limit=1", &p)
		return p.Rows[0].Status == trials.Completed
	})
	ls.Close()
	s.Close()
	if v := nextEvent(t, events); v < 2 {
		t.Errorf("event %d after a change", v)
	}
	getJSON(t, hs.URL+"/api/trials?sort=id&order=desc&limit=1", &p)
	if p.Total != 6 || p.Rows[0].ID != 6 || p.Rows[0].Status != trials.Completed {
		t.Errorf("after the change: %+v", p)
	}

	// In process: the search's own store, and Notify.
	store, err := trials.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	srv, err := New(store, Options{Reload: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	hs2 := httptest.NewServer(srv)
	defer func() { srv.Close(); hs2.Close() }()
	events2 := openEvents(t, hs2.URL)
	<-events2
	tr, err = store.Create(&trials.Trial{Values: map[string]any{"learning_rate": 0.02, "units": 32, "optimizer": "adam"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.AppendEpoch(tr.ID, trials.Epoch{Epoch: 0, Metrics: map[string]float64{"val_loss": 0.7}}); err != nil {
		t.Fatal(err)
	}
	srv.Notify()
	nextEvent(t, events2)
	var d struct {
		Status trials.Status `json:"status"`
		Curve  curve         `json:"curve"`
	}
	getJSON(t, hs2.URL+"/api/trials/"+strconv.Itoa(tr.ID), &d)
	if d.Status != trials.Running || len(d.Curve.Epochs) != 1 {
		t.Errorf("running trial %+v", d)
	}
}

// openEvents reads the server's event stream; it ends with the test.
func openEvents(t *testing.T, base string) <-chan uint64 {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/events", nil)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	out := make(chan uint64, 16)
	go func() {
		defer r.Body.Close()
		sc := bufio.NewScanner(r.Body)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				n, _ := strconv.ParseUint(v, 10, 64)
				out <- n
			}
		}
	}()
	return out
}

func nextEvent(t *testing.T, c <-chan uint64) uint64 {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(20 * time.Second): // a bound for a hung server, not a speed test
		t.Fatal("no event after a change")
	}
	return 0
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 2000 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition never held")
}

func TestNewFails(t *testing.T) {
	_, err := New(&FileSource{Path: t.TempDir() + "/missing.db"}, Options{})
	if err == nil {
		t.Fatal("a missing store opened")
	}
	path := writeProject(t, t.TempDir(), fakeStudy{n: 1, epochs: 1})
	s, err := trials.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := New(&FileSource{Path: path}, Options{}); !errors.Is(err, trials.ErrLocked) {
		t.Errorf("a store open for writing: %v, want ErrLocked", err)
	}
}

// TestObjectivesFromStudy: a multi-objective study served without its
// objectives in Options takes them from its record: the points carry both
// and mark a front no other point dominates, and the pages link to the
// Pareto page, which a study of one objective's pages do not.
func TestObjectivesFromStudy(t *testing.T) {
	objs := []goal.Objective{{Name: "val_loss", Direction: goal.Minimize}, {Name: "val_accuracy", Direction: goal.Maximize}}
	hs, _, _ := newTestServer(t, fakeStudy{n: 60, epochs: 3, objectives: objs}, Options{})
	var pts points
	getJSON(t, hs.URL+"/api/points", &pts)
	if len(pts.Objectives) != 2 || pts.Objectives[1] != objs[1] {
		t.Fatalf("objectives %v, want %v", pts.Objectives, objs)
	}
	front := 0
	for _, p := range pts.Trials {
		if len(p.Objs) != 2 {
			t.Fatalf("trial %d: objectives %v", p.ID, p.Objs)
		}
		if !p.Front {
			continue
		}
		front++
		for _, q := range pts.Trials {
			a0, a1 := p.Objs[0].(float64), p.Objs[1].(float64)
			b0, b1 := q.Objs[0].(float64), q.Objs[1].(float64)
			if b0 <= a0 && b1 >= a1 && (b0 < a0 || b1 > a1) {
				t.Errorf("front trial %d is dominated by %d", p.ID, q.ID)
			}
		}
	}
	if front == 0 || front == len(pts.Trials) {
		t.Errorf("%d of %d trials on the front", front, len(pts.Trials))
	}
	if b := get(t, hs.URL+"/", 200); !strings.Contains(string(b), `href="/pareto"`) {
		t.Error("no link to the Pareto page")
	}
	one, _, _ := newTestServer(t, fakeStudy{n: 10, epochs: 2}, Options{})
	if b := get(t, one.URL+"/", 200); strings.Contains(string(b), `href="/pareto"`) {
		t.Error("a study of one objective links to the Pareto page")
	}
}
