package gemm

//go:generate go run -C _asm . -out ../kernel_amd64.s -stubs ../stubs_amd64.go -pkg gemm

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"
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
// one panel of nr columns of B. A trans tile belongs to a product computed
// transposed: it stores its mr×nr block of Cᵀ transposed into C.
type tile struct {
	mr, nr int
	trans  bool
}

// The micro-kernels: 4×24 for most panels, 6×16 for panels of at most 16
// columns (see nextRun), and the same two storing their tile of Cᵀ
// transposed into C. With AVX-512, products computed directly use 8×48
// and 12×32 instead (the same rules with 16-lane vectors); products computed
// transposed keep the AVX2 trans tiles.
var (
	tile4x24  = tile{4, 24, false}
	tile6x16  = tile{6, 16, false}
	tileT4x24 = tile{4, 24, true}
	tileT6x16 = tile{6, 16, true}
	tile8x48  = tile{8, 48, false}
	tile12x32 = tile{12, 32, false}
)

// tileSet is the pair of direct micro-kernels of one vector width: wide
// (three vectors a row) and narrow (two).
type tileSet struct{ wide, narrow tile }

var (
	tiles8  = tileSet{tile4x24, tile6x16}
	tiles16 = tileSet{tile8x48, tile12x32}
)

// maxNR bounds every tile's nr (for the packing buffers).
const maxNR = 48

// Products are only considered for computing transposed if C is narrow
// (n ≤ maxTransN), where it saves FMAs, or k is short (k ≤ maxTransK),
// where packing and storing dominate; elsewhere the costs are close and
// the direct kernels read op(A) with better locality.
const (
	maxTransN = 24
	maxTransK = 16
)

// Test hooks: testTile, if set, makes every panel use that micro-kernel;
// testTrans forces (> 0) or forbids (< 0) computing products transposed;
// testInPlace forces (> 0) or forbids (< 0) reading op(B) in place.
var (
	testTile    tile
	testTrans   int
	testInPlace int
)

// maxInPlace bounds the span of op(B), kc·ldb elements, of a k-block read
// in place: beyond 32 KiB its rows no longer stay in L1 between row panels
// (a 24-column panel touches two cache lines per row wherever they are).
const maxInPlace = 8192

// nextRun returns the micro-kernel and the width of the next run of
// column panels of C, computed by one macro-kernel call, when w columns are
// left. With vectors of V lanes, panels are 3V columns wide (4×24 for V =
// 8), except that the last 3V+1 to 4V columns are split 2V + the rest, and
// the last at most 2V use the narrow tile (6×16); so every row of C costs
// ceil(w/V) vectors (2 if w ≤ V), never more. A run is either the wide
// panels, the last of which may be partial, or the at most two narrow
// panels at the end. Transposed products use the trans tiles, with V = 8.
func (p *problem) nextRun(w int) (tile, int) {
	s := directTiles()
	if p.trans {
		s = tiles8
	}
	wide, narrow := s.wide.nr, s.narrow.nr
	lanes := narrow / 2
	t, rw := s.wide, w
	switch {
	case testTile != (tile{}):
		t = testTile
	case w <= narrow || w > wide && w <= wide+lanes:
		t = s.narrow
	case w > wide+lanes:
		if r := w % wide; r > 0 && r <= lanes {
			rw = w - wide - r // wide+r columns left as narrow + (lanes+r)
		} else if r > lanes && r <= narrow {
			rw = w - r
		}
	}
	if p.trans {
		if t.nr == 16 || t.nr == 32 {
			t = tileT6x16
		} else {
			t = tileT4x24
		}
	}
	return t, rw
}

// vecs is the number of 8-lane vectors the panels of nextRun compute per
// row of an n-column C.
func vecs(n int) int { return max(2, (n+7)/8) }

// plan chooses how to compute the product (directly or transposed) and the
// main micro-kernel, which sets the granularity of the split between
// goroutines. It runs on every call, so it is kept cheap.
//
// A narrow C wastes vector lanes: with n = 10 every row costs 16 lanes. If
// m is larger, computing Cᵀ = op(B)ᵀ·op(A)ᵀ instead puts the wide dimension
// in the lanes; the micro-kernels of trans tiles transpose each register
// tile of Cᵀ in registers and store it into C, applying the epilogue on the
// way. Every element is still one chain of fused multiply-adds over k in
// order, followed by the same epilogue instructions, so the result has the
// same bits either way.
func (p *problem) plan() {
	if p.mask == nil && (testTrans > 0 || testTrans == 0 && (p.n <= maxTransN || p.k <= maxTransK) && p.transCheaper()) {
		p.trans = true
		p.m, p.n = p.n, p.m
		p.a, p.b = p.b, p.a
		p.lda, p.ldb = p.ldb, p.lda
		p.transA, p.transB = !p.transB, !p.transA
	}
	p.t, _ = p.nextRun(min(p.n, directTiles().wide.nr))
}

// transCheaper estimates whether computing the product transposed is
// cheaper, in units of half a cycle (one FMA): the FMAs; storing C (2 units
// per 8 elements directly, 4 transposed: shuffles and half-width stores);
// and packing op(B) or, transposed, op(A)ᵀ (see packCost). The constants
// are rough fits to measurements on Zen 3.
func (p *problem) transCheaper() bool {
	m, n, k := p.m, p.n, p.k
	direct := k*m*vecs(n) + 2*m*((n+7)/8) + packCost(k, n, p.transB, p.ldb)
	trans := k*n*vecs(m) + 4*n*((m+7)/8) + packCost(k, m, !p.transA, p.lda)
	return trans < direct
}

// packCost estimates the cost of packing a k×n operand of row stride ld,
// per 8 elements: 4 units to transpose, 1 to copy, 0 if read in place.
func packCost(k, n int, transposed bool, ld int) int {
	v := k * ((n + 7) / 8)
	switch {
	case transposed:
		return 4 * v
	case k*ld <= maxInPlace:
		return 0
	}
	return v
}

// Flag bits of the macro-kernel; keep in sync with _asm/main.go.
const (
	flagLoadC = 1  // C = alpha·AB + beta·C instead of C = alpha·AB
	flagBias  = 2  // add bias[j] to every row
	flagReLU  = 4  // max(v, 0) last
	flagAlpha = 8  // multiply AB by alpha (otherwise alpha is 1)
	flagMask  = 16 // zero where !(mask > 0): mask ≤ 0 (NaN keeps), last (direct products only)
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

	ws []*workspace
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

// DenseGradXReLU computes the input gradient of a Dense layer whose input
// is the output y of a ReLU, through that ReLU: dx = dy·wᵀ, set to 0 where
// y ≤ 0 (NaN keeps its gradient, as nn's ReLU derivative does), for dy
// m×n, w k×n, and y and dx m×k, all dense row-major. The ReLU's derivative
// is applied by the kernel as it stores each tile (the product is never
// computed transposed, which has no such epilogue).
func DenseGradXReLU(m, n, k int, dy, w, y, dx []float32) {
	ctx := pool.Get().(*Context)
	ctx.DenseGradXReLU(m, n, k, dy, w, y, dx)
	pool.Put(ctx)
}

// DenseGradXReLU is like the package-level DenseGradXReLU, using ctx's
// buffers and Threads.
func (ctx *Context) DenseGradXReLU(m, n, k int, dy, w, y, dx []float32) {
	var p problem // field by field: see Sgemm
	p.transB, p.m, p.n, p.k, p.alpha = true, m, k, n, 1
	p.a, p.lda, p.b, p.ldb, p.c, p.ldc = dy, max(1, n), w, max(1, n), dx, max(1, k)
	if m > 0 && k > 0 && len(y) < m*k {
		panic(fmt.Sprintf("gemm: y has length %d < %d for %d×%d", len(y), m*k, m, k))
	}
	p.mask = y
	ctx.run(&p)
}

// Sgemm is like the package-level Sgemm, using ctx's buffers and Threads.
func (ctx *Context) Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	// Field by field: a composite literal is built in a temporary and
	// copied, with 16-byte loads straddling 8-byte stores that cannot be
	// forwarded (a stall per load).
	var p problem
	p.transA, p.transB, p.m, p.n, p.k = transA, transB, m, n, k
	p.alpha, p.a, p.lda, p.b, p.ldb = alpha, a, lda, b, ldb
	p.beta, p.c, p.ldc = beta, c, ldc
	ctx.run(&p)
}

// DenseForward is like the package-level DenseForward, using ctx's buffers
// and Threads.
func (ctx *Context) DenseForward(m, n, k int, x, w, bias, y []float32, act Epilogue) {
	var p problem // field by field: see Sgemm
	p.m, p.n, p.k, p.alpha = m, n, k, 1
	p.a, p.lda, p.b, p.ldb, p.c, p.ldc = x, max(1, k), w, max(1, n), y, max(1, n)
	p.bias, p.act = bias, act
	ctx.run(&p)
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
	mask           []float32 // nil: none; else C's layout, zero C where mask ≤ 0 (see DenseGradXReLU)
	t              tile      // main micro-kernel (see plan)
	// trans: the product is computed as Cᵀ = op(B)ᵀ·op(A)ᵀ; transA, transB,
	// m, n, a, lda, b and ldb describe that product, while c, ldc and bias
	// (indexed by the rows of Cᵀ) still describe C.
	trans bool
}

func (p *problem) check() {
	// One inlinable test for the valid case; fail finds and reports the
	// problem.
	ar, ac := p.m, p.k
	if p.transA {
		ar, ac = p.k, p.m
	}
	br, bc := p.k, p.n
	if p.transB {
		br, bc = p.n, p.k
	}
	if p.m < 0 || p.n < 0 || p.k < 0 || p.act > Tanh || p.bias != nil && len(p.bias) < p.n ||
		!matrixOK(p.a, ar, ac, p.lda) || !matrixOK(p.b, br, bc, p.ldb) || !matrixOK(p.c, p.m, p.n, p.ldc) {
		p.fail(ar, ac, br, bc)
	}
}

// matrixOK reports whether s holds a rows×cols matrix of row stride ld.
func matrixOK(s []float32, rows, cols, ld int) bool {
	return ld >= max(1, cols) && (rows <= 0 || cols <= 0 || len(s) >= (rows-1)*ld+cols)
}

// fail panics with a message describing what check found wrong.
//
//go:noinline
func (p *problem) fail(ar, ac, br, bc int) {
	if p.m < 0 || p.n < 0 || p.k < 0 {
		panic(fmt.Sprintf("gemm: negative dimension m=%d n=%d k=%d", p.m, p.n, p.k))
	}
	checkMatrix("a", p.a, ar, ac, p.lda)
	checkMatrix("b", p.b, br, bc, p.ldb)
	checkMatrix("c", p.c, p.m, p.n, p.ldc)
	if p.bias != nil && len(p.bias) < p.n {
		panic(fmt.Sprintf("gemm: bias has length %d < n = %d", len(p.bias), p.n))
	}
	panic(fmt.Sprintf("gemm: unknown epilogue %d", uint8(p.act)))
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

// run computes the product *p, which stays on the caller's stack when the
// calling goroutine computes it alone; shared between goroutines, it is
// copied into a split (a small allocation per call).
func (ctx *Context) run(p *problem) {
	p.check()
	if p.m == 0 || p.n == 0 {
		return
	}
	if p.k == 0 || p.alpha == 0 {
		p.scaleOnly()
		return
	}
	p.plan()
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
	ctx.runThreads(p, t, byCols, panels, size)
}

// runThreads computes the product split between up to t goroutines (see
// run): the panels are cut into chunks of about chunksPerThread per
// goroutine, which the calling goroutine and t-1 helpers claim one at a
// time. The caller waits only for chunks a helper has claimed, so on a busy
// machine, where a helper may not get a core for a while, the caller does
// the work itself instead of waiting: two threads are never much slower
// than one. A helper that starts after the product is done finds no chunk
// and exits without touching its workspace.
func (ctx *Context) runThreads(p0 *problem, t int, byCols bool, panels, size int) {
	st := &split{prob: *p0, byCols: byCols, size: size, done: make(chan struct{}, 1)}
	st.chunks = min(panels, t*chunksPerThread)
	st.panels = panels
	for w := 1; w < t; w++ {
		go st.helper(ctx.ws[w])
	}
	if !st.work(ctx.ws[0]) {
		<-st.done
	}
}

// chunksPerThread sets how finely runThreads cuts a product.
const chunksPerThread = 4

// split is one product shared between goroutines.
type split struct {
	prob           problem
	byCols         bool
	panels, size   int // panels of size rows or columns
	chunks         int
	next, finished atomic.Int64
	done           chan struct{} // receives when a helper finishes the last chunk
}

// work computes chunks until none is left; it reports whether this
// goroutine finished the last one.
func (st *split) work(ws *workspace) bool {
	p := &st.prob
	for {
		c := int(st.next.Add(1) - 1)
		if c >= st.chunks {
			return false
		}
		lo, hi := c*st.panels/st.chunks*st.size, (c+1)*st.panels/st.chunks*st.size
		if st.byCols {
			ws.run(p, 0, p.m, min(lo, p.n), min(hi, p.n))
		} else {
			ws.run(p, min(lo, p.m), min(hi, p.m), 0, p.n)
		}
		if int(st.finished.Add(1)) == st.chunks {
			return true
		}
	}
}

func (st *split) helper(ws *workspace) {
	if st.work(ws) {
		st.done <- struct{}{}
	}
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
	if total <= limit { // the common case, without divisions
		return roundUp(total, align)
	}
	nb := (total + limit - 1) / limit
	s := (total + nb - 1) / nb
	return (s + align - 1) / align * align
}

// roundUp rounds x up to a multiple of a; multiples of 8 and 16 without a
// division.
func roundUp(x, a int) int {
	switch a {
	case 8:
		return (x + 7) &^ 7
	case 16:
		return (x + 15) &^ 15
	case 24:
		return (x + 23) / 24 * 24
	}
	return (x + a - 1) / a * a
}

// panels returns the number of panels of t.nr columns holding n columns.
func panels(n int, t tile) int {
	switch t.nr {
	case 16:
		return (n + 15) / 16
	case 24:
		return (n + 23) / 24
	}
	return (n + t.nr - 1) / t.nr
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
	if last && p.mask != nil {
		f |= flagMask
	}
	return beta, f
}

// packRun packs rows pc..pc+kc-1, columns j..j+w-1 of op(B) into
// consecutive kc×t.nr panels at dst, the last zero-padded on the right.
func (p *problem) packRun(t tile, pc, kc, j, w int, dst []float32) {
	if p.transB {
		packBT(t.nr, kc, p.b, j*p.ldb+pc, p.ldb, w, dst, kc*t.nr)
		return
	}
	for q := 0; q < w; q += t.nr {
		packBN(t.nr, kc, p.b, pc*p.ldb+j+q, p.ldb, min(t.nr, w-q), dst[q*kc:(q+t.nr)*kc])
	}
}

// inPlace reports whether full panels of the k-block pc..pc+kc-1 of op(B)
// can be read in place rather than packed: op(B) is not transposed and the
// k-block is small enough (see maxInPlace).
func (p *problem) inPlace(kc int) bool {
	if testInPlace != 0 {
		return testInPlace > 0 && !p.transB
	}
	return !p.transB && kc*p.ldb <= maxInPlace
}

// maxPackRun bounds the panels packed ahead of one macro-kernel call when
// all m rows sweep each panel right after packing (m ≤ mcMax): at most 32
// KiB, or one panel.
const maxPackRun = 8192

// runPanels computes rows i0..i0+m-1, columns j..j+w-1 of C, a run of
// panels for micro-kernel t, k-block pc..pc+kc-1: full panels read in place
// with one call if possible, the rest packed into buf a chunk of panels at
// a time.
func (p *problem) runPanels(t tile, i0, m, pc, kc, j, w int, beta float32, flags int, buf []float32) {
	full := w / t.nr * t.nr // whole panels
	if full > 0 && p.inPlace(kc) {
		p.kernel(t, i0, m, pc, kc, p.b, pc*p.ldb+j, p.ldb, t.nr, j, full, beta, flags)
		j, w = j+full, w-full
	}
	step := t.nr // columns per chunk: the whole run if small, else one panel
	if kc*(w+t.nr) <= maxPackRun {
		step = w
	}
	for w > 0 {
		cw := min(w, step)
		p.packRun(t, pc, kc, j, cw, buf)
		p.kernel(t, i0, m, pc, kc, buf, 0, t.nr, kc*t.nr, j, cw, beta, flags)
		j, w = j+cw, w-cw
	}
}

// kernel runs the macro-kernel on rows i0..i0+m-1 of op(A), k-block
// pc..pc+kc-1, and columns j..j+n-1 of op(B), held in panels of t.nr
// columns in b: panel q starts at b[boff+q*bstep] and has row stride ldb.
// When the product is computed transposed (t.trans), those are columns
// i0.. and rows j.. of C, and bias[i0..].
func (p *problem) kernel(t tile, i0, m, pc, kc int, b []float32, boff, ldb, bstep, j, n int, beta float32, flags int) {
	aoff, astep := i0*p.lda+pc, t.mr*p.lda
	if p.transA {
		aoff, astep = pc*p.lda+i0, t.mr
	}
	coff, biasoff := i0*p.ldc+j, j
	if t.trans {
		coff, biasoff = j*p.ldc+i0, i0
	}
	macroKernel(t, p.transA, m, kc, p.a, aoff, p.lda, astep, b, boff, ldb, bstep, p.c, coff, p.ldc, n,
		p.alpha, beta, p.bias, biasoff, p.mask, flags)
	if pc+kc == p.k && p.act != None && p.act != ReLU {
		rows, cols := m, n
		if t.trans {
			rows, cols = n, m
		}
		for r := range rows {
			applyEpilogue(p.act, p.c[coff+r*p.ldc:coff+r*p.ldc+cols])
		}
	}
}

// workspace holds one goroutine's packing buffer.
type workspace struct {
	raw []float32
	buf []float32 // 64-byte aligned
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
	if m <= mcMax {
		// Each panel of B is used once per k-block: pack it (if it is not
		// read in place) just before use so that it is in L1 for all m rows.
		buf := w.get(max(kb*maxNR, maxPackRun))
		for pc := 0; pc < k; pc += kb {
			kc := min(kb, k-pc)
			beta, flags := p.flags(pc == 0, pc+kc == k)
			for j := j0; j < j1; {
				t, rw := p.nextRun(j1 - j)
				p.runPanels(t, i0, m, pc, kc, j, rw, beta, flags, buf)
				j += rw
			}
		}
		return
	}
	// Pack an nb-wide block of B once per k-block and sweep it with blocks
	// of mb rows of A. The panels of a block take at most nb + 15 columns
	// with their padding (nb + 23 with testTile).
	mb := blockSize(m, mcMax, p.t.mr)
	nb := blockSize(j1-j0, ncMax, p.t.nr)
	packed := w.get(kb * (nb + maxNR))
	for jc := j0; jc < j1; jc += nb {
		nc := min(nb, j1-jc)
		for pc := 0; pc < k; pc += kb {
			kc := min(kb, k-pc)
			beta, flags := p.flags(pc == 0, pc+kc == k)
			off := 0
			for j := jc; j < jc+nc; {
				t, rw := p.nextRun(jc + nc - j)
				p.packRun(t, pc, kc, j, rw, packed[off:])
				off += panels(rw, t) * kc * t.nr
				j += rw
			}
			for ic := i0; ic < i1; ic += mb {
				mc := min(mb, i1-ic)
				off := 0
				for j := jc; j < jc+nc; {
					t, rw := p.nextRun(jc + nc - j)
					p.kernel(t, ic, mc, pc, kc, packed, off, t.nr, kc*t.nr, j, rw, beta, flags)
					off += panels(rw, t) * kc * t.nr
					j += rw
				}
			}
		}
	}
}
