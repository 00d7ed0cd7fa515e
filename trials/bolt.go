package trials

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
)

// DefaultTimeout is how long Open waits for another process to release the
// store when Options.Timeout is zero.
const DefaultTimeout = 2 * time.Second

// Options configure Open.
type Options struct {
	// Timeout is how long to wait for another process that has the store
	// open; zero means DefaultTimeout, a negative value not to wait.
	Timeout time.Duration
	// ReadOnly opens an existing store without changing it: every change
	// fails with ErrReadOnly. The file lock is shared among read-only
	// openers, but a writer and readers exclude each other: while one
	// process has the store open for writing, a read-only Open fails with
	// ErrLocked after Timeout, and the other way round.
	ReadOnly bool
	// Worker names this process in the trials it creates and claims
	// (Trial.Worker); empty means DefaultWorker.
	Worker string
}

// Bolt is the embedded Store: one bbolt file holding a study, its trials
// and their checkpoints. It is safe for concurrent use; bbolt runs one
// writing transaction at a time and every method is one transaction.
//
// Layout (format version SchemaVersion):
//
//	meta         "schema" → the version in decimal; "study" → Study JSON
//	trials       8-byte big-endian id → Trial JSON without its history (see DecodeTrial)
//	epochs       8-byte big-endian id → bucket: 8-byte big-endian index → Epoch JSON
//	checkpoints  8-byte big-endian id → checkpoint bytes
//	queue        8-byte big-endian sequence → queued Values JSON (may be absent)
//
// Trial ids come from the trials bucket's sequence, so they are never
// reused within a study. Reset starts a new study: it recreates the trials
// bucket, and ids start again at 1.
type Bolt struct {
	db       *bolt.DB
	path     string
	readOnly bool
	worker   string
	c        cache // the decoded trials; see cache
}

var _ Store = (*Bolt)(nil)

var (
	bucketMeta        = []byte("meta")
	bucketTrials      = []byte("trials")
	bucketCheckpoints = []byte("checkpoints")
	keySchema         = []byte("schema")
	keyStudy          = []byte("study")
)

// Open opens the store at path, creating it and its parent directories if
// missing (unless opts.ReadOnly). opts may be nil.
//
// Errors name the file and wrap ErrLocked when another process (or another
// Open in this process) has the store open, ErrNotStore when the file is
// not a tune store, ErrSchema when it was written in another format
// version, and ErrCorrupt when its metadata cannot be read.
func Open(path string, opts *Options) (*Bolt, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if !o.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
	}
	if fi, err := os.Stat(path); err == nil {
		switch {
		case fi.IsDir():
			return nil, &fs.PathError{Op: "open", Path: path, Err: syscall.EISDIR}
		case fi.Size() == 0 && o.ReadOnly:
			// bbolt would try to lay out the file. Opened for writing, an
			// empty file becomes a new store.
			return nil, fmt.Errorf("open %s: %w (empty file)", path, ErrNotStore)
		}
	}
	db, err := openChecked(path, &bolt.Options{Timeout: o.Timeout, ReadOnly: o.ReadOnly})
	if err != nil {
		return nil, openError(path, err)
	}
	if o.Worker == "" {
		o.Worker = DefaultWorker()
	}
	b := &Bolt{db: db, path: path, readOnly: o.ReadOnly, worker: o.Worker}
	if err := b.init(); err != nil {
		_ = db.Close()
		return nil, err
	}
	return b, nil
}

func openError(path string, err error) error {
	var pe *fs.PathError
	switch {
	case errors.Is(err, ErrDamaged):
		return err
	case errors.Is(err, bolt.ErrTimeout):
		return fmt.Errorf("open %s: %w", path, ErrLocked)
	case errors.Is(err, bolt.ErrInvalid), errors.Is(err, bolt.ErrVersionMismatch), errors.Is(err, bolt.ErrChecksum):
		return fmt.Errorf("open %s: %w (not a bbolt database: %v)", path, ErrNotStore, err)
	case tooSmall(path):
		return damaged(path, err)
	case errors.As(err, &pe) && pe.Path == path:
		return err // already "open <path>: <reason>"
	}
	return fmt.Errorf("open %s: %w", path, err)
}

// init checks the format version of an existing store, or lays out a new
// one.
func (b *Bolt) init() error {
	fresh, old := false, false
	err := b.view(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			if k, _ := tx.Cursor().First(); k != nil {
				return fmt.Errorf("open %s: %w (a bbolt database without a %q bucket)", b.path, ErrNotStore, bucketMeta)
			}
			fresh = true
			return nil
		}
		v := meta.Get(keySchema)
		if v == nil {
			return fmt.Errorf("open %s: no format version: %w", b.path, ErrCorrupt)
		}
		n, err := strconv.Atoi(string(v))
		if err != nil {
			return fmt.Errorf("open %s: format version %q: %w", b.path, v, ErrCorrupt)
		}
		if n < oldestSchema || n > SchemaVersion {
			hint := ""
			if n > SchemaVersion {
				hint = " (written by a newer tune)"
			}
			return fmt.Errorf("open %s: store format version %d%s, this version of tune reads version %d (and version %d, which it migrates): %w",
				b.path, n, hint, SchemaVersion, oldestSchema, ErrSchema)
		}
		old = n < SchemaVersion
		need := [][]byte{bucketTrials, bucketCheckpoints}
		if !old {
			need = append(need, bucketEpochs)
		}
		for _, name := range need {
			if tx.Bucket(name) == nil {
				return fmt.Errorf("open %s: no %q bucket: %w", b.path, name, ErrCorrupt)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if old && !b.readOnly {
		if err := b.migrate(); err != nil {
			return fmt.Errorf("open %s: moving to format version %d: %w", b.path, SchemaVersion, err)
		}
	}
	if !fresh || b.readOnly {
		// A read-only open of an empty bbolt file reads as an empty store.
		return b.load()
	}
	return b.update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		if err := meta.Put(keySchema, []byte(strconv.Itoa(SchemaVersion))); err != nil {
			return err
		}
		for _, name := range [][]byte{bucketTrials, bucketEpochs, bucketCheckpoints} {
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		return nil
	})
}

// load fills the cache from the file. A read-only store leaves it empty
// until a read needs it (see needRecords and needEpochs).
func (b *Bolt) load() error {
	if b.readOnly {
		return nil
	}
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	return b.fill(loadedAll)
}

// fill decodes the records into the cache, with their epochs if level is
// loadedAll. The caller holds b.c.mu.
func (b *Bolt) fill(level loadLevel) error {
	b.c.trials, b.c.pending, b.c.bad = nil, nil, nil
	b.c.loaded = level
	return b.view(func(tx *bolt.Tx) error {
		bk, err := b.trialsBucket(tx)
		if err != nil || bk == nil {
			return err
		}
		d := newEpochDecoder(false)
		return bk.ForEach(func(k, v []byte) error {
			t, err := b.decode(k, v)
			if err == nil && level == loadedAll {
				err = b.readEpochs(tx, t, d)
			}
			if err != nil {
				// The sound trials stay readable one by one; reads of
				// the whole study fail with this error.
				b.c.damaged(k, err)
				return nil
			}
			b.c.set(t)
			return nil
		})
	})
}

// Path returns the path the store was opened with.
func (b *Bolt) Path() string { return b.path }

// Close releases the file. Transactions under way finish first.
func (b *Bolt) Close() error {
	b.c.mu.Lock()
	b.c.closed = fmt.Errorf("%s: %w", b.path, bolt.ErrDatabaseNotOpen)
	b.c.mu.Unlock()
	if err := b.db.Close(); err != nil {
		return fmt.Errorf("close %s: %w", b.path, err)
	}
	return nil
}

// update runs fn in one read-write transaction. Errors of fn come back as
// they are; errors of bbolt itself (a full disk, a closed store) are
// prefixed with the file name.
func (b *Bolt) update(fn func(tx *bolt.Tx) error) (err error) {
	if b.readOnly {
		return fmt.Errorf("%s: %w", b.path, ErrReadOnly)
	}
	defer guard(b.path, &err)()
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	var fnErr error
	err = b.db.Update(func(tx *bolt.Tx) error {
		fnErr = fn(tx)
		return fnErr
	})
	if err == nil {
		b.c.commit()
	} else {
		b.c.abort()
	}
	if err != nil && err != fnErr {
		return fmt.Errorf("%s: %w", b.path, err)
	}
	return err
}

// view runs fn in one read-only transaction, with errors as for update.
func (b *Bolt) view(fn func(tx *bolt.Tx) error) (err error) {
	defer guard(b.path, &err)()
	var fnErr error
	err = b.db.View(func(tx *bolt.Tx) error {
		fnErr = fn(tx)
		return fnErr
	})
	if err != nil && err != fnErr {
		return fmt.Errorf("%s: %w", b.path, err)
	}
	return err
}

func idKey(id int) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, uint64(id))
	return k
}

func now() time.Time { return time.Now().UTC() }

func (b *Bolt) corrupt(what string, err error) error {
	return fmt.Errorf("%s: %s: %w: %w", b.path, what, ErrCorrupt, err)
}

func noTrial(id int) error { return fmt.Errorf("trial %d: %w", id, ErrNoTrial) }

// decode decodes the record stored under key k.
func (b *Bolt) decode(k, v []byte) (*Trial, error) {
	if len(k) != 8 {
		return nil, b.corrupt(fmt.Sprintf("trial key %x", k), errors.New("key is not 8 bytes"))
	}
	id := int(binary.BigEndian.Uint64(k))
	t, err := DecodeTrial(v)
	if err != nil {
		return nil, b.corrupt(fmt.Sprintf("trial %d", id), err)
	}
	if t.ID != id {
		return nil, b.corrupt(fmt.Sprintf("trial %d", id), fmt.Errorf("record holds id %d", t.ID))
	}
	return t, nil
}

// trialsBucket returns the trials bucket; nil only in a read-only empty
// store.
func (b *Bolt) trialsBucket(tx *bolt.Tx) (*bolt.Bucket, error) {
	bk := tx.Bucket(bucketTrials)
	if bk == nil && tx.Writable() {
		return nil, b.corrupt("trials", errors.New("no trials bucket"))
	}
	return bk, nil
}

// get returns a copy of trial id as the transaction under way sees it.
// The caller holds b.c.mu.
func (b *Bolt) get(id int) (*Trial, error) {
	if err := b.c.broken(id); err != nil {
		return nil, err
	}
	t := b.c.current(id)
	if t == nil {
		return nil, noTrial(id)
	}
	return copyTrial(t), nil
}

// put stores t in the transaction under way, and stages it for the cache
// as it decodes from the file.
//
// The record holds no history: t.History is what the epoch records hold
// (see bucketEpochs), and is staged as it is.
func (b *Bolt) put(tx *bolt.Tx, t *Trial) error {
	rec := *t
	rec.History = nil
	data, err := encodeTrial(&rec)
	if err != nil {
		return err
	}
	stored, err := DecodeTrial(data)
	if err != nil {
		return fmt.Errorf("trial %d: encoding does not decode: %w", t.ID, err)
	}
	if err := tx.Bucket(bucketTrials).Put(idKey(t.ID), data); err != nil {
		return err
	}
	stored.History = t.History
	b.c.stage(stored)
	return nil
}

// modify applies fn to trial id in one transaction and stores the result.
func (b *Bolt) modify(id int, fn func(t *Trial) error) error {
	return b.update(func(tx *bolt.Tx) error {
		t, err := b.get(id)
		if err != nil {
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
		return b.put(tx, t)
	})
}

func mustRun(t *Trial) error {
	if t.Status != Running {
		return fmt.Errorf("trial %d is %s, not running: %w", t.ID, t.Status, ErrState)
	}
	return nil
}

// Study returns the stored definition, or an error wrapping ErrNoStudy.
func (b *Bolt) Study() (*StudyRecord, error) {
	var s *StudyRecord
	err := b.view(func(tx *bolt.Tx) error {
		var v []byte
		if meta := tx.Bucket(bucketMeta); meta != nil {
			v = meta.Get(keyStudy)
		}
		if v == nil {
			return fmt.Errorf("%s: %w", b.path, ErrNoStudy)
		}
		var err error
		if s, err = DecodeStudy(v); err != nil {
			return b.corrupt("study", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// PutStudy stores s, replacing any previous definition; trials stay.
func (b *Bolt) PutStudy(s *StudyRecord) error {
	if s == nil {
		return errors.New("trials: PutStudy: nil study")
	}
	data, err := encodeStudy(s)
	if err != nil {
		return err
	}
	return b.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyStudy, data)
	})
}

// Reset deletes every trial, checkpoint and queued value set and stores s, in one
// transaction. It starts a new study: trial ids start again at 1. The file
// keeps its size; bbolt reuses the freed pages.
func (b *Bolt) Reset(s *StudyRecord) error {
	if s == nil {
		return errors.New("trials: Reset: nil study")
	}
	data, err := encodeStudy(s)
	if err != nil {
		return err
	}
	return b.update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketTrials, bucketEpochs, bucketCheckpoints, bucketQueue} {
			if err := tx.DeleteBucket(name); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
				return err
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		b.c.staged, b.c.reset = b.c.staged[:0], true
		return tx.Bucket(bucketMeta).Put(keyStudy, data)
	})
}

// Create stores a copy of t as a new Running trial, with the next id,
// Started set to now (UTC) and Ended cleared; its other fields are kept.
// A non-zero Parent must be an existing trial (else ErrNoTrial). It
// returns the trial as stored, with hyperparameter values in their
// canonical types (int, float64, string, bool).
func (b *Bolt) Create(t *Trial) (*Trial, error) {
	if t == nil {
		return nil, errors.New("trials: Create: nil trial")
	}
	var out *Trial
	err := b.update(func(tx *bolt.Tx) (err error) {
		out, err = b.create(tx, t)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// create is Create inside transaction tx.
func (b *Bolt) create(tx *bolt.Tx, t *Trial) (*Trial, error) {
	bk, err := b.trialsBucket(tx)
	if err != nil {
		return nil, err
	}
	if t.Parent != 0 && b.c.current(t.Parent) == nil {
		return nil, fmt.Errorf("parent of new trial: %w", noTrial(t.Parent))
	}
	seq, err := bk.NextSequence()
	if err != nil {
		return nil, err
	}
	n := *t
	n.ID, n.Status, n.Started, n.Ended, n.Worker = int(seq), Running, now(), time.Time{}, b.worker
	n.History = nil
	if err := b.put(tx, &n); err != nil {
		return nil, err
	}
	if len(t.History) > 0 {
		stored, err := putEpochs(tx, n.ID, 0, t.History)
		if err != nil {
			return nil, err
		}
		n.History = stored
		b.c.stage(&n)
	}
	return copyTrial(b.c.current(n.ID)), nil
}

// Claim moves the lowest-id Pending trial to Running: Attempt is
// incremented, History, Score, BestEpoch, Metrics, Error and Ended are
// cleared, Started is set to now, and its checkpoint (from the interrupted
// attempt) is deleted. ok is false when no trial is pending.
func (b *Bolt) Claim() (t *Trial, ok bool, err error) {
	err = b.update(func(tx *bolt.Tx) error {
		if err := b.c.broken(-1); err != nil {
			return err
		}
		if len(b.c.pending) == 0 {
			return nil
		}
		var err error
		if t, err = b.get(b.c.pending[0]); err != nil {
			return err
		}
		t.Status = Running
		t.Attempt++
		t.History, t.Score, t.BestEpoch, t.Metrics, t.Error = nil, nil, 0, nil, ""
		t.Started, t.Ended, t.Worker = now(), time.Time{}, b.worker
		if err := tx.Bucket(bucketCheckpoints).Delete(idKey(t.ID)); err != nil {
			return err
		}
		if err := dropEpochs(tx, t.ID); err != nil {
			return err
		}
		if err := b.put(tx, t); err != nil {
			return err
		}
		t = copyTrial(b.c.current(t.ID))
		return nil
	})
	if err != nil || t == nil {
		return nil, false, err
	}
	return t, true, nil
}

// Finish records the end of Running trial id, setting Ended to now, and
// deletes the checkpoints r.DropCheckpoints names, in one transaction.
// r.Status must be final. A non-nil r.Values replaces the trial's values.
func (b *Bolt) Finish(id int, r Result) error {
	if !r.Status.Final() {
		return fmt.Errorf("trial %d: finishing with status %q, which is not final: %w", id, r.Status, ErrState)
	}
	return b.update(func(tx *bolt.Tx) error {
		t, err := b.get(id)
		if err != nil {
			return err
		}
		if err := mustRun(t); err != nil {
			return err
		}
		t.Status, t.Score, t.BestEpoch, t.Metrics, t.Error = r.Status, r.Score, r.BestEpoch, r.Metrics, r.Error
		if r.Values != nil {
			t.Values = r.Values
		}
		t.Ended = now()
		for _, d := range r.DropCheckpoints {
			if d < 1 {
				continue
			}
			if err := tx.Bucket(bucketCheckpoints).Delete(idKey(d)); err != nil {
				return err
			}
		}
		return b.put(tx, t)
	})
}

// Requeue moves Running trial id back to Pending with reason as its Error.
// Its history stays until it is claimed again.
func (b *Bolt) Requeue(id int, reason string) error {
	return b.modify(id, func(t *Trial) error {
		if err := mustRun(t); err != nil {
			return err
		}
		t.Status, t.Error = Pending, reason
		return nil
	})
}

// RequeueReason is the Error that RequeueRunning gives the trials it
// requeues.
const RequeueReason = "interrupted"

// RequeueRunning moves every Running trial back to Pending, in one
// transaction, and returns how many.
func (b *Bolt) RequeueRunning() (int, error) {
	n := 0
	err := b.update(func(tx *bolt.Tx) error {
		if err := b.c.broken(-1); err != nil {
			return err
		}
		running := b.c.running()
		for _, r := range running {
			t := copyTrial(r)
			t.Status, t.Error = Pending, RequeueReason
			if err := b.put(tx, t); err != nil {
				return err
			}
		}
		n = len(running)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Trial returns trial id, or an error wrapping ErrNoTrial. A read-only
// store that has not read every trial reads this one alone.
func (b *Bolt) Trial(id int) (*Trial, error) {
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	if b.c.loaded < loadedAll && b.c.closed == nil {
		return b.readTrial(id)
	}
	return b.get(id)
}

// Trials returns every trial in id order. The epochs' Metrics maps are
// shared between calls: read them, do not change them.
func (b *Bolt) Trials() ([]*Trial, error) {
	b.c.mu.Lock()
	defer b.c.mu.Unlock()
	if err := b.needEpochs(); err != nil {
		return nil, err
	}
	return b.all()
}

// all returns copies of every trial. The caller holds b.c.mu.
func (b *Bolt) all() ([]*Trial, error) {
	if err := b.c.broken(-1); err != nil {
		return nil, err
	}
	ts := make([]*Trial, len(b.c.trials))
	for i, t := range b.c.trials {
		ts[i] = copyTrial(t)
	}
	return ts, nil
}

// PutCheckpoint stores data as the checkpoint of trial id, replacing any
// previous one. The trial must exist. data must not change until
// PutCheckpoint returns.
func (b *Bolt) PutCheckpoint(id int, data []byte) error {
	return b.update(func(tx *bolt.Tx) error {
		if b.c.current(id) == nil {
			return noTrial(id)
		}
		return tx.Bucket(bucketCheckpoints).Put(idKey(id), data)
	})
}

// Checkpoint returns a copy of the checkpoint of trial id, or an error
// wrapping ErrNoCheckpoint (and ErrNoTrial if the trial does not exist).
func (b *Bolt) Checkpoint(id int) ([]byte, error) {
	var out []byte
	err := b.view(func(tx *bolt.Tx) error {
		if bk := tx.Bucket(bucketCheckpoints); bk != nil && id >= 1 {
			k := idKey(id)
			if ck, v := bk.Cursor().Seek(k); bytes.Equal(ck, k) && v != nil {
				out = bytes.Clone(v)
				if out == nil {
					out = []byte{}
				}
			}
		}
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case out != nil:
		return out, nil
	}
	// Outside the read transaction: the cache's lock is taken by writers
	// around theirs.
	if _, err := b.Trial(id); err != nil {
		return nil, fmt.Errorf("trial %d: %w (%w)", id, ErrNoTrial, ErrNoCheckpoint)
	}
	return nil, fmt.Errorf("trial %d: %w", id, ErrNoCheckpoint)
}
