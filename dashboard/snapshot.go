package dashboard

import (
	"encoding/json"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/importance"
	"github.com/tunekit/tune/trials"
)

// snapshot is one reading of the source and what is derived from it. It
// is never changed once published; derived JSON is computed on first use
// and kept with it, so that 10,000 trials are summarized once per change,
// not once per request.
type snapshot struct {
	version uint64 // counts the server's reloads
	read    time.Time
	study   *trials.StudyRecord
	trials  []*trials.Trial // in id order
	byID    map[int]*trials.Trial
	rows    []row // one per trial, in id order
	// children lists, per trial id, the trials that continue it (Hyperband
	// promotions).
	children map[int][]int

	mu      sync.Mutex
	derived map[string][]byte // cached JSON by endpoint
}

// row is a trial as the table shows it.
type row struct {
	ID        int            `json:"id"`
	Status    trials.Status  `json:"status"`
	Score     *float64       `json:"score"`
	BestEpoch *int           `json:"best_epoch"`
	Epochs    int            `json:"epochs"`
	Seconds   float64        `json:"seconds"`
	Started   time.Time      `json:"started,omitzero"`
	Error     string         `json:"error,omitempty"`
	Values    hp.Values      `json:"values"`
	Metrics   map[string]any `json:"metrics,omitempty"`
}

func newSnapshot(version uint64, st *trials.StudyRecord, ts []*trials.Trial, now time.Time) *snapshot {
	ts = slices.Clone(ts)
	slices.SortFunc(ts, func(a, b *trials.Trial) int { return a.ID - b.ID })
	s := &snapshot{version: version, read: now, study: st, trials: ts, byID: make(map[int]*trials.Trial, len(ts)),
		rows: make([]row, len(ts)), children: map[int][]int{}, derived: map[string][]byte{}}
	for i, t := range ts {
		s.byID[t.ID] = t
		if t.Parent != 0 {
			s.children[t.Parent] = append(s.children[t.Parent], t.ID)
		}
		r := row{ID: t.ID, Status: t.Status, Score: finite(t.Score), Epochs: epochsRun(t), Seconds: duration(t, now).Seconds(),
			Started: t.Started, Error: t.Error, Values: t.Values}
		if r.Score != nil {
			e := t.BestEpoch
			r.BestEpoch = &e
		}
		if r.Values == nil {
			r.Values = hp.Values{}
		}
		if len(t.Metrics) > 0 {
			r.Metrics = make(map[string]any, len(t.Metrics))
			for k, v := range t.Metrics {
				r.Metrics[k] = jsonNumber(v)
			}
		}
		s.rows[i] = r
	}
	return s
}

// cached returns the JSON of key, computing it with fn once per snapshot.
func (s *snapshot) cached(key string, fn func() any) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.derived[key]; ok {
		return b
	}
	b, err := json.Marshal(fn())
	if err != nil {
		// Every value is built here from plain types, NaN and Inf
		// excluded: an error is a bug.
		panic("dashboard: " + err.Error())
	}
	s.derived[key] = b
	return b
}

// historyJSON is GET /api/history.
func (s *snapshot) historyJSON() []byte {
	return s.cached("history", func() any { return s.history() })
}

// importanceJSON is GET /api/importance.
func (s *snapshot) importanceJSON() []byte {
	return s.cached("importance", func() any { return s.importanceAnswer() })
}

// objective returns the study's objective.
func (s *snapshot) objective() goal.Objective { return s.study.Objective }

// params returns the space's hyperparameters, or none.
func (s *snapshot) params() []hp.Param {
	if s.study.Space == nil {
		return nil
	}
	return s.study.Space.Params()
}

// scored returns the completed trials with a finite score, in id order.
func (s *snapshot) scored() []*trials.Trial {
	var out []*trials.Trial
	for _, t := range s.trials {
		if t.Status == trials.Completed && finite(t.Score) != nil {
			out = append(out, t)
		}
	}
	return out
}

// importance returns the hyperparameters' importance, or why there is
// none.
func (s *snapshot) importance() ([]importance.Importance, error) {
	return importance.FromTrials(s.study, s.trials, nil)
}

// finite returns p when it points to a finite number, else nil: JSON has
// no NaN.
func finite(p *float64) *float64 {
	if p == nil || math.IsNaN(*p) || math.IsInf(*p, 0) {
		return nil
	}
	return p
}

// jsonNumber returns v, or nil for NaN and infinities.
func jsonNumber(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// epochsRun counts the epochs a trial logged in its first execution.
func epochsRun(t *trials.Trial) int {
	n := 0
	for _, e := range t.History {
		if e.Execution == 0 {
			n++
		}
	}
	return n
}

// duration is how long a trial ran, so far for a running one.
func duration(t *trials.Trial, now time.Time) time.Duration {
	switch {
	case t.Started.IsZero():
		return 0
	case !t.Ended.IsZero():
		return t.Ended.Sub(t.Started)
	case t.Status == trials.Running:
		return now.Sub(t.Started)
	}
	return 0
}
