package nn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"reflect"
	"testing"
)

func trainedBlobModel(t testing.TB) (*Model, *Matrix) {
	x, y := blobs(1, 96, 3)
	m := blobModel(t, 1)
	if _, err := m.Fit(t.Context(), x, y, FitConfig{Epochs: 2}); err != nil {
		t.Fatal(err)
	}
	return m, x
}

func TestWeightsRoundTrip(t *testing.T) {
	m, x := trainedBlobModel(t)
	b, err := m.MarshalWeights()
	if err != nil {
		t.Fatal(err)
	}
	// 4 magic + 4 version + 4 count + (4+8+2·16·4) + (4+4+16·4) + (4+8+16·3·4) + (4+4+3·4) + 4 crc
	if want := 12 + (12 + 128) + (8 + 64) + (12 + 192) + (8 + 12) + 4; len(b) != want {
		t.Errorf("%d bytes, want %d", len(b), want)
	}
	other := blobModel(t, 99) // different initial weights
	if err := other.UnmarshalWeights(b); err != nil {
		t.Fatal(err)
	}
	p1, _ := m.Predict(x)
	p2, _ := other.Predict(x)
	if !reflect.DeepEqual(p1, p2) {
		t.Error("predictions differ after a round trip")
	}
	b2, _ := other.MarshalWeights()
	if !bytes.Equal(b, b2) {
		t.Error("re-marshalled bytes differ")
	}
}

// reseal fixes the checksum of a hand-edited blob.
func reseal(b []byte) []byte {
	body := b[:len(b)-4]
	return binary.LittleEndian.AppendUint32(append([]byte(nil), body...), crc32.ChecksumIEEE(body))
}

func TestUnmarshalWeightsRejects(t *testing.T) {
	m, x := trainedBlobModel(t)
	good, _ := m.MarshalWeights()
	before, _ := m.Predict(x)
	check := func(name string, b []byte, want error) {
		t.Helper()
		if err := m.UnmarshalWeights(b); !errors.Is(err, want) {
			t.Errorf("%s: err = %v, want %v", name, err, want)
		}
	}
	for n := range len(good) {
		check("truncated", good[:n], ErrWeightsFormat)
	}
	for i := range good {
		b := append([]byte(nil), good...)
		b[i] ^= 0x20
		check("bit flip", b, ErrWeightsFormat)
	}
	check("trailing byte", append(append([]byte(nil), good...), 0), ErrWeightsFormat)

	edit := func(off int, v uint32) []byte {
		b := append([]byte(nil), good...)
		binary.LittleEndian.PutUint32(b[off:], v)
		return reseal(b)
	}
	check("version 2", edit(4, 2), ErrWeightsFormat)
	check("huge tensor count", edit(8, 0xffffffff), ErrWeightsMismatch)
	check("huge rank", edit(12, 0xffffffff), ErrWeightsFormat)
	check("huge dimension", edit(16, 0xffffffff), ErrWeightsMismatch)
	check("swapped dims", reseal(append(append(append([]byte(nil), good[:16]...), good[20:24]...), append(append([]byte(nil), good[16:20]...), good[24:]...)...)), ErrWeightsMismatch)
	check("trailing bytes, valid checksum", reseal(append(append([]byte(nil), good[:len(good)-4]...), 1, 2, 3, 4, 0, 0, 0, 0)), ErrWeightsFormat)

	uncompiled := blobModel(t, 1)
	uncompiled.Add() // Add, even of nothing, drops the compilation
	if err := uncompiled.UnmarshalWeights(good); !errors.Is(err, ErrNotCompiled) {
		t.Errorf("uncompiled: %v", err)
	}
	arch := mustCompile(t, NewSequential(Input(2), Dense(17, ReLU), Dense(3, Softmax)), CompileConfig{Loss: "mse"})
	if err := arch.UnmarshalWeights(good); !errors.Is(err, ErrWeightsMismatch) {
		t.Errorf("other architecture: %v", err)
	}
	deeper := mustCompile(t, NewSequential(Input(2), Dense(16, ReLU), Dense(3, ReLU), Dense(3, Softmax)), CompileConfig{Loss: "mse"})
	if err := deeper.UnmarshalWeights(good); !errors.Is(err, ErrWeightsMismatch) {
		t.Errorf("deeper architecture: %v", err)
	}

	after, _ := m.Predict(x)
	if !reflect.DeepEqual(before, after) {
		t.Error("a rejected input changed the weights")
	}
	hostile := edit(8, 0xffffffff)
	if a := testing.AllocsPerRun(10, func() { _ = m.UnmarshalWeights(hostile) }); a > 4 {
		t.Errorf("%v allocations for a hostile tensor count", a)
	}
}

func FuzzUnmarshalWeights(f *testing.F) {
	m, _ := trainedBlobModel(f)
	good, _ := m.MarshalWeights()
	f.Add(good)
	f.Add(good[:40])
	f.Add([]byte{})
	f.Add([]byte("TNNW\x01\x00\x00\x00\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		inputs := [][]byte{b}
		if len(b) >= 4 {
			// Random bytes rarely carry a valid checksum: also feed them
			// resealed, to reach the parser behind the checksum.
			inputs = append(inputs, reseal(b))
		}
		for _, in := range inputs {
			if err := m.UnmarshalWeights(in); err != nil {
				if !errors.Is(err, ErrWeightsFormat) && !errors.Is(err, ErrWeightsMismatch) {
					t.Fatalf("unexpected error class: %v", err)
				}
				continue
			}
			// Accepted input must be exactly what MarshalWeights would write.
			again, err := m.MarshalWeights()
			if err != nil || !bytes.Equal(again, in) {
				t.Fatalf("accepted %d bytes that do not re-marshal identically", len(in))
			}
		}
	})
}
