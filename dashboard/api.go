package dashboard

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// pages are the HTML pages: path → template and title.
var pages = []struct{ path, name, title string }{
	{"/{$}", "overview", "Overview"},
	{"/trials", "trials", "Trials"},
	{"/history", "history", "History"},
	{"/parallel", "parallel", "Parallel coordinates"},
	{"/slice", "slice", "Slice"},
	{"/curves", "curves", "Learning curves"},
	{"/intermediate", "intermediate", "Intermediate values"},
	{"/importance", "importance", "Importance"},
	{"/pareto", "pareto", "Pareto front"},
}

func (s *Server) routes() {
	m := http.NewServeMux()
	for _, p := range pages {
		m.HandleFunc("GET "+p.path, s.page(p.name, p.title))
	}
	m.HandleFunc("GET /trials/{id}", s.trialPage)
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(staticFiles())))
	m.HandleFunc("GET /api/study", s.apiStudy)
	m.HandleFunc("GET /api/trials", s.apiTrials)
	m.HandleFunc("GET /api/trials/{id}", s.apiTrial)
	m.HandleFunc("GET /api/trials/{id}/checkpoint", s.apiCheckpoint)
	m.HandleFunc("GET /api/history", s.derivedJSON((*snapshot).historyJSON))
	m.HandleFunc("GET /api/points", s.cachedJSON("points", func(sn *snapshot) any { return sn.points(&s.opts) }))
	m.HandleFunc("GET /api/intermediate", s.cachedJSON("intermediate", func(sn *snapshot) any {
		return map[string]any{"metric": sn.objective().Name, "trials": sn.intermediate()}
	}))
	m.HandleFunc("GET /api/importance", s.derivedJSON((*snapshot).importanceJSON))
	m.HandleFunc("GET /api/curves", s.apiCurves)
	m.HandleFunc("GET /api/version", s.apiVersion)
	m.HandleFunc("GET /api/events", s.apiEvents)
	s.mux = m
}

// pageData is what a page template sees.
type pageData struct {
	Page, Title, Project string
	Trial                int
	Pareto               bool
}

func (s *Server) page(name, title string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.render(w, name, pageData{Page: name, Title: title})
	}
}

func (s *Server) render(w http.ResponseWriter, name string, d pageData) {
	d.Project = s.opts.Project
	d.Pareto = len(s.opts.Objectives) > 1
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.pages.ExecuteTemplate(w, name+".html", d); err != nil {
		// The headers are gone; the client sees a cut page.
		return
	}
}

func (s *Server) trialPage(w http.ResponseWriter, r *http.Request) {
	id, ok := trialID(w, r)
	if !ok {
		return
	}
	if _, ok := s.snap.Load().byID[id]; !ok {
		http.Error(w, fmt.Sprintf("no trial %d", id), http.StatusNotFound)
		return
	}
	s.render(w, "trial", pageData{Page: "trial", Title: "Trial " + strconv.Itoa(id), Trial: id})
}

func trialID(w http.ResponseWriter, r *http.Request) (int, bool) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || id < 1 {
		http.Error(w, "a trial id is a number, 1 or more", http.StatusBadRequest)
		return 0, false
	}
	return id, true
}

func writeJSONBytes(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSONBytes(w, b)
}

// jsonError answers a bad request with {"error": msg}.
func jsonError(w http.ResponseWriter, code int, msg string) {
	b, _ := json.Marshal(map[string]string{"error": msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(b)
}

func (s *Server) cachedJSON(key string, fn func(*snapshot) any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sn := s.snap.Load()
		writeJSONBytes(w, sn.cached(key, func() any { return fn(sn) }))
	}
}

// derivedJSON answers with the JSON fn derives from the current snapshot.
func (s *Server) derivedJSON(fn func(*snapshot) []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { writeJSONBytes(w, fn(s.snap.Load())) }
}

func (s *Server) staleReason() string {
	if p := s.stale.Load(); p != nil {
		return *p
	}
	return ""
}

// overviewJSON is GET /api/study of sn. Its elapsed time is the
// snapshot's (a running study's is counted to when it was read), so it is
// kept per snapshot and reason for being stale.
func (s *Server) overviewJSON(sn *snapshot) []byte {
	stale := s.staleReason()
	return sn.cached("overview\x00"+stale, func() any { return sn.overview(&s.opts, stale) })
}

func (s *Server) apiStudy(w http.ResponseWriter, r *http.Request) {
	writeJSONBytes(w, s.overviewJSON(s.snap.Load()))
}

func (s *Server) apiTrials(w http.ResponseWriter, r *http.Request) {
	q, err := parseTableQuery(r.URL.Query())
	if err != nil {
		jsonError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, s.snap.Load().table(q))
}

// trialDetail is GET /api/trials/{id}: the trial as stored, without its
// raw history, and the trials that continue it. The schedule fields are
// always sent: Hyperband's iteration 0 and bracket 0 are real values.
type trialDetail struct {
	ID           int            `json:"id"`
	Status       trials.Status  `json:"status"`
	Values       hp.Values      `json:"values"`
	Epochs       int            `json:"epochs"`
	InitialEpoch int            `json:"initial_epoch"`
	Parent       int            `json:"parent"`
	Iteration    int            `json:"iteration"`
	Bracket      int            `json:"bracket"`
	Round        int            `json:"round"`
	Attempt      int            `json:"attempt"`
	Score        *float64       `json:"score"`
	BestEpoch    int            `json:"best_epoch"`
	Error        string         `json:"error,omitempty"`
	Started      time.Time      `json:"started,omitzero"`
	Ended        time.Time      `json:"ended,omitzero"`
	Seconds      float64        `json:"seconds"`
	Children     []int          `json:"children"`
	Metrics      []string       `json:"metric_names"`
	Best         map[string]any `json:"best_metrics"` // at the best epoch
	Curve        curve          `json:"curve"`
}

func (s *Server) apiTrial(w http.ResponseWriter, r *http.Request) {
	id, ok := trialID(w, r)
	if !ok {
		return
	}
	sn := s.snap.Load()
	t, ok := sn.byID[id]
	if !ok {
		jsonError(w, http.StatusNotFound, fmt.Sprintf("no trial %d", id))
		return
	}
	names := map[string]bool{}
	for _, e := range t.History {
		for k := range e.Metrics {
			names[k] = true
		}
	}
	metrics := []string{}
	for k := range names {
		metrics = append(metrics, k)
	}
	slices.Sort(metrics)
	d := trialDetail{ID: t.ID, Status: t.Status, Values: t.Values, Epochs: t.Epochs, InitialEpoch: t.InitialEpoch,
		Parent: t.Parent, Iteration: t.Iteration, Bracket: t.Bracket, Round: t.Round, Attempt: t.Attempt,
		Score: finite(t.Score), BestEpoch: t.BestEpoch, Error: t.Error, Started: t.Started, Ended: t.Ended,
		Seconds: duration(t, time.Now()).Seconds(), Children: sn.children[id], Metrics: metrics,
		Best: map[string]any{}, Curve: trialCurve(t, metrics)}
	if d.Values == nil {
		d.Values = hp.Values{}
	}
	if d.Children == nil {
		d.Children = []int{}
	}
	for k, v := range t.Metrics {
		d.Best[k] = jsonNumber(v)
	}
	writeJSON(w, d)
}

func (s *Server) apiCheckpoint(w http.ResponseWriter, r *http.Request) {
	id, ok := trialID(w, r)
	if !ok {
		return
	}
	b, err := s.src.Checkpoint(id)
	switch {
	case errors.Is(err, trials.ErrNoCheckpoint), errors.Is(err, trials.ErrNoTrial):
		jsonError(w, http.StatusNotFound, fmt.Sprintf("trial %d has no checkpoint", id))
		return
	case err != nil:
		jsonError(w, http.StatusServiceUnavailable, staleReason(err))
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"trial-%d.ckpt\"", id))
	w.Write(b)
}

func (s *Server) apiCurves(w http.ResponseWriter, r *http.Request) {
	sn := s.snap.Load()
	var metrics []string
	for m := range strings.SplitSeq(r.URL.Query().Get("metrics"), ",") {
		if m != "" {
			metrics = append(metrics, m)
		}
	}
	if len(metrics) == 0 {
		metrics = []string{sn.objective().Name}
	}
	out := []curve{}
	for f := range strings.SplitSeq(r.URL.Query().Get("ids"), ",") {
		if f == "" {
			continue
		}
		id, err := strconv.Atoi(f)
		if err != nil {
			jsonError(w, http.StatusBadRequest, fmt.Sprintf("trial id %q is not a number", f))
			return
		}
		if t, ok := sn.byID[id]; ok && len(out) < maxIntermediate {
			out = append(out, trialCurve(t, metrics))
		}
	}
	writeJSON(w, map[string]any{"metrics": metrics, "trials": out})
}

func (s *Server) apiVersion(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string]any{"version": s.snap.Load().version, "stale": s.staleReason()})
}

// apiEvents streams server-sent events: "version" with the snapshot's
// version at once and after every change, and a comment every 15 s to
// keep proxies from closing the stream.
func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		jsonError(w, http.StatusInternalServerError, "streaming unsupported")
		return
	}
	c := s.subscribe()
	defer s.unsubscribe(c)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	send := func(v uint64) {
		fmt.Fprintf(w, "event: version\ndata: %d\n\n", v)
		fl.Flush()
	}
	send(s.snap.Load().version)
	keep := time.NewTicker(15 * time.Second)
	defer keep.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case v, ok := <-c:
			if !ok {
				return
			}
			send(v)
		case <-keep.C:
			fmt.Fprint(w, ": keep-alive\n\n")
			fl.Flush()
		}
	}
}
