package gemm

//go:generate go run -C _asm . -out ../kernel_amd64.s -stubs ../stubs_amd64.go -pkg gemm

import (
	"fmt"
	"math"
	"sync"
	"unsafe"
)

// Epilogue is an element-wise function applied to each element of the
// product after the bias, before it is stored.
type Epilogue uint8

// Epilogues. They are defined exactly as package nn's activations, so that
// applied to the same value they give the same bits: ReLU is Go's max(v, 0)
// (NaN stays NaN, −0 becomes +0), Sigmoid is float32(1/(1+exp(−float64(v))))
// and Tanh is float32(math.Tanh(float64(v))). Sigmoid and Tanh cost about as
// much per element as math.Exp and math.Tanh, whether fused or not.
const (
	None    Epilogue = iota // identity
	ReLU                    // max(v, 0), fused into the assembly kernel
	Sigmoid                 // 1/(1+e⁻ᵛ), applied in Go to each finished tile
	Tanh                    // tanh(v), applied in Go to each finished tile
)

var epilogueNames = [...]string{None: "None", ReLU: "ReLU", Sigmoid: "Sigmoid", Tanh: "Tanh"}

func (e Epilogue) String() string {
	if int(e) < len(epilogueNames) {
		return epilogueNames[e]
	}
	return fmt.Sprintf("Epilogue(%d)", uint8(e))
}

// Blocking parameters. kcMax bounds the k-block so that a packed kc×nr
// panel of B (24 KiB for 4×24) stays in L1; mcMax bounds the rows of A swept per
// packed block of B so that they stay in L2; ncMax bounds the columns of B
// packed at once when m > mcMax.
const (
	kcMax = 256
	mcMax = 128
	ncMax = 2016 // multiple of every tile's nr
)

// tile is the shape of a micro-kernel's register tile: mr rows of A times
// one packed panel of nr columns of B.
type tile struct{ mr, nr int }

// The micro-kernels: 4×24 is the default; 6×16 wastes less on narrow C
// and on the last, partial panel of wider C.
var (
	tile4x24 = tile{4, 24}
	tile6x16 = tile{6, 16}
	tiles    = [...]tile{tile4x24, tile6x16}
)

const (
	maxMR = 6
	maxNR = 24
)

// chooseTile picks the micro-kernel for the full panels of an m×n product:
// the one computing the fewest padding elements of C, preferring 4×24
// (which needs the fewest loads per FMA) unless another computes at least
// 10% less.
func chooseTile(m, n int) tile {
	best, bestArea := tile4x24, padded(m, n, tile4x24)
	for _, t := range tiles[1:] {
		if a := padded(m, n, t); 11*a < 10*bestArea {
			best, bestArea = t, a
		}
	}
	return best
}

// remTile picks the micro-kernel for the last panel of C when its width
// rem is less than that of the main tile: the narrowest tile at least rem
// wide if that computes less padding.
func remTile(m, rem int, main tile) tile {
	best := main
	for _, t := range tiles {
		if t.nr >= rem && padded(m, rem, t) < padded(m, rem, best) {
			best = t
		}
	}
	return best
}

// padded returns the number of elements of C, padding included, that tile t
// computes for an m×n product.
func padded(m, n int, t tile) int { return roundUp(m, t.mr) * roundUp(n, t.nr) }

// testTile, if set, overrides chooseTile (for tests).
var testTile tile

func roundUp(x, a int) int { return (x + a - 1) / a * a }

// Flag bits of the macro-kernel; keep in sync with _asm/main.go.
const (
	flagLoadC = 1 // C = alpha·AB + beta·C instead of C = alpha·AB
	flagBias  = 2 // add bias[j] to every row
	flagReLU  = 4 // max(v, 0) last
	flagAlpha = 8 // multiply AB by alpha (otherwise alpha is 1)
)

// minParallelFlops is the size of product below which Threads is ignored:
// starting goroutines costs more than it saves.
const minParallelFlops = 1 << 21

// Context owns the packing buffers used by the products. The zero value is
// ready to use. A Context must not be used by more than one goroutine at a
// time; the package-level functions take Contexts from a sync.Pool.
type Context struct {
	// Threads is the number of goroutines a product may be split across
	// (by blocks of columns, or of rows when n is small). Values ≤ 1 mean
	// the calling goroutine only, which is allocation-free. Products below
	// about 2 MFLOP always run on the calling goroutine.
	Threads int

	ws   []*workspace
	wg   sync.WaitGroup
	prob problem // the product being computed
}

var pool = sync.Pool{New: func() any { return new(Context) }}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices,
// where op(A) is m×k, op(B) is k×n and C is m×n.
//
// A is stored m×k with row stride lda ≥ max(1, k), or k×m with lda ≥
// max(1, m) if transA; B is stored k×n with ldb ≥ max(1, n), or n×k with
// ldb ≥ max(1, k) if transB; C has row stride ldc ≥ max(1, n). With beta ==
// 0, C is not read (it may hold NaNs); with alpha == 0 or k == 0, A and B
// are not read. Sgemm panics, with a message starting "gemm: ", if a
// dimension is negative, a leading dimension too small or a slice too short.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ctx := pool.Get().(*Context)
	ctx.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	pool.Put(ctx)
}

// DenseForward computes the forward pass of a Dense layer,
//
//	y = act(x·w + bias)
//
// for x m×k (a batch of m rows of k inputs), w k×n, bias of length n (or
// nil for none) and y m×n, all dense row-major. The bias add and act are
// fused into the product: y is written once and never read first, so it may
// hold garbage. It panics, with a message starting "gemm: ", on negative
// dimensions or short slices.
func DenseForward(m, n, k int, x, w, bias, y []float32, act Epilogue) {
	ctx := pool.Get().(*Context)
	ctx.DenseForward(m, n, k, x, w, bias, y, act)
	pool.Put(ctx)
}

// DenseGradW computes the weight gradient of a Dense layer, dw = xᵀ·dy, or
// dw += xᵀ·dy if accumulate is set, for x m×k, dy m×n and dw k×n, all dense
// row-major. It is Sgemm(true, false, k, n, m, 1, x, k, dy, n, β, dw, n).
func DenseGradW(m, n, k int, x, dy, dw []float32, accumulate bool) {
	ctx := pool.Get().(*Context)
	ctx.DenseGradW(m, n, k, x, dy, dw, accumulate)
	pool.Put(ctx)
}

// DenseGradX computes the input gradient of a Dense layer, dx = dy·wᵀ, for
// dy m×n, w k×n and dx m×k, all dense row-major. It is
// Sgemm(false, true, m, k, n, 1, dy, n, w, n, 0, dx, k).
func DenseGradX(m, n, k int, dy, w, dx []float32) {
	ctx := pool.Get().(*Context)
	ctx.DenseGradX(m, n, k, dy, w, dx)
	pool.Put(ctx)
}

// Sgemm is like the package-level Sgemm, using ctx's buffers and Threads.
func (ctx *Context) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ctx.prob = problem{
		transA: transA, transB: transB, m: m, n: n, k: k,
		alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc,
	}
	ctx.run()
}

// DenseForward is like the package-level DenseForward, using ctx's buffers
// and Threads.
func (ctx *Context) DenseForward(m, n, k int, x, w, bias, y []float32, act Epilogue) {
	ctx.prob = problem{
		m: m, n: n, k: k, alpha: 1,
		a: x, lda: max(1, k), b: w, ldb: max(1, n), c: y, ldc: max(1, n),
		bias: bias, act: act,
	}
	ctx.run()
}

// DenseGradW is like the package-level DenseGradW, using ctx's buffers and
// Threads.
func (ctx *Context) DenseGradW(m, n, k int, x, dy, dw []float32, accumulate bool) {
	var beta float32
	if accumulate {
		beta = 1
	}
	ctx.Sgemm(true, false, k, n, m, 1, x, max(1, k), dy, max(1, n), beta, dw, max(1, n))
}

// DenseGradX is like the package-level DenseGradX, using ctx's buffers and
// Threads.
func (ctx *Context) DenseGradX(m, n, k int, dy, w, dx []float32) {
	ctx.Sgemm(false, true, m, k, n, 1, dy, max(1, n), w, max(1, n), 0, dx, max(1, k))
}

// problem is one product C = act(alpha·op(A)·op(B) + beta·C + bias).
type problem struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a              []float32
	lda            int
	b              []float32
	ldb            int
	c              []float32
	ldc            int
	bias           []float32 // nil: none
	act            Epilogue
	t              tile // micro-kernel for full panels
	rt             tile // micro-kernel for the last panel if partial
}

func (p *problem) check() {
	if p.m < 0 || p.n < 0 || p.k < 0 {
		panic(fmt.Sprintf("gemm: negative dimension m=%d n=%d k=%d", p.m, p.n, p.k))
	}
	ar, ac := p.m, p.k
	if p.transA {
		ar, ac = p.k, p.m
	}
	checkMatrix("a", p.a, ar, ac, p.lda)
	br, bc := p.k, p.n
	if p.transB {
		br, bc = p.n, p.k
	}
	checkMatrix("b", p.b, br, bc, p.ldb)
	checkMatrix("c", p.c, p.m, p.n, p.ldc)
	if p.bias != nil && len(p.bias) < p.n {
		panic(fmt.Sprintf("gemm: bias has length %d < n = %d", len(p.bias), p.n))
	}
	if p.act > Tanh {
		panic(fmt.Sprintf("gemm: unknown epilogue %d", uint8(p.act)))
	}
}

func checkMatrix(name string, s []float32, rows, cols, ld int) {
	if ld < max(1, cols) {
		panic(fmt.Sprintf("gemm: leading dimension of %s is %d < max(1, %d)", name, ld, cols))
	}
	if rows > 0 && cols > 0 && len(s) < (rows-1)*ld+cols {
		panic(fmt.Sprintf("gemm: %s has length %d < %d for %d×%d with leading dimension %d",
			name, len(s), (rows-1)*ld+cols, rows, cols, ld))
	}
}

// run computes the product ctx.prob. The product is kept in ctx (which is
// on the heap anyway) so that handing it to worker goroutines does not
// allocate; run clears it afterwards so that a pooled Context does not keep
// the caller's slices alive.
func (ctx *Context) run() {
	defer func() { ctx.prob = problem{} }()
	p := &ctx.prob
	p.check()
	if p.m == 0 || p.n == 0 {
		return
	}
	if p.k == 0 || p.alpha == 0 {
		p.scaleOnly()
		return
	}
	p.t = chooseTile(p.m, p.n)
	if testTile != (tile{}) {
		p.t = testTile
	}
	p.rt = p.t
	if rem := p.n % p.t.nr; rem != 0 && testTile == (tile{}) {
		p.rt = remTile(p.m, rem, p.t)
	}
	t := ctx.Threads
	if t <= 1 || 2*float64(p.m)*float64(p.n)*float64(p.k) < minParallelFlops {
		ctx.workspace(0).run(p, 0, p.m, 0, p.n)
		return
	}
	// Split the columns into t runs of whole panels of nr columns if there are
	// enough, else the rows into runs of whole panels of mr rows.
	colPanels := (p.n + p.t.nr - 1) / p.t.nr
	rowPanels := (p.m + p.t.mr - 1) / p.t.mr
	byCols := colPanels >= t || colPanels >= rowPanels
	panels, size := rowPanels, p.t.mr
	if byCols {
		panels, size = colPanels, p.t.nr
	}
	t = min(t, panels)
	for w := range t {
		ctx.workspace(w) // allocate before starting goroutines
	}
	ctx.wg.Add(t - 1)
	for w := t - 1; w >= 0; w-- {
		lo, hi := w*panels/t*size, (w+1)*panels/t*size
		if byCols {
			lo, hi = min(lo, p.n), min(hi, p.n)
			if w == 0 {
				ctx.ws[0].run(p, 0, p.m, lo, hi)
			} else {
				go ctx.worker(w, p, 0, p.m, lo, hi)
			}
		} else {
			lo, hi = min(lo, p.m), min(hi, p.m)
			if w == 0 {
				ctx.ws[0].run(p, lo, hi, 0, p.n)
			} else {
				go ctx.worker(w, p, lo, hi, 0, p.n)
			}
		}
	}
	ctx.wg.Wait()
}

func (ctx *Context) worker(w int, p *problem, i0, i1, j0, j1 int) {
	defer ctx.wg.Done()
	ctx.ws[w].run(p, i0, i1, j0, j1)
}

func (ctx *Context) workspace(w int) *workspace {
	for len(ctx.ws) <= w {
		ctx.ws = append(ctx.ws, new(workspace))
	}
	return ctx.ws[w]
}

// scaleOnly handles alpha == 0 or k == 0: C = act(beta·C + bias).
func (p *problem) scaleOnly() {
	for i := range p.m {
		row := p.c[i*p.ldc : i*p.ldc+p.n]
		switch p.beta {
		case 0:
			clear(row)
		case 1:
		default:
			for j := range row {
				row[j] *= p.beta
			}
		}
		if p.bias != nil {
			for j, v := range p.bias[:p.n] {
				row[j] += v
			}
		}
		applyEpilogue(p.act, row)
	}
}

// applyEpilogue applies e to x in place.
func applyEpilogue(e Epilogue, x []float32) {
	switch e {
	case ReLU:
		for i, v := range x {
			x[i] = max(v, 0)
		}
	case Sigmoid:
		for i, v := range x {
			x[i] = float32(1 / (1 + math.Exp(-float64(v))))
		}
	case Tanh:
		for i, v := range x {
			x[i] = float32(math.Tanh(float64(v)))
		}
	}
}

// blockSize splits total into the fewest blocks of at most limit and
// returns their size, rounded up to a multiple of align: blocks of equal
// size avoid a thin last block.
func blockSize(total, limit, align int) int {
	nb := (total + limit - 1) / limit
	s := (total + nb - 1) / nb
	return (s + align - 1) / align * align
}

// flags returns beta and the kernel flags for the k-block that is the
// first and/or last of the product.
func (p *problem) flags(first, last bool) (float32, int) {
	var f int
	if p.alpha != 1 {
		f |= flagAlpha
	}
	beta := float32(1)
	if first {
		beta = p.beta
		if beta != 0 {
			f |= flagLoadC
		}
		if p.bias != nil {
			f |= flagBias
		}
	} else {
		f |= flagLoadC
	}
	if last && p.act == ReLU {
		f |= flagReLU
	}
	return beta, f
}

// tileFor returns the micro-kernel for a panel of nr columns.
func (p *problem) tileFor(nr int) tile {
	if nr == p.t.nr {
		return p.t
	}
	return p.rt
}

// packB packs rows pc..pc+kc-1, columns j..j+nr-1 (nr ≤ t.nr) of op(B)
// into the kc×t.nr panel dst, zero-padded on the right.
func (p *problem) packB(t tile, pc, kc, j, nr int, dst []float32) {
	if p.transB {
		packBT(t.nr, kc, p.b, j*p.ldb+pc, p.ldb, nr, dst)
	} else {
		packBN(t.nr, kc, p.b, pc*p.ldb+j, p.ldb, nr, dst)
	}
}

// kernel runs the macro-kernel on rows i0..i0+m-1 of op(A) and C, k-block
// pc..pc+kc-1, and the packed panel bp holding columns j..j+nr-1.
func (p *problem) kernel(t tile, i0, m, pc, kc int, bp []float32, j, nr int, beta float32, flags int) {
	if p.transA {
		macroKernel(t, true, m, kc, p.a, pc*p.lda+i0, p.lda, t.mr, bp, p.c, i0*p.ldc+j, p.ldc, nr,
			p.alpha, beta, p.bias, j, flags)
	} else {
		macroKernel(t, false, m, kc, p.a, i0*p.lda+pc, p.lda, t.mr*p.lda, bp, p.c, i0*p.ldc+j, p.ldc, nr,
			p.alpha, beta, p.bias, j, flags)
	}
	if flags&flagReLU == 0 && p.act != None && p.act != ReLU && (pc+kc == p.k) {
		for i := i0; i < i0+m; i++ {
			applyEpilogue(p.act, p.c[i*p.ldc+j:i*p.ldc+j+nr])
		}
	}
}

// workspace holds one goroutine's packing buffer.
type workspace struct {
	raw []float32
	buf []float32 // 64-byte aligned
	nr  int       // panel width of the current product
}

func (w *workspace) get(n int) []float32 {
	if len(w.buf) < n {
		w.raw = make([]float32, n+15)
		off := 0
		if r := uintptr(unsafe.Pointer(&w.raw[0])) & 63; r != 0 {
			off = int(64-r) / 4
		}
		w.buf = w.raw[off : off+n]
	}
	return w.buf[:n]
}

// run computes rows i0..i1-1, columns j0..j1-1 of the product (j0 a
// multiple of p.t.nr, or i0 of p.t.mr, when splitting between goroutines).
func (w *workspace) run(p *problem, i0, i1, j0, j1 int) {
	m, k := i1-i0, p.k
	if m <= 0 || j1 <= j0 {
		return
	}
	kb := blockSize(k, kcMax, 8)
	w.nr = p.t.nr
	if m <= mcMax {
		// Each panel of B is used once per k-block: pack it just before
		// use so that it is in L1 for all m rows.
		bp := w.get(kb * w.nr)
		for pc := 0; pc < k; pc += kb {
			kc := min(kb, k-pc)
			beta, flags := p.flags(pc == 0, pc+kc == k)
			for j := j0; j < j1; j += w.nr {
				nr := min(w.nr, j1-j)
				t := p.tileFor(nr)
				p.packB(t, pc, kc, j, nr, bp)
				p.kernel(t, i0, m, pc, kc, bp, j, nr, beta, flags)
			}
		}
		return
	}
	mb := blockSize(m, mcMax, p.t.mr)
	nb := blockSize(j1-j0, ncMax, w.nr)
	buf := w.get(kb * nb)
	for jc := j0; jc < j1; jc += nb {
		nc := min(nb, j1-jc)
		for pc := 0; pc < k; pc += kb {
			kc := min(kb, k-pc)
			beta, flags := p.flags(pc == 0, pc+kc == k)
			for j := jc; j < jc+nc; j += w.nr {
				nr := min(w.nr, jc+nc-j)
				p.packB(p.tileFor(nr), pc, kc, j, nr, w.panel(buf, j-jc, kc))
			}
			for ic := i0; ic < i1; ic += mb {
				mc := min(mb, i1-ic)
				for j := jc; j < jc+nc; j += w.nr {
					nr := min(w.nr, jc+nc-j)
					p.kernel(p.tileFor(nr), ic, mc, pc, kc, w.panel(buf, j-jc, kc), j, nr, beta, flags)
				}
			}
		}
	}
}

// panel returns the space in buf for the packed kc×nr panel holding
// column j (relative to the packed block). Every panel but the last is
// w.nr wide; the last may be narrower, and so fits too.
func (w *workspace) panel(buf []float32, j, kc int) []float32 {
	q := j / w.nr
	return buf[q*kc*w.nr : (q+1)*kc*w.nr]
}
