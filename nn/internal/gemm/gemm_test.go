package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

type kernelImpl struct {
	name  string
	use   func() (restore func())
	tiles tileSet // the direct micro-kernels it runs
}

// u is the unit roundoff of float32.
const u = 1.0 / (1 << 24)

// tolerance is the relative error bound the tests allow: an element of C
// computed from a k-term sum may differ from the exact value by at most
//
//	(k+4)·u · (|alpha|·Σ_p |A(i,p)|·|B(p,j)| + |beta|·|C₀(i,j)| + |bias(j)|)
//
// (plus u·|f(x)| for Sigmoid and Tanh, which are 1-Lipschitz). That is the
// classical bound for a sum of k products in any order, with or without
// fused multiply-adds, plus one rounding each for alpha, beta·C and the
// bias; it holds whatever order the blocking accumulates in.
func tolerance(k int) float64 { return float64(k+4) * u }

// testCase is one product with its inputs; c0 is C before the call.
type testCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a              []float32
	lda            int
	b              []float32
	ldb            int
	c0             []float32
	ldc            int
	bias           []float32
	act            Epilogue
	mask           []float32 // DenseGradXReLU's y (C's shape, dense): C is 0 where mask ≤ 0
	exact          bool      // integer data: the result must be exact
	ref, mag       []float64 // cached by reference
}

func (tc *testCase) String() string {
	return fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d alpha=%g beta=%g lda=%d ldb=%d ldc=%d bias=%v act=%v",
		tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.lda, tc.ldb, tc.ldc, tc.bias != nil, tc.act)
}

func (tc *testCase) at(i, p int) float32 {
	if tc.transA {
		return tc.a[p*tc.lda+i]
	}
	return tc.a[i*tc.lda+p]
}

func (tc *testCase) bt(p, j int) float32 {
	if tc.transB {
		return tc.b[j*tc.ldb+p]
	}
	return tc.b[p*tc.ldb+j]
}

// reference computes the product in float64 with the naive triple loop,
// and the magnitude Σ|terms| each element's error is measured against. It
// caches them, as every kernel set is checked against the same cases.
func (tc *testCase) reference() (ref, mag []float64) {
	if tc.ref != nil {
		return tc.ref, tc.mag
	}
	// op(A) row by row and op(B) column by column, so the inner loop is a
	// plain dot product.
	opA := make([]float64, tc.m*tc.k)
	for i := range tc.m {
		for p := range tc.k {
			opA[i*tc.k+p] = float64(tc.at(i, p))
		}
	}
	opBT := make([]float64, tc.n*tc.k)
	for j := range tc.n {
		for p := range tc.k {
			opBT[j*tc.k+p] = float64(tc.bt(p, j))
		}
	}
	ref = make([]float64, tc.m*tc.n)
	mag = make([]float64, tc.m*tc.n)
	for i := range tc.m {
		ai := opA[i*tc.k : (i+1)*tc.k]
		for j := range tc.n {
			bj := opBT[j*tc.k : (j+1)*tc.k]
			var s, sa float64
			if tc.alpha != 0 {
				for p, x := range ai {
					x *= bj[p]
					s += x
					sa += math.Abs(x)
				}
			}
			s *= float64(tc.alpha)
			sa *= math.Abs(float64(tc.alpha))
			if tc.beta != 0 {
				cv := float64(tc.c0[i*tc.ldc+j])
				s += float64(tc.beta) * cv
				sa += math.Abs(float64(tc.beta) * cv)
			}
			if tc.bias != nil {
				s += float64(tc.bias[j])
				sa += math.Abs(float64(tc.bias[j]))
			}
			if tc.mask != nil && tc.mask[i*tc.n+j] <= 0 {
				s, sa = 0, 0
			}
			switch tc.act {
			case ReLU:
				s = max(s, 0)
			case Sigmoid:
				s = 1 / (1 + math.Exp(-s))
			case Tanh:
				s = math.Tanh(s)
			}
			ref[i*tc.n+j], mag[i*tc.n+j] = s, sa
		}
	}
	tc.ref, tc.mag = ref, mag
	return ref, mag
}

// run calls the package under test on a copy of c0 and returns it.
func (tc *testCase) run(ctx *Context) []float32 {
	c := append([]float32(nil), tc.c0...)
	if tc.mask != nil {
		if tc.transA || !tc.transB || tc.alpha != 1 || tc.beta != 0 || tc.lda != max(1, tc.k) || tc.ldb != max(1, tc.k) || tc.ldc != max(1, tc.n) {
			panic("test: DenseGradXReLU case with Sgemm-only parameters")
		}
		if ctx == nil {
			DenseGradXReLU(tc.m, tc.k, tc.n, tc.a, tc.b, tc.mask, c)
		} else {
			ctx.DenseGradXReLU(tc.m, tc.k, tc.n, tc.a, tc.b, tc.mask, c)
		}
		return c
	}
	if tc.bias != nil || tc.act != None {
		if tc.transA || tc.transB || tc.alpha != 1 || tc.beta != 0 || tc.lda != max(1, tc.k) || tc.ldb != max(1, tc.n) || tc.ldc != max(1, tc.n) {
			panic("test: DenseForward case with Sgemm-only parameters")
		}
		if ctx == nil {
			DenseForward(tc.m, tc.n, tc.k, tc.a, tc.b, tc.bias, c, tc.act)
		} else {
			ctx.DenseForward(tc.m, tc.n, tc.k, tc.a, tc.b, tc.bias, c, tc.act)
		}
		return c
	}
	if ctx == nil {
		Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, tc.a, tc.lda, tc.b, tc.ldb, tc.beta, c, tc.ldc)
	} else {
		ctx.Sgemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, tc.a, tc.lda, tc.b, tc.ldb, tc.beta, c, tc.ldc)
	}
	return c
}

// check compares got with the reference within the stated bound (exact
// if exact is set), and checks that C outside the m×n block is untouched.
func (tc *testCase) check(t *testing.T, got []float32) {
	t.Helper()
	ref, mag := tc.reference()
	tol := tolerance(tc.k)
	bad := 0
	for i := range tc.m {
		for j := range tc.n {
			g, r := float64(got[i*tc.ldc+j]), ref[i*tc.n+j]
			lim := tol * mag[i*tc.n+j]
			if tc.act == Sigmoid || tc.act == Tanh {
				lim += u * math.Abs(r)
			}
			if tc.exact {
				lim = 0
			}
			if math.IsNaN(g) || math.Abs(g-r) > lim {
				if bad < 5 {
					t.Errorf("%v: C[%d][%d] = %v, want %v (|err| %.3g > bound %.3g)", tc, i, j, g, r, math.Abs(g-r), lim)
				}
				bad++
			}
		}
	}
	for idx, v := range got {
		i, j := idx/tc.ldc, idx%tc.ldc
		if (i >= tc.m || j >= tc.n) && math.Float32bits(v) != math.Float32bits(tc.c0[idx]) {
			t.Errorf("%v: element %d (row %d, col %d) outside C changed from %v to %v", tc, idx, i, j, tc.c0[idx], v)
			break
		}
	}
	if bad > 5 {
		t.Errorf("%v: %d elements out of bound", tc, bad)
	}
}

type valueKind int

const (
	uniform  valueKind = iota // uniform in [-1, 1)
	integers                  // small integers: every sum is exact in float32
	stress                    // mixed magnitudes 1e-3..1e3 with cancelling pairs
)

func fill(rng *rand.Rand, x []float32, kind valueKind) {
	for i := range x {
		switch kind {
		case uniform:
			x[i] = float32(rng.Float64()*2 - 1)
		case integers:
			x[i] = float32(rng.IntN(9) - 4)
		case stress:
			v := float32(math.Pow(10, rng.Float64()*6-3))
			if rng.IntN(2) == 0 {
				v = -v
			}
			x[i] = v
		}
	}
	if kind == stress {
		// Cancel large terms: every other element repeats its neighbour
		// negated, so big partial sums cancel and any misplaced or lost
		// term stands out against the small result.
		for i := 1; i < len(x); i += 2 {
			if rng.IntN(2) == 0 {
				x[i] = -x[i-1]
			}
		}
	}
}

func newCase(rng *rand.Rand, transA, transB bool, m, n, k int, kind valueKind, pad bool) *testCase {
	tc := &testCase{transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1}
	extra := func() int {
		if pad {
			return rng.IntN(5)
		}
		return 0
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	tc.lda = max(1, ac) + extra()
	tc.ldb = max(1, bc) + extra()
	tc.ldc = max(1, n) + extra()
	tc.a = make([]float32, max(0, (ar-1)*tc.lda+ac))
	tc.b = make([]float32, max(0, (br-1)*tc.ldb+bc))
	tc.c0 = make([]float32, max(0, (m-1)*tc.ldc+n))
	fill(rng, tc.a, kind)
	fill(rng, tc.b, kind)
	fill(rng, tc.c0, kind)
	tc.exact = kind == integers
	return tc
}

// checkAll runs and checks every case with every kernel set and tile.
func checkAll(t *testing.T, cases []*testCase) {
	forEachImpl(t, func(t *testing.T) {
		for _, tc := range cases {
			tc.check(t, tc.run(nil))
		}
	})
}

var edgeSizes = []int{1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 33, 47, 48, 49, 63, 97}

// forEachImpl runs f with each kernel set, letting plan pick the
// micro-kernels, the orientation and whether B is read in place, then
// forcing each micro-kernel with C computed directly and transposed, and B
// packed and read in place.
func forEachImpl(t *testing.T, f func(t *testing.T)) {
	type variant struct {
		tl             tile
		trans, inPlace int
	}
	for _, impl := range kernelImpls() {
		wide, narrow := impl.tiles.wide, impl.tiles.narrow
		variants := []variant{
			{tile{}, 0, 0}, {wide, -1, -1}, {narrow, -1, 1},
			{tile{}, 1, 0}, {wide, 1, 1}, {narrow, 1, -1},
		}
		for _, v := range variants {
			name := impl.name + "/auto"
			if v.tl != (tile{}) {
				name = fmt.Sprintf("%s/%dx%d", impl.name, v.tl.mr, v.tl.nr)
			}
			switch v.trans {
			case 1:
				name += "/trans"
			case -1:
				name += "/direct"
			}
			switch v.inPlace {
			case 1:
				name += "/inplace"
			case -1:
				name += "/packed"
			}
			t.Run(name, func(t *testing.T) {
				defer impl.use()()
				testTile, testTrans, testInPlace = v.tl, v.trans, v.inPlace
				defer func() { testTile, testTrans, testInPlace = tile{}, 0, 0 }()
				f(t)
			})
		}
	}
}

func TestSgemmRandomShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var cases []*testCase
	for it := range 400 {
		m := edgeSizes[rng.IntN(len(edgeSizes))]
		n := edgeSizes[rng.IntN(len(edgeSizes))]
		k := edgeSizes[rng.IntN(len(edgeSizes))]
		if it%10 == 0 { // a few larger k, crossing k-blocks
			k = 200 + rng.IntN(400)
		}
		kind := valueKind(it % 3)
		tc := newCase(rng, it&1 != 0, it&2 != 0, m, n, k, kind, it%4 < 2)
		switch it % 5 {
		case 1:
			tc.beta = 1
		case 2:
			tc.alpha, tc.beta = -0.5, 0.25
		case 3:
			tc.alpha = 2
		}
		if kind == integers {
			tc.alpha, tc.beta = float32(1+it%3), float32(it%2)
		}
		if tc.beta == 0 {
			// C must not be read (and outside the m×n block, not written).
			for i := range tc.c0 {
				tc.c0[i] = float32(math.NaN())
			}
		}
		cases = append(cases, tc)
	}
	checkAll(t, cases)
}

// TestSgemmLarge covers the blocked paths: m > mcMax, n > ncMax, several
// k-blocks, and the seed MLP's shapes.
func TestSgemmLarge(t *testing.T) {
	shapes := [][3]int{ // m, n, k
		{32, 300, 784}, {784, 300, 32}, {32, 784, 300},
		{32, 100, 300}, {300, 100, 32}, {32, 300, 100},
		{32, 10, 100}, {100, 10, 32}, {32, 100, 10},
		{130, 50, 300}, {257, 70, 513}, {133, 2030, 9}, {129, 25, 1},
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var cases []*testCase
	for _, s := range shapes {
		for tr := range 4 {
			tc := newCase(rng, tr&1 != 0, tr&2 != 0, s[0], s[1], s[2], valueKind(tr%3), tr == 3)
			if tr == 2 {
				tc.alpha, tc.beta = 0.5, -1
			}
			cases = append(cases, tc)
		}
	}
	checkAll(t, cases)
}

func TestSgemmVectors(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var cases []*testCase
	for _, s := range [][3]int{
		{1, 1, 1}, {1, 1000, 1}, {1000, 1, 1}, {1, 1, 1000}, {1, 777, 33}, {777, 1, 33},
		{1, 300, 784}, {300, 1, 784}, {784, 1, 32}, {1, 31, 1000},
	} {
		for tr := range 4 {
			cases = append(cases, newCase(rng, tr&1 != 0, tr&2 != 0, s[0], s[1], s[2], uniform, tr == 1))
		}
	}
	checkAll(t, cases)
}

func TestDenseForward(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var cases []*testCase
	for _, s := range [][3]int{{32, 300, 784}, {32, 100, 300}, {32, 10, 100}, {5, 7, 3}, {1, 25, 9}, {200, 49, 260}, {9, 1, 1}} {
		for act := None; act <= Tanh; act++ {
			for _, withBias := range []bool{false, true} {
				kind := uniform
				if act == ReLU || act == None {
					kind = integers
				}
				tc := newCase(rng, false, false, s[0], s[1], s[2], kind, false)
				if withBias {
					tc.bias = make([]float32, s[1])
					fill(rng, tc.bias, kind)
				}
				tc.act = act
				for i := range tc.c0 {
					tc.c0[i] = float32(math.NaN()) // y is not read
				}
				cases = append(cases, tc)
			}
		}
	}
	checkAll(t, cases)
}

func TestEpilogueSemantics(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(9, 10))
		m, n, k := 13, 53, 40
		x := make([]float32, m*k)
		w := make([]float32, k*n)
		bias := make([]float32, n)
		fill(rng, x, uniform)
		fill(rng, w, uniform)
		fill(rng, bias, uniform)
		x[3*k+5] = float32(math.NaN()) // row 3 becomes NaN
		for p := range k {             // row 5 is all zero: x·w = 0, and bias −0 in column 0
			x[5*k+p] = 0
		}
		bias[0] = float32(math.Copysign(0, -1))
		z := make([]float32, m*n)
		DenseForward(m, n, k, x, w, bias, z, None)
		for act := None; act <= Tanh; act++ {
			y := make([]float32, m*n)
			DenseForward(m, n, k, x, w, bias, y, act)
			want := append([]float32(nil), z...)
			applyEpilogue(act, want)
			for i := range y {
				if math.Float32bits(y[i]) != math.Float32bits(want[i]) && !(math.IsNaN(float64(y[i])) && math.IsNaN(float64(want[i]))) {
					t.Fatalf("%v: y[%d] = %v (%#x), want %v (%#x)", act, i, y[i], math.Float32bits(y[i]), want[i], math.Float32bits(want[i]))
				}
			}
			if act == ReLU && !math.IsNaN(float64(y[3*n])) {
				t.Errorf("ReLU(NaN) = %v, want NaN", y[3*n])
			}
			if act == ReLU && math.Signbit(float64(y[5*n])) {
				t.Errorf("ReLU(−0) = −0, want +0 as max(v, 0)")
			}
		}
	})
}

// TestAlphaZero checks that A and B are not read when alpha or k is 0.
func TestAlphaZero(t *testing.T) {
	nan := float32(math.NaN())
	a := []float32{nan, nan, nan, nan}
	for _, tc := range []struct {
		alpha, beta float32
		k           int
		want        float32
	}{{0, 0, 2, 0}, {0, 2, 2, 6}, {1, 2, 0, 6}, {0, 1, 2, 3}} {
		c := []float32{3, 3, 3, 3}
		Sgemm(false, false, 2, 2, tc.k, tc.alpha, a, max(1, tc.k), a, 2, tc.beta, c, 2)
		for _, v := range c {
			if v != tc.want {
				t.Errorf("alpha=%v beta=%v k=%d: C = %v, want all %v", tc.alpha, tc.beta, tc.k, c, tc.want)
				break
			}
		}
	}
	c := []float32{nan, nan}
	DenseForward(1, 2, 0, nil, nil, []float32{-1, 2}, c, ReLU)
	if c[0] != 0 || c[1] != 2 {
		t.Errorf("DenseForward with k=0: y = %v, want [0 2]", c)
	}
}

// TestRowInvariance checks the determinism rule: a row (or column) of C is
// bitwise the same whether computed alone, in a block of rows (columns), or
// split across goroutines.
func TestRowInvariance(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 12))
		for _, s := range [][3]int{{37, 61, 300}, {300, 40, 200}, {150, 300, 784}} {
			for tr := range 4 {
				transA, transB := tr&1 != 0, tr&2 != 0
				m, n, k := s[0], s[1], s[2]
				tc := newCase(rng, transA, transB, m, n, k, uniform, false)
				full := tc.run(nil)
				for _, ctx := range []*Context{{Threads: 2}, {Threads: 3}} {
					par := tc.run(ctx)
					for i := range full {
						if math.Float32bits(full[i]) != math.Float32bits(par[i]) {
							t.Fatalf("%v: Threads=%d differs at %d: %v vs %v", tc, ctx.Threads, i, par[i], full[i])
						}
					}
				}
				for _, rows := range [][2]int{{0, 1}, {5, 6}, {3, 10}, {m - 7, m}} {
					i0, i1 := rows[0], rows[1]
					sub := make([]float32, (i1-i0)*n)
					copy(sub, tc.c0[i0*n:i1*n])
					var a []float32
					if transA {
						a = tc.a[i0:]
					} else {
						a = tc.a[i0*k:]
					}
					Sgemm(transA, transB, i1-i0, n, k, tc.alpha, a, tc.lda, tc.b, tc.ldb, tc.beta, sub, n)
					for i := range sub {
						if math.Float32bits(sub[i]) != math.Float32bits(full[i0*n+i]) {
							t.Fatalf("%v: rows %d..%d computed alone differ at %d: %v vs %v", tc, i0, i1, i, sub[i], full[i0*n+i])
						}
					}
				}
				for _, cols := range [][2]int{{0, 1}, {7, 20}, {n - 9, n}} {
					j0, j1 := cols[0], cols[1]
					nc := j1 - j0
					sub := make([]float32, m*nc)
					for i := range m {
						copy(sub[i*nc:(i+1)*nc], tc.c0[i*n+j0:i*n+j1])
					}
					var b []float32
					if transB {
						b = tc.b[j0*k:]
					} else {
						b = tc.b[j0:]
					}
					Sgemm(transA, transB, m, nc, k, tc.alpha, tc.a, tc.lda, b, tc.ldb, tc.beta, sub, nc)
					for i := range m {
						for j := range nc {
							if math.Float32bits(sub[i*nc+j]) != math.Float32bits(full[i*n+j0+j]) {
								t.Fatalf("%v: columns %d..%d computed alone differ at (%d,%d)", tc, j0, j1, i, j)
							}
						}
					}
				}
			}
		}
	})
}

// TestTransposedMatchesDirect checks that computing C transposed gives the
// same bits as computing it directly, for every combination of alpha, beta,
// bias and epilogue, with NaNs, infinities and signed zeros in the data.
func TestTransposedMatchesDirect(t *testing.T) {
	for _, impl := range kernelImpls() {
		t.Run(impl.name, func(t *testing.T) {
			defer impl.use()()
			defer func() { testTrans = 0 }()
			rng := rand.New(rand.NewPCG(17, 18))
			shapes := [][3]int{
				{32, 10, 100}, {100, 10, 32}, {32, 100, 10}, {1000, 1, 33}, {37, 5, 300},
				{9, 13, 7}, {64, 24, 513}, {5, 3, 1}, {130, 8, 20}, {17, 17, 17}, {300, 20, 257},
			}
			for _, s := range shapes {
				for it := range 8 {
					m, n, k := s[0], s[1], s[2]
					tc := newCase(rng, it&1 != 0, it&2 != 0, m, n, k, valueKind(it%3), it%3 == 1)
					if it&4 != 0 {
						tc.alpha, tc.beta = -0.75, 1.5
					}
					if it == 0 {
						tc.a[0] = float32(math.NaN())
						tc.b[len(tc.b)-1] = float32(math.Inf(-1))
						tc.c0[0] = float32(math.Copysign(0, -1))
					}
					cases := []*testCase{tc}
					if !tc.transA && !tc.transB && tc.lda == k && tc.ldb == n && tc.ldc == n && tc.alpha == 1 {
						for act := None; act <= Tanh; act++ {
							d := *tc
							d.beta, d.act = 0, act
							d.bias = make([]float32, n)
							fill(rng, d.bias, uniform)
							cases = append(cases, &d)
						}
					}
					for _, tc := range cases {
						testTrans = -1
						want := tc.run(nil)
						testTrans = 1
						got := tc.run(nil)
						for i := range want {
							if math.Float32bits(want[i]) != math.Float32bits(got[i]) {
								t.Fatalf("%v: transposed differs at %d: %v (%#x), direct %v (%#x)", tc, i,
									got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
							}
						}
						testTrans = 0
						if it != 0 { // no NaN injected
							tc.check(t, got)
						}
					}
				}
			}
		})
	}
}

func TestThreadsMatchesSerial(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(13, 14))
		for _, s := range [][3]int{{32, 784, 300}, {784, 300, 32}, {1000, 7, 300}, {200, 200, 200}} {
			tc := newCase(rng, false, false, s[0], s[1], s[2], uniform, false)
			tc.bias = make([]float32, s[1])
			fill(rng, tc.bias, uniform)
			tc.act = Sigmoid
			want := tc.run(nil)
			got := tc.run(&Context{Threads: 4})
			for i := range want {
				if math.Float32bits(want[i]) != math.Float32bits(got[i]) {
					t.Fatalf("%v: Threads=4 differs at %d", tc, i)
				}
			}
			tc.check(t, got)
		}
	})
}

func TestAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	for _, s := range [][3]int{{32, 300, 784}, {784, 300, 32}, {32, 784, 300}, {32, 10, 100}, {300, 300, 300}} {
		m, n, k := s[0], s[1], s[2]
		a := make([]float32, m*k)
		b := make([]float32, k*n)
		c := make([]float32, m*n)
		bias := make([]float32, n)
		var ctx Context
		f := func() {
			ctx.Sgemm(false, true, m, n, k, 1, a, k, b, k, 0, c, n)
			ctx.Sgemm(true, false, m, n, k, 1, a, m, b, n, 1, c, n)
			ctx.DenseForward(m, n, k, a, b, bias, c, ReLU)
			ctx.DenseForward(m, n, k, a, b, bias, c, Tanh)
		}
		if got := testing.AllocsPerRun(5, f); got != 0 {
			t.Errorf("%v: %v allocs per run with a Context, want 0", s, got)
		}
		g := func() {
			Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
			DenseForward(m, n, k, a, b, bias, c, ReLU)
		}
		g()
		// sync.Pool may drop a Context at a GC, so allow a rare refill.
		if got := testing.AllocsPerRun(20, g); got > 0.5 {
			t.Errorf("%v: %v allocs per run with the package functions, want 0", s, got)
		}
	}
}

func TestPanics(t *testing.T) {
	s := make([]float32, 100)
	big := make([]float32, 200)
	cases := []struct {
		name string
		f    func()
	}{
		{"negative m", func() { Sgemm(false, false, -1, 2, 2, 1, s, 2, s, 2, 0, s, 2) }},
		{"lda < k", func() { Sgemm(false, false, 2, 2, 3, 1, s, 2, s, 2, 0, s, 2) }},
		{"lda < m transposed", func() { Sgemm(true, false, 3, 2, 2, 1, s, 2, s, 2, 0, s, 2) }},
		{"ldb < n", func() { Sgemm(false, false, 2, 3, 2, 1, s, 2, s, 2, 0, s, 3) }},
		{"ldb < k transposed", func() { Sgemm(false, true, 2, 2, 3, 1, s, 3, s, 2, 0, s, 2) }},
		{"ldc < n", func() { Sgemm(false, false, 2, 3, 2, 1, s, 2, s, 3, 0, s, 2) }},
		{"ld 0", func() { Sgemm(false, false, 2, 0, 0, 1, s, 0, s, 1, 0, s, 1) }},
		{"short a", func() { Sgemm(false, false, 10, 2, 11, 1, s, 11, s, 2, 0, s, 2) }},
		{"short b", func() { Sgemm(false, false, 2, 11, 10, 1, s, 10, s, 11, 0, s, 11) }},
		{"short c", func() { Sgemm(false, false, 11, 10, 2, 1, s, 2, s, 10, 0, s, 10) }},
		{"short bias", func() { DenseForward(2, 5, 2, s, s, s[:4], s, None) }},
		{"short y", func() { DenseForward(20, 5, 2, s, s, nil, s[:99], ReLU) }},
		{"bad epilogue", func() { DenseForward(2, 2, 2, s, s, nil, s, Tanh+1) }},
		{"short dw", func() { DenseGradW(4, 10, 11, s, s, big[:109], false) }},
		{"short dx", func() { DenseGradX(11, 4, 10, s, s, big[:109]) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				msg, ok := r.(string)
				if !ok || !strings.HasPrefix(msg, "gemm: ") {
					t.Errorf("recovered %#v, want a string starting %q", r, "gemm: ")
				}
			}()
			tc.f()
		})
	}
}

func TestDenseGrads(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	m, n, k := 32, 30, 78
	x := make([]float32, m*k)
	w := make([]float32, k*n)
	dy := make([]float32, m*n)
	fill(rng, x, integers)
	fill(rng, w, integers)
	fill(rng, dy, integers)
	dw := make([]float32, k*n)
	fill(rng, dw, integers)
	dw0 := append([]float32(nil), dw...)
	DenseGradW(m, n, k, x, dy, dw, true)
	for i := range k {
		for j := range n {
			want := dw0[i*n+j]
			for r := range m {
				want += x[r*k+i] * dy[r*n+j]
			}
			if dw[i*n+j] != want {
				t.Fatalf("dw[%d][%d] = %v, want %v", i, j, dw[i*n+j], want)
			}
		}
	}
	dx := make([]float32, m*k)
	DenseGradX(m, n, k, dy, w, dx)
	for r := range m {
		for i := range k {
			var want float32
			for j := range n {
				want += dy[r*n+j] * w[i*n+j]
			}
			if dx[r*k+i] != want {
				t.Fatalf("dx[%d][%d] = %v, want %v", r, i, dx[r*k+i], want)
			}
		}
	}
}

// TestPlan checks the choices of plan and nextRun: with every kernel set,
// every row of C costs ceil(n/V) vectors of V lanes (2 for n ≤ V), and the seed MLP's narrow products are
// computed transposed while the others are not.
func TestPlan(t *testing.T) {
	for _, impl := range kernelImpls() {
		restore := impl.use()
		lanes := impl.tiles.narrow.nr / 2
		for n := 1; n <= 200; n++ {
			p := &problem{}
			vs, cols := 0, 0
			for w := n; w > 0; {
				tl, rw := p.nextRun(w)
				if rw <= 0 || rw > w || (rw < w && rw%tl.nr != 0) {
					t.Fatalf("%s: n=%d: run of %d (tile %v) with %d columns left", impl.name, n, rw, tl, w)
				}
				vs += (rw + tl.nr - 1) / tl.nr * tl.nr / lanes
				cols += rw
				w -= rw
			}
			if want := max(2, (n+lanes-1)/lanes); cols != n || vs != want {
				t.Errorf("%s: n=%d: runs cover %d columns with %d vectors a row, want %d", impl.name, n, cols, vs, want)
			}
		}
		restore()
	}
	for _, s := range []struct {
		name           string
		transA, transB bool
		m, n, k        int
		trans          bool
	}{
		{"fwd 784-300", false, false, 32, 300, 784, false},
		{"gradW 784-300", true, false, 784, 300, 32, false},
		{"gradX 784-300", false, true, 32, 784, 300, false},
		{"fwd 300-100", false, false, 32, 100, 300, false},
		{"gradW 300-100", true, false, 300, 100, 32, false},
		{"gradX 300-100", false, true, 32, 300, 100, false},
		{"fwd 100-10", false, false, 32, 10, 100, true},
		{"gradW 100-10", true, false, 100, 10, 32, true},
		{"gradX 100-10", false, true, 32, 100, 10, false},
		{"matrix-vector", false, false, 1000, 1, 300, true},
		{"small batch", false, false, 4, 10, 100, false},
	} {
		p := &problem{transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, lda: s.k, ldb: s.n}
		if s.transA {
			p.lda = s.m
		}
		if s.transB {
			p.ldb = s.k
		}
		if p.plan(); p.trans != s.trans {
			t.Errorf("%s (m=%d n=%d k=%d): transposed %v, want %v", s.name, s.m, s.n, s.k, p.trans, s.trans)
		}
	}
}

func TestEpilogueString(t *testing.T) {
	if ReLU.String() != "ReLU" || Epilogue(9).String() != "Epilogue(9)" {
		t.Errorf("String: %v, %v", ReLU, Epilogue(9))
	}
}

// TestVectorWidthsAgree checks that the AVX-512 kernels give the same bits
// as the AVX2 ones (each lane runs the same instructions), on random shapes
// around the tiles' edges with every epilogue, NaNs and infinities
// included. It is skipped on CPUs without both.
func TestVectorWidthsAgree(t *testing.T) {
	var avx2, avx512 *kernelImpl
	impls := kernelImpls()
	for i := range impls {
		switch impls[i].name {
		case "avx2-fma":
			avx2 = &impls[i]
		case "avx512":
			avx512 = &impls[i]
		}
	}
	if avx2 == nil || avx512 == nil {
		t.Skip("the CPU lacks AVX2 or AVX-512")
	}
	rng := rand.New(rand.NewPCG(21, 22))
	sizes := []int{1, 7, 8, 12, 13, 16, 17, 31, 32, 33, 47, 48, 49, 64, 65, 97, 130}
	for it := range 300 {
		m, n, k := sizes[rng.IntN(len(sizes))], sizes[rng.IntN(len(sizes))], sizes[rng.IntN(len(sizes))]
		if it%10 == 0 {
			k = 250 + rng.IntN(300) // two k-blocks
		}
		tc := newCase(rng, it&1 != 0, it&2 != 0, m, n, k, valueKind(it%3), it%4 == 1)
		switch it % 4 {
		case 1:
			tc.beta = 1
		case 2:
			tc.alpha, tc.beta = -0.75, 1.5
		case 3:
			if !tc.transA && !tc.transB && tc.lda == k && tc.ldb == n && tc.ldc == n {
				tc.act = Epilogue(it / 4 % 4)
				tc.bias = make([]float32, n)
				fill(rng, tc.bias, uniform)
			}
		}
		if it%7 == 0 {
			tc.a[rng.IntN(len(tc.a))] = float32(math.NaN())
			tc.b[rng.IntN(len(tc.b))] = float32(math.Inf(1))
		}
		restore := avx2.use()
		want := tc.run(nil)
		restore()
		restore = avx512.use()
		got := tc.run(nil)
		restore()
		for i := range want {
			if math.Float32bits(want[i]) != math.Float32bits(got[i]) {
				t.Fatalf("%v: avx512 gives %v (%#x) at %d, avx2 %v (%#x)", tc, got[i], math.Float32bits(got[i]), i,
					want[i], math.Float32bits(want[i]))
			}
		}
	}
}

// TestDenseGradXReLU checks the ReLU's derivative fused into the input
// gradient's product: zero where y ≤ 0 (−0 included), kept where y > 0 or
// NaN, with every kernel set and tile, across k-blocks.
func TestDenseGradXReLU(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	var cases []*testCase
	for it := range 120 {
		m := edgeSizes[rng.IntN(len(edgeSizes))]
		n := edgeSizes[rng.IntN(len(edgeSizes))]
		k := edgeSizes[rng.IntN(len(edgeSizes))]
		if it%10 == 0 {
			k = 260 + rng.IntN(200)
		}
		tc := newCase(rng, false, true, m, n, k, valueKind(it%3), false)
		for i := range tc.c0 {
			tc.c0[i] = float32(math.NaN()) // not read
		}
		tc.mask = make([]float32, m*n)
		special := []float32{0, float32(math.Copysign(0, -1)), -1, 1, float32(math.NaN()), float32(math.Inf(-1))}
		for i := range tc.mask {
			tc.mask[i] = special[rng.IntN(len(special))]
		}
		cases = append(cases, tc)
	}
	checkAll(t, cases)
}
