package oracle

import (
	"cmp"
	"math"
	"slices"
)

// The multi-objective core: points are objective vectors, every coordinate
// minimized (negate a maximized objective first). A trial that carries
// several objective values (see the integration notes in bench/README.md)
// maps to one such point; an oracle or the CLI ranks trials with these
// functions, which depend on nothing but the points.

// Dominates reports whether a is at least as good as b everywhere and
// better somewhere.
func Dominates(a, b []float64) bool {
	better := false
	for i := range a {
		if a[i] > b[i] {
			return false
		}
		if a[i] < b[i] {
			better = true
		}
	}
	return better
}

// NonDominatedSort splits points into fronts, best first, as NSGA-II's
// fast non-dominated sort: front 0 is the Pareto front, front k the points
// dominated only by those of earlier fronts. It returns indices into
// points, each front in increasing order.
func NonDominatedSort(points [][]float64) [][]int {
	n := len(points)
	dominated := make([][]int, n) // dominated[i]: points i dominates
	count := make([]int, n)       // how many points dominate i
	for i := range n {
		for j := i + 1; j < n; j++ {
			switch {
			case Dominates(points[i], points[j]):
				dominated[i] = append(dominated[i], j)
				count[j]++
			case Dominates(points[j], points[i]):
				dominated[j] = append(dominated[j], i)
				count[i]++
			}
		}
	}
	var fronts [][]int
	var front []int
	for i := range n {
		if count[i] == 0 {
			front = append(front, i)
		}
	}
	for len(front) > 0 {
		fronts = append(fronts, front)
		var next []int
		for _, i := range front {
			for _, j := range dominated[i] {
				if count[j]--; count[j] == 0 {
					next = append(next, j)
				}
			}
		}
		slices.Sort(next)
		front = next
	}
	return fronts
}

// ParetoFront returns the indices of the non-dominated points, in
// increasing order.
func ParetoFront(points [][]float64) []int {
	if len(points) == 0 {
		return nil
	}
	return NonDominatedSort(points)[0]
}

// CrowdingDistance returns NSGA-II's crowding distance of each point of one
// front (front holds indices into points): per objective, the gap between
// its neighbours over the objective's range, summed; the extremes get +Inf.
func CrowdingDistance(points [][]float64, front []int) []float64 {
	d := make([]float64, len(front))
	if len(front) == 0 {
		return d
	}
	order := make([]int, len(front))
	for m := range points[front[0]] {
		for k := range order {
			order[k] = k
		}
		at := func(k int) float64 { return points[front[k]][m] }
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(at(a), at(b)) })
		lo, hi := at(order[0]), at(order[len(order)-1])
		d[order[0]], d[order[len(order)-1]] = math.Inf(1), math.Inf(1)
		if !(hi > lo) {
			continue
		}
		for r := 1; r+1 < len(order); r++ {
			d[order[r]] += (at(order[r+1]) - at(order[r-1])) / (hi - lo)
		}
	}
	return d
}

// Hypervolume is the volume of the region dominated by points and bounded
// by ref (every coordinate minimized; points not better than ref in every
// coordinate add nothing). Two objectives are swept exactly in O(n log n);
// more are sliced along the last objective recursively (exact, O(n^(d−1)
// log n), meant for three or four objectives and fronts of hundreds).
func Hypervolume(points [][]float64, ref []float64) float64 {
	var in [][]float64
	for _, p := range points {
		inside := true
		for i := range ref {
			if !(p[i] < ref[i]) {
				inside = false
				break
			}
		}
		if inside {
			in = append(in, p)
		}
	}
	return hypervolume(in, ref)
}

func hypervolume(points [][]float64, ref []float64) float64 {
	d := len(ref)
	switch {
	case len(points) == 0:
		return 0
	case d == 1:
		best := ref[0]
		for _, p := range points {
			best = math.Min(best, p[0])
		}
		return ref[0] - best
	case d == 2:
		sorted := slices.Clone(points)
		slices.SortFunc(sorted, func(a, b []float64) int {
			return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
		})
		var v float64
		y := ref[1]
		for _, p := range sorted {
			if p[1] < y {
				v += (ref[0] - p[0]) * (y - p[1])
				y = p[1]
			}
		}
		return v
	}
	// Slices between consecutive values of the last objective: in each,
	// the points at or below it project to a (d−1)-dimensional set.
	sorted := slices.Clone(points)
	slices.SortFunc(sorted, func(a, b []float64) int { return cmp.Compare(a[d-1], b[d-1]) })
	var v float64
	proj := make([][]float64, 0, len(sorted))
	for k, p := range sorted {
		proj = append(proj, p[:d-1])
		top := ref[d-1]
		if k+1 < len(sorted) {
			top = sorted[k+1][d-1]
		}
		if h := top - p[d-1]; h > 0 {
			v += h * hypervolume(proj, ref[:d-1])
		}
	}
	return v
}
