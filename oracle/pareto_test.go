package oracle

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestNonDominatedSortAndCrowding(t *testing.T) {
	points := [][]float64{{1, 5}, {2, 2}, {5, 1}, {3, 3}, {4, 4}, {2, 2}, {6, 6}}
	fronts := NonDominatedSort(points)
	want := [][]int{{0, 1, 2, 5}, {3}, {4}, {6}}
	if len(fronts) != len(want) {
		t.Fatalf("fronts %v, want %v", fronts, want)
	}
	for i := range want {
		if !slices.Equal(fronts[i], want[i]) {
			t.Fatalf("fronts %v, want %v", fronts, want)
		}
	}
	if f := ParetoFront(points); !slices.Equal(f, want[0]) {
		t.Fatalf("ParetoFront %v", f)
	}
	d := CrowdingDistance(points, []int{0, 1, 2})
	// the middle point: (5−1)/4 + (5−1)/4
	if !math.IsInf(d[0], 1) || !math.IsInf(d[2], 1) || d[1] != 2 {
		t.Fatalf("crowding %v", d)
	}
}

func TestHypervolume(t *testing.T) {
	// Staircase of three points below ref (4, 4): 3·1 + 2·1 + 1·1 ... by hand
	// (1,3): 3×1, (2,2): 2×1 more, (3,1): 1×1 more = 6.
	pts := [][]float64{{1, 3}, {2, 2}, {3, 1}, {3, 3}, {5, 0}}
	if v := Hypervolume(pts, []float64{4, 4}); v != 6 {
		t.Fatalf("2-D hypervolume %v, want 6", v)
	}
	// 3-D: a unit cube at the origin with ref (2,2,2) dominates 8; adding
	// (0,0,1.5)… inside it adds nothing; (1.5, 1.5, 0) adds nothing either.
	if v := Hypervolume([][]float64{{0, 0, 0}, {1.5, 1.5, 0}}, []float64{2, 2, 2}); v != 8 {
		t.Fatalf("3-D hypervolume %v, want 8", v)
	}
	// Two boxes: (1,0,0) → 1·2·2 = 4, (0,1,1) → 2·1·1 = 2, overlap 1·1·1 = 1.
	if v := Hypervolume([][]float64{{1, 0, 0}, {0, 1, 1}}, []float64{2, 2, 2}); v != 5 {
		t.Fatalf("3-D hypervolume %v, want 5", v)
	}
	// Against Monte Carlo on random 3-D points.
	g := rand.New(rand.NewPCG(1, 2))
	var pts3 [][]float64
	for range 20 {
		pts3 = append(pts3, []float64{g.Float64(), g.Float64(), g.Float64()})
	}
	ref := []float64{1, 1, 1}
	exact := Hypervolume(pts3, ref)
	hits, n := 0, 200000
	for range n {
		x := []float64{g.Float64(), g.Float64(), g.Float64()}
		for _, p := range pts3 {
			if p[0] <= x[0] && p[1] <= x[1] && p[2] <= x[2] {
				hits++
				break
			}
		}
	}
	// 200,000 samples: standard error below 0.0012.
	if mc := float64(hits) / float64(n); math.Abs(mc-exact) > 0.006 {
		t.Fatalf("3-D hypervolume %v, Monte Carlo %v", exact, mc)
	}
}
