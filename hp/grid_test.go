package hp

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// checkGrid checks the invariants of a stepped param: Count values,
// strictly increasing, inside [min, max], each contained, found again by
// nearest, and round-tripping through the unit interval.
func checkGrid(t *testing.T, p *Param) {
	t.Helper()
	n := p.Count()
	if n < 1 {
		t.Fatalf("%v: Count = %d", p, n)
	}
	var idx []int
	for i := 0; i < n && i < 100; i++ {
		idx = append(idx, i)
	}
	if n > 100 {
		idx = append(idx, n/2, n-2, n-1)
	}
	for _, i := range idx {
		v := p.ValueAt(i)
		f := Float(v)
		if i > 0 {
			if prev := Float(p.ValueAt(i - 1)); !(f > prev) {
				t.Fatalf("%v: ValueAt(%d) = %v not above ValueAt(%d) = %v", p, i, v, i-1, prev)
			}
		}
		if f < p.Min || f > p.Max {
			t.Fatalf("%v: ValueAt(%d) = %v outside the range", p, i, v)
		}
		if !p.Contains(v) {
			t.Fatalf("%v: ValueAt(%d) = %v not contained", p, i, v)
		}
		if j, ok := p.nearest(v); !ok || j != i {
			t.Fatalf("%v: nearest(ValueAt(%d) = %v) = %d, %v", p, i, v, j, ok)
		}
		u, err := p.ToUnit(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.FromUnit(u); got != v {
			t.Fatalf("%v: FromUnit(ToUnit(%v)) = %v", p, v, got)
		}
		if c, err := p.canonical(v); err != nil || c != v {
			t.Fatalf("%v: canonical(%v) = %v, %v", p, v, c, err)
		}
	}
}

// TestFloatGridProperties builds decimal grids whose max is exactly a grid
// value and checks that max is included and that every value is the exact
// decimal (no 0.6000000000000001).
func TestFloatGridProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 11))
	for range 3000 {
		dMin, dStep := rng.IntN(6), rng.IntN(6)
		minI := rng.IntN(20001) - 10000
		stepI := 1 + rng.IntN(999)
		n := 1 + rng.IntN(60)
		// Exact decimals, via their text.
		dec := func(k, d int) float64 {
			f, _ := strconv.ParseFloat(strconv.Itoa(k)+"e-"+strconv.Itoa(d), 64)
			return f
		}
		min, step := dec(minI, dMin), dec(stepI, dStep)
		scale := max(dMin, dStep)
		pow := func(d int) int { return int(math.Pow10(d)) }
		minScaled := minI * pow(scale-dMin)
		stepScaled := stepI * pow(scale-dStep)
		want := make([]float64, n)
		for i := range want {
			want[i] = dec(minScaled+i*stepScaled, scale)
		}
		p := Param{Name: "x", Kind: KindFloat, Min: min, Max: want[n-1], Step: step}
		q := mustParam(t, p)
		if q.Count() != n {
			t.Fatalf("%v: Count = %d, want %d", q, q.Count(), n)
		}
		for i, w := range want {
			if got := q.ValueAt(i); got != w {
				t.Fatalf("%v: ValueAt(%d) = %v, want %v", q, i, got, w)
			}
		}
		checkGrid(t, q)
		// A max a little short of the last grid value excludes it.
		if n > 1 {
			p.Max = want[n-1] - step/1000
			if q := mustParam(t, p); q.Count() != n-1 {
				t.Fatalf("%v: Count = %d, want %d", q, q.Count(), n-1)
			}
		}
	}
}

func TestRandomGridProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 99))
	factors := []float64{1.1, 1.5, 2, 3, 10, 1.0001}
	for range 2000 {
		var p Param
		switch rng.IntN(4) {
		case 0: // arbitrary float steps
			min := (rng.Float64() - 0.5) * math.Pow(10, float64(rng.IntN(12)-4))
			step := rng.Float64() * math.Pow(10, float64(rng.IntN(8)-4))
			p = Param{Kind: KindFloat, Min: min, Max: min + step*float64(rng.IntN(500))*(1+rng.Float64()*1e-3), Step: step + 1e-300}
		case 1: // float log grids
			min := rng.Float64() * math.Pow(10, float64(rng.IntN(40)-20))
			f := factors[rng.IntN(len(factors))]
			p = Param{Kind: KindFloat, Min: min + 1e-300, Max: min * math.Pow(f, float64(rng.IntN(80))) * (1 + rng.Float64()*1e-6), Step: f, Sampling: Log}
		case 2: // int linear
			min := rng.IntN(1<<20) - 1<<19
			p = Param{Kind: KindInt, Min: float64(min), Max: float64(min + rng.IntN(1<<12)), Step: float64(1 + rng.IntN(50))}
		case 3: // int log
			min := 1 + rng.IntN(1000)
			p = Param{Kind: KindInt, Min: float64(min), Max: float64(min * (1 + rng.IntN(1<<20))), Step: float64(2 + rng.IntN(9)), Sampling: Log}
		}
		p.Name = "x"
		if p.Max < p.Min {
			p.Max = p.Min
		}
		s, err := NewSpace(p)
		if err != nil {
			t.Fatalf("%#v: %v", p, err)
		}
		checkGrid(t, &s.Params()[0])
	}
}
