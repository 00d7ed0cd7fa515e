package oracle

// RandomSearch draws every active hyperparameter uniformly on its unit
// interval encoding, skipping sets of values already tried.
type RandomSearch struct {
	// MaxCollisions is how many draws in a row may hit tried values before
	// the search ends with ErrExhausted. Zero means 20.
	MaxCollisions int `json:"max_collisions,omitempty"`
}

// Name returns "random".
func (r *RandomSearch) Name() string { return "random" }

// Next draws values not tried before.
func (r *RandomSearch) Next(s State) (Proposal, error) {
	limit := r.MaxCollisions
	if limit <= 0 {
		limit = 20
	}
	seen := s.tried()
	g := rng(s.Seed, len(s.Trials))
	for range limit + 1 {
		v := s.Space.Sample(g)
		if !seen(v.Key()) {
			return Proposal{Values: v}, nil
		}
	}
	return Proposal{}, ErrExhausted
}
