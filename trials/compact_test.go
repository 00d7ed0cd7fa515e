package trials

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestCompact(t *testing.T) {
	path := filepath.Join(t.TempDir(), "study.db")
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(&StudyRecord{}); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		tr, err := s.Create(&Trial{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.PutCheckpoint(tr.ID, make([]byte, 256<<10)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Reset(&StudyRecord{Seed: 7}); err != nil {
		t.Fatal(err)
	}
	kept, _ := s.Create(&Trial{})
	if _, _, err := Compact(path); !errors.Is(err, ErrLocked) {
		t.Errorf("Compact of an open store: err = %v, want ErrLocked", err)
	}
	s.Close()
	before, after, err := Compact(path)
	if err != nil {
		t.Fatal(err)
	}
	if after >= before/4 {
		t.Errorf("compacted %d → %d bytes, want far smaller", before, after)
	}
	s, err = Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ts, err := s.Trials()
	if err != nil || len(ts) != 1 || ts[0].ID != kept.ID {
		t.Errorf("after compaction: %v, %v", ts, err)
	}
	if st, err := s.Study(); err != nil || st.Seed != 7 {
		t.Errorf("study after compaction: %+v, %v", st, err)
	}
}
