package nn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"reflect"
	"runtime"
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
	// magic, version, count; per tensor name length and name ("dense/kernel",
	// "dense/bias", "dense_1/kernel", "dense_1/bias"), rank, dims, values; crc
	if want := 12 + (4 + 12 + 12 + 2*16*4) + (4 + 10 + 8 + 16*4) + (4 + 14 + 12 + 16*3*4) + (4 + 12 + 8 + 3*4) + 4; len(b) != want {
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

// Checkpoints carry the non-trainable weights: BatchNormalization's moving
// statistics and Normalization's mean and variance.
func TestWeightsIncludeStatistics(t *testing.T) {
	x, y := housingLike(1, 64)
	build := func(adapt *Matrix) *Model {
		norm := Normalization()
		if err := norm.Adapt(adapt); err != nil {
			t.Fatal(err)
		}
		return mustCompile(t, NewSequential(Input(8), norm, Dense(8, ReLU), BatchNormalization(), Dense(1, "")),
			CompileConfig{Loss: "mse", Optimizer: &Adam{}})
	}
	a := build(x)
	if _, err := a.Fit(t.Context(), x, y, FitConfig{Epochs: 2, BatchSize: 16}); err != nil {
		t.Fatal(err)
	}
	b := build(NewMatrixFrom(8, 8, y.Data[:64])) // other statistics
	wa, _ := a.MarshalWeights()
	if err := b.UnmarshalWeights(wa); err != nil {
		t.Fatal(err)
	}
	pa, _ := a.Predict(x)
	pb, _ := b.Predict(x)
	if !reflect.DeepEqual(pa, pb) {
		t.Error("predictions differ: statistics not restored")
	}
}

// Checkpoints of version 1 (no names, Dense weights only) are still read.
func TestUnmarshalWeightsVersion1(t *testing.T) {
	m, x := trainedBlobModel(t)
	b := []byte(weightsMagic)
	b = binary.LittleEndian.AppendUint32(b, 1)
	b = appendTensors(b, m.tensors, false)
	b = binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	other := blobModel(t, 5)
	if err := other.UnmarshalWeights(b); err != nil {
		t.Fatal(err)
	}
	p1, _ := m.Predict(x)
	p2, _ := other.Predict(x)
	if !reflect.DeepEqual(p1, p2) {
		t.Error("predictions differ after loading version 1")
	}
	bn := mustCompile(t, NewSequential(Input(2), Dense(16, ReLU), BatchNormalization(), Dense(3, Softmax)), CompileConfig{Loss: "mse"})
	if err := bn.UnmarshalWeights(b); !errors.Is(err, ErrWeightsMismatch) {
		t.Errorf("version 1 into a model with moving statistics: %v", err)
	}
}

// reseal fixes the checksum of a hand-edited blob.
func reseal(b []byte) []byte {
	body := b[:len(b)-4]
	return binary.LittleEndian.AppendUint32(append([]byte(nil), body...), crc32.ChecksumIEEE(body))
}

// allocBytes returns the bytes f allocates.
func allocBytes(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
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
	// Layout: magic 0, version 4, count 8, name length 12, name 16–28 ("dense/kernel"), rank 28, dims 32 and 36.
	check("version 3", edit(4, 3), ErrWeightsFormat)
	check("huge tensor count", edit(8, 0xffffffff), ErrWeightsMismatch)
	check("huge name length", edit(12, 0xffffffff), ErrWeightsFormat)
	check("other name", edit(16, 0x41414141), ErrWeightsMismatch)
	check("huge rank", edit(28, 0xffffffff), ErrWeightsFormat)
	check("huge dimension", edit(32, 0xffffffff), ErrWeightsMismatch)
	check("swapped dims", reseal(append(append(append([]byte(nil), good[:32]...), good[36:40]...), append(append([]byte(nil), good[32:36]...), good[40:]...)...)), ErrWeightsMismatch)
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
	for _, hostile := range [][]byte{edit(8, 0xffffffff), edit(12, 0x7fffffff), edit(32, 0xffffffff)} {
		if n := allocBytes(func() { _ = m.UnmarshalWeights(hostile) }); n > 4096 {
			t.Errorf("%d bytes allocated for a hostile header", n)
		}
	}
}

func FuzzUnmarshalWeights(f *testing.F) {
	m, _ := trainedBlobModel(f)
	good, _ := m.MarshalWeights()
	f.Add(good)
	f.Add(good[:40])
	f.Add([]byte{})
	f.Add([]byte("TNNW\x02\x00\x00\x00\xff\xff\xff\xff"))
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
			if binary.LittleEndian.Uint32(in[4:]) == 1 {
				continue // version 1 is re-marshalled as version 2
			}
			// Accepted input must be exactly what MarshalWeights would write.
			again, err := m.MarshalWeights()
			if err != nil || !bytes.Equal(again, in) {
				t.Fatalf("accepted %d bytes that do not re-marshal identically", len(in))
			}
		}
	})
}
