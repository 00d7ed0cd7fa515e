package dashboard

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/trials"
)

//go:embed assets/templates/*.html
var templateFS embed.FS

//go:embed assets/static
var staticFS embed.FS

// Options configure a Server. The zero value serves the study alone.
type Options struct {
	// Project names the project in page titles (its directory).
	Project string
	// StudyFile is the text of the study file the search was run with,
	// shown on the overview.
	StudyFile string
	// Pruner describes the study's pruner, for the overview.
	Pruner string
	// MaxTrials is how many trials the search will run (0: unknown), for
	// the ETA.
	MaxTrials int
	// Objectives are the objectives of a multi-objective study, the
	// study's objective among them; with two or more the Pareto page
	// shows their front, read from each trial's score and its metrics at
	// the best epoch. Empty means the study's own: its record's
	// Objectives when it has several, else its objective alone.
	Objectives []goal.Objective
	// Reload is how often the server looks for changes in the source;
	// 0 means 250ms. A change reaches the pages within Reload plus the time
	// to read the source; after a reading that took longer than a quarter
	// of Reload, the next waits four times as long as it took.
	Reload time.Duration
}

func (o *Options) objectives(study goal.Objective) []goal.Objective {
	if len(o.Objectives) > 1 {
		return o.Objectives
	}
	return []goal.Objective{study}
}

// Server serves the dashboard of one study. It reads the source in the
// background and answers every request from its last reading, so that
// no request waits for the source and a slow page never slows a search.
type Server struct {
	src   Source
	opts  Options
	mux   *http.ServeMux
	pages *template.Template

	snap    atomic.Pointer[snapshot]
	stale   atomic.Pointer[string] // why the last reload failed; nil if it did not
	changed atomic.Bool            // set by Notify

	mu   sync.Mutex
	subs map[chan uint64]struct{} // event streams

	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{}
}

// New reads the study from src once, fails if it cannot, and starts
// watching src for changes. Close stops the watching.
func New(src Source, opts Options) (*Server, error) {
	if opts.Reload <= 0 {
		opts.Reload = 250 * time.Millisecond
	}
	pages, err := template.ParseFS(templateFS, "assets/templates/*.html")
	if err != nil {
		panic("dashboard: " + err.Error()) // the embedded templates are part of the program
	}
	s := &Server{src: src, opts: opts, pages: pages, subs: map[chan uint64]struct{}{},
		stop: make(chan struct{}), done: make(chan struct{})}
	var version uint64
	if v, ok := src.(Versioned); ok {
		version, _ = v.Version()
	}
	st, ts, err := readAll(src)
	if err != nil {
		return nil, err
	}
	if len(s.opts.Objectives) < 2 && len(st.Objectives) > 1 {
		// A multi-objective study opened without its objectives named.
		s.opts.Objectives = st.Objectives
	}
	first := newSnapshot(1, st, ts, time.Now())
	s.snap.Store(first)
	s.routes()
	// What the overview shows is ready before the first page asks for it
	// (later snapshots are derived on demand: no work without a reader).
	go func() {
		s.overviewJSON(first)
		first.historyJSON()
		first.importanceJSON()
	}()
	go s.watch(version)
	return s, nil
}

// Notify tells the server that the source changed, for a source that is
// not Versioned or to be quicker than its version: the server reads it
// again at its next tick. It never blocks.
func (s *Server) Notify() { s.changed.Store(true) }

// Close stops watching the source and ends the event streams. It does
// not close the source.
func (s *Server) Close() error {
	s.stopOnce.Do(func() { close(s.stop) })
	<-s.done
	return nil
}

// ServeHTTP serves the pages, the JSON API and the static files.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// The pages run only the embedded scripts, and are never framed.
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	s.mux.ServeHTTP(w, r)
}

// watch reloads the source when its version moves or Notify was called,
// at most once per Reload, and tells the event streams.
func (s *Server) watch(version uint64) {
	defer close(s.done)
	defer s.closeStreams()
	versioned, isVersioned := s.src.(Versioned)
	// A reading waits Reload after the last, or four times as long as the
	// last took, so that following a large study costs its reader (and the
	// machine a search shares with it) at most about a quarter of a core.
	wait := s.opts.Reload
	for {
		select {
		case <-s.stop:
			return
		case <-time.After(wait):
		}
		wait = s.opts.Reload
		notified := s.changed.Swap(false)
		if isVersioned && !notified && s.stale.Load() == nil {
			v, err := versioned.Version()
			if err == nil && v == version {
				continue
			}
			version = v
		}
		start := time.Now()
		st, ts, err := readAll(s.src)
		wait = max(s.opts.Reload, 4*time.Since(start))
		if err != nil {
			msg := staleReason(err)
			s.stale.Store(&msg)
			continue
		}
		s.stale.Store(nil)
		old := s.snap.Load()
		if !isVersioned && !notified && sameTrials(old, st, ts) {
			continue
		}
		next := newSnapshot(old.version+1, st, ts, time.Now())
		s.snap.Store(next)
		s.broadcast(next.version)
	}
}

// staleReason says why the data shown may be old.
func staleReason(err error) string {
	if errors.Is(err, trials.ErrLocked) {
		return "a process holds this project without serving live reads (a search run from Go, or an older tune): the pages show what was read last"
	}
	return fmt.Sprintf("cannot read the project: %v", err)
}

// sameTrials reports whether a reading of a source that has no version
// equals the snapshot: same trials, statuses and epoch counts.
func sameTrials(s *snapshot, st *trials.StudyRecord, ts []*trials.Trial) bool {
	if len(ts) != len(s.trials) {
		return false
	}
	for _, t := range ts {
		o, ok := s.byID[t.ID]
		if !ok || o.Status != t.Status || len(o.History) != len(t.History) || o.Attempt != t.Attempt {
			return false
		}
	}
	return true
}

func (s *Server) subscribe() chan uint64 {
	c := make(chan uint64, 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.subs == nil {
		close(c)
		return c
	}
	s.subs[c] = struct{}{}
	return c
}

func (s *Server) unsubscribe(c chan uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.subs[c]; ok {
		delete(s.subs, c)
		close(c)
	}
}

// broadcast sends the new version to every stream; a stream that has not
// taken the last one gets the newest instead.
func (s *Server) broadcast(v uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.subs {
		select {
		case c <- v:
		default:
			select {
			case <-c:
			default:
			}
			c <- v
		}
	}
}

func (s *Server) closeStreams() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.subs {
		close(c)
	}
	s.subs = nil
}

// staticFiles returns the embedded static files, rooted at their folder.
func staticFiles() fs.FS {
	sub, err := fs.Sub(staticFS, "assets/static")
	if err != nil {
		panic("dashboard: " + err.Error())
	}
	return sub
}
