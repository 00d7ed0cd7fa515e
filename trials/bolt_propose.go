package trials

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/tunekit/tune/hp"
)

// Propose calls propose with every trial and creates its trial, all in one
// writing transaction: bbolt runs one at a time, so no other trial can be
// created in between, and propose is called once. The history is the
// cache's own, lent as Lend lends it: propose must not change it. A fresh
// proposal takes the oldest queued values, which leave the queue in the
// same transaction.
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
		if q := tx.Bucket(bucketQueue); q != nil && p.Fresh() {
			if k, v := q.Cursor().First(); k != nil {
				var vals hp.Values
				if err := json.Unmarshal(v, &vals); err != nil {
					return b.corrupt(fmt.Sprintf("queued values %d", binary.BigEndian.Uint64(k)), err)
				}
				p, _ = WithQueued(p, vals)
				if err := q.Delete(k); err != nil {
					return err
				}
			}
		}
		out, err = b.create(tx, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
