package data

import (
	"math"
	"slices"
	"testing"
)

func TestSpirals(t *testing.T) {
	x, y := Spirals(301, 3, 0.1, 7)
	if x.Rows != 301 || x.Cols != 2 || y.Rows != 301 || y.Cols != 1 {
		t.Fatalf("shapes %d×%d, %d×%d", x.Rows, x.Cols, y.Rows, y.Cols)
	}
	counts := make([]int, 3)
	for i, c := range y.Data {
		if c != float32(i%3) {
			t.Fatalf("row %d has class %v, want %d", i, c, i%3)
		}
		counts[int(c)]++
	}
	if !slices.Equal(counts, []int{101, 100, 100}) {
		t.Errorf("class counts %v", counts)
	}

	// Same seed, same data; another seed, other data.
	x2, y2 := Spirals(301, 3, 0.1, 7)
	if !equalMatrix(x, x2) || !equalMatrix(y, y2) {
		t.Error("Spirals is not deterministic")
	}
	x3, _ := Spirals(301, 3, 0.1, 8)
	if equalMatrix(x, x3) {
		t.Error("seeds 7 and 8 give the same points")
	}

	// Without noise every point lies on its arm, inside the unit disc.
	x, y = Spirals(200, 2, 0, 1)
	for i := range x.Rows {
		px, py := float64(x.At(i, 0)), float64(x.At(i, 1))
		r := math.Hypot(px, py)
		if r >= 1 {
			t.Fatalf("row %d: radius %v", i, r)
		}
		if r < 1e-3 {
			continue
		}
		// angle = π·class + 2π·1.25·r (mod 2π)
		want := math.Pi*float64(y.Data[i]) + 2*math.Pi*spiralTurns*r
		d := math.Remainder(math.Atan2(py, px)-want, 2*math.Pi)
		if math.Abs(d) > 1e-4 {
			t.Fatalf("row %d (%v, %v) class %v is %v rad off its arm", i, px, py, y.Data[i], d)
		}
	}

	// Pinned values guard against accidental changes to the generator.
	x, _ = Spirals(2, 2, 0.1, 42)
	want := []float64{0.7405294, -0.3406918, -0.13721335, -0.03586667}
	for i, w := range want {
		if math.Abs(float64(x.Data[i])-w) > 1e-6 {
			t.Errorf("Spirals(2, 2, 0.1, 42) = %v, want %v", x.Data, want)
			break
		}
	}

	if x, y := Spirals(0, 2, 0, 1); x.Rows != 0 || y.Rows != 0 || x.Cols != 2 {
		t.Errorf("n=0: %d×%d", x.Rows, x.Cols)
	}
}

func TestBlobs(t *testing.T) {
	x, y := Blobs(90, 3, 4, 0.5, 3)
	if x.Rows != 90 || x.Cols != 4 || y.Rows != 90 || y.Cols != 1 {
		t.Fatalf("shapes %d×%d, %d×%d", x.Rows, x.Cols, y.Rows, y.Cols)
	}
	x2, y2 := Blobs(90, 3, 4, 0.5, 3)
	if !equalMatrix(x, x2) || !equalMatrix(y, y2) {
		t.Error("Blobs is not deterministic")
	}
	// With std 0 every point of a cluster is its centre, inside [-10, 10).
	x, y = Blobs(30, 3, 2, 0, 9)
	for i := range x.Rows {
		if y.Data[i] != float32(i%3) {
			t.Fatalf("row %d in cluster %v", i, y.Data[i])
		}
		for j := range 2 {
			if v := x.At(i, j); v != x.At(i%3, j) || v < -10 || v >= 10 {
				t.Fatalf("row %d: %v, centre %v", i, x.Row(i), x.Row(i%3))
			}
		}
	}
}

func TestSyntheticPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"spirals n<0":       func() { Spirals(-1, 2, 0, 1) },
		"spirals 0 classes": func() { Spirals(10, 0, 0, 1) },
		"spirals noise<0":   func() { Spirals(10, 2, -1, 1) },
		"spirals noise NaN": func() { Spirals(10, 2, math.NaN(), 1) },
		"blobs 0 centers":   func() { Blobs(10, 0, 2, 1, 1) },
		"blobs 0 features":  func() { Blobs(10, 2, 0, 1, 1) },
		"blobs std<0":       func() { Blobs(10, 2, 2, -1, 1) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}
