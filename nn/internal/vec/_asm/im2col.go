package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// genIm2col emits im2colRun: the im2col rows of a run of n window
// positions whose windows lie inside the input, each row kh runs of
// rowLen contiguous input values, copied 16 at a time with an opmask for
// the last (at most 16) of each run, rows ld values apart.
func genIm2col() {
	TEXT("im2colRun", NOSPLIT, "func(x, cols *float32, n, kh, rowLen, stride, step, ld int)")
	Pragma("noescape")
	Doc("im2colRun sets, for p < n, ky < kh and i < rowLen,",
		"cols[p*ld+ky*rowLen+i] = x[p*step+ky*stride+i]. Requires n, kh, rowLen ≥ 1, ld ≥ kh*rowLen and AVX-512F.")
	x := Load(Param("x"), GP64())
	cols := Load(Param("cols"), GP64())
	n := Load(Param("n"), GP64())
	rowLen := Load(Param("rowLen"), GP64())
	stride := Load(Param("stride"), GP64())
	SHLQ(U8(2), stride)
	step := Load(Param("step"), GP64())
	SHLQ(U8(2), step)
	// full: chunks of 16 before the last; tail4: bytes of the last.
	full, tail4 := GP64(), GP64()
	MOVQ(rowLen, full)
	DECQ(full)
	SHRQ(U8(4), full)
	MOVQ(full, tail4)
	SHLQ(U8(4), tail4)
	NEGQ(tail4)
	ADDQ(rowLen, tail4) // tail lanes, 1 to 16
	{
		tbl := GP64()
		LEAQ(kmaskTable, tbl)
		KMOVW(Mem{Base: tbl, Index: tail4, Scale: 2}, K1)
	}
	SHLQ(U8(2), tail4)
	// pad: the bytes of cols after a row's kh runs, up to the next row.
	pad := Load(Param("ld"), GP64())
	{
		used := Load(Param("kh"), GP64())
		IMULQ(rowLen, used)
		SUBQ(used, pad)
		SHLQ(U8(2), pad)
	}
	v := Z0
	Label("i2c_pos")
	src := GP64()
	MOVQ(x, src)
	ky := Load(Param("kh"), GP64())
	Label("i2c_ky")
	s, f := GP64(), GP64()
	MOVQ(src, s)
	MOVQ(full, f)
	TESTQ(f, f)
	JZ(LabelRef("i2c_tail"))
	Label("i2c_full")
	VMOVUPS(Mem{Base: s}, v)
	VMOVUPS(v, Mem{Base: cols})
	ADDQ(U8(64), s)
	ADDQ(U8(64), cols)
	DECQ(f)
	JNZ(LabelRef("i2c_full"))
	Label("i2c_tail")
	VMOVUPS_Z(Mem{Base: s}, K1, v)
	VMOVUPS(v, K1, Mem{Base: cols})
	ADDQ(tail4, cols)
	ADDQ(stride, src)
	DECQ(ky)
	JNZ(LabelRef("i2c_ky"))
	ADDQ(pad, cols)
	ADDQ(step, x)
	DECQ(n)
	JNZ(LabelRef("i2c_pos"))
	VZEROUPPER()
	RET()
}
