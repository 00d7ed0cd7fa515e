package trials

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// bucketEpochs holds the trials' epochs as records of their own (format
// version 2): 8-byte big-endian trial id → a bucket of 8-byte big-endian
// index (the order the epochs were logged in, from 0) → Epoch JSON. An
// epoch costs one small write however long the trial's history, and a
// trial record stays small. Version 1 kept the history inside the trial
// record; such stores are read as they are and migrated when opened for
// writing.
var bucketEpochs = []byte("epochs")

// oldestSchema is the oldest format version Open reads.
const oldestSchema = 1

// putEpochs stores epochs as trial id's records from index first on, and
// returns them as they decode from the file.
func putEpochs(tx *bolt.Tx, id, first int, epochs []Epoch) ([]Epoch, error) {
	if len(epochs) == 0 {
		return nil, nil
	}
	bk, err := tx.Bucket(bucketEpochs).CreateBucketIfNotExists(idKey(id))
	if err != nil {
		return nil, err
	}
	stored := make([]Epoch, len(epochs))
	var d epochDecoder
	for i, e := range epochs {
		data := e.AppendJSON(nil)
		if err := d.decode(data, &stored[i]); err != nil {
			return nil, fmt.Errorf("trial %d: epoch %d: encoding: %w", id, e.Epoch, err)
		}
		if err := bk.Put(idKey(first+i), data); err != nil {
			return nil, err
		}
	}
	return stored, nil
}

// dropEpochs deletes the epoch records of trial id.
func dropEpochs(tx *bolt.Tx, id int) error {
	err := tx.Bucket(bucketEpochs).DeleteBucket(idKey(id))
	if errors.Is(err, bolt.ErrBucketNotFound) {
		return nil
	}
	return err
}

// readEpochs appends the epoch records of trial t (read from tx, decoded
// by d, which must not reuse its maps) to its history and checks them.
func (b *Bolt) readEpochs(tx *bolt.Tx, t *Trial, d *epochDecoder) error {
	return b.streamEpochs(tx, t, d, func(e Epoch) error {
		t.History = append(t.History, e)
		return nil
	})
}

// migrate rewrites a version-1 store as version 2 in one transaction: each
// record's history moves to epoch records.
func (b *Bolt) migrate() error {
	return b.db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketEpochs); err != nil {
			return err
		}
		bk := tx.Bucket(bucketTrials)
		type moved struct {
			k    []byte
			data []byte
		}
		var rewrite []moved
		err := bk.ForEach(func(k, v []byte) error {
			t, err := b.decode(k, v)
			if err != nil {
				return nil // left as it is: reads report it
			}
			if len(t.History) == 0 {
				return nil
			}
			if _, err := putEpochs(tx, t.ID, 0, t.History); err != nil {
				return err
			}
			t.History = nil
			data, err := encodeTrial(t)
			if err != nil {
				return err
			}
			rewrite = append(rewrite, moved{append([]byte(nil), k...), data})
			return nil
		})
		if err != nil {
			return err
		}
		for _, m := range rewrite {
			if err := bk.Put(m.k, m.data); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, []byte(fmt.Sprint(SchemaVersion)))
	})
}

// AppendEpoch adds e to the history of Running trial id: one epoch record,
// the trial record untouched.
func (b *Bolt) AppendEpoch(id int, e Epoch) error {
	return b.update(func(tx *bolt.Tx) error {
		if err := b.c.broken(id); err != nil {
			return err
		}
		cur := b.c.current(id)
		if cur == nil {
			return noTrial(id)
		}
		if err := mustRun(cur); err != nil {
			return err
		}
		probe := *cur
		probe.History = []Epoch{e}
		if err := checkEpochs(&probe); err != nil {
			return err
		}
		stored, err := putEpochs(tx, id, len(cur.History), []Epoch{e})
		if err != nil {
			return err
		}
		// The cached trial is never changed: the new one's history shares
		// the old one's array, which holds the old one's epochs unchanged.
		n := *cur
		n.History = append(cur.History, stored[0])
		b.c.stage(&n)
		return nil
	})
}
