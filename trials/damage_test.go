package trials

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// damagedFixture writes a store with a study, trials, epochs and a
// checkpoint large enough to span several pages, and returns its bytes.
func damagedFixture(t *testing.T) []byte {
	path := filepath.Join(t.TempDir(), "study.db")
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutStudy(testStudy(t, 1)); err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		tr, err := s.Create(&Trial{})
		if err != nil {
			t.Fatal(err)
		}
		for e := range 20 {
			if err := s.AppendEpoch(tr.ID, Epoch{Epoch: e, Metrics: map[string]float64{"loss": float64(i + e)}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.PutCheckpoint(tr.ID, bytes.Repeat([]byte{byte(i)}, 9000)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// Every damage of a store file, cut short or overwritten at many offsets,
// gives an error or a store that works; a store whose damage Open finds is
// never written to, and no damage panics.
func TestDamagedStores(t *testing.T) {
	good := damagedFixture(t)
	type damage struct {
		name string
		raw  []byte
		cut  bool
	}
	var cases []damage
	for _, n := range []int{1, 100, 4096, 4097, 8192, 12000} {
		cases = append(cases, damage{fmt.Sprintf("cut to %d bytes", n), good[:n], true})
	}
	for k := 1; k < 16; k++ {
		n := len(good) * k / 16
		cases = append(cases, damage{fmt.Sprintf("cut to %d/16", k), good[:n], true})
	}
	for k := range 48 {
		off := len(good) * k / 48
		raw := bytes.Clone(good)
		for i := off; i < min(off+64, len(raw)); i++ {
			raw[i] = byte(0xa5 ^ i)
		}
		cases = append(cases, damage{fmt.Sprintf("scribbled at %d", off), raw, false})
	}
	cutsFound := 0
	for _, c := range cases {
		path := filepath.Join(t.TempDir(), "study.db")
		if err := os.WriteFile(path, c.raw, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, readOnly := range []bool{true, false} {
			s, err := Open(path, &Options{ReadOnly: readOnly})
			if err != nil {
				if !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrNotStore) && !errors.Is(err, ErrCorrupt) {
					t.Errorf("%s: Open: %v, want ErrDamaged, ErrNotStore or ErrCorrupt", c.name, err)
				}
				if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), path) {
					t.Errorf("%s: error is not one line naming the file: %q", c.name, err)
				}
				if after, _ := os.ReadFile(path); !bytes.Equal(after, c.raw) {
					t.Fatalf("%s: a damaged store was written to (%d bytes, was %d)", c.name, len(after), len(c.raw))
				}
				if c.cut {
					cutsFound++
				}
				continue
			}
			// Open found nothing wrong in the page structure. A cut then
			// only took the file's unused tail (bbolt grows files ahead):
			// everything reads back. A scribble is inside records, which
			// read as errors or as other bytes, never as a panic.
			trs, err := s.Trials()
			if c.cut && (err != nil || len(trs) != 6 || len(trs[5].History) != 20) {
				t.Errorf("%s: opens but reads %d trials, %v", c.name, len(trs), err)
			}
			_, _ = s.Study()
			for id := 1; id <= 6; id++ {
				ck, err := s.Checkpoint(id)
				if c.cut && (err != nil || !bytes.Equal(ck, bytes.Repeat([]byte{byte(id - 1)}, 9000))) {
					t.Errorf("%s: checkpoint %d: %d bytes, %v", c.name, id, len(ck), err)
				}
			}
			if !readOnly {
				_, _ = s.Create(&Trial{})
			}
			if err := s.Close(); err != nil {
				t.Errorf("%s: Close: %v", c.name, err)
			}
		}
	}
	// The cuts into the pages in use (the first half of the file here)
	// are found.
	if cutsFound < 2*12 {
		t.Errorf("Open found %d damaged cuts, want at least 24", cutsFound)
	}
}

// A read-only open walks the page tree once per state of the file: again
// after a commit, after the file is changed from outside, and on every
// open for writing.
func TestOpenWalksPagesOncePerFileState(t *testing.T) {
	good := damagedFixture(t)
	// A scribble that the walk finds (and nothing before it).
	var bad []byte
	for k := range 48 {
		raw := bytes.Clone(good)
		off := len(good) * k / 48
		for i := off; i < min(off+64, len(raw)); i++ {
			raw[i] = byte(0xa5 ^ i)
		}
		path := filepath.Join(t.TempDir(), "study.db")
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		before := pageWalks.Load()
		if s, err := Open(path, &Options{ReadOnly: true}); err == nil {
			s.Close()
		} else if errors.Is(err, ErrDamaged) && pageWalks.Load() == before+1 {
			bad = raw
			break
		}
	}
	if bad == nil {
		t.Fatal("no scribble fails the page walk")
	}
	path := filepath.Join(t.TempDir(), "study.db")
	if err := os.WriteFile(path, good, 0o644); err != nil {
		t.Fatal(err)
	}
	walks := func(what string, readOnly bool, want int64, fn func(s *Bolt)) {
		t.Helper()
		before := pageWalks.Load()
		s, err := Open(path, &Options{ReadOnly: readOnly})
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if fn != nil {
			fn(s)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if got := pageWalks.Load() - before; got != want {
			t.Errorf("%s: %d page walks, want %d", what, got, want)
		}
	}
	walks("first read-only open", true, 1, nil)
	walks("second read-only open", true, 0, func(s *Bolt) {
		if ts, err := s.Trials(); err != nil || len(ts) != 6 {
			t.Errorf("Trials = %d trials, %v", len(ts), err)
		}
	})
	walks("open for writing", false, 1, func(s *Bolt) {
		if _, err := s.Create(&Trial{}); err != nil {
			t.Error(err)
		}
	})
	walks("read-only open after a commit", true, 1, nil)
	walks("read-only open after that", true, 0, nil)
	// Damage from outside, of the same size; the time is set apart from
	// the last walk's, which a coarse file system clock might not do.
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(path, &Options{ReadOnly: true}); !errors.Is(err, ErrDamaged) {
		if err == nil {
			s.Close()
		}
		t.Errorf("read-only open of the damaged file: %v, want ErrDamaged", err)
	}
}
