package trials

import (
	"encoding/binary"
	"maps"
	"slices"
	"sync"
)

// cache is the decoded trials of a Bolt store, kept in step with the file
// so that reads and Claim cost no JSON decoding and no scan of the
// records. The file stays the only state: the cache is built from it when
// the store opens and changed only after a transaction that changed the
// file has committed.
//
// Cached trials are never modified: a change stores a new *Trial. Reads
// hand out copies whose maps and slices are their own, except the
// Metrics map of each Epoch, which callers must treat as read-only.
type cache struct {
	mu      sync.Mutex
	trials  []*Trial // in id order
	pending []int    // ids of Pending trials, ascending

	// staged holds the trials a write transaction under way has stored;
	// reset that it recreated the trials bucket.
	staged []*Trial
	reset  bool

	// bad holds the records that do not decode, by id (0: a bad key);
	// closed is set by Close.
	bad    map[int]error
	closed error

	// loaded is how much of the file the cache holds. A store open for
	// writing holds everything; a read-only one reads the records, then
	// the epochs, when a read first needs them (nobody can add any).
	loaded loadLevel
}

// loadLevel is how much of the file a cache holds.
type loadLevel int

const (
	loadedNothing loadLevel = iota
	loadedRecords           // the trial records, without their epochs
	loadedAll
)

// damaged records that the record under key k does not decode.
func (c *cache) damaged(k []byte, err error) {
	if c.bad == nil {
		c.bad = make(map[int]error)
	}
	id := 0
	if len(k) == 8 {
		id = int(binary.BigEndian.Uint64(k))
	}
	if _, ok := c.bad[id]; !ok {
		c.bad[id] = err
	}
}

// broken returns why trial id cannot be read (id -1: why the whole study
// cannot), or nil.
func (c *cache) broken(id int) error {
	if c.closed != nil {
		return c.closed
	}
	if id >= 0 {
		return c.bad[id]
	}
	for _, k := range slices.Sorted(maps.Keys(c.bad)) {
		return c.bad[k]
	}
	return nil
}

// find returns the index of trial id in c.trials.
func (c *cache) find(id int) (int, bool) {
	return slices.BinarySearchFunc(c.trials, id, func(t *Trial, id int) int { return t.ID - id })
}

// get returns the cached trial id, or nil.
func (c *cache) get(id int) *Trial {
	if i, ok := c.find(id); ok {
		return c.trials[i]
	}
	return nil
}

// stage records t as stored by the write transaction under way; a later
// stage of the same trial wins.
func (c *cache) stage(t *Trial) { c.staged = append(c.staged, t) }

// current returns trial id as the transaction under way sees it.
func (c *cache) current(id int) *Trial {
	for i := len(c.staged) - 1; i >= 0; i-- {
		if c.staged[i].ID == id {
			return c.staged[i]
		}
	}
	if c.reset {
		return nil
	}
	return c.get(id)
}

// commit applies what the transaction staged.
func (c *cache) commit() {
	if c.reset {
		c.trials, c.pending, c.bad = nil, nil, nil
	}
	for _, t := range c.staged {
		c.set(t)
	}
	c.abort()
}

// abort drops what the transaction staged.
func (c *cache) abort() { c.staged, c.reset = c.staged[:0], false }

func (c *cache) set(t *Trial) {
	if i, ok := c.find(t.ID); ok {
		c.trials[i] = t
	} else {
		c.trials = slices.Insert(c.trials, i, t)
	}
	j, isPending := slices.BinarySearch(c.pending, t.ID)
	switch {
	case t.Status == Pending && !isPending:
		c.pending = slices.Insert(c.pending, j, t.ID)
	case t.Status != Pending && isPending:
		c.pending = slices.Delete(c.pending, j, j+1)
	}
}

// running returns the cached Running trials.
func (c *cache) running() []*Trial {
	var out []*Trial
	for _, t := range c.trials {
		if t.Status == Running {
			out = append(out, t)
		}
	}
	return out
}

// copyTrial returns a copy of t that the caller may change without
// changing the cache (but for the epochs' metric maps).
func copyTrial(t *Trial) *Trial {
	c := *t
	c.Values = maps.Clone(t.Values)
	c.Metrics = maps.Clone(t.Metrics)
	c.History = slices.Clone(t.History)
	if t.Score != nil {
		s := *t.Score
		c.Score = &s
	}
	return &c
}
