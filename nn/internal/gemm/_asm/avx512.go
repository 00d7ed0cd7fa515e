package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The AVX-512 kernels. Their register tiles are twice as tall and twice as
// wide as the AVX2 ones (8×48 and 12×32: 24 zmm accumulators, 2 or 3 for a
// row of B and one for the broadcast element of A, of 32), and every lane
// computes what the AVX2 kernels compute for it: the same chain of fused
// multiply-adds over k followed by the same epilogue instructions, so the
// two give the same bits. Partial panels use opmask registers for the loads
// and stores of C and the bias (masked-off lanes are neither read nor
// written, and do not fault).

var zmm = []VecPhysical{
	Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15,
	Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31,
}

// kmask is the opmask of vector v of a tile row.
var kmask = []OpmaskPhysical{K1, K2, K3}

// kmaskTable holds the 16-bit masks with the first i lanes set, i = 0..16.
var kmaskTable Mem

// genKernel512 emits an AVX-512 macro-kernel with a mr×16·nv tile of C
// computed directly (see genKernel for the arguments).
func genKernel512(name string, mr, nv int, colA bool) {
	genMacroKernel(name, mr, nv, 16, colA, false)
}

// loadMasks sets kmask[v] to the lanes of vector v below nr (a register,
// clobbered): min(max(nr-16v, 0), 16) lanes.
func loadMasks(nv int, nr Register) {
	tbl, z, x := GP64(), GP64(), GP64()
	LEAQ(kmaskTable, tbl)
	for v := 0; v < nv; v++ {
		MOVQ(nr, x)
		if v > 0 {
			SUBQ(U32(16*v), x)
		}
		XORQ(z, z)
		CMPQ(x, U32(0))
		CMOVQLT(z, x)
		MOVQ(U32(16), z)
		CMPQ(x, U32(16))
		CMOVQGT(z, x)
		KMOVW(Mem{Base: tbl, Index: x, Scale: 2}, kmask[v])
	}
}

// kernelBody512 emits the k loop and the epilogue of one row panel of
// rows ≤ MR rows for the AVX-512 kernels (transC must be false).
func kernelBody512(pfx string, rows, nv int, colA, transC bool, aPanel, lda, lda3, cPanel, mleft Register) {
	if transC {
		panic("no transposed AVX-512 kernels")
	}
	acc := func(r, v int) VecPhysical { return zmm[r*nv+v] }
	bv := func(v int) VecPhysical { return zmm[rows*nv+v] }
	t := zmm[rows*nv+nv]
	if rows*nv+nv+1 > 32 {
		panic("register tile too large")
	}
	for r := 0; r < rows; r++ {
		for v := 0; v < nv; v++ {
			VPXORD(acc(r, v), acc(r, v), acc(r, v))
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
	bMem := func(u, v int) Mem {
		switch u {
		case 0:
			return Mem{Base: bP, Disp: 64 * v}
		case 1:
			return Mem{Base: bP, Index: ldb, Scale: 1, Disp: 64 * v}
		case 2:
			return Mem{Base: bP, Index: ldb, Scale: 2, Disp: 64 * v}
		default:
			return Mem{Base: bP, Index: ldb3, Scale: 1, Disp: 64 * v}
		}
	}
	aMem := func(r, u int) Mem {
		if colA {
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
	epilogue512(pfx, rows, nv, cPanel, acc)
}

// epilogue512 is epilogue for zmm tiles: alpha, beta·C, the bias, ReLU and
// the mask as flags select, with the same instructions per lane, then masked stores.
func epilogue512(pfx string, rows, nv int, cPanel Register, acc func(r, v int) VecPhysical) {
	all := func(f func(r, v int)) {
		for r := 0; r < rows; r++ {
			for v := 0; v < nv; v++ {
				f(r, v)
			}
		}
	}
	t, t1 := zmm[rows*nv], zmm[rows*nv+1]

	cP := GP64()
	MOVQ(cPanel, cP)
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(2), ldc)
	ldc3 := GP64()
	LEAQ(Mem{Base: ldc, Index: ldc, Scale: 2}, ldc3)
	cP4, cP8 := rowBases(cP, ldc, rows)
	cMem := func(r, v int) Mem { return rowMem(cP, cP4, cP8, ldc, ldc3, r, 64*v) }

	{
		nr := GP64()
		MOVQ(curNR, nr)
		loadMasks(nv, nr)
	}
	flags := Load(Param("flags"), GP64())
	TESTQ(U32(flagAlpha), flags)
	JZ(LabelRef(pfx + "_noalpha"))
	VBROADCASTSS(paramAddr("alpha"), t)
	all(func(r, v int) { VMULPS(t, acc(r, v), acc(r, v)) })
	Label(pfx + "_noalpha")

	TESTQ(U32(flagLoadC), flags)
	JZ(LabelRef(pfx + "_noc"))
	VBROADCASTSS(paramAddr("beta"), t)
	all(func(r, v int) {
		VMOVUPS_Z(cMem(r, v), kmask[v], t1)
		VFMADD231PS(t1, t, acc(r, v))
	})
	Label(pfx + "_noc")
	TESTQ(U32(flagBias), flags)
	JZ(LabelRef(pfx + "_nobias"))
	{
		bias := GP64()
		MOVQ(curBias, bias)
		for v := 0; v < nv; v++ {
			VMOVUPS_Z(Mem{Base: bias, Disp: 64 * v}, kmask[v], t1)
			for r := 0; r < rows; r++ {
				VADDPS(t1, acc(r, v), acc(r, v))
			}
		}
	}
	Label(pfx + "_nobias")
	TESTQ(U32(flagReLU), flags)
	JZ(LabelRef(pfx + "_norelu"))
	VPXORD(t, t, t)
	// The operand order of the AVX2 epilogue: NaN propagates.
	all(func(r, v int) { VMAXPS(acc(r, v), t, acc(r, v)) })
	Label(pfx + "_norelu")
	TESTQ(U32(flagMask), flags)
	JZ(LabelRef(pfx + "_nomask"))
	{
		mP, mP4, mP8 := maskBases(cP, rows, ldc)
		VPXORD(t, t, t)
		all(func(r, v int) {
			VCMPPS(U8(0x19), rowMem(mP, mP4, mP8, ldc, ldc3, r, 64*v), t, kmask[v], K4) // NGE_UQ
			VMOVUPS_Z(acc(r, v), K4, acc(r, v))
		})
	}
	Label(pfx + "_nomask")
	all(func(r, v int) { VMOVUPS(acc(r, v), kmask[v], cMem(r, v)) })
}

// genPackBN512 emits packBN<16·nv> with opmasks: copy a k×nr block of
// row-major B (row stride ldb elements) into a k×16·nv panel, zero-padding
// columns nr..16·nv-1.
func genPackBN512(name string, nv int) {
	nrFull := 16 * nv
	TEXT(name, NOSPLIT, "func(k int, src *float32, ldb, nr int, dst *float32)")
	Pragma("noescape")
	Doc(
		fmt.Sprintf("%s sets dst[p*%d+j] = src[p*ldb+j] for j < nr and 0 for nr ≤ j < %d, p < k.", name, nrFull, nrFull),
		"Requires AVX-512F.",
	)
	k := Load(Param("k"), GP64())
	src := Load(Param("src"), GP64())
	ldb := Load(Param("ldb"), GP64())
	SHLQ(U8(2), ldb)
	nr := Load(Param("nr"), GP64())
	dst := Load(Param("dst"), GP64())
	loadMasks(nv, nr)
	tmp := func(u, v int) VecPhysical { return zmm[u*nv+v] }

	k2 := GP64()
	MOVQ(k, k2)
	SHRQ(U8(1), k2)
	JZ(LabelRef(name + "_tail"))
	Label(name + "_loop2")
	for u := 0; u < 2; u++ {
		for v := 0; v < nv; v++ {
			m := Mem{Base: src, Disp: 64 * v}
			if u == 1 {
				m = Mem{Base: src, Index: ldb, Scale: 1, Disp: 64 * v}
			}
			VMOVUPS_Z(m, kmask[v], tmp(u, v))
		}
	}
	for u := 0; u < 2; u++ {
		for v := 0; v < nv; v++ {
			VMOVUPS(tmp(u, v), Mem{Base: dst, Disp: 4 * (u*nrFull + 16*v)})
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
		VMOVUPS_Z(Mem{Base: src, Disp: 64 * v}, kmask[v], tmp(0, v))
		VMOVUPS(tmp(0, v), Mem{Base: dst, Disp: 64 * v})
	}
	Label(name + "_done")
	VZEROUPPER()
	RET()
}
