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
	flagLoadC = 1 // C = alpha*AB + beta*C (otherwise C = alpha*AB)
	flagBias  = 2 // add bias[j] to every row
	flagReLU  = 4 // max(0, x) last
	flagAlpha = 8 // multiply AB by alpha (otherwise alpha is taken as 1)
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
		genKernel(fmt.Sprintf("kernRowA%dx%d", t.mr, 8*t.nv), t.mr, t.nv, false)
		genKernel(fmt.Sprintf("kernColA%dx%d", t.mr, 8*t.nv), t.mr, t.nv, true)
	}
	for _, nv := range []int{3, 2} {
		genPackBN(fmt.Sprintf("packBN%d", 8*nv), nv)
	}
	genPackBT8()

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

const kernSig = "func(m, k int, a *float32, lda, astep int, b *float32, c *float32, ldc, nr int, alpha, beta float32, bias *float32, flags int)"

// genKernel emits a macro-kernel that multiplies an m×k block of op(A) by
// one packed k×NR panel of B and writes the m×nr result into C, MR rows at a
// time, finishing with the rows left over.
//
// colA false: A(i,p) = a[i*lda + p] (A row-major, not transposed).
// colA true:  A(i,p) = a[p*lda + i] (A transposed, or packed with lda = MR).
// Row panel q starts at a + q*astep. B(p,j) = b[p*NR + j].
// C(i,j) = c[i*ldc + j] for j < nr ≤ NR.
func genKernel(name string, mr, nv int, colA bool) {
	nrFull := 8 * nv
	TEXT(name, NOSPLIT, kernSig)
	Pragma("noescape")
	layout := "A(i,p) = a[i*lda+p]"
	if colA {
		layout = "A(i,p) = a[p*lda+i]"
	}
	Doc(
		fmt.Sprintf("%s computes the m×nr block C = epilogue(alpha·A·B [+ beta·C]) with a %d×%d register tile,", name, mr, nrFull),
		fmt.Sprintf("where %s, row panel q of A starts at a+q*astep, B is one packed k×%d panel", layout, nrFull),
		fmt.Sprintf("(B(p,j) = b[p*%d+j], zero beyond nr) and C(i,j) = c[i*ldc+j]. Requires AVX2 and FMA.", nrFull),
	)

	aPanel := Load(Param("a"), GP64())
	lda := Load(Param("lda"), GP64())
	SHLQ(U8(2), lda)
	lda3 := GP64()
	LEAQ(Mem{Base: lda, Index: lda, Scale: 2}, lda3)
	cPanel := Load(Param("c"), GP64())
	mleft := Load(Param("m"), GP64())

	Label(name + "_panel")
	CMPQ(mleft, U32(mr))
	JL(LabelRef(name + "_rem"))
	kernelBody(name+"_full", mr, nv, colA, aPanel, lda, lda3, cPanel)
	astep := Load(Param("astep"), GP64())
	LEAQ(Mem{Base: aPanel, Index: astep, Scale: 4}, aPanel)
	ldc := Load(Param("ldc"), GP64())
	IMUL3Q(U32(4*mr), ldc, ldc)
	ADDQ(ldc, cPanel)
	SUBQ(U32(mr), mleft)
	JMP(LabelRef(name + "_panel"))

	Label(name + "_rem")
	for r := mr - 1; r >= 1; r-- {
		CMPQ(mleft, U32(r))
		JE(LabelRef(fmt.Sprintf("%s_rem%d", name, r)))
	}
	JMP(LabelRef(name + "_done"))
	for r := mr - 1; r >= 1; r-- {
		Label(fmt.Sprintf("%s_rem%d", name, r))
		kernelBody(fmt.Sprintf("%s_r%d", name, r), r, nv, colA, aPanel, lda, lda3, cPanel)
		JMP(LabelRef(name + "_done"))
	}
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// kernelBody emits the k loop and the epilogue for one row panel of `rows`
// rows (rows ≤ MR; only those rows of A are read and of C written).
func kernelBody(pfx string, rows, nv int, colA bool, aPanel, lda, lda3, cPanel Register) {
	nrFull := 8 * nv
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
	bP := Load(Param("b"), GP64())

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
			VMOVUPS(Mem{Base: bP, Disp: 4 * (u*nrFull + 8*v)}, bv(v))
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
		ADDQ(U32(4*u*nrFull), bP)
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
	epilogue(pfx, rows, nv, cPanel, acc)
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

	nr := Load(Param("nr"), GP64())
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
		bias := Load(Param("bias"), GP64())
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
		bias := Load(Param("bias"), GP64())
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

// genPackBT8 emits packBT8: transpose rows 0..rows-1 (rows ≤ 8) of src (row
// stride ldb elements, k columns) into dst: dst[p*dstride+q] = src[q*ldb+p]
// for q < rows and 0 for rows ≤ q < 8.
func genPackBT8() {
	const name = "packBT8"
	TEXT(name, NOSPLIT, "func(k int, src *float32, ldb, rows int, dst *float32, dstride int)")
	Pragma("noescape")
	Doc(
		"packBT8 sets dst[p*dstride+q] = src[q*ldb+p] for q < rows and 0 for rows ≤ q < 8, p < k.",
		"rows must be at most 8. Requires AVX2.",
	)
	k := Load(Param("k"), GP64())
	s0 := Load(Param("src"), GP64())
	ldb := Load(Param("ldb"), GP64())
	SHLQ(U8(2), ldb)
	ldb3 := GP64()
	LEAQ(Mem{Base: ldb, Index: ldb, Scale: 2}, ldb3)
	s4 := GP64()
	LEAQ(Mem{Base: s0, Index: ldb, Scale: 4}, s4)
	rows := Load(Param("rows"), GP64())
	d0 := Load(Param("dst"), GP64())
	ds := Load(Param("dstride"), GP64())
	SHLQ(U8(2), ds)
	ds3 := GP64()
	LEAQ(Mem{Base: ds, Index: ds, Scale: 2}, ds3)
	d4 := GP64()
	LEAQ(Mem{Base: d0, Index: ds, Scale: 4}, d4)

	r := ymm[0:8]
	t := ymm[8:16]

	// loadRows loads row q of the current 8-column block into r[q], or
	// zero for q ≥ rows; masked with mask (a register) if mask != nil.
	loadRows := func(pfx string, mask VecPhysical) {
		for q := 0; q < 8; q++ {
			CMPQ(rows, U32(q))
			JLE(LabelRef(fmt.Sprintf("%s_zero%d", pfx, q)))
			m := rowMem(s0, s4, nil, ldb, ldb3, q, 0)
			if mask == nil {
				VMOVUPS(m, r[q])
			} else {
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
	// transpose leaves column q (of the 8×8 block) in t[q].
	transpose := func() {
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

	k8 := GP64()
	MOVQ(k, k8)
	SHRQ(U8(3), k8)
	JZ(LabelRef(name + "_tail"))
	Label(name + "_loop")
	loadRows(name+"_full", nil)
	transpose()
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
	kt := GP64()
	MOVQ(k, kt)
	ANDQ(U32(7), kt)
	JZ(LabelRef(name + "_done"))
	mk := GP64()
	LEAQ(laneMask.Offset(4*32), mk)
	kt4 := GP64()
	MOVQ(kt, kt4)
	SHLQ(U8(2), kt4)
	SUBQ(kt4, mk)
	VMOVUPS(Mem{Base: mk}, t[0])
	loadRows(name+"_part", t[0])
	transpose()
	for q := 0; q < 8; q++ {
		CMPQ(kt, U32(q))
		JLE(LabelRef(name + "_done"))
		VMOVUPS(t[q], rowMem(d0, d4, nil, ds, ds3, q, 0))
	}
	Label(name + "_done")
	VZEROUPPER()
	RET()
}
