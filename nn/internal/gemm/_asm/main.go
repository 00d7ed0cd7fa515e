// Command _asm generates kernel_amd64.s and stubs_amd64.go for package gemm
// with github.com/mmcloughlin/avo.
//
// It is its own module so that avo is not a dependency of the main module.
// Run it through go generate in the gemm directory:
//
//	go generate ./nn/internal/gemm
//
// which runs (see gemm.go)
//
//	go run -C _asm . -out ../kernel_amd64.s -stubs ../stubs_amd64.go -pkg gemm
//
// The generated code needs AVX2 and FMA; kernel_amd64.go checks for them at
// run time and falls back to the pure-Go kernels otherwise.
package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Flag bits of the macro-kernel's flags argument; keep in sync with gemm.go.
const (
	flagLoadC = 1  // C = alpha*AB + beta*C (otherwise C = alpha*AB)
	flagBias  = 2  // add bias[j] to every row
	flagReLU  = 4  // max(0, x) last
	flagAlpha = 8  // multiply AB by alpha (otherwise alpha is taken as 1)
	flagMask  = 16 // zero where !(mask > 0 or NaN), last (direct kernels only)
)

var ymm = []VecPhysical{Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15}

// laneMask is 32 all-ones dwords followed by 32 zero dwords: the 8·v-lane
// mask with the first n lanes set starts at byte 4·(32-n).
var laneMask Mem

func main() {
	ConstraintExpr("!purego")

	laneMask = GLOBL("lanemask", RODATA|NOPTR)
	for i := 0; i < 64; i++ {
		v := uint32(0)
		if i < 32 {
			v = 0xffffffff
		}
		DATA(4*i, U32(v))
	}

	// The register tile is MR rows × 8·NV columns; 4×24 uses 12 accumulators,
	// 3 registers for a row of B and 1 for the broadcast element of A. The
	// narrower 6×16 serves narrow C and the last panel of wider C. (A 12×8
	// tile would need a broadcast per FMA, which Zen 3 issues at only one
	// per cycle: it runs at half the speed of these two.)
	for _, t := range []struct{ mr, nv int }{{4, 3}, {6, 2}} {
		genKernel(fmt.Sprintf("kernRowA%dx%d", t.mr, 8*t.nv), t.mr, t.nv, false, false)
		genKernel(fmt.Sprintf("kernColA%dx%d", t.mr, 8*t.nv), t.mr, t.nv, true, false)
	}
	// Kernels for C computed transposed (see transEpilogue): the same
	// register tiles, 4×24 and 6×16 of Cᵀ.
	for _, t := range []struct{ mr, nv int }{{4, 3}, {6, 2}} {
		genKernel(fmt.Sprintf("kernRowAT%dx%d", t.mr, 8*t.nv), t.mr, t.nv, false, true)
		genKernel(fmt.Sprintf("kernColAT%dx%d", t.mr, 8*t.nv), t.mr, t.nv, true, true)
	}
	for _, nv := range []int{3, 2} {
		genPackBN(fmt.Sprintf("packBN%d", 8*nv), nv)
	}
	genPackBTRun()

	// AVX-512 (see avx512.go): 8×48 and 12×32 tiles of C computed directly;
	// products computed transposed keep the AVX2 kernels above.
	kmaskTable = GLOBL("kmask16", RODATA|NOPTR)
	for i := 0; i <= 16; i++ {
		DATA(2*i, U16(uint16(1<<i-1)))
	}
	for _, t := range []struct{ mr, nv int }{{8, 3}, {12, 2}} {
		genKernel512(fmt.Sprintf("kernRowA%dx%d", t.mr, 16*t.nv), t.mr, t.nv, false)
		genKernel512(fmt.Sprintf("kernColA%dx%d", t.mr, 16*t.nv), t.mr, t.nv, true)
	}
	for _, nv := range []int{3, 2} {
		genPackBN512(fmt.Sprintf("packBN%d", 16*nv), nv)
	}

	Generate()
}

// rowMem returns the address of row r (0 ≤ r < 12) of a matrix with row
// stride ld (bytes, in a register) and ld3 = 3·ld, plus disp bytes. Rows
// 0-3 are addressed from base, rows 4-7 from base4 = base + 4·ld and rows
// 8-11 from base8 = base + 8·ld.
func rowMem(base, base4, base8, ld, ld3 Register, r, disp int) Mem {
	b := []Register{base, base4, base8}[r/4]
	switch r % 4 {
	case 0:
		return Mem{Base: b, Disp: disp}
	case 1:
		return Mem{Base: b, Index: ld, Scale: 1, Disp: disp}
	case 2:
		return Mem{Base: b, Index: ld, Scale: 2, Disp: disp}
	default:
		return Mem{Base: b, Index: ld3, Scale: 1, Disp: disp}
	}
}

// maskBases returns the mask's row bases for a tile whose C rows start at
// cP: mP = cP + (mask - c) and, as rowBases, mP + 4·ld and mP + 8·ld.
func maskBases(cP Register, rows int, ld Register) (mP, mP4, mP8 Register) {
	mP = GP64()
	MOVQ(paramAddr("mask"), mP)
	SUBQ(paramAddr("c"), mP)
	ADDQ(cP, mP)
	mP4, mP8 = rowBases(mP, ld, rows)
	return mP, mP4, mP8
}

// rowBases returns base4 = base + 4·ld if rows > 4 and base8 = base + 8·ld
// if rows > 8 (nil otherwise), in new registers.
func rowBases(base, ld Register, rows int) (base4, base8 Register) {
	if rows > 4 {
		base4 = GP64()
		LEAQ(Mem{Base: base, Index: ld, Scale: 4}, base4)
	}
	if rows > 8 {
		base8 = GP64()
		LEAQ(Mem{Base: base, Index: ld, Scale: 8}, base8)
	}
	return base4, base8
}

func paramAddr(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

const kernSig = "func(m, k int, a *float32, lda, astep int, b *float32, ldb, bstep int, c *float32, ldc, n int, alpha, beta float32, bias, mask *float32, flags int)"

// The state of the loop over column panels of the kernel being generated,
// in stack locals: the current panel of B, its block of C, its bias and its
// width (NR, or less for the last panel).
var curB, curC, curBias, curNR Mem

// genKernel emits a macro-kernel that multiplies an m×k block of op(A) by a
// k×n block of B held in panels of NR columns and writes the m×n result
// into C: for each panel, all m rows of A sweep it, MR rows at a time,
// finishing with the rows left over. One call covering a run of panels
// keeps the fixed cost per call low for small products.
//
// colA false: A(i,p) = a[i*lda + p] (A row-major, not transposed).
// colA true:  A(i,p) = a[p*lda + i] (A transposed, or packed with lda = MR).
// Row panel r starts at a + r*astep. Panel q of B starts at b + q*bstep and
// B(p,j) = b[q*bstep + p*ldb + j]: packed panels (ldb = NR, bstep = k*NR)
// or full panels of row-major B read in place (ldb = its stride, bstep =
// NR). Every panel is full but the last, which has n mod NR columns.
// C(i,j) = c[i*ldc + j], bias[j].
//
// transC true: the product is Cᵀ, stored transposed: element (i,j) of the
// product goes to c[j*ldc + i], with the bias bias[i] (see transEpilogue).
func genKernel(name string, mr, nv int, colA, transC bool) {
	genMacroKernel(name, mr, nv, 8, colA, transC)
}

// genMacroKernel is genKernel for vectors of lanes (8: AVX2, 16: AVX-512)
// float32s.
func genMacroKernel(name string, mr, nv, lanes int, colA, transC bool) {
	nrFull := lanes * nv
	body := kernelBody
	if lanes == 16 {
		body = kernelBody512
	}
	TEXT(name, NOSPLIT, kernSig)
	Pragma("noescape")
	layout := "A(i,p) = a[i*lda+p]"
	if colA {
		layout = "A(i,p) = a[p*lda+i]"
	}
	panels := []string{
		fmt.Sprintf("B is a k×n block of panels of %d columns, panel q at b+q*bstep with row stride ldb", nrFull),
		fmt.Sprintf("(B(p,%d*q+j) = b[q*bstep+p*ldb+j], all %d columns of every panel readable; packed panels", nrFull, nrFull),
		fmt.Sprintf("have ldb = %d and zeros beyond n). Requires %s.", nrFull, map[int]string{8: "AVX2 and FMA", 16: "AVX-512F"}[lanes]),
	}
	if transC {
		Doc(append([]string{
			fmt.Sprintf("%s computes the m×n block D = A·B with a %d×%d register tile and stores it transposed,", name, mr, nrFull),
			"C(j,i) = epilogue(alpha·D(i,j) [+ beta·C(j,i)] [+ bias[i]]) at c[j*ldc+i],",
			fmt.Sprintf("where %s, row panel r of A starts at a+r*astep,", layout),
		}, panels...)...)
	} else {
		Doc(append([]string{
			fmt.Sprintf("%s computes the m×n block C = epilogue(alpha·A·B [+ beta·C] [+ bias]) with a %d×%d register tile,", name, mr, nrFull),
			fmt.Sprintf("where C(i,j) = c[i*ldc+j], %s, row panel r of A starts at a+r*astep,", layout),
		}, panels...)...)
	}

	curB, curC, curBias, curNR = AllocLocal(8), AllocLocal(8), AllocLocal(8), AllocLocal(8)
	nLeft := AllocLocal(8)
	for _, x := range []struct {
		param string
		local Mem
	}{{"b", curB}, {"c", curC}, {"bias", curBias}, {"n", nLeft}} {
		v := Load(Param(x.param), GP64())
		MOVQ(v, x.local)
	}
	lda := Load(Param("lda"), GP64())
	SHLQ(U8(2), lda)
	lda3 := GP64()
	LEAQ(Mem{Base: lda, Index: lda, Scale: 2}, lda3)

	// Loop over the panels of B: all m rows of A sweep each one.
	Label(name + "_colpanel")
	{
		nr, full := GP64(), GP64()
		MOVQ(nLeft, nr)
		MOVQ(U32(nrFull), full)
		CMPQ(nr, U32(nrFull))
		CMOVQGT(full, nr)
		MOVQ(nr, curNR)
	}
	aPanel := Load(Param("a"), GP64())
	cPanel := GP64()
	MOVQ(curC, cPanel)
	mleft := Load(Param("m"), GP64())

	Label(name + "_panel")
	CMPQ(mleft, U32(mr))
	JL(LabelRef(name + "_rem"))
	body(name+"_full", mr, nv, colA, transC, aPanel, lda, lda3, cPanel, mleft)
	astep := Load(Param("astep"), GP64())
	LEAQ(Mem{Base: aPanel, Index: astep, Scale: 4}, aPanel)
	if transC {
		ADDQ(U32(4*mr), cPanel)
	} else {
		ldc := Load(Param("ldc"), GP64())
		IMUL3Q(U32(4*mr), ldc, ldc)
		ADDQ(ldc, cPanel)
	}
	SUBQ(U32(mr), mleft)
	JMP(LabelRef(name + "_panel"))

	Label(name + "_rem")
	for r := mr - 1; r >= 1; r-- {
		CMPQ(mleft, U32(r))
		JE(LabelRef(fmt.Sprintf("%s_rem%d", name, r)))
	}
	JMP(LabelRef(name + "_nextcol"))
	for r := mr - 1; r >= 1; r-- {
		Label(fmt.Sprintf("%s_rem%d", name, r))
		body(fmt.Sprintf("%s_r%d", name, r), r, nv, colA, transC, aPanel, lda, lda3, cPanel, mleft)
		JMP(LabelRef(name + "_nextcol"))
	}

	Label(name + "_nextcol")
	SUBQ(U32(nrFull), nLeft)
	JLE(LabelRef(name + "_done"))
	{
		bstep := Load(Param("bstep"), GP64())
		SHLQ(U8(2), bstep)
		ADDQ(bstep, curB)
		if transC {
			ldc := Load(Param("ldc"), GP64())
			IMUL3Q(U32(4*nrFull), ldc, ldc)
			ADDQ(ldc, curC)
		} else {
			ADDQ(U32(4*nrFull), curC)
			ADDQ(U32(4*nrFull), curBias)
		}
	}
	JMP(LabelRef(name + "_colpanel"))

	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// kernelBody emits the k loop and the epilogue for one row panel of `rows`
// rows (rows ≤ MR; only those rows of A are read and of C written).
func kernelBody(pfx string, rows, nv int, colA, transC bool, aPanel, lda, lda3, cPanel, mleft Register) {
	acc := func(r, v int) VecPhysical { return ymm[r*nv+v] }
	bv := func(v int) VecPhysical { return ymm[rows*nv+v] }
	nregs := rows*nv + nv
	t := ymm[nregs]
	if nregs+1 > 16 {
		panic("register tile too large")
	}

	for r := 0; r < rows; r++ {
		for v := 0; v < nv; v++ {
			VXORPS(acc(r, v), acc(r, v), acc(r, v))
		}
	}
	aP := GP64()
	MOVQ(aPanel, aP)
	var aP4, aP8 Register
	if !colA {
		aP4, aP8 = rowBases(aP, lda, rows)
	}
	bP := GP64()
	MOVQ(curB, bP)
	ldb := Load(Param("ldb"), GP64())
	SHLQ(U8(2), ldb)
	ldb3 := GP64()
	LEAQ(Mem{Base: ldb, Index: ldb, Scale: 2}, ldb3)
	// bMem is the address of vector v of row u of B relative to the current
	// k position.
	bMem := func(u, v int) Mem {
		switch u {
		case 0:
			return Mem{Base: bP, Disp: 32 * v}
		case 1:
			return Mem{Base: bP, Index: ldb, Scale: 1, Disp: 32 * v}
		case 2:
			return Mem{Base: bP, Index: ldb, Scale: 2, Disp: 32 * v}
		default:
			return Mem{Base: bP, Index: ldb3, Scale: 1, Disp: 32 * v}
		}
	}

	// aMem is the address of A(r, u) relative to the current k position.
	aMem := func(r, u int) Mem {
		if colA {
			// Element (r, p+u) at aP + u*lda + 4r.
			switch u {
			case 0:
				return Mem{Base: aP, Disp: 4 * r}
			case 1:
				return Mem{Base: aP, Index: lda, Scale: 1, Disp: 4 * r}
			case 2:
				return Mem{Base: aP, Index: lda, Scale: 2, Disp: 4 * r}
			default:
				return Mem{Base: aP, Index: lda3, Scale: 1, Disp: 4 * r}
			}
		}
		return rowMem(aP, aP4, aP8, lda, lda3, r, 4*u)
	}
	step := func(u int) {
		for v := 0; v < nv; v++ {
			VMOVUPS(bMem(u, v), bv(v))
		}
		for r := 0; r < rows; r++ {
			VBROADCASTSS(aMem(r, u), t)
			for v := 0; v < nv; v++ {
				VFMADD231PS(bv(v), t, acc(r, v))
			}
		}
	}
	advance := func(u int) {
		if colA {
			if u == 4 {
				LEAQ(Mem{Base: aP, Index: lda, Scale: 4}, aP)
			} else {
				ADDQ(lda, aP)
			}
		} else {
			for _, r := range []Register{aP, aP4, aP8} {
				if r != nil {
					ADDQ(U32(4*u), r)
				}
			}
		}
		if u == 4 {
			LEAQ(Mem{Base: bP, Index: ldb, Scale: 4}, bP)
		} else {
			ADDQ(ldb, bP)
		}
	}

	kc := Load(Param("k"), GP64())
	SHRQ(U8(2), kc)
	JZ(LabelRef(pfx + "_tail"))
	Label(pfx + "_loop4")
	for u := 0; u < 4; u++ {
		step(u)
	}
	advance(4)
	DECQ(kc)
	JNZ(LabelRef(pfx + "_loop4"))

	Label(pfx + "_tail")
	kt := Load(Param("k"), GP64())
	ANDQ(U32(3), kt)
	JZ(LabelRef(pfx + "_epi"))
	Label(pfx + "_loop1")
	step(0)
	advance(1)
	DECQ(kt)
	JNZ(LabelRef(pfx + "_loop1"))

	Label(pfx + "_epi")
	if transC {
		transEpilogue(pfx, rows, nv, cPanel, mleft, acc)
	} else {
		epilogue(pfx, rows, nv, cPanel, acc)
	}
}

// epilogue emits the end of a row panel: scale the accumulators by alpha,
// add beta·C and the bias, apply ReLU (each as flags select) and store the
// rows×nr tile at cPanel. Full tiles use plain loads and stores; partial
// ones (nr < NR) masked loads and stores split into 8, 4, 2 and 1 lanes.
func epilogue(pfx string, rows, nv int, cPanel Register, acc func(r, v int) VecPhysical) {
	nrFull := 8 * nv
	all := func(f func(r, v int)) {
		for r := 0; r < rows; r++ {
			for v := 0; v < nv; v++ {
				f(r, v)
			}
		}
	}
	// Temporaries: all registers above the accumulators are free now.
	t, t1, t2 := ymm[rows*nv], ymm[rows*nv+1], ymm[rows*nv+2]

	cP := GP64()
	MOVQ(cPanel, cP)
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(2), ldc)
	ldc3 := GP64()
	LEAQ(Mem{Base: ldc, Index: ldc, Scale: 2}, ldc3)
	cP4, cP8 := rowBases(cP, ldc, rows)
	cMem := func(r, v int) Mem { return rowMem(cP, cP4, cP8, ldc, ldc3, r, 32*v) }

	flags := Load(Param("flags"), GP64())
	TESTQ(U32(flagAlpha), flags)
	JZ(LabelRef(pfx + "_noalpha"))
	VBROADCASTSS(paramAddr("alpha"), t)
	all(func(r, v int) { VMULPS(t, acc(r, v), acc(r, v)) })
	Label(pfx + "_noalpha")

	nr := GP64()
	MOVQ(curNR, nr)
	CMPQ(nr, U32(nrFull))
	JNE(LabelRef(pfx + "_partial"))

	// Full tile: plain loads and stores.
	TESTQ(U32(flagLoadC), flags)
	JZ(LabelRef(pfx + "_f_noc"))
	VBROADCASTSS(paramAddr("beta"), t)
	all(func(r, v int) { VFMADD231PS(cMem(r, v), t, acc(r, v)) })
	Label(pfx + "_f_noc")
	TESTQ(U32(flagBias), flags)
	JZ(LabelRef(pfx + "_f_nobias"))
	{
		bias := GP64()
		MOVQ(curBias, bias)
		all(func(r, v int) { VADDPS(Mem{Base: bias, Disp: 32 * v}, acc(r, v), acc(r, v)) })
	}
	Label(pfx + "_f_nobias")
	TESTQ(U32(flagReLU), flags)
	JZ(LabelRef(pfx + "_f_norelu"))
	VXORPS(t, t, t)
	// Intel operand order max(src1=0, src2=acc) returns src2 for NaN, so
	// NaN propagates like the Go reference's "if x < 0 { x = 0 }".
	all(func(r, v int) { VMAXPS(acc(r, v), t, acc(r, v)) })
	Label(pfx + "_f_norelu")
	TESTQ(U32(flagMask), flags)
	JZ(LabelRef(pfx + "_f_nomask"))
	{
		// Zero where !(0 >= mask): the mask has C's layout, at c + delta.
		mP, mP4, mP8 := maskBases(cP, rows, ldc)
		VXORPS(t, t, t)
		all(func(r, v int) {
			VCMPPS(U8(0x19), rowMem(mP, mP4, mP8, ldc, ldc3, r, 32*v), t, t1) // NGE_UQ
			VANDPS(t1, acc(r, v), acc(r, v))
		})
	}
	Label(pfx + "_f_nomask")
	all(func(r, v int) { VMOVUPS(acc(r, v), cMem(r, v)) })
	JMP(LabelRef(pfx + "_end"))

	// Partial tile (nr < NR): masked loads, and stores split into 8/4/2/1
	// lanes (masked stores are slow on AMD).
	Label(pfx + "_partial")
	mk := GP64()
	LEAQ(laneMask.Offset(4*32), mk)
	nr4 := GP64()
	MOVQ(nr, nr4)
	SHLQ(U8(2), nr4)
	SUBQ(nr4, mk)
	TESTQ(U32(flagLoadC), flags)
	JZ(LabelRef(pfx + "_p_noc"))
	VBROADCASTSS(paramAddr("beta"), t)
	for v := 0; v < nv; v++ {
		VMOVUPS(Mem{Base: mk, Disp: 32 * v}, t1)
		for r := 0; r < rows; r++ {
			VMASKMOVPS(cMem(r, v), t1, t2)
			VFMADD231PS(t2, t, acc(r, v))
		}
	}
	Label(pfx + "_p_noc")
	TESTQ(U32(flagBias), flags)
	JZ(LabelRef(pfx + "_p_nobias"))
	{
		bias := GP64()
		MOVQ(curBias, bias)
		for v := 0; v < nv; v++ {
			VMOVUPS(Mem{Base: mk, Disp: 32 * v}, t1)
			VMASKMOVPS(Mem{Base: bias, Disp: 32 * v}, t1, t2)
			for r := 0; r < rows; r++ {
				VADDPS(t2, acc(r, v), acc(r, v))
			}
		}
	}
	Label(pfx + "_p_nobias")
	TESTQ(U32(flagReLU), flags)
	JZ(LabelRef(pfx + "_p_norelu"))
	VXORPS(t, t, t)
	all(func(r, v int) { VMAXPS(acc(r, v), t, acc(r, v)) })
	Label(pfx + "_p_norelu")
	TESTQ(U32(flagMask), flags)
	JZ(LabelRef(pfx + "_p_nomask"))
	{
		mP, mP4, mP8 := maskBases(cP, rows, ldc)
		VXORPS(t, t, t)
		for v := 0; v < nv; v++ {
			VMOVUPS(Mem{Base: mk, Disp: 32 * v}, t1)
			for r := 0; r < rows; r++ {
				VMASKMOVPS(rowMem(mP, mP4, mP8, ldc, ldc3, r, 32*v), t1, t2)
				VCMPPS(U8(0x19), t2, t, t2) // NGE_UQ
				VANDPS(t2, acc(r, v), acc(r, v))
			}
		}
	}
	Label(pfx + "_p_nomask")

	nf := GP64()
	MOVQ(nr, nf)
	SHRQ(U8(3), nf)
	rem := GP64()
	MOVQ(nr, rem)
	ANDQ(U32(7), rem)
	for r := 0; r < rows; r++ {
		rowDone := fmt.Sprintf("%s_row%d_done", pfx, r)
		for v := 0; v < nv; v++ {
			CMPQ(nf, U32(v))
			JE(LabelRef(fmt.Sprintf("%s_row%d_part%d", pfx, r, v)))
			VMOVUPS(acc(r, v), cMem(r, v))
		}
		JMP(LabelRef(rowDone))
		for v := 0; v < nv; v++ {
			Label(fmt.Sprintf("%s_row%d_part%d", pfx, r, v))
			p := GP64()
			LEAQ(cMem(r, v), p)
			storeTail(fmt.Sprintf("%s_row%d_tail%d", pfx, r, v), acc(r, v), p, rem)
			JMP(LabelRef(rowDone))
		}
		Label(rowDone)
	}
	Label(pfx + "_end")
}

// transEpilogue emits the end of a row panel of a product stored
// transposed: rows (≤ 6) rows of D = A·B, which are columns of C, by 8·nv
// columns of D, which are rows of C. For each 8-column block of the tile
// and each group of up to 4 rows, it transposes the group's block of
// accumulators in registers (padded to 4×8; the padding lanes are never
// stored) into 8 rows of C of up to 4 elements, two rows per register, then
// applies alpha, beta·C, the bias and ReLU with the same instructions as
// epilogue, so that every element has the bits it would have had computed
// directly, and stores those rows of C that are below nr.
func transEpilogue(pfx string, rows, nv int, cPanel, mleft Register, acc func(r, v int) VecPhysical) {
	flags := paramAddr("flags") // tested in memory: registers are short here
	TESTQ(U32(flagAlpha), flags)
	JZ(LabelRef(pfx + "_noalpha"))
	VBROADCASTSS(paramAddr("alpha"), ymm[15])
	for r := 0; r < rows; r++ {
		for v := 0; v < nv; v++ {
			VMULPS(ymm[15], acc(r, v), acc(r, v))
		}
	}
	Label(pfx + "_noalpha")

	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(2), ldc)
	ldc3 := GP64()
	LEAQ(Mem{Base: ldc, Index: ldc, Scale: 2}, ldc3)
	nr := curNR
	// The bias of this row panel: bias + 4·(m - mleft) (computed whether
	// used or not, so that its register is not live across the k loop).
	biasP := GP64()
	MOVQ(paramAddr("m"), biasP)
	SUBQ(mleft, biasP)
	bias := GP64()
	MOVQ(curBias, bias)
	LEAQ(Mem{Base: bias, Index: biasP, Scale: 4}, biasP)

	// loadRow loads the first n elements at m into the low lanes of x
	// (zeroing the rest).
	loadRow := func(n int, m Mem, x VecPhysical) {
		switch n {
		case 4:
			VMOVUPS(m, x.AsX())
		case 3:
			mk := GP64()
			LEAQ(laneMask.Offset(4*(32-3)), mk)
			VMOVUPS(Mem{Base: mk}, x.AsX())
			VMASKMOVPS(m, x.AsX(), x.AsX())
		case 2:
			VMOVSD(m, x.AsX())
		default:
			VMOVSS(m, x.AsX())
		}
	}
	// storeRow stores the first n lanes of x at m.
	storeRow := func(n int, x VecPhysical, m Mem) {
		switch n {
		case 4:
			VMOVUPS(x.AsX(), m)
		case 3:
			VMOVLPS(x.AsX(), m)
			VEXTRACTPS(U8(2), x.AsX(), Mem{Base: m.Base, Index: m.Index, Scale: m.Scale, Disp: m.Disp + 8})
		case 2:
			VMOVLPS(x.AsX(), m)
		default:
			VMOVSS(x.AsX(), m)
		}
	}

	cV, cV4 := GP64(), GP64()
	// The common case, a full panel without beta·C, takes a path without
	// the per-row tests.
	TESTQ(U32(flagLoadC), flags)
	JNZ(LabelRef(pfx + "_general"))
	CMPQ(nr, U32(8*nv))
	JNE(LabelRef(pfx + "_general"))
	transBlocks(pfx+"_f", rows, nv, true, cPanel, cV, cV4, ldc, ldc3, biasP, nr, flags, acc, loadRow, storeRow)
	JMP(LabelRef(pfx + "_end"))
	Label(pfx + "_general")
	transBlocks(pfx+"_g", rows, nv, false, cPanel, cV, cV4, ldc, ldc3, biasP, nr, flags, acc, loadRow, storeRow)
	Label(pfx + "_end")
}

// transBlocks emits the transposition, epilogue and stores of the 8-column
// blocks of a row panel for transEpilogue; fast: the panel is full and
// beta·C is not loaded.
func transBlocks(pfx string, rows, nv int, fast bool, cPanel, cV, cV4, ldc, ldc3, biasP Register, nr, flags Mem,
	acc func(r, v int) VecPhysical, loadRow func(int, Mem, VecPhysical), storeRow func(int, VecPhysical, Mem)) {
	for v := 0; v < nv; v++ {
		// Rows 8v..8v+7 of C.
		if v == 0 {
			MOVQ(cPanel, cV)
		} else {
			LEAQ(Mem{Base: cV, Index: ldc, Scale: 8}, cV)
		}
		LEAQ(Mem{Base: cV, Index: ldc, Scale: 4}, cV4)
		for g0 := 0; g0 < rows; g0 += 4 {
			gr := min(4, rows-g0) // rows of D (columns of C) in this group
			// Columns g0.. of rows 8v+q of C.
			cRow := func(q int) Mem {
				m := rowMem(cV, cV4, nil, ldc, ldc3, q, 0)
				m.Disp += 4 * g0
				return m
			}
			// The free registers: all but the accumulators still to be
			// stored (this group's and later ones of this block, and all
			// of later blocks).
			var fr []VecPhysical
			for i := 0; i < 16; i++ {
				live := false
				for r := 0; r < rows; r++ {
					for w := v; w < nv; w++ {
						if (w > v || r >= g0) && ymm[i] == acc(r, w) {
							live = true
						}
					}
				}
				if !live {
					fr = append(fr, ymm[i])
				}
			}
			take := func() VecPhysical { x := fr[0]; fr = fr[1:]; return x }

			// Transpose: a[r] is row g0+r of the 4×8 block (padding rows
			// taken from free registers); u[q] ends up with row q of C in
			// its low half and row q+4 in its high half.
			var a [4]VecPhysical
			for r := 0; r < 4; r++ {
				if r < gr {
					a[r] = acc(g0+r, v)
				} else {
					a[r] = take()
				}
			}
			tmp := take()
			VUNPCKLPS(a[1], a[0], tmp)
			VUNPCKHPS(a[1], a[0], a[1])
			VUNPCKLPS(a[3], a[2], a[0])
			VUNPCKHPS(a[3], a[2], a[3])
			VSHUFPS(U8(0x44), a[0], tmp, a[2])
			VSHUFPS(U8(0xEE), a[0], tmp, tmp)
			VSHUFPS(U8(0x44), a[3], a[1], a[0])
			VSHUFPS(U8(0xEE), a[3], a[1], a[1])
			u := [4]VecPhysical{a[2], tmp, a[0], a[1]}
			x0, x1, x2 := a[3], take(), take()

			gp := fmt.Sprintf("%s_v%dg%d", pfx, v, g0)
			if !fast {
				TESTQ(U32(flagLoadC), flags)
				JZ(LabelRef(gp + "_noc"))
				VBROADCASTSS(paramAddr("beta"), x0)
				for q := 0; q < 4; q++ {
					CMPQ(nr, U32(8*v+q))
					JLE(LabelRef(gp + "_noc"))
					loadRow(gr, cRow(q), x1)
					CMPQ(nr, U32(8*v+q+4))
					JLE(LabelRef(fmt.Sprintf("%s_c%d", gp, q)))
					loadRow(gr, cRow(q+4), x2)
					VINSERTF128(U8(1), x2.AsX(), x1, x1)
					Label(fmt.Sprintf("%s_c%d", gp, q))
					VFMADD231PS(x1, x0, u[q])
				}
				Label(gp + "_noc")
			}
			TESTQ(U32(flagBias), flags)
			JZ(LabelRef(gp + "_nobias"))
			loadRow(gr, Mem{Base: biasP, Disp: 4 * g0}, x0)
			VINSERTF128(U8(1), x0.AsX(), x0, x0)
			for q := 0; q < 4; q++ {
				VADDPS(x0, u[q], u[q])
			}
			Label(gp + "_nobias")
			TESTQ(U32(flagReLU), flags)
			JZ(LabelRef(gp + "_norelu"))
			VXORPS(x0, x0, x0)
			for q := 0; q < 4; q++ {
				// Same operand order as epilogue: NaN propagates.
				VMAXPS(u[q], x0, u[q])
			}
			Label(gp + "_norelu")
			for q := 0; q < 4; q++ {
				if fast {
					VEXTRACTF128(U8(1), u[q], x0.AsX())
					storeRow(gr, u[q], cRow(q))
					storeRow(gr, x0, cRow(q+4))
					continue
				}
				CMPQ(nr, U32(8*v+q))
				JLE(LabelRef(gp + "_stored"))
				VEXTRACTF128(U8(1), u[q], x0.AsX())
				storeRow(gr, u[q], cRow(q))
				CMPQ(nr, U32(8*v+q+4))
				JLE(LabelRef(fmt.Sprintf("%s_s%d", gp, q)))
				storeRow(gr, x0, cRow(q+4))
				Label(fmt.Sprintf("%s_s%d", gp, q))
			}
			Label(gp + "_stored")
		}
		if v+1 < nv && !fast {
			CMPQ(nr, U32(8*(v+1)))
			JLE(LabelRef(pfx + "_end"))
		}
	}
	Label(pfx + "_end")
}

// storeTail stores the first rem (0..7) lanes of y to (p). y and p are
// clobbered.
func storeTail(pfx string, y VecPhysical, p, rem Register) {
	x := y.AsX()
	TESTQ(U32(4), rem)
	JZ(LabelRef(pfx + "_2"))
	VMOVUPS(x, Mem{Base: p})
	VEXTRACTF128(U8(1), y, x)
	ADDQ(U32(16), p)
	Label(pfx + "_2")
	TESTQ(U32(2), rem)
	JZ(LabelRef(pfx + "_1"))
	VMOVLPS(x, Mem{Base: p})
	VMOVHLPS(x, x, x)
	ADDQ(U32(8), p)
	Label(pfx + "_1")
	TESTQ(U32(1), rem)
	JZ(LabelRef(pfx + "_0"))
	VMOVSS(x, Mem{Base: p})
	Label(pfx + "_0")
}

// genPackBN emits packBN<NR>: copy a k×nr block of row-major B (row stride
// ldb elements) into a k×NR panel, zero-padding columns nr..NR-1.
func genPackBN(name string, nv int) {
	nrFull := 8 * nv
	TEXT(name, NOSPLIT, "func(k int, src *float32, ldb, nr int, dst *float32)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s sets dst[p*%d+j] = src[p*ldb+j] for j < nr and 0 for nr ≤ j < %d, p < k.", name, nrFull, nrFull),
		"Requires AVX2.",
	)
	k := Load(Param("k"), GP64())
	src := Load(Param("src"), GP64())
	ldb := Load(Param("ldb"), GP64())
	SHLQ(U8(2), ldb)
	nr := Load(Param("nr"), GP64())
	dst := Load(Param("dst"), GP64())
	mk := GP64()
	LEAQ(laneMask.Offset(4*32), mk)
	SHLQ(U8(2), nr)
	SUBQ(nr, mk)
	masks := make([]VecPhysical, nv)
	for v := range masks {
		masks[v] = ymm[v]
		VMOVUPS(Mem{Base: mk, Disp: 32 * v}, masks[v])
	}
	tmp := func(u, v int) VecPhysical { return ymm[nv+u*nv+v] }

	// Two rows per iteration.
	k2 := GP64()
	MOVQ(k, k2)
	SHRQ(U8(1), k2)
	JZ(LabelRef(name + "_tail"))
	Label(name + "_loop2")
	for u := 0; u < 2; u++ {
		for v := 0; v < nv; v++ {
			m := Mem{Base: src, Disp: 32 * v}
			if u == 1 {
				m = Mem{Base: src, Index: ldb, Scale: 1, Disp: 32 * v}
			}
			VMASKMOVPS(m, masks[v], tmp(u, v))
		}
	}
	for u := 0; u < 2; u++ {
		for v := 0; v < nv; v++ {
			VMOVUPS(tmp(u, v), Mem{Base: dst, Disp: 4 * (u*nrFull + 8*v)})
		}
	}
	LEAQ(Mem{Base: src, Index: ldb, Scale: 2}, src)
	ADDQ(U32(8*nrFull), dst)
	DECQ(k2)
	JNZ(LabelRef(name + "_loop2"))

	Label(name + "_tail")
	TESTQ(U32(1), k)
	JZ(LabelRef(name + "_done"))
	for v := 0; v < nv; v++ {
		VMASKMOVPS(Mem{Base: src, Disp: 32 * v}, masks[v], tmp(0, v))
		VMOVUPS(tmp(0, v), Mem{Base: dst, Disp: 32 * v})
	}
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// genPackBTRun emits packBTRun: pack a run of panels of op(B) = srcᵀ,
// where column j of op(B) is row j of src (row stride ldb elements): each
// group of 8 columns is transposed in 8×8 blocks of registers (4×8 for a
// k-tail of at most 4).
func genPackBTRun() {
	const name = "packBTRun"
	TEXT(name, NOSPLIT, "func(k int, src *float32, ldb, n, cols int, dst *float32, w, pstep int)")
	Pragma("noescape")
	Doc(
		"packBTRun packs columns 0..cols-1 of op(B) = srcᵀ into panels of w columns, panel q at dst+q*pstep:",
		"dst[(j/w)*pstep + p*w + j%w] = src[j*ldb+p] for j < n and 0 for n ≤ j < cols, p < k.",
		"w must be a multiple of 8 and cols a multiple of w. Requires AVX2.",
	)
	jL, srcL, dstL, pbL, poL := AllocLocal(8), AllocLocal(8), AllocLocal(8), AllocLocal(8), AllocLocal(8)
	{
		s := Load(Param("src"), GP64())
		MOVQ(s, srcL)
		d := Load(Param("dst"), GP64())
		MOVQ(d, dstL)
		MOVQ(d, pbL)
		MOVQ(U32(0), jL)
		MOVQ(U32(0), poL)
	}
	ldb := Load(Param("ldb"), GP64())
	SHLQ(U8(2), ldb)
	ldb3 := GP64()
	LEAQ(Mem{Base: ldb, Index: ldb, Scale: 2}, ldb3)
	ds := Load(Param("w"), GP64())
	SHLQ(U8(2), ds)
	ds3 := GP64()
	LEAQ(Mem{Base: ds, Index: ds, Scale: 2}, ds3)

	r := ymm[0:8]
	t := ymm[8:16]

	Label(name + "_group")
	// rows = clamp(n - j, 0, 8): the valid columns of this group.
	rows := Load(Param("n"), GP64())
	SUBQ(jL, rows)
	{
		c := GP64()
		XORQ(c, c)
		CMPQ(rows, U32(0))
		CMOVQLT(c, rows)
		MOVQ(U32(8), c)
		CMPQ(rows, U32(8))
		CMOVQGT(c, rows)
	}
	s0, d0 := GP64(), GP64()
	MOVQ(srcL, s0)
	MOVQ(dstL, d0)
	s4, d4 := GP64(), GP64()
	LEAQ(Mem{Base: s0, Index: ldb, Scale: 4}, s4)
	LEAQ(Mem{Base: d0, Index: ds, Scale: 4}, d4)

	// loadRows loads row q of the current block of columns into r[q], or
	// zero for q ≥ rows; masked with mask (a register) if mask != nil,
	// 128 bits wide if half.
	loadRows := func(pfx string, mask VecPhysical, half bool) {
		for q := 0; q < 8; q++ {
			CMPQ(rows, U32(q))
			JLE(LabelRef(fmt.Sprintf("%s_zero%d", pfx, q)))
			m := rowMem(s0, s4, nil, ldb, ldb3, q, 0)
			switch {
			case half:
				VMASKMOVPS(m, mask.AsX(), r[q].AsX())
			case mask == nil:
				VMOVUPS(m, r[q])
			default:
				VMASKMOVPS(m, mask, r[q])
			}
		}
		JMP(LabelRef(pfx + "_loaded"))
		for q := 0; q < 8; q++ {
			Label(fmt.Sprintf("%s_zero%d", pfx, q))
			VXORPS(r[q], r[q], r[q])
		}
		Label(pfx + "_loaded")
	}

	k8 := Load(Param("k"), GP64())
	SHRQ(U8(3), k8)
	JZ(LabelRef(name + "_tail"))
	Label(name + "_loop")
	loadRows(name+"_full", nil, false)
	transpose8(r, t)
	for q := 0; q < 8; q++ {
		VMOVUPS(t[q], rowMem(d0, d4, nil, ds, ds3, q, 0))
	}
	ADDQ(U32(32), s0)
	ADDQ(U32(32), s4)
	LEAQ(Mem{Base: d0, Index: ds, Scale: 8}, d0)
	LEAQ(Mem{Base: d4, Index: ds, Scale: 8}, d4)
	DECQ(k8)
	JNZ(LabelRef(name + "_loop"))

	Label(name + "_tail")
	kt := Load(Param("k"), GP64())
	ANDQ(U32(7), kt)
	JZ(LabelRef(name + "_next"))
	mk := GP64()
	LEAQ(laneMask.Offset(4*32), mk)
	kt4 := GP64()
	MOVQ(kt, kt4)
	SHLQ(U8(2), kt4)
	SUBQ(kt4, mk)
	VMOVUPS(Mem{Base: mk}, t[0])
	CMPQ(kt, U32(4))
	JG(LabelRef(name + "_tail8"))
	// At most 4 columns of src left: rows q and q+4 in the halves of one
	// register, then 4×4 transposes within the halves: register p holds
	// row p of the output.
	loadRows(name+"_half", t[0], true)
	for q := 0; q < 4; q++ {
		VINSERTF128(U8(1), r[q+4].AsX(), r[q], r[q])
	}
	VUNPCKLPS(r[1], r[0], t[4])
	VUNPCKHPS(r[1], r[0], t[5])
	VUNPCKLPS(r[3], r[2], t[6])
	VUNPCKHPS(r[3], r[2], t[7])
	VSHUFPS(U8(0x44), t[6], t[4], t[0])
	VSHUFPS(U8(0xEE), t[6], t[4], t[1])
	VSHUFPS(U8(0x44), t[7], t[5], t[2])
	VSHUFPS(U8(0xEE), t[7], t[5], t[3])
	for q := 0; q < 4; q++ {
		CMPQ(kt, U32(q))
		JLE(LabelRef(name + "_next"))
		VMOVUPS(t[q], rowMem(d0, d4, nil, ds, ds3, q, 0))
	}
	JMP(LabelRef(name + "_next"))

	Label(name + "_tail8")
	loadRows(name+"_part", t[0], false)
	transpose8(r, t)
	for q := 0; q < 8; q++ {
		CMPQ(kt, U32(q))
		JLE(LabelRef(name + "_next"))
		VMOVUPS(t[q], rowMem(d0, d4, nil, ds, ds3, q, 0))
	}

	// Next group of 8 columns: in the same panel, or at the start of the
	// next one.
	Label(name + "_next")
	ADDQ(U32(8), jL)
	{
		j := GP64()
		MOVQ(jL, j)
		CMPQ(j, paramAddr("cols"))
		JGE(LabelRef(name + "_done"))
	}
	{
		step := GP64()
		MOVQ(ldb, step)
		SHLQ(U8(3), step)
		ADDQ(step, srcL)
	}
	ADDQ(U32(32), dstL)
	ADDQ(U32(8), poL)
	{
		po := GP64()
		MOVQ(poL, po)
		CMPQ(po, paramAddr("w"))
		JL(LabelRef(name + "_group"))
	}
	MOVQ(U32(0), poL)
	{
		ps := Load(Param("pstep"), GP64())
		SHLQ(U8(2), ps)
		ADDQ(ps, pbL)
		pb := GP64()
		MOVQ(pbL, pb)
		MOVQ(pb, dstL)
	}
	JMP(LabelRef(name + "_group"))

	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// transpose8 transposes the 8×8 block held in r[0..7] (row q in r[q]):
// column q ends up in t[q]. r is clobbered.
func transpose8(r, t []VecPhysical) {
	for i := 0; i < 8; i += 2 {
		VUNPCKLPS(r[i+1], r[i], t[i])
		VUNPCKHPS(r[i+1], r[i], t[i+1])
	}
	for i := 0; i < 8; i += 4 {
		VSHUFPS(U8(0x44), t[i+2], t[i], r[i])
		VSHUFPS(U8(0xEE), t[i+2], t[i], r[i+1])
		VSHUFPS(U8(0x44), t[i+3], t[i+1], r[i+2])
		VSHUFPS(U8(0xEE), t[i+3], t[i+1], r[i+3])
	}
	for i := 0; i < 4; i++ {
		VPERM2F128(U8(0x20), r[i+4], r[i], t[i])
		VPERM2F128(U8(0x31), r[i+4], r[i], t[i+4])
	}
}
