package trials

import (
	"encoding/binary"
	"slices"

	bolt "go.etcd.io/bbolt"
)

var _ Lender = (*Bolt)(nil)

// Lend calls fn with the cached trials, which nobody changes (a change
// stores a new *Trial), so that a History can Sync without copies. Writes
// wait until fn returns.
func (b *Bolt) Lend(fn func(ts []*Trial) error) error {
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	if err := b.needEpochs(); err != nil {
		return err
	}
	if err := b.c.broken(-1); err != nil {
		return err
	}
	return fn(slices.Clip(b.c.trials))
}

var _ CheckpointLister = (*Bolt)(nil)

// CheckpointIDs returns the ids of the trials that have a checkpoint, in
// order, reading the keys alone.
func (b *Bolt) CheckpointIDs() ([]int, error) {
	var ids []int
	err := b.view(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketCheckpoints)
		if bk == nil {
			return nil
		}
		c := bk.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if len(k) == 8 {
				ids = append(ids, int(binary.BigEndian.Uint64(k)))
			}
		}
		return nil
	})
	return ids, err
}
