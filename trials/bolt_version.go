package trials

import bolt "go.etcd.io/bbolt"

// Version returns a number that changes after every change to the store:
// the id of the last committed write transaction. A reader that saw the
// same version saw the same store, so it can skip reading it again.
func (b *Bolt) Version() (uint64, error) {
	var v uint64
	err := b.view(func(tx *bolt.Tx) error {
		v = uint64(tx.ID())
		return nil
	})
	return v, err
}
