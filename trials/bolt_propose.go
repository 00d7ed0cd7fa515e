package trials

import (
	"slices"

	bolt "go.etcd.io/bbolt"
)

// Propose calls propose with every trial and creates its trial, all in one
// writing transaction: bbolt runs one at a time, so no other trial can be
// created in between, and propose is called once. The history is the
// cache's own, lent as Lend lends it: propose must not change it.
func (b *Bolt) Propose(propose func(history []*Trial) (*Trial, error)) (*Trial, error) {
	var out *Trial
	err := b.update(func(tx *bolt.Tx) error {
		if err := b.c.broken(-1); err != nil {
			return err
		}
		p, err := propose(slices.Clip(b.c.trials))
		if err != nil || p == nil {
			return err
		}
		out, err = b.create(tx, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
