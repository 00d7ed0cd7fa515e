package trials

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// EpochStreamer is implemented by stores that can read trials without
// their epochs and then one trial's epochs one at a time, so that a
// history of any length is read in bounded memory.
type EpochStreamer interface {
	// Summaries returns every trial in id order, as Trials does but with
	// History nil.
	Summaries() ([]*Trial, error)
	// EachEpoch calls fn with the epochs of trial id in the order they
	// were logged, stopping at fn's first error, which it returns. An
	// unknown id is an error wrapping ErrNoTrial. An Epoch's Metrics map
	// may be reused for the next epoch: it is valid until fn returns, and
	// fn must not change it (clone it to keep it).
	EachEpoch(id int, fn func(Epoch) error) error
}

var _ EpochStreamer = (*Bolt)(nil)

// needEpochs adds the epochs to a cache that left them out. The caller
// holds b.c.mu.
func (b *Bolt) needEpochs() error {
	if !b.c.lazy || b.c.closed != nil {
		return nil
	}
	b.c.lazy = false
	return b.fill()
}

// Summaries returns every trial in id order without its history. A
// read-only store reads no epoch for it.
func (b *Bolt) Summaries() ([]*Trial, error) {
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	ts, err := b.all()
	for _, t := range ts {
		t.History = nil
	}
	return ts, err
}

// EachEpoch calls fn with each epoch of trial id in order. A read-only
// store that has not read its epochs decodes them from the file one at a
// time into one Epoch, whose Metrics map is then valid only until fn
// returns; a damaged epoch record is an error wrapping ErrCorrupt. Writes
// wait until it returns.
func (b *Bolt) EachEpoch(id int, fn func(Epoch) error) error {
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	if err := b.c.broken(id); err != nil {
		return err
	}
	t := b.c.get(id)
	if t == nil {
		return noTrial(id)
	}
	if !b.c.lazy || len(t.History) > 0 {
		for _, e := range t.History {
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	}
	d := newEpochDecoder(true)
	return b.view(func(tx *bolt.Tx) error { return b.streamEpochs(tx, t, d, fn) })
}

// streamEpochs calls fn with the epoch records of trial t (read from tx)
// in order, each decoded by d and checked; fn's errors come back as they
// are.
func (b *Bolt) streamEpochs(tx *bolt.Tx, t *Trial, d *epochDecoder, fn func(Epoch) error) error {
	eb := tx.Bucket(bucketEpochs)
	if eb == nil {
		return nil // version 1: the history is in the record
	}
	bk := eb.Bucket(idKey(t.ID))
	if bk == nil {
		return nil
	}
	limit := epochLimit(t)
	c := bk.Cursor()
	n := 0
	var e Epoch
	for k, v := c.First(); k != nil; k, v = c.Next() {
		err := decodeEpoch(d, k, v, n, &e)
		if err == nil {
			err = checkEpoch(t.ID, limit, e)
		}
		if err != nil {
			return b.corrupt(fmt.Sprintf("trial %d", t.ID), err)
		}
		if err := fn(e); err != nil {
			return err
		}
		n++
	}
	return nil
}

// decodeEpoch decodes epoch record n (key k, value v) into e.
func decodeEpoch(d *epochDecoder, k, v []byte, n int, e *Epoch) error {
	if len(k) != 8 || int(binary.BigEndian.Uint64(k)) != n {
		return fmt.Errorf("epoch record %x out of order", k)
	}
	if err := d.decode(v, e); err != nil {
		return fmt.Errorf("epoch record %d: %w", n, err)
	}
	return nil
}
