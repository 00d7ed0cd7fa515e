package trials

import "github.com/tunekit/tune/hp"

// WarmStart records the trials of other studies that seed a study's
// oracle (tuner.Options.WarmStart). They are read from their sources once,
// when the study is created, and stored with the study's definition in
// the same write, so that a resumed study reads no source again and its
// oracle's history is the same as before.
type WarmStart struct {
	Sources []WarmSource `json:"sources"`
}

// WarmSource is what one source lent: the trials that fit the study and
// how many did not, by reason.
type WarmSource struct {
	// Source names the source as it was given: a project directory, a
	// store file or an etcd:// URL.
	Source string `json:"source"`
	// Trials are the source's completed and pruned trials with a finite
	// score whose values fit the study's search space, in the source's
	// id order, their values completed with the space's defaults.
	Trials []SeedTrial `json:"trials"`
	// Skipped counts the source's scored trials that did not fit.
	Skipped []SkipCount `json:"skipped"`
}

// SeedTrial is one trial of a source, as much of it as an oracle reads.
type SeedTrial struct {
	// ID is the trial's id in its source.
	ID     int       `json:"id"`
	Status Status    `json:"status"`
	Values hp.Values `json:"values"`
	Score  float64   `json:"score"`
}

// SkipCount is how many trials of a source were skipped for one reason.
type SkipCount struct {
	Reason string `json:"reason"`
	Trials int    `json:"trials"`
}

// Len returns the number of seed trials of every source.
func (w *WarmStart) Len() int {
	if w == nil {
		return 0
	}
	n := 0
	for _, s := range w.Sources {
		n += len(s.Trials)
	}
	return n
}

// Prior returns the seed trials of every source, in source order, as the
// trials an oracle reads (oracle.State.Prior): their ids run from −n to
// −1, so that ordering trials by id puts them before the study's own, in
// the order they were given; Status, Values and Score are the seeds'.
func (w *WarmStart) Prior() []*Trial {
	n := w.Len()
	if n == 0 {
		return nil
	}
	out := make([]*Trial, 0, n)
	for _, s := range w.Sources {
		for _, st := range s.Trials {
			score := st.Score
			out = append(out, &Trial{ID: len(out) - n, Status: st.Status, Values: st.Values, Score: &score})
		}
	}
	return out
}

// normalize makes a decoded warm start encode and decode back to itself:
// a seed's missing values are empty values, as hp.Values encodes nil.
func (w *WarmStart) normalize() {
	if w == nil {
		return
	}
	for i := range w.Sources {
		for j := range w.Sources[i].Trials {
			if w.Sources[i].Trials[j].Values == nil {
				w.Sources[i].Trials[j].Values = hp.Values{}
			}
		}
	}
}
