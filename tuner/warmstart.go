package tuner

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/etcdstore"
	"github.com/tunekit/tune/trials/live"
)

// WarmStartError is an error reading a warm-start source (Options.WarmStart):
// it names the source and wraps the cause (fs.ErrNotExist,
// trials.ErrDamaged, trials.ErrLocked, ErrStudyMismatch for another
// objective, …). The project's store is left as it was.
type WarmStartError struct {
	Source string
	Err    error
}

func (e *WarmStartError) Error() string {
	return fmt.Sprintf("tuner: warm start from %s: %v", e.Source, e.Err)
}

func (e *WarmStartError) Unwrap() error { return e.Err }

// quietError says msg and wraps err without repeating its text.
type quietError struct {
	msg string
	err error
}

func (e *quietError) Error() string { return e.msg }
func (e *quietError) Unwrap() error { return e.err }

// warmSource returns the name a source is stored and compared by: an etcd
// URL as given, a path made absolute and clean, so that the same project
// named from another directory is the same source.
func warmSource(src string) string {
	if etcdstore.IsURL(src) || src == "" {
		return src
	}
	if abs, err := filepath.Abs(src); err == nil {
		return abs
	}
	return filepath.Clean(src)
}

// warmSources returns the normalized sources of opts.
func warmSources(srcs []string) []string {
	out := make([]string, len(srcs))
	for i, s := range srcs {
		out[i] = warmSource(s)
	}
	return out
}

// storedSources returns the sources a stored study was warm-started from.
func storedSources(w *trials.WarmStart) []string {
	if w == nil {
		return nil
	}
	out := make([]string, len(w.Sources))
	for i, s := range w.Sources {
		out[i] = s.Source
	}
	return out
}

// readWarmStart reads every source's seed trials for the study want, whose
// store is at own (a file path, or "" when the store was given). Nothing
// is written anywhere.
func readWarmStart(srcs []string, want *trials.StudyRecord, own string) (*trials.WarmStart, error) {
	w := &trials.WarmStart{}
	seen := map[string]bool{}
	for _, src := range warmSources(srcs) {
		if seen[src] {
			return nil, &WarmStartError{Source: src, Err: errors.New("the source is listed twice")}
		}
		seen[src] = true
		ws, err := readWarmSource(src, want, own)
		if err != nil {
			return nil, &WarmStartError{Source: src, Err: err}
		}
		w.Sources = append(w.Sources, *ws)
	}
	return w, nil
}

// openWarmSource opens a source for reading: an etcd study, or a bbolt
// file (a project directory names its study.db), read through the live
// socket of the search that holds it, if one does.
func openWarmSource(src, own string) (trials.Store, error) {
	if src == "" {
		return nil, errors.New("an empty source")
	}
	if etcdstore.IsURL(src) {
		return etcdstore.OpenURL(src, &etcdstore.Options{ReadOnly: true})
	}
	path := src
	fi, err := os.Stat(src)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &quietError{"no project there", fs.ErrNotExist}
	case err != nil:
		return nil, err
	case fi.IsDir():
		path = filepath.Join(src, "study.db")
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, &quietError{fmt.Sprintf("no project there (%s does not exist)", path), fs.ErrNotExist}
		}
	}
	if own != "" && warmSource(path) == warmSource(own) {
		return nil, errors.New("it is this project's own store")
	}
	return live.Open(path, 0)
}

// readWarmSource reads one source's seed trials: its completed and pruned
// trials with a finite score, their values completed with want's space.
func readWarmSource(src string, want *trials.StudyRecord, own string) (*trials.WarmSource, error) {
	store, err := openWarmSource(src, own)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	st, err := store.Study()
	if errors.Is(err, trials.ErrNoStudy) {
		return nil, &quietError{"the project is empty: no search has started in it", err}
	}
	if err != nil {
		return nil, err
	}
	switch {
	case st.Objective != want.Objective:
		return nil, &quietError{fmt.Sprintf("its objective %s (%s) is not this study's %s (%s)",
			st.Objective.Name, st.Objective.Direction, want.Objective.Name, want.Objective.Direction), ErrStudyMismatch}
	case !slices.Equal(st.Objectives, want.Objectives):
		return nil, &quietError{fmt.Sprintf("its objectives %v are not this study's %v", st.Objectives, want.Objectives), ErrStudyMismatch}
	}
	var ts []*trials.Trial
	if es, ok := store.(trials.EpochStreamer); ok {
		ts, err = es.Summaries() // the epochs are not needed
	} else {
		ts, err = store.Trials()
	}
	if err != nil {
		return nil, err
	}
	out := &trials.WarmSource{Source: src}
	skipped := map[string]int{}
	for _, t := range ts {
		if t.Status != trials.Completed && t.Status != trials.Pruned || t.Score == nil {
			continue // not a result: failed, stopped, still running or pending
		}
		if math.IsNaN(*t.Score) || math.IsInf(*t.Score, 0) {
			skipped["a score that is not finite"]++
			continue
		}
		if name, ok := unknownName(want.Space, t.Values); ok {
			skipped[fmt.Sprintf("unknown hyperparameter %q", name)]++
			continue
		}
		v, err := want.Space.Complete(t.Values)
		if err != nil {
			skipped[misfit(err)]++
			continue
		}
		out.Trials = append(out.Trials, trials.SeedTrial{ID: t.ID, Status: t.Status, Values: v, Score: *t.Score})
	}
	for _, r := range slices.Sorted(maps.Keys(skipped)) {
		out.Skipped = append(out.Skipped, trials.SkipCount{Reason: r, Trials: skipped[r]})
	}
	return out, nil
}

// unknownName returns the first name of v, in sorted order, that space
// does not hold.
func unknownName(space *hp.Space, v hp.Values) (string, bool) {
	for _, name := range slices.Sorted(maps.Keys(v)) {
		if _, ok := space.Param(name); !ok {
			return name, true
		}
	}
	return "", false
}

// misfit says why values do not fit a space, by the hyperparameter the
// error of hp.Space.Complete names: a value out of range, off the
// choices, of the wrong type, or given to an inactive hyperparameter.
func misfit(err error) string {
	var he *hp.Error
	if !errors.As(err, &he) {
		return "values that do not fit the space"
	}
	return fmt.Sprintf("%q outside the space", he.Name)
}

// WarmStart returns the trials of other studies that seed this one's
// oracle, as stored with the study (nil without a warm start).
func (t *Tuner) WarmStart() *trials.WarmStart {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.study.WarmStart
}

// WarmStartSummary describes a warm start in one line per source:
// "warm start: 18 trials from DIR (2 skipped: unknown hyperparameter "momentum" 2)".
func WarmStartSummary(w *trials.WarmStart) []string {
	if w == nil {
		return nil
	}
	var lines []string
	for _, s := range w.Sources {
		line := fmt.Sprintf("warm start: %d trials from %s", len(s.Trials), s.Source)
		n := 0
		var reasons []string
		for _, c := range s.Skipped {
			n += c.Trials
			reasons = append(reasons, fmt.Sprintf("%s: %d", c.Reason, c.Trials))
		}
		if n > 0 {
			line += fmt.Sprintf(" (%d skipped: %s)", n, strings.Join(reasons, ", "))
		}
		lines = append(lines, line)
	}
	return lines
}
