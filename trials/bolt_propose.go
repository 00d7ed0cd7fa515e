package trials

import bolt "go.etcd.io/bbolt"

// Propose reads every trial, calls propose and creates its trial, all in
// one writing transaction: bbolt runs one at a time, so no other trial can
// be created in between, and propose is called once.
func (b *Bolt) Propose(propose func(history []*Trial) (*Trial, error)) (*Trial, error) {
	var out *Trial
	err := b.update(func(tx *bolt.Tx) error {
		ts, err := b.all()
		if err != nil {
			return err
		}
		p, err := propose(ts)
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
