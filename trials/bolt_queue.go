package trials

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/tunekit/tune/hp"
)

// bucketQueue holds the queued values: 8-byte big-endian sequence → Values
// JSON. Stores written before it existed have no such bucket, which reads
// as an empty queue. Propose takes the oldest.
var bucketQueue = []byte("queue")

// Enqueue appends v to the queue; see Store.Enqueue.
func (b *Bolt) Enqueue(v hp.Values) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("trials: Enqueue: %w", err)
	}
	return b.update(func(tx *bolt.Tx) error {
		q, err := tx.CreateBucketIfNotExists(bucketQueue)
		if err != nil {
			return err
		}
		seq, err := q.NextSequence()
		if err != nil {
			return err
		}
		return q.Put(idKey(int(seq)), data)
	})
}

// Queued returns the queued values, oldest first.
func (b *Bolt) Queued() ([]hp.Values, error) {
	var out []hp.Values
	err := b.view(func(tx *bolt.Tx) error {
		q := tx.Bucket(bucketQueue)
		if q == nil {
			return nil
		}
		return q.ForEach(func(k, v []byte) error {
			var vals hp.Values
			if err := json.Unmarshal(v, &vals); err != nil {
				return b.corrupt(fmt.Sprintf("queued values %d", binary.BigEndian.Uint64(k)), err)
			}
			out = append(out, vals)
			return nil
		})
	})
	return out, err
}
