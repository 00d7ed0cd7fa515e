package oracle

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/tunekit/tune/goal"
)

// NSGA2 is the non-dominated sorting genetic algorithm II (Deb et al.,
// 2002) for studies of several objectives: the best-known evolutionary
// multi-objective method, Optuna's default multi-objective sampler, and
// cheap (a proposal costs a few sorts of two populations, nothing like a
// surrogate model's fit), so it keeps up with fast trials and large
// budgets.
//
// Trials are grouped into generations of PopulationSize in id order;
// generation 0 is random. The parents of generation g are the elite of
// generation g−1's parents and its completed trials: whole fronts of the
// non-dominated sort, best first, the last one cut by crowding distance.
// A child takes two parents, each the winner of a binary tournament (lower
// front, then larger crowding distance), mixes their unit-interval
// encodings coordinate by coordinate (uniform crossover, with
// CrossoverProb), and redraws each coordinate with MutationProb. Trials
// still running, failed or pruned are not parents. Everything is derived
// from the stored trials and the seed, so a resumed search proposes what
// an uninterrupted one would.
type NSGA2 struct {
	// PopulationSize is the size of a generation; default 50.
	PopulationSize int `json:"population_size,omitempty"`
	// CrossoverProb is the chance that a child mixes two parents rather
	// than copying one; default 0.9.
	CrossoverProb float64 `json:"crossover_prob,omitempty"`
	// SwappingProb is the chance that a coordinate comes from the second
	// parent in a crossover; default 0.5.
	SwappingProb float64 `json:"swapping_prob,omitempty"`
	// MutationProb is the chance that a coordinate is redrawn uniformly;
	// default 1/(number of hyperparameters).
	MutationProb float64 `json:"mutation_prob,omitempty"`
	// MaxCollisions is how many children in a row may repeat tried values
	// before a random draw takes over; default 20.
	MaxCollisions int `json:"max_collisions,omitempty"`
}

// Name returns "nsga2".
func (n *NSGA2) Name() string { return "nsga2" }

// MultiObjective marks NSGA2 as a multi-objective oracle.
func (n *NSGA2) MultiObjective() {}

// Validate checks the settings.
func (n *NSGA2) Validate() error {
	switch {
	case n.PopulationSize < 0 || n.PopulationSize == 1:
		return settingErrorf("population_size", "oracle nsga2: population_size %d must be at least 2", n.PopulationSize)
	case n.CrossoverProb < 0 || n.CrossoverProb > 1:
		return settingErrorf("crossover_prob", "oracle nsga2: crossover_prob %v must be in [0, 1]", n.CrossoverProb)
	case n.SwappingProb < 0 || n.SwappingProb > 1:
		return settingErrorf("swapping_prob", "oracle nsga2: swapping_prob %v must be in [0, 1]", n.SwappingProb)
	case n.MutationProb < 0 || n.MutationProb > 1:
		return settingErrorf("mutation_prob", "oracle nsga2: mutation_prob %v must be in [0, 1]", n.MutationProb)
	case n.MaxCollisions < 0:
		return settingErrorf("max_collisions", "oracle nsga2: max_collisions %d must not be negative", n.MaxCollisions)
	}
	return nil
}

func (n *NSGA2) settings() NSGA2 {
	c := *n
	if c.PopulationSize == 0 {
		c.PopulationSize = 50
	}
	if c.CrossoverProb == 0 {
		c.CrossoverProb = 0.9
	}
	if c.SwappingProb == 0 {
		c.SwappingProb = 0.5
	}
	if c.MaxCollisions == 0 {
		c.MaxCollisions = 20
	}
	return c
}

// member is a parent: a trial's unit encoding, front and crowding distance.
type member struct {
	u        []float64
	rank     int
	crowding float64
}

// Next proposes a child of the current parents, or a random point in
// generation 0 and whenever fewer than two parents exist.
func (n *NSGA2) Next(s State) (Proposal, error) {
	if err := n.Validate(); err != nil {
		return Proposal{}, err
	}
	c := n.settings()
	objs := s.objectives()
	parents, err := c.parents(s, objs, len(s.Trials)/c.PopulationSize)
	if err != nil {
		return Proposal{}, err
	}
	g := rng(s.Seed, len(s.Trials))
	seen := s.tried()
	if len(parents) >= 2 {
		mut := c.MutationProb
		if mut == 0 {
			mut = 1 / float64(max(s.Space.Len(), 1))
		}
		for range c.MaxCollisions + 1 {
			a, b := tournament(g, parents), tournament(g, parents)
			child := slices.Clone(a.u)
			if g.Float64() < c.CrossoverProb {
				for i := range child {
					if g.Float64() < c.SwappingProb {
						child[i] = b.u[i]
					}
				}
			}
			for i := range child {
				if g.Float64() < mut {
					child[i] = g.Float64()
				}
			}
			if v := s.Space.FromUnit(child); !seen(v.Key()) {
				return Proposal{Values: v}, nil
			}
		}
	}
	return (&RandomSearch{MaxCollisions: c.MaxCollisions}).Next(s)
}

// parents returns the parent population of generation gen.
func (n *NSGA2) parents(s State, objs []goal.Objective, gen int) ([]member, error) {
	var pop []member
	var popPoints [][]float64
	size := n.PopulationSize
	for k := 0; k < gen; k++ {
		end := min((k+1)*size, len(s.Trials))
		done, points := scored(s.Trials[k*size:end], objs)
		cand := slices.Clone(pop)
		candPoints := slices.Clone(popPoints)
		for i, t := range done {
			u, err := s.Space.ToUnit(t.Values)
			if err != nil {
				return nil, err
			}
			cand = append(cand, member{u: u})
			candPoints = append(candPoints, points[i])
		}
		pop, popPoints = elite(cand, candPoints, size)
	}
	return pop, nil
}

// elite keeps the size best of cand by front, then crowding distance,
// setting their rank and crowding distance within the kept population.
func elite(cand []member, points [][]float64, size int) ([]member, [][]float64) {
	var out []member
	var outPoints [][]float64
	for rank, front := range NonDominatedSort(points) {
		if len(out) >= size {
			break
		}
		d := CrowdingDistance(points, front)
		order := make([]int, len(front))
		for i := range order {
			order[i] = i
		}
		if len(out)+len(front) > size {
			slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(d[b], d[a]) })
			order = order[:size-len(out)]
		}
		for _, i := range order {
			m := cand[front[i]]
			m.rank, m.crowding = rank, d[i]
			out = append(out, m)
			outPoints = append(outPoints, points[front[i]])
		}
	}
	return out, outPoints
}

// tournament returns the better of two random parents: the lower front,
// then the larger crowding distance.
func tournament(g *rand.Rand, pop []member) member {
	a, b := pop[g.IntN(len(pop))], pop[g.IntN(len(pop))]
	switch {
	case a.rank != b.rank:
		if a.rank < b.rank {
			return a
		}
		return b
	case a.crowding > b.crowding || math.IsInf(a.crowding, 1) && !math.IsInf(b.crowding, 1):
		return a
	}
	return b
}
