package oracle

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// TPE is the tree-structured Parzen estimator (Bergstra et al. 2011) with
// the defaults of Optuna's TPESampler, so that an Optuna user finds the
// sampler they know.
//
// The first NumStartupTrials proposals (counting trials of every status,
// and the prior trials of a warm start) are random, exactly as
// RandomSearch's. After that the observations — completed and pruned
// trials with a finite score, State.Prior's first (the oldest, weighted
// as such) — are sorted by score
// and split: the best γ(n) = min(⌈0.1·n⌉, 25) form the "good" group, the
// rest and every running or pending trial (a constant liar, so parallel
// workers spread out) the "bad" one. Each group gets a Parzen estimator on
// the unit-interval encoding (hp.Param.ToUnit): per observation a Gaussian
// truncated to [0, 1] for a numeric hyperparameter (a stepped one is
// snapped to its grid afterwards), or for a Choice or Boolean a
// distribution putting weight 1 on its value and PriorWeight spread over
// all values; plus one prior component (a Gaussian of width 1 at 0.5, or
// uniform). Observations are weighted as Optuna does: the newest 25 by 1,
// older ones ramping linearly down to 1/n. NumCandidates values are drawn
// from the good estimator and the one maximizing log l(x) − log g(x) is
// proposed (the next best if it was tried before).
//
// Univariate (the default) models every hyperparameter on its own, from
// the trials where it is active, so conditional spaces need nothing
// special; a component's width is the larger distance to its neighbours,
// clipped to [1/min(100, n+1), 1]. Multivariate models the unconditional
// hyperparameters jointly (one component per trial, widths 0.2·n^(−1/(d+4))
// by Scott's rule, as Optuna's multivariate TPE) and the conditional ones
// univariately.
//
// It keeps nothing between calls: the draws depend on the study seed and
// the number of trials.
type TPE struct {
	// NumStartupTrials is the number of random proposals first. Zero means 10.
	NumStartupTrials int `json:"num_startup_trials,omitempty"`
	// NumCandidates is how many draws from the good estimator are
	// compared. Zero means 24.
	NumCandidates int `json:"num_candidates,omitempty"`
	// PriorWeight is the weight of the prior component. Zero means 1.
	PriorWeight float64 `json:"prior_weight,omitempty"`
	// Multivariate models the unconditional hyperparameters jointly.
	Multivariate bool `json:"multivariate,omitempty"`
	// MaxCollisions is how many random draws in a row may hit tried values
	// before the search ends with ErrExhausted. Zero means 20.
	MaxCollisions int `json:"max_collisions,omitempty"`
}

// Name returns "tpe".
func (t *TPE) Name() string { return "tpe" }

// UsesPrior marks TPE as learning from State.Prior.
func (t *TPE) UsesPrior() {}

// Validate checks the settings.
func (t *TPE) Validate() error {
	switch {
	case t.NumStartupTrials < 0:
		return settingErrorf("num_startup_trials", "oracle tpe: num_startup_trials %d must not be negative", t.NumStartupTrials)
	case t.NumCandidates < 0:
		return settingErrorf("num_candidates", "oracle tpe: num_candidates %d must not be negative", t.NumCandidates)
	case !(t.PriorWeight >= 0) || math.IsInf(t.PriorWeight, 0):
		return settingErrorf("prior_weight", "oracle tpe: prior_weight %v must be a non-negative number", t.PriorWeight)
	}
	return nil
}

// Next proposes the candidate with the best density ratio.
func (t *TPE) Next(s State) (Proposal, error) {
	if err := t.Validate(); err != nil {
		return Proposal{}, err
	}
	if s.Space == nil {
		return Proposal{}, fmt.Errorf("oracle tpe: no search space")
	}
	startup, ncand, prior := t.NumStartupTrials, t.NumCandidates, t.PriorWeight
	if startup == 0 {
		startup = 10
	}
	if ncand == 0 {
		ncand = 24
	}
	if prior == 0 {
		prior = 1
	}
	random := func() (Proposal, error) { return (&RandomSearch{MaxCollisions: t.MaxCollisions}).Next(s) }
	if len(s.Prior)+len(s.Trials) < startup {
		return random()
	}
	good, bad := tpeSplit(s)
	if len(good) == 0 {
		return random()
	}
	params := s.Space.Params()
	g := rng(s.Seed, len(s.Trials))
	// u[c][i] is candidate c's unit coordinate of param i; ratio[c] its
	// summed log density ratio.
	u := make([][]float64, ncand)
	for c := range u {
		u[c] = make([]float64, len(params))
	}
	ratio := make([]float64, ncand)
	var joint []int
	for i := range params {
		p := &params[i]
		if p.Count() == 1 {
			continue
		}
		if t.Multivariate && len(p.Conditions) == 0 {
			joint = append(joint, i)
			continue
		}
		t.sampleGroup(s.Space, []int{i}, good, bad, prior, false, g, u, ratio)
	}
	if len(joint) > 0 {
		t.sampleGroup(s.Space, joint, good, bad, prior, true, g, u, ratio)
	}
	order := make([]int, ncand)
	for c := range order {
		order[c] = c
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(ratio[b], ratio[a]) })
	seen := tried(s.Trials)
	for _, c := range order {
		v := s.Space.FromUnit(u[c])
		if !seen[v.Key()] {
			return Proposal{Values: v}, nil
		}
	}
	return random()
}

// tpeSplit returns the good and bad trials, each in id order.
func tpeSplit(s State) (good, bad []*trials.Trial) {
	type scored struct {
		t *trials.Trial
		y float64
	}
	var obs []scored
	sign := 1.0
	if s.Objective.Direction == goal.Maximize {
		sign = -1
	}
	for _, t := range s.observed() {
		switch t.Status {
		case trials.Completed, trials.Pruned:
			if t.Score != nil && finite(*t.Score) {
				obs = append(obs, scored{t, sign * *t.Score})
			}
		case trials.Running, trials.Pending:
			bad = append(bad, t)
		}
	}
	slices.SortStableFunc(obs, func(a, b scored) int { return cmp.Compare(a.y, b.y) })
	n := min((len(obs)+9)/10, 25)
	for i, o := range obs {
		if i < n {
			good = append(good, o.t)
		} else {
			bad = append(bad, o.t)
		}
	}
	byID := func(a, b *trials.Trial) int { return cmp.Compare(a.ID, b.ID) }
	slices.SortFunc(good, byID)
	slices.SortFunc(bad, byID)
	return good, bad
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// sampleGroup draws the coordinates of params idx for every candidate from
// the good estimator and adds log l − log g to ratio.
func (t *TPE) sampleGroup(space *hp.Space, idx []int, good, bad []*trials.Trial, prior float64, joint bool, g *rand.Rand, u [][]float64, ratio []float64) {
	l := newParzen(space, idx, good, prior, joint)
	b := newParzen(space, idx, bad, prior, joint)
	x := make([]float64, len(idx))
	for c := range u {
		l.sample(g, x)
		for j, i := range idx {
			u[c][i] = x[j]
		}
		ratio[c] += l.logPDF(x) - b.logPDF(x)
	}
}

// parzen is a mixture over a few hyperparameters: component k has, for
// numeric dimension j, a truncated Gaussian (mu[k][j], sigma[k][j]) on
// [0, 1], and for a categorical one weight 1 on index cat[k][j] plus
// prior/count on every index. The last component is the prior.
type parzen struct {
	count  []int // 0 numeric, else the number of categories
	w      []float64
	mu     [][]float64
	sigma  [][]float64
	cat    [][]int // -1 in the prior component
	prior  float64
	logZ   [][]float64
	logCat []float64 // per dimension: log(prior/count/(prior+1)), log((1+prior/count)/(prior+1))
	logUni []float64 // per dimension: log(1/count)
}

func newParzen(space *hp.Space, idx []int, ts []*trials.Trial, prior float64, joint bool) *parzen {
	params := space.Params()
	d := len(idx)
	pz := &parzen{count: make([]int, d), prior: prior, logCat: make([]float64, 2*d), logUni: make([]float64, d)}
	for j, i := range idx {
		p := &params[i]
		if p.Kind == hp.KindChoice || p.Kind == hp.KindBoolean {
			n := float64(p.Count())
			pz.count[j] = p.Count()
			pz.logCat[2*j] = math.Log(prior / n / (prior + 1))
			pz.logCat[2*j+1] = math.Log((1 + prior/n) / (prior + 1))
			pz.logUni[j] = -math.Log(n)
		}
	}
	// Observations: the trials where every param of the group is active.
	for _, t := range ts {
		mu := make([]float64, d)
		cat := make([]int, d)
		ok := true
		for j, i := range idx {
			p := &params[i]
			v, active := t.Values[p.Name]
			if !active {
				ok = false
				break
			}
			if pz.count[j] > 0 {
				cat[j] = slices.Index(p.Values, v)
				ok = cat[j] >= 0
			} else {
				var err error
				mu[j], err = p.ToUnit(v)
				ok = err == nil
			}
			if !ok {
				break
			}
		}
		if ok {
			pz.mu = append(pz.mu, mu)
			pz.cat = append(pz.cat, cat)
		}
	}
	n := len(pz.mu)
	pz.w = tpeWeights(n)
	pz.sigma = make([][]float64, n)
	for k := range pz.sigma {
		pz.sigma[k] = make([]float64, d)
	}
	minSigma := 1 / math.Min(100, float64(n+1))
	for j := range idx {
		if pz.count[j] > 0 {
			continue
		}
		if joint {
			s := 0.2 * math.Pow(float64(n+1), -1/(float64(d)+4))
			for k := range n {
				pz.sigma[k][j] = math.Min(math.Max(s, minSigma), 1)
			}
			continue
		}
		// The larger distance to a neighbour among the observations and
		// the prior's centre, sorted.
		order := make([]int, n+1)
		for k := range order {
			order[k] = k
		}
		at := func(k int) float64 {
			if k == n {
				return 0.5
			}
			return pz.mu[k][j]
		}
		slices.SortFunc(order, func(a, b int) int { return cmp.Compare(at(a), at(b)) })
		for r, k := range order {
			if k == n {
				continue
			}
			var s float64
			if r > 0 {
				s = at(k) - at(order[r-1])
			}
			if r+1 < len(order) {
				s = math.Max(s, at(order[r+1])-at(k))
			}
			pz.sigma[k][j] = math.Min(math.Max(s, minSigma), 1)
		}
	}
	// The prior component.
	pm, ps, pc := make([]float64, d), make([]float64, d), make([]int, d)
	for j := range pm {
		pm[j], ps[j], pc[j] = 0.5, 1, -1
	}
	pz.mu, pz.sigma, pz.cat = append(pz.mu, pm), append(pz.sigma, ps), append(pz.cat, pc)
	pz.w = append(pz.w, prior)
	var sum float64
	for _, w := range pz.w {
		sum += w
	}
	for k := range pz.w {
		pz.w[k] /= sum
	}
	pz.logZ = make([][]float64, len(pz.mu))
	for k := range pz.mu {
		pz.logZ[k] = make([]float64, d)
		for j := range d {
			if pz.count[j] == 0 {
				pz.logZ[k][j] = math.Log(normCDF((1-pz.mu[k][j])/pz.sigma[k][j]) - normCDF(-pz.mu[k][j]/pz.sigma[k][j]))
			}
		}
	}
	return pz
}

// tpeWeights are Optuna's default observation weights, oldest first.
func tpeWeights(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
		if n > 25 && i < n-25 {
			// linspace(1/n, 1, n−25) over the older ones
			if m := n - 25; m > 1 {
				w[i] = 1/float64(n) + (1-1/float64(n))*float64(i)/float64(m-1)
			} else {
				w[i] = 1 / float64(n)
			}
		}
	}
	return w
}

func normCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

func (pz *parzen) sample(g *rand.Rand, x []float64) {
	r := g.Float64()
	k := 0
	for ; k < len(pz.w)-1; k++ {
		if r -= pz.w[k]; r < 0 {
			break
		}
	}
	for j := range x {
		if n := pz.count[j]; n > 0 {
			c := pz.cat[k][j]
			// the observed index with probability 1/(1+prior), else uniform
			if c < 0 || g.Float64() < pz.prior/(1+pz.prior) {
				c = g.IntN(n)
			}
			x[j] = (float64(c) + 0.5) / float64(n)
			continue
		}
		// a truncated Gaussian by inverting its CDF
		m, s := pz.mu[k][j], pz.sigma[k][j]
		lo, hi := normCDF(-m/s), normCDF((1-m)/s)
		q := lo + g.Float64()*(hi-lo)
		v := m + s*math.Sqrt2*math.Erfinv(2*q-1)
		if !finite(v) {
			v = g.Float64()
		}
		x[j] = math.Min(math.Max(v, 0), 1)
	}
}

func (pz *parzen) logPDF(x []float64) float64 {
	best := math.Inf(-1)
	terms := make([]float64, len(pz.w))
	for k, w := range pz.w {
		lp := math.Log(w)
		for j, v := range x {
			if n := pz.count[j]; n > 0 {
				c := min(int(v*float64(n)), n-1)
				switch pz.cat[k][j] {
				case -1:
					lp += pz.logUni[j]
				case c:
					lp += pz.logCat[2*j+1]
				default:
					lp += pz.logCat[2*j]
				}
				continue
			}
			z := (v - pz.mu[k][j]) / pz.sigma[k][j]
			lp += -0.5*z*z - math.Log(pz.sigma[k][j]) - 0.5*math.Log(2*math.Pi) - pz.logZ[k][j]
		}
		terms[k] = lp
		best = math.Max(best, lp)
	}
	if math.IsInf(best, -1) {
		return best
	}
	var sum float64
	for _, lp := range terms {
		sum += math.Exp(lp - best)
	}
	return best + math.Log(sum)
}
