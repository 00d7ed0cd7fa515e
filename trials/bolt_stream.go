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

// needRecords fills a cache that holds nothing with the trial records.
// The caller holds b.c.mu.
func (b *Bolt) needRecords() error {
	if b.c.loaded >= loadedRecords || b.c.closed != nil {
		return nil
	}
	return b.fill(loadedRecords)
}

// needEpochs adds the epochs to a cache that left them out, decoding no
// record again. The caller holds b.c.mu.
func (b *Bolt) needEpochs() error {
	if err := b.needRecords(); err != nil || b.c.loaded == loadedAll || b.c.closed != nil {
		return err
	}
	err := b.view(func(tx *bolt.Tx) error {
		d := newEpochDecoder(false)
		for i, t := range b.c.trials {
			n := *t // cached trials are never changed
			if err := b.readEpochs(tx, &n, d); err != nil {
				b.c.damaged(idKey(t.ID), err)
				continue
			}
			b.c.trials[i] = &n
		}
		return nil
	})
	if err == nil {
		b.c.loaded = loadedAll
	}
	return err
}

// readTrial reads trial id and its epochs from the file, leaving the
// cache as it is. The caller holds b.c.mu.
func (b *Bolt) readTrial(id int) (*Trial, error) {
	var t *Trial
	err := b.view(func(tx *bolt.Tx) error {
		bk, err := b.trialsBucket(tx)
		if err != nil || bk == nil || id < 1 {
			return err
		}
		k := idKey(id)
		v := bk.Get(k)
		if v == nil {
			return nil
		}
		if t, err = b.decode(k, v); err != nil {
			return err
		}
		return b.readEpochs(tx, t, newEpochDecoder(false))
	})
	switch {
	case err != nil:
		return nil, err
	case t == nil:
		return nil, noTrial(id)
	}
	return t, nil
}

// Summaries returns every trial in id order without its history. A
// read-only store reads no epoch for it.
func (b *Bolt) Summaries() ([]*Trial, error) {
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	if err := b.needRecords(); err != nil {
		return nil, err
	}
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
	if err := b.needRecords(); err != nil {
		return err
	}
	if err := b.c.broken(id); err != nil {
		return err
	}
	t := b.c.get(id)
	if t == nil {
		return noTrial(id)
	}
	if b.c.loaded == loadedAll || len(t.History) > 0 {
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
