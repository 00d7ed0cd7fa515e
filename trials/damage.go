package trials

import (
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// A damaged file (cut short, or overwritten in places) must give an error
// and never a write: bbolt trusts its pages, and writing through a damaged
// page tree spreads the damage, while reading one trips bbolt's assertions
// (panics) or faults on pages beyond the end of the file. So Open checks an
// existing file before the first transaction, and every transaction runs
// under guard, which turns those panics and faults into ErrDamaged.

// damaged is the one-line error for a damaged store file.
func damaged(path string, detail any) error {
	return fmt.Errorf("%s: %w (%v): nothing was written to it; restore it from a copy, or move it aside to start the project afresh", path, ErrDamaged, detail)
}

// guard makes memory faults panic and returns the function to defer: it
// recovers a panic or fault of bbolt into *err. Use: defer guard(path, &err)().
func guard(path string, err *error) func() {
	old := debug.SetPanicOnFault(true)
	return func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			*err = damaged(path, r)
		}
	}
}

// openChecked opens path with bbolt and, for an existing file, checks it
// before anything else touches it: the file must hold every page its meta
// page counts, and a walk of the page tree (bbolt's Tx.Check) must find
// nothing wrong.
//
// The walk reads every page (about 50 ms at 10,000 trials), which a
// process that opens the same store read-only again and again (the
// dashboard opens it for each request) would pay each time. So a
// read-only open skips the walk when this process has walked the same
// file (os.SameFile) at the same size, modification time and bbolt
// transaction id: every commit changes the id and the time, so the pages
// are the ones found sound. A crash cannot damage committed pages (bbolt
// writes new pages and then switches the meta page); what the walk finds
// is damage from outside, and an outside change shows in the time and
// size. Opens for writing always walk: writing through a damaged tree
// spreads the damage.
func openChecked(path string, opts *bolt.Options) (db *bolt.DB, err error) {
	defer func() {
		if err != nil && db != nil {
			_ = db.Close()
			db = nil
		}
	}()
	defer guard(path, &err)()
	var size int64
	if fi, statErr := os.Stat(path); statErr == nil {
		size = fi.Size()
	}
	db, err = bolt.Open(path, 0o644, opts)
	if err != nil || size == 0 {
		return db, err
	}
	// Stated again under bbolt's file lock: no writer commits until Close.
	fi, err := os.Stat(path)
	if err != nil {
		return db, err
	}
	err = db.View(func(tx *bolt.Tx) error {
		if need := tx.Size(); fi.Size() < need {
			return damaged(path, fmt.Sprintf("the file is %d bytes, its pages need %d: it was cut short", fi.Size(), need))
		}
		state := checkedState{fi, tx.ID()}
		if opts.ReadOnly && soundFiles.has(path, state) {
			return nil
		}
		problems := 0
		pageWalks.Add(1)
		for range tx.Check() {
			problems++
		}
		if problems > 0 {
			// bbolt's own words for a page ("panic: assertion failed: …")
			// would read as a crash; the count says enough.
			return damaged(path, fmt.Sprintf("%d of its pages fail bbolt's consistency check", problems))
		}
		soundFiles.add(path, state)
		return nil
	})
	return db, err
}

// pageWalks counts the walks of openChecked (for tests).
var pageWalks atomic.Int64

// checkedState is a store file as openChecked found it sound.
type checkedState struct {
	fi   os.FileInfo
	txid int
}

func (s checkedState) same(o checkedState) bool {
	return os.SameFile(s.fi, o.fi) && s.fi.Size() == o.fi.Size() && s.fi.ModTime().Equal(o.fi.ModTime()) && s.txid == o.txid
}

// soundFiles holds, by path, the last state in which this process found
// each store file sound.
var soundFiles = checkedFiles{m: map[string]checkedState{}}

type checkedFiles struct {
	mu sync.Mutex
	m  map[string]checkedState
}

func (c *checkedFiles) has(path string, s checkedState) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.m[path]
	return ok && old.same(s)
}

func (c *checkedFiles) forget(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, path)
}

func (c *checkedFiles) add(path string, s checkedState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[path] = s
}

// tooSmall reports whether path is a file too short to hold bbolt's two
// meta pages, which bbolt reports with an error of no type.
func tooSmall(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Size() > 0 && fi.Size() < 2*int64(os.Getpagesize())
}
