package oracle

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/oracle/internal/gp"
	"github.com/tunekit/tune/trials"
)

// BayesianOptimization models the objective with a Gaussian process on the
// unit-interval encoding of the search space and proposes the values that
// maximize an acquisition function, as Keras Tuner's BayesianOptimization
// oracle does.
//
// The model. Every hyperparameter with more than one value contributes
// input coordinates: its unit-interval encoding (hp.Param.ToUnit), except
// an unordered Choice of three or more values, which is one-hot encoded
// (its values have no order for a length scale to measure; a two-valued
// choice needs one coordinate either way). A hyperparameter that is
// inactive in a trial has constant coordinates there: an all-zero one-hot
// block, or the encoding of its default (as hp.Space.ToUnit and Keras
// Tuner); the kernel tells such trials apart through the coordinates of
// the parent the condition is on. The Gaussian process has a Matérn 5/2
// kernel with one length scale per coordinate and a signal variance (one
// length scale shared by all coordinates while there are fewer than five
// observations per coordinate, with three coordinates or more), fitted to
// the standardized scores by maximizing the log marginal
// likelihood: it is evaluated at five starting points (one fixed, four
// random) and L-BFGS runs for up to 30 iterations from the best two (the
// best one beyond 64 observations), with Alpha added to the diagonal and
// growing jitter when a matrix is still singular. Scores are transformed
// (see Transform) and standardized first.
//
// The data. Completed trials with a score are observations; so are pruned
// trials with a score (the score where they stopped, a pessimistic but
// informative value: pruning is evidence that the region is poor). A score
// that is NaN or infinite counts as the worst finite score observed.
// Failed and stopped trials are not observations, but their values count
// as tried and are never proposed again. Running and pending trials are
// hallucinated: they enter the model with the score predicted there plus
// one standard deviation (pessimistic), so parallel workers asking in turn
// are steered to different points.
//
// Prior trials (State.Prior, a warm start from other studies) are
// observations too, older than every trial of the study; they count
// toward the initial points but not as tried, so the study may evaluate
// a source's values itself.
//
// The proposal. The first NumInitialPoints proposals (counting trials of
// every status and the prior ones), and any proposal while fewer than two observations exist
// or the model cannot be fitted, are random, exactly as RandomSearch's.
// After that, the acquisition function is evaluated at 384 uniformly
// random points and 180 Gaussian perturbations (standard deviations 0.02,
// 0.08 and 0.25 in the unit cube) of the five best observations; the five
// best of those are refined by projected-gradient ascent over the
// continuous coordinates (and those of ranges with many steps), within
// the unit cube, then snapped to valid values. The best untried candidate
// is proposed. A search space of at most 1024 combinations, all discrete,
// is enumerated instead, and ends with ErrExhausted when every
// combination was tried.
//
// Like every oracle it keeps nothing between calls: the draws depend on
// the study seed and the number of trials, so a resumed study proposes
// what the uninterrupted one would have. Each proposal fits the model
// afresh, in O(n³) time for n observations. Beyond 128 the model is
// fitted to 128 of them: the best 64 and 64 spread evenly over the
// others in trial order, so that a proposal's cost stops growing with the
// study (BenchmarkBayesianSuggest: 100, 400 and 1,000 trials over 8
// dimensions).
type BayesianOptimization struct {
	// NumInitialPoints is the number of random proposals before the model
	// is used. Zero means one more than the number of varying
	// hyperparameters, at least 6 but never more than Keras Tuner's
	// default of three per varying hyperparameter (at least 3): 3 for one
	// hyperparameter, 6 for two to five, d + 1 for d beyond. Keras
	// Tuner's 3·d spends most of a small budget at random (18 of 25
	// trials with six hyperparameters); the model, isotropic while the
	// sample is small, makes better use of them.
	NumInitialPoints int `json:"num_initial_points,omitempty"`
	// Alpha is the noise variance added to the kernel diagonal, in units
	// of the standardized scores. Zero means 1e-4.
	Alpha float64 `json:"alpha,omitempty"`
	// Beta weighs the standard deviation against the mean in the "ucb"
	// acquisition: the proposal maximizes −(mean − Beta·sd) of the
	// minimized objective. Zero means 2.6.
	Beta float64 `json:"beta,omitempty"`
	// Acquisition is "ucb" (upper confidence bound, the default) or "ei"
	// (expected improvement, maximized as its logarithm).
	Acquisition string `json:"acquisition,omitempty"`
	// Transform is how scores are transformed before they are
	// standardized for the model: "log" (the default) maps the minimized
	// score y to log(1 + (y − m)/s), with m the best score and s the
	// median distance from it, which keeps the good scores apart and
	// squeezes a long tail of bad ones (diverged runs, valleys like
	// Rosenbrock's) that would otherwise flatten the model; "none" only
	// standardizes, as Keras Tuner does.
	Transform string `json:"transform,omitempty"`
	// MaxCollisions is how many random draws in a row may hit tried values
	// before the search ends with ErrExhausted, when proposals are random.
	// Zero means 20.
	MaxCollisions int `json:"max_collisions,omitempty"`
}

// Defaults of BayesianOptimization's settings and the sizes of its
// acquisition search.
const (
	bayesAlpha      = 1e-4
	bayesBeta       = 2.6
	bayesRestarts   = 4    // random starting points of the fit, besides a fixed one
	bayesFitIters   = 30   // L-BFGS iterations per fit
	bayesRandom     = 384  // uniformly random candidates
	bayesTop        = 5    // best observations perturbed, candidates refined
	bayesPerturb    = 12   // perturbations per observation and scale
	bayesRefineIter = 40   // projected-gradient iterations per refinement
	bayesEnumerate  = 1024 // largest discrete space enumerated
	bayesManySteps  = 16   // a range with more values is refined like a continuous one
	bayesMaxObs     = 128  // most observations the model is fitted to (see data.bound)
	bayesMinInitial = 6    // fewest initial points by default (see initialPoints)
	// observations per coordinate before each coordinate gets its own
	// length scale (see isotropic)
	bayesIsotropicPerDim = 5
)

var bayesScales = [...]float64{0.02, 0.08, 0.25} // perturbation standard deviations

// initialPoints is NumInitialPoints, or its default for a space in which
// varying hyperparameters take more than one value.
func (b *BayesianOptimization) initialPoints(varying int) int {
	if b.NumInitialPoints > 0 {
		return b.NumInitialPoints
	}
	return min(max(3*varying, 3), max(varying+1, bayesMinInitial))
}

// isotropic reports whether the model of n observations in d coordinates
// shares one length scale between the coordinates: while there are fewer
// than bayesIsotropicPerDim observations per coordinate, d + 1 kernel
// hyperparameters fitted to them describe the sample rather than the
// function (measured on Hartmann-6: see bench/README.md). With one or two
// coordinates the initial points pin the per-coordinate scales down.
func isotropic(n, d int) bool {
	return d >= 3 && n < bayesIsotropicPerDim*d
}

// Name returns "bayesian".
func (b *BayesianOptimization) Name() string { return "bayesian" }

// UsesPrior marks BayesianOptimization as learning from State.Prior.
func (b *BayesianOptimization) UsesPrior() {}

// Validate checks the settings, so that a bad one is reported when a study
// is read rather than at the first proposal.
func (b *BayesianOptimization) Validate() error {
	_, _, err := b.settings()
	return err
}

func (b *BayesianOptimization) settings() (alpha, beta float64, err error) {
	alpha, beta = b.Alpha, b.Beta
	if alpha == 0 {
		alpha = bayesAlpha
	}
	if beta == 0 {
		beta = bayesBeta
	}
	switch {
	case !(alpha > 0) || math.IsInf(alpha, 0):
		return 0, 0, settingErrorf("alpha", "oracle bayesian: alpha %v must be positive", b.Alpha)
	case !(beta >= 0) || math.IsInf(beta, 0):
		return 0, 0, settingErrorf("beta", "oracle bayesian: beta %v must not be negative", b.Beta)
	case b.NumInitialPoints < 0:
		return 0, 0, settingErrorf("num_initial_points", "oracle bayesian: num_initial_points %d must not be negative", b.NumInitialPoints)
	}
	switch b.Acquisition {
	case "", "ucb", "ei":
	default:
		return 0, 0, settingErrorf("acquisition", "oracle bayesian: acquisition %q (want ucb or ei)", b.Acquisition)
	}
	switch b.Transform {
	case "", "log", "none":
	default:
		return 0, 0, settingErrorf("transform", "oracle bayesian: transform %q (want log or none)", b.Transform)
	}
	return alpha, beta, nil
}

// Next proposes the values that maximize the acquisition function, or
// random values during the initial points.
func (b *BayesianOptimization) Next(s State) (Proposal, error) {
	alpha, beta, err := b.settings()
	if err != nil {
		return Proposal{}, err
	}
	if s.Space == nil {
		return Proposal{}, fmt.Errorf("oracle bayesian: no search space")
	}
	enc := newEncoding(s.Space)
	initial := b.initialPoints(enc.varying)
	seen := tried(s.Trials)
	var finite []hp.Values // the untried values of a small discrete space
	if enc.discrete {
		var complete bool
		if finite, complete = enc.enumerate(seen); complete && len(finite) == 0 {
			return Proposal{}, ErrExhausted
		} else if !complete {
			finite = nil
		}
	}
	random := func() (Proposal, error) {
		p, err := (&RandomSearch{MaxCollisions: b.MaxCollisions}).Next(s)
		if errors.Is(err, ErrExhausted) && len(finite) > 0 {
			// Random draws keep hitting tried values, but some are left.
			return Proposal{Values: finite[rng(s.Seed, len(s.Trials)).IntN(len(finite))]}, nil
		}
		return p, err
	}
	if enc.d == 0 || len(s.Prior)+len(s.Trials) < initial {
		return random()
	}
	obs := enc.observations(s)
	if len(obs.y) < 2 {
		return random()
	}
	obs.bound(bayesMaxObs)
	if b.Transform != "none" {
		logWarp(obs.y)
	}
	g := rng(s.Seed, len(s.Trials))
	model, err := gp.Fit(obs.x, enc.d, obs.y, gp.FitOptions{
		Noise: alpha, Restarts: bayesRestarts, Rand: g, MaxIterations: bayesFitIters,
		Isotropic: isotropic(len(obs.y), enc.d),
	})
	if err != nil {
		return random()
	}
	var acq gp.Acquisition
	if b.Acquisition == "ei" {
		acq = gp.LogEI{Best: slices.Min(obs.y)}
	} else {
		_, std := model.Scale()
		acq = gp.LCB{Beta: beta, Scale: std}
	}
	if len(obs.pending) > 0 {
		// Hallucinate running trials at their mean plus one standard
		// deviation, keeping the fitted hyperparameters.
		ys := make([]float64, len(obs.pending)/enc.d)
		for i := range ys {
			m, v := model.Predict(obs.pending[i*enc.d : (i+1)*enc.d])
			ys[i] = m + math.Sqrt(v)
		}
		if h, err := model.Condition(obs.pending, ys); err == nil {
			model = h
		}
	}
	search := &acqSearch{enc: enc, model: model, acq: acq, seen: seen}
	if finite != nil {
		for _, v := range finite {
			search.add(v)
		}
	} else {
		search.candidates(g, obs)
		search.refine()
	}
	if v, ok := search.best(); ok {
		return Proposal{Values: v}, nil
	}
	return random()
}

// encoding maps values to the model's input coordinates and back.
type encoding struct {
	space *hp.Space
	dims  []dim
	d     int
	// varying counts hyperparameters with more than one value; discrete is
	// true when every hyperparameter has finitely many values.
	varying  int
	discrete bool
}

type dim struct {
	offset, width int // width 0: a single value; 1: a coordinate; more: one-hot
	count         int // number of values, 0 for a continuous range
	inactive      float64
	refine        bool // a coordinate that gradient refinement moves
}

func newEncoding(space *hp.Space) *encoding {
	e := &encoding{space: space, discrete: true}
	for _, p := range space.Params() {
		c := p.Count()
		dm := dim{offset: e.d, count: c}
		switch {
		case c == 1:
		case p.Kind == hp.KindChoice && !p.Ordered && c >= 3:
			dm.width = c
		default:
			dm.width = 1
			dm.inactive, _ = p.ToUnit(p.Default)
			dm.refine = c == 0 || c > bayesManySteps
		}
		if c != 1 {
			e.varying++
		}
		if c == 0 {
			e.discrete = false
		}
		e.d += dm.width
		e.dims = append(e.dims, dm)
	}
	return e
}

// encode writes the coordinates of v into x. It reports false when a value
// is not in the space (a trial from before the space changed).
func (e *encoding) encode(v hp.Values, x []float64) bool {
	for i := range e.space.Params() {
		p, dm := &e.space.Params()[i], e.dims[i]
		if dm.width == 0 {
			continue
		}
		val, active := v[p.Name]
		var u float64
		if active {
			var err error
			if u, err = p.ToUnit(val); err != nil {
				return false
			}
		}
		if dm.width == 1 {
			if !active {
				u = dm.inactive
			}
			x[dm.offset] = u
			continue
		}
		block := x[dm.offset : dm.offset+dm.width]
		clear(block)
		if active {
			block[min(int(u*float64(dm.count)), dm.count-1)] = 1
		}
	}
	return true
}

// decode returns the values at coordinates x: the nearest valid values,
// with one-hot blocks taken at their largest entry.
func (e *encoding) decode(x []float64) hp.Values {
	u := make([]float64, len(e.dims))
	for i, dm := range e.dims {
		switch dm.width {
		case 0:
			u[i] = 0.5
		case 1:
			u[i] = x[dm.offset]
		default:
			block := x[dm.offset : dm.offset+dm.width]
			j := 0
			for k, w := range block {
				if w > block[j] {
					j = k
				}
			}
			u[i] = (float64(j) + 0.5) / float64(dm.count)
		}
	}
	return e.space.FromUnit(u)
}

// enumerate lists the untried combinations of a discrete space. complete
// is false when the space has more than bayesEnumerate combinations.
func (e *encoding) enumerate(seen map[string]bool) (untried []hp.Values, complete bool) {
	total := 1
	for _, dm := range e.dims {
		if dm.count > bayesEnumerate || total*dm.count > bayesEnumerate {
			return nil, false
		}
		total *= dm.count
	}
	idx := make([]int, len(e.dims))
	u := make([]float64, len(e.dims))
	keys := make(map[string]bool, total)
	for range total {
		for i, dm := range e.dims {
			u[i] = (float64(idx[i]) + 0.5) / float64(dm.count)
		}
		v := e.space.FromUnit(u)
		if k := v.Key(); !seen[k] && !keys[k] {
			keys[k] = true
			untried = append(untried, v)
		}
		for i := len(idx) - 1; i >= 0; i-- {
			if idx[i]++; idx[i] < e.dims[i].count {
				break
			}
			idx[i] = 0
		}
	}
	return untried, true
}

// data are the model's inputs: observations (x, y) with y to be minimized,
// and the coordinates of trials still running.
type data struct {
	x, y    []float64
	values  []hp.Values
	pending []float64
}

// bound keeps at most limit observations, in trial order: the best half
// by score (ties to the earlier trial) and, of the others, an even spread
// over the trial order. The model stays sharp where the optimum is likely
// and still sees the rest of the space, while a fit costs O(limit³)
// however long the study: the choice, like everything else here, is a
// function of the stored trials.
func (o *data) bound(limit int) {
	n := len(o.y)
	if n <= limit {
		return
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return cmp.Compare(o.y[i], o.y[j]) })
	keep := make([]bool, n)
	best := limit / 2
	for _, i := range order[:best] {
		keep[i] = true
	}
	rest := order[best:]
	slices.Sort(rest)
	spread := limit - best
	for k := range spread {
		keep[rest[k*len(rest)/spread]] = true
	}
	d := len(o.x) / n
	var out data
	out.pending = o.pending
	for i, ok := range keep {
		if ok {
			out.x = append(out.x, o.x[i*d:i*d+d]...)
			out.y = append(out.y, o.y[i])
			out.values = append(out.values, o.values[i])
		}
	}
	*o = out
}

func (e *encoding) observations(s State) data {
	var out data
	sign := 1.0
	if s.Objective.Direction == goal.Maximize {
		sign = -1
	}
	var bad []int
	for _, t := range s.observed() {
		var pending bool
		switch t.Status {
		case trials.Completed, trials.Pruned:
			if t.Score == nil {
				continue
			}
		case trials.Running, trials.Pending:
			pending = true
		default:
			continue
		}
		x := make([]float64, e.d)
		if !e.encode(t.Values, x) {
			continue
		}
		if pending {
			out.pending = append(out.pending, x...)
			continue
		}
		y := sign * *t.Score
		if math.IsNaN(y) || math.IsInf(y, 0) {
			bad = append(bad, len(out.y))
		}
		out.x = append(out.x, x...)
		out.y = append(out.y, y)
		out.values = append(out.values, t.Values)
	}
	if len(bad) > 0 {
		worst := math.Inf(-1)
		for _, y := range out.y {
			if !math.IsNaN(y) && !math.IsInf(y, 0) {
				worst = max(worst, y)
			}
		}
		if math.IsInf(worst, -1) {
			return data{pending: out.pending}
		}
		for _, i := range bad {
			out.y[i] = worst
		}
	}
	return out
}

// logWarp maps each y to log(1 + (y − m)/s), where m is the smallest y
// and s the median of y − m (their mean when the median is 0). The map is
// increasing, so it keeps the order of the scores, and it is the same for
// y and a·y + b (a > 0), so the proposals do not depend on the units of
// the score.
func logWarp(y []float64) {
	m := slices.Min(y)
	d := make([]float64, len(y))
	for i, v := range y {
		d[i] = v - m
	}
	sorted := slices.Clone(d)
	slices.Sort(sorted)
	n := len(sorted)
	s := (sorted[(n-1)/2] + sorted[n/2]) / 2
	if !(s > 0) {
		for _, v := range d {
			s += v / float64(n)
		}
	}
	if !(s > 0) || math.IsInf(s, 0) {
		return
	}
	for i, v := range d {
		y[i] = math.Log1p(v / s)
	}
}

// acqSearch collects scored candidates.
type acqSearch struct {
	enc    *encoding
	model  *gp.GP
	acq    gp.Acquisition
	seen   map[string]bool
	cands  []candidate
	scored int // cands[:scored] have their score
	// scratch for gradients
	dm, dv []float64
}

type candidate struct {
	x     []float64
	v     hp.Values
	score float64
}

// score evaluates the acquisition at x and stores its gradient in grad.
func (a *acqSearch) score(x, grad []float64) float64 {
	if a.dm == nil {
		a.dm, a.dv = make([]float64, len(x)), make([]float64, len(x))
	}
	m, v := a.model.PredictGrad(x, a.dm, a.dv)
	sd := math.Sqrt(v)
	s, dMean, dSD := a.acq.Score(m, sd)
	for i := range grad {
		grad[i] = dMean*a.dm[i] + dSD*a.dv[i]/(2*sd)
	}
	if math.IsNaN(s) {
		return math.Inf(-1)
	}
	return s
}

// add appends the candidate with values v, unscored.
func (a *acqSearch) add(v hp.Values) {
	x := make([]float64, a.enc.d)
	if a.enc.encode(v, x) {
		a.cands = append(a.cands, candidate{x: x, v: v})
	}
}

// scoreAll scores the candidates added since the last call, all at once.
func (a *acqSearch) scoreAll() {
	todo := a.cands[a.scored:]
	if len(todo) == 0 {
		return
	}
	d := a.enc.d
	xs := make([]float64, 0, len(todo)*d)
	for _, c := range todo {
		xs = append(xs, c.x...)
	}
	mean, variance := make([]float64, len(todo)), make([]float64, len(todo))
	a.model.PredictMany(xs, mean, variance)
	for i := range todo {
		s, _, _ := a.acq.Score(mean[i], math.Sqrt(variance[i]))
		if math.IsNaN(s) {
			s = math.Inf(-1)
		}
		todo[i].score = s
	}
	a.scored = len(a.cands)
}

// candidates adds uniformly random points and perturbations of the best
// observations.
func (a *acqSearch) candidates(g *rand.Rand, obs data) {
	space := a.enc.space
	for range bayesRandom {
		a.add(space.Sample(g))
	}
	order := make([]int, len(obs.y))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return cmp.Compare(obs.y[i], obs.y[j]) })
	u := make([]float64, space.Len())
	for _, i := range order[:min(bayesTop, len(order))] {
		base, err := space.ToUnit(obs.values[i])
		if err != nil {
			continue
		}
		for _, sd := range bayesScales {
			for range bayesPerturb {
				for k := range u {
					u[k] = min(max(base[k]+sd*g.NormFloat64(), 0), 1)
				}
				a.add(space.FromUnit(u))
			}
		}
	}
}

// refine improves the best candidates by gradient ascent over their
// refinable coordinates and adds the results, snapped to valid values.
func (a *acqSearch) refine() {
	free := make([]bool, a.enc.d)
	refinable := false
	for _, dm := range a.enc.dims {
		refinable = refinable || dm.refine
	}
	if !refinable {
		return
	}
	a.sort()
	for _, c := range slices.Clone(a.cands[:min(bayesTop, len(a.cands))]) {
		params := a.enc.space.Params()
		for i, dm := range a.enc.dims {
			if dm.width == 1 {
				_, active := c.v[params[i].Name]
				free[dm.offset] = dm.refine && active
			}
		}
		x := slices.Clone(c.x)
		gp.MaximizeBox(a.score, x, free, bayesRefineIter)
		a.add(a.enc.decode(x))
	}
}

func (a *acqSearch) sort() {
	a.scoreAll()
	slices.SortStableFunc(a.cands, func(p, q candidate) int { return cmp.Compare(q.score, p.score) })
}

// best returns the untried candidate with the highest score.
func (a *acqSearch) best() (hp.Values, bool) {
	a.sort()
	for _, c := range a.cands {
		if k := c.v.Key(); !a.seen[k] {
			return c.v, true
		}
	}
	return nil, false
}
