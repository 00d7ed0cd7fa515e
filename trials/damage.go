package trials

import (
	"fmt"
	"os"
	"runtime/debug"

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
	err = db.View(func(tx *bolt.Tx) error {
		if need := tx.Size(); size < need {
			return damaged(path, fmt.Sprintf("the file is %d bytes, its pages need %d: it was cut short", size, need))
		}
		problems := 0
		for range tx.Check() {
			problems++
		}
		if problems > 0 {
			// bbolt's own words for a page ("panic: assertion failed: …")
			// would read as a crash; the count says enough.
			return damaged(path, fmt.Sprintf("%d of its pages fail bbolt's consistency check", problems))
		}
		return nil
	})
	return db, err
}

// tooSmall reports whether path is a file too short to hold bbolt's two
// meta pages, which bbolt reports with an error of no type.
func tooSmall(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Size() > 0 && fi.Size() < 2*int64(os.Getpagesize())
}
