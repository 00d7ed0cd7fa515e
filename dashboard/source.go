package dashboard

import (
	"errors"
	"fmt"
	"os"

	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/live"
)

// Source is what the dashboard reads of a study: the read half of a
// trials.Store. A *trials.Bolt, any trials.Store, and the live view of a
// running search all satisfy it. The dashboard never writes.
type Source interface {
	Study() (*trials.StudyRecord, error)
	Trials() ([]*trials.Trial, error)
	Trial(id int) (*trials.Trial, error)
	Checkpoint(id int) ([]byte, error)
}

// Versioned is a Source that can tell cheaply whether it changed: Version
// returns a different number after any change. The server reads the whole
// Source again only when the version moves; a Source that is not
// Versioned is read again every Options.Reload.
type Versioned interface {
	Source
	Version() (uint64, error)
}

// FileSource reads a bbolt store file, opening it read-only for each read
// and closing it at once, so that it never holds the file lock a search
// needs: a search can start while the dashboard runs. While a search holds
// the file, it reads through the search's live-read socket (trials/live),
// so the pages follow the running trials epoch by epoch. Only a process
// that holds the file without serving live reads (a search run from Go,
// an older tune) makes reads fail with an error wrapping
// trials.ErrLocked, and the server keeps showing what it read last.
type FileSource struct {
	Path string
}

var _ Versioned = (*FileSource)(nil)

// Version is the live store's version while a search serves it (odd
// numbers), and otherwise the file's modification time and size (even
// numbers): bbolt rewrites its meta page on every commit.
func (f *FileSource) Version() (uint64, error) {
	if c, err := live.Dial(f.Path); err == nil {
		defer c.Close()
		v, err := c.Version()
		return v<<1 | 1, err
	}
	fi, err := os.Stat(f.Path)
	if err != nil {
		return 0, err
	}
	return (uint64(fi.ModTime().UnixNano()) ^ uint64(fi.Size())<<1) &^ 1, nil
}

func (f *FileSource) with(fn func(s trials.Store) error) error {
	s, err := live.Open(f.Path, -1)
	if err != nil {
		return err
	}
	err = fn(s)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

// Study reads the study definition.
func (f *FileSource) Study() (st *trials.StudyRecord, err error) {
	err = f.with(func(s trials.Store) error { st, err = s.Study(); return err })
	return st, err
}

// Trials reads every trial.
func (f *FileSource) Trials() (ts []*trials.Trial, err error) {
	err = f.with(func(s trials.Store) error { ts, err = s.Trials(); return err })
	return ts, err
}

// Trial reads one trial.
func (f *FileSource) Trial(id int) (t *trials.Trial, err error) {
	err = f.with(func(s trials.Store) error { t, err = s.Trial(id); return err })
	return t, err
}

// Checkpoint reads one trial's checkpoint.
func (f *FileSource) Checkpoint(id int) (b []byte, err error) {
	err = f.with(func(s trials.Store) error { b, err = s.Checkpoint(id); return err })
	return b, err
}

// readAll reads a study and its trials from src.
func readAll(src Source) (*trials.StudyRecord, []*trials.Trial, error) {
	st, err := src.Study()
	if err != nil {
		if errors.Is(err, trials.ErrNoStudy) {
			return nil, nil, fmt.Errorf("%w: no search has started in this project", err)
		}
		return nil, nil, err
	}
	ts, err := src.Trials()
	if err != nil {
		return nil, nil, err
	}
	return st, ts, nil
}
