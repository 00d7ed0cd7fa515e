package trials

import (
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// Compact rewrites the store at path into a new file holding only its
// live pages, then renames it over path: the space that deleted trials
// and checkpoints left behind is returned to the file system. The store
// must not be open elsewhere (else ErrLocked) and must open cleanly (a
// damaged store is refused, untouched). It returns the sizes before and
// after.
//
// A crash at any instant leaves either the old file or the new one at
// path, never a mix: the copy is synced before the rename.
func Compact(path string) (before, after int64, err error) {
	src, err := Open(path, &Options{Timeout: -1})
	if err != nil {
		return 0, 0, err
	}
	defer func() {
		if cerr := src.Close(); err == nil {
			err = cerr
		}
	}()
	if _, err := src.Trials(); err != nil {
		return 0, 0, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0, 0, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".compact-*")
	if err != nil {
		return 0, 0, fmt.Errorf("compact %s: %w", path, err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	defer os.Remove(tmpName) // after a successful rename, nothing is there
	dst, err := bolt.Open(tmpName, fi.Mode().Perm(), nil)
	if err != nil {
		return 0, 0, fmt.Errorf("compact %s: %w", path, err)
	}
	if err := bolt.Compact(dst, src.db, 64<<20); err != nil {
		dst.Close()
		return 0, 0, fmt.Errorf("compact %s: %w", path, err)
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return 0, 0, fmt.Errorf("compact %s: %w", path, err)
	}
	if err := dst.Close(); err != nil {
		return 0, 0, fmt.Errorf("compact %s: %w", path, err)
	}
	nfi, err := os.Stat(tmpName)
	if err != nil {
		return 0, 0, err
	}
	if err := os.Rename(tmpName, path); err != nil {
		return 0, 0, fmt.Errorf("compact %s: %w", path, err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return fi.Size(), nfi.Size(), nil
}
