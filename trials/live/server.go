package live

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// MaxConcurrent is how many requests a Server answers at once; the others
// wait their turn without using the CPU, so that readers, however many,
// take at most this many of the search's cores.
const MaxConcurrent = 2

// Reader is what a Server reads: the read side of a trials.Store, and a
// version that changes after every change to it. *trials.Bolt is one. A
// Reader that is also a trials.Lender (a Bolt is) costs the server only
// the encoding of the trials that changed since the last read.
type Reader interface {
	Study() (*trials.StudyRecord, error)
	Trials() ([]*trials.Trial, error)
	Trial(id int) (*trials.Trial, error)
	Checkpoint(id int) ([]byte, error)
	Version() (uint64, error)
}

// Queue is the queue of a store a Server serves: a Reader that is one too
// (a *trials.Bolt is) serves the queued values and queues more for other
// processes, in the serving process, the store's one writer.
type Queue interface {
	Enqueue(v hp.Values) error
	Queued() ([]hp.Values, error)
}

// Server answers read requests about one store on a unix socket.
type Server struct {
	r    Reader
	path string
	ln   *net.UnixListener
	sock fs.FileInfo // the socket as bound, to remove only our own
	hs   *http.Server
	turn chan struct{} // MaxConcurrent tokens
	done chan struct{}

	mu      sync.Mutex // guards the encoded trials
	version uint64
	encoded []byte               // the trials at version; nil when none is kept
	each    map[int]encodedTrial // by id, the last encoding of each trial
}

// encodedTrial is a trial as the store lent it, and its JSON.
type encodedTrial struct {
	t    *trials.Trial
	data []byte
}

// Serve serves the store r, which the process has opened from dbPath and
// holds the lock of, on SocketPath(dbPath) until Close. A stale socket
// there is replaced.
func Serve(r Reader, dbPath string) (*Server, error) {
	path := SocketPath(dbPath)
	ln, sock, err := listen(path)
	if err != nil {
		return nil, err
	}
	s := &Server{r: r, path: path, ln: ln, sock: sock, turn: make(chan struct{}, MaxConcurrent), done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+pathStudy, s.study)
	mux.HandleFunc("GET "+pathTrials, s.trials)
	mux.HandleFunc("GET "+pathTrial+"{id}", s.trial)
	mux.HandleFunc("GET "+pathCheckpoint+"{id}", s.checkpoint)
	mux.HandleFunc("GET "+pathVersion, s.versionOf)
	mux.HandleFunc("GET "+pathQueue, s.queued)
	mux.HandleFunc("POST "+pathQueue, s.enqueue)
	s.hs = &http.Server{Handler: s.limit(mux), ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute}
	go func() {
		defer close(s.done)
		_ = s.hs.Serve(ln) // returns when Close closes the listener
	}()
	return s, nil
}

// Path returns the socket's path.
func (s *Server) Path() string { return s.path }

// Close stops serving, ends open connections and removes the socket. Call
// it before closing the store.
func (s *Server) Close() error {
	err := s.hs.Close()
	<-s.done
	if fi, lerr := os.Lstat(s.path); lerr == nil && os.SameFile(fi, s.sock) {
		if rerr := os.Remove(s.path); err == nil {
			err = rerr
		}
	}
	return err
}

// limit lets MaxConcurrent requests run at once.
func (s *Server) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		select {
		case s.turn <- struct{}{}:
		case <-req.Context().Done():
			return
		}
		defer func() { <-s.turn }()
		next.ServeHTTP(w, req)
	})
}

func (s *Server) study(w http.ResponseWriter, _ *http.Request) {
	st, err := s.r.Study()
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, st)
}

// trials answers with every trial, encoding them once per store version.
func (s *Server) trials(w http.ResponseWriter, _ *http.Request) {
	data, err := s.encodedTrials()
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(data)
}

func (s *Server) encodedTrials() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// The version is read before the trials: should a change land between
	// the two, the kept encoding is newer than its version says, and the
	// next request encodes again.
	v, err := s.r.Version()
	if err != nil {
		return nil, err
	}
	if s.encoded != nil && v == s.version {
		return s.encoded, nil
	}
	ts, err := s.current()
	if err != nil {
		return nil, err
	}
	// A store that lends its trials changes one by storing a new *Trial:
	// only the trials that changed are encoded again.
	each := make(map[int]encodedTrial, len(ts))
	data := []byte{'['}
	for i, t := range ts {
		e, ok := s.each[t.ID]
		if !ok || e.t != t {
			b, err := json.Marshal(t)
			if err != nil {
				return nil, err
			}
			e = encodedTrial{t, b}
		}
		each[t.ID] = e
		if i > 0 {
			data = append(data, ',')
		}
		data = append(data, e.data...)
	}
	data = append(data, ']')
	s.version, s.encoded, s.each = v, data, each
	return data, nil
}

// current returns every trial: those the store lends when it is a
// trials.Lender (no copies; they are never changed), else copies.
func (s *Server) current() ([]*trials.Trial, error) {
	l, ok := s.r.(trials.Lender)
	if !ok {
		return s.r.Trials()
	}
	var ts []*trials.Trial
	err := l.Lend(func(all []*trials.Trial) error {
		ts = slices.Clone(all)
		return nil
	})
	return ts, err
}

func (s *Server) trial(w http.ResponseWriter, req *http.Request) {
	id, ok := pathID(w, req)
	if !ok {
		return
	}
	t, err := s.r.Trial(id)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, t)
}

func (s *Server) checkpoint(w http.ResponseWriter, req *http.Request) {
	id, ok := pathID(w, req)
	if !ok {
		return
	}
	data, err := s.r.Checkpoint(id)
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(data)
}

func (s *Server) versionOf(w http.ResponseWriter, _ *http.Request) {
	v, err := s.r.Version()
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, versionBody{Version: &v})
}

func (s *Server) queued(w http.ResponseWriter, _ *http.Request) {
	q, ok := s.r.(Queue)
	if !ok {
		fail(w, fmt.Errorf("%s: queued values: %w", s.path, errors.ErrUnsupported))
		return
	}
	vs, err := q.Queued()
	if err != nil {
		fail(w, err)
		return
	}
	if vs == nil {
		vs = []hp.Values{}
	}
	writeJSON(w, vs)
}

// enqueue queues the values of the request's body in the served store.
func (s *Server) enqueue(w http.ResponseWriter, req *http.Request) {
	q, ok := s.r.(Queue)
	if !ok {
		fail(w, fmt.Errorf("%s: %w", s.path, trials.ErrReadOnly))
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxQueuedBody))
	if err != nil {
		writeError(w, http.StatusBadRequest, errorBody{Message: fmt.Sprintf("values to queue: %v", err)})
		return
	}
	v, err := decodeEnqueue(data)
	if err != nil {
		writeError(w, http.StatusBadRequest, errorBody{Message: err.Error()})
		return
	}
	if err := q.Enqueue(v); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// pathID reads the {id} of a request, answering 400 when it is not a
// trial id.
func pathID(w http.ResponseWriter, req *http.Request) (int, bool) {
	id, err := strconv.Atoi(req.PathValue("id"))
	if err != nil || id < 1 {
		writeError(w, http.StatusBadRequest, errorBody{Message: fmt.Sprintf("trial id %q: want a number, 1 or more", req.PathValue("id"))})
		return 0, false
	}
	return id, true
}

// fail answers with a read's error.
func fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, trials.ErrNoTrial) || errors.Is(err, trials.ErrNoCheckpoint) || errors.Is(err, trials.ErrNoStudy):
		status = http.StatusNotFound
	case errors.Is(err, trials.ErrReadOnly):
		status = http.StatusForbidden
	case errors.Is(err, errors.ErrUnsupported):
		status = http.StatusNotImplemented
	}
	writeError(w, status, errorBody{Kind: kindOf(err), Message: err.Error()})
}

func writeError(w http.ResponseWriter, status int, b errorBody) {
	data, _ := json.Marshal(b) // two strings always encode
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

func writeJSON(w http.ResponseWriter, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(data)
}
