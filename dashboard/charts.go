package dashboard

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/importance"
	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials"
)

// overview is GET /api/study.
type overview struct {
	Project    string           `json:"project"`
	Objective  goal.Objective   `json:"objective"`
	Objectives []goal.Objective `json:"objectives"` // several: the Pareto page applies
	Oracle     string           `json:"oracle"`
	Pruner     string           `json:"pruner,omitempty"`
	Seed       int64            `json:"seed"`
	Params     []paramInfo      `json:"params"`
	Metrics    []string         `json:"metrics"`
	Counts     map[string]int   `json:"counts"`
	Total      int              `json:"total"`
	MaxTrials  int              `json:"max_trials,omitempty"`
	Best       *row             `json:"best"`
	Started    time.Time        `json:"started,omitzero"`
	Elapsed    float64          `json:"elapsed_seconds"`
	ETA        *float64         `json:"eta_seconds"`
	Running    bool             `json:"running"`
	StudyFile  string           `json:"study_file,omitempty"`
	Version    uint64           `json:"version"`
	Read       time.Time        `json:"read"`
	Stale      string           `json:"stale,omitempty"` // why the data may be old
}

// paramInfo describes a hyperparameter for the charts.
type paramInfo struct {
	Name string  `json:"name"`
	Kind hp.Kind `json:"kind"`
	Log  bool    `json:"log"`
	// Min and Max are set for ranges only; a range's 0 bound is still sent.
	Min        *float64 `json:"min,omitempty"`
	Max        *float64 `json:"max,omitempty"`
	Categories []any    `json:"categories,omitempty"` // a choice's or boolean's values
	Condition  string   `json:"condition,omitempty"`
}

func (s *snapshot) paramInfos() []paramInfo {
	out := []paramInfo{}
	for _, p := range s.params() {
		pi := paramInfo{Name: p.Name, Kind: p.Kind, Log: p.Sampling == hp.Log}
		switch p.Kind {
		case hp.KindInt, hp.KindFloat:
			pi.Min, pi.Max = &p.Min, &p.Max
		default:
			pi.Categories = p.Values
		}
		for i, c := range p.Conditions {
			if i > 0 {
				pi.Condition += "; "
			}
			pi.Condition += fmt.Sprintf("%s in %v", c.Parent, c.Values)
		}
		out = append(out, pi)
	}
	return out
}

// metricNames returns every metric name any trial logged, sorted.
func (s *snapshot) metricNames() []string {
	seen := map[string]bool{}
	for _, t := range s.trials {
		for _, e := range t.History {
			for k := range e.Metrics {
				seen[k] = true
			}
		}
	}
	out := []string{}
	for k := range seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (s *snapshot) overview(o *Options, stale string) overview {
	ov := overview{Project: o.Project, Objective: s.objective(), Objectives: o.objectives(s.objective()),
		Oracle: s.study.Oracle, Pruner: o.Pruner, Seed: s.study.Seed, Params: s.paramInfos(), Metrics: s.metricNames(),
		Counts: map[string]int{}, Total: len(s.trials), MaxTrials: o.MaxTrials, StudyFile: o.StudyFile,
		Version: s.version, Read: s.read, Stale: stale}
	var last time.Time
	finished := 0
	for _, t := range s.trials {
		ov.Counts[string(t.Status)]++
		if !t.Started.IsZero() && (ov.Started.IsZero() || t.Started.Before(ov.Started)) {
			ov.Started = t.Started
		}
		if t.Ended.After(last) {
			last = t.Ended
		}
		if t.Status == trials.Running {
			ov.Running = true
		}
		if t.Status.Final() {
			finished++
		}
	}
	if best := trials.Best(s.trials, s.objective(), 1, trials.CompletedOnly); len(best) > 0 && finite(best[0].Score) != nil {
		i, _ := slices.BinarySearchFunc(s.rows, best[0].ID, func(r row, id int) int { return cmp.Compare(r.ID, id) })
		ov.Best = &s.rows[i]
	}
	switch {
	case ov.Started.IsZero():
	case ov.Running:
		ov.Elapsed = s.read.Sub(ov.Started).Seconds()
	default:
		ov.Elapsed = last.Sub(ov.Started).Seconds()
	}
	if ov.Running && o.MaxTrials > 0 && finished > 0 && finished < o.MaxTrials {
		eta := ov.Elapsed / float64(finished) * float64(o.MaxTrials-finished)
		ov.ETA = &eta
	}
	return ov
}

// historyPoint is one completed trial of GET /api/history.
type historyPoint struct {
	ID    int     `json:"id"`
	Score float64 `json:"score"`
	Best  float64 `json:"best"` // best score so far, this trial included
}

func (s *snapshot) history() []historyPoint {
	o := s.objective()
	out := []historyPoint{}
	best := o.Worst()
	for _, t := range s.scored() {
		if o.Better(*t.Score, best) {
			best = *t.Score
		}
		out = append(out, historyPoint{ID: t.ID, Score: *t.Score, Best: best})
	}
	return out
}

// points is GET /api/points: every completed trial's values and score,
// for the parallel coordinates, slice and Pareto charts.
type points struct {
	Objective  goal.Objective   `json:"objective"`
	Objectives []goal.Objective `json:"objectives"`
	Params     []paramInfo      `json:"params"`
	Trials     []point          `json:"trials"`
}

type point struct {
	ID     int       `json:"id"`
	Score  float64   `json:"score"`
	Values []any     `json:"values"`               // in Params order; null where inactive
	Objs   []any     `json:"objectives,omitempty"` // in Objectives order, when several
	Front  bool      `json:"front,omitempty"`      // on the Pareto front
	objs   []float64 // nil when an objective is missing
}

func (s *snapshot) points(o *Options) points {
	ps := points{Objective: s.objective(), Objectives: o.objectives(s.objective()), Params: s.paramInfos(), Trials: []point{}}
	for _, t := range s.scored() {
		p := point{ID: t.ID, Score: *t.Score, Values: make([]any, len(ps.Params))}
		for i, pi := range ps.Params {
			p.Values[i] = t.Values[pi.Name]
		}
		if len(ps.Objectives) > 1 {
			p.objs = make([]float64, len(ps.Objectives))
			for i, ob := range ps.Objectives {
				v, ok := t.Metrics[ob.Name]
				if ob.Name == ps.Objective.Name {
					v, ok = *t.Score, true
				}
				if !ok || jsonNumber(v) == nil {
					p.objs = nil
					break
				}
				p.objs[i] = v
				p.Objs = append(p.Objs, v)
			}
		}
		ps.Trials = append(ps.Trials, p)
	}
	if len(ps.Objectives) > 1 {
		markFront(ps.Trials, ps.Objectives)
	}
	return ps
}

// markFront marks the points of the Pareto front, as oracle.FrontTrials
// (and so tune report) finds it: those no other point dominates, at least
// as good in every objective and better in one.
func markFront(ps []point, objs []goal.Objective) {
	var at []int         // the index in ps of each vector
	var vecs [][]float64 // every coordinate minimized, as oracle wants
	for i, p := range ps {
		if p.objs == nil {
			continue
		}
		v := slices.Clone(p.objs)
		for k, o := range objs {
			if o.Direction == goal.Maximize {
				v[k] = -v[k]
			}
		}
		at, vecs = append(at, i), append(vecs, v)
	}
	for _, j := range oracle.ParetoFront(vecs) {
		ps[at[j]].Front = true
	}
}

// curve is one trial's per-epoch values of some metrics.
type curve struct {
	ID     int              `json:"id"`
	Status trials.Status    `json:"status"`
	Epochs []int            `json:"epochs"` // 1-based
	Values map[string][]any `json:"values"` // metric → one value per epoch; null where not logged
}

func trialCurve(t *trials.Trial, metrics []string) curve {
	c := curve{ID: t.ID, Status: t.Status, Epochs: []int{}, Values: map[string][]any{}}
	for _, m := range metrics {
		c.Values[m] = []any{}
	}
	for _, e := range t.History {
		if e.Execution != 0 {
			continue
		}
		c.Epochs = append(c.Epochs, e.Epoch+1)
		for _, m := range metrics {
			v, ok := e.Metrics[m]
			var x any
			if ok {
				x = jsonNumber(v)
			}
			c.Values[m] = append(c.Values[m], x)
		}
	}
	return c
}

// maxIntermediate bounds the trials GET /api/intermediate returns.
const maxIntermediate = 300

// intermediate returns the objective's curve of the running, pruned and
// stopped trials, the newest maxIntermediate of them.
func (s *snapshot) intermediate() []curve {
	out := []curve{}
	for i := len(s.trials) - 1; i >= 0 && len(out) < maxIntermediate; i-- {
		t := s.trials[i]
		if t.Status == trials.Running || t.Status == trials.Pruned || t.Status == trials.Stopped {
			out = append(out, trialCurve(t, []string{s.objective().Name}))
		}
	}
	slices.SortFunc(out, func(a, b curve) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// importanceAnswer is GET /api/importance.
type importanceAnswer struct {
	Method      string                  `json:"method"`
	Importances []importance.Importance `json:"importances"`
	Reason      string                  `json:"reason,omitempty"` // why there are none
}

func (s *snapshot) importanceAnswer() importanceAnswer {
	a := importanceAnswer{Method: "PED-ANOVA", Importances: []importance.Importance{}}
	imp, err := s.importance()
	switch {
	case errors.Is(err, importance.ErrTooFewTrials):
		a.Reason = "importance needs at least 3 completed trials"
	case errors.Is(err, importance.ErrNoSpace):
		a.Reason = "the study tunes no hyperparameter"
	case err != nil:
		a.Reason = err.Error()
	default:
		a.Importances = imp
	}
	return a
}
