package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Dropout, 16 values at a time with AVX-512 (VPMULLQ needs AVX512DQ):
// eight SplitMix64 draws per block, computed from their counters, give a
// 32-bit number per value (value 2j the low half of draw j, value 2j+1 the
// high half); a value is kept if its number is at least the threshold. The
// mask is stored as the block's 16-bit compare result. The last block is
// masked to the values left. Each value is computed with the instructions
// of package nn's Go loops (v*keep, then zeroed), so both give the same bits.

const splitMixGamma = 0x9e3779b97f4a7c15

var gammaSteps Mem

// gamma8 is 8·splitMixGamma modulo 2⁶⁴, the counter step of a block.
func gamma8() uint64 {
	g := uint64(splitMixGamma)
	return 8 * g
}

func genDropoutData() {
	gammaSteps = GLOBL("gamma8", RODATA|NOPTR)
	for k := uint64(0); k < 8; k++ {
		DATA(8*int(k), U64((k+1)*splitMixGamma))
	}
}

// blockLanes sets K1 to the lanes of the block of 16 starting at i of n.
func blockLanes(n, i Register) {
	lanes, s, tbl := GP64(), GP64(), GP64()
	MOVQ(n, lanes)
	SUBQ(i, lanes)
	MOVQ(U32(16), s)
	CMPQ(lanes, U32(16))
	CMOVQGT(s, lanes)
	LEAQ(kmaskTable, tbl)
	KMOVW(Mem{Base: tbl, Index: lanes, Scale: 2}, K1)
}

func genDropoutForward() {
	TEXT("dropoutForward", NOSPLIT, "func(x, out *float32, mask *uint16, n int, state uint64, thresh uint32, keep float32)")
	Pragma("noescape")
	Doc("dropoutForward sets, for i < n, with d the 32-bit half i%2 of SplitMix64's draw i/2+1 after",
		"state, bit i%16 of mask[i/16] to d >= thresh and out[i] to x[i]*keep if so, else +0; the bits",
		"of the last mask word past n are cleared. Requires AVX-512F and AVX512DQ.")
	x := Load(Param("x"), GP64())
	out := Load(Param("out"), GP64())
	mask := Load(Param("mask"), GP64())
	n := Load(Param("n"), GP64())
	st, c1, c2, step, thresh, keep := Z0, Z1, Z2, Z3, Z4, Z5
	{
		t := GP64()
		Load(Param("state"), t)
		VPBROADCASTQ(t, st)
		VPADDQ(gammaSteps, st, st)
		MOVQ(U64(0xbf58476d1ce4e5b9), t)
		VPBROADCASTQ(t, c1)
		MOVQ(U64(0x94d049bb133111eb), t)
		VPBROADCASTQ(t, c2)
		MOVQ(U64(gamma8()), t)
		VPBROADCASTQ(t, step)
		th := Load(Param("thresh"), GP32())
		VPBROADCASTD(th, thresh)
		VBROADCASTSS(paramAddr("keep"), keep)
	}
	i := GP64()
	XORQ(i, i)
	CMPQ(n, U8(0))
	JE(LabelRef("dof_done"))
	z, t, v := Z6, Z7, Z8
	Label("dof_loop")
	blockLanes(n, i)
	VMOVDQA64(st, z)
	VPSRLQ(U8(30), z, t)
	VPXORQ(t, z, z)
	VPMULLQ(c1, z, z)
	VPSRLQ(U8(27), z, t)
	VPXORQ(t, z, z)
	VPMULLQ(c2, z, z)
	VPSRLQ(U8(31), z, t)
	VPXORQ(t, z, z)
	VPADDQ(step, st, st)
	VPCMPUD(U8(5), thresh, z, K1, K2) // NLT: z >= thresh
	VMOVUPS_Z(Mem{Base: x, Index: i, Scale: 4}, K1, v)
	VMULPS(keep, v, v)
	VMOVUPS_Z(v, K2, v)
	VMOVUPS(v, K1, Mem{Base: out, Index: i, Scale: 4})
	{
		w := GP64()
		MOVQ(i, w)
		SHRQ(U8(3), w) // byte offset of the block's 16 bits
		KMOVW(K2, Mem{Base: mask, Index: w, Scale: 1})
	}
	ADDQ(U32(16), i)
	CMPQ(i, n)
	JL(LabelRef("dof_loop"))
	Label("dof_done")
	VZEROUPPER()
	RET()
}

func genDropoutBackward() {
	TEXT("dropoutBackward", NOSPLIT, "func(grad, dst *float32, mask *uint16, n int, keep float32, accum int)")
	Pragma("noescape")
	Doc("dropoutBackward sets, for i < n, s to grad[i]*keep if bit i%16 of mask[i/16] is set, else +0,",
		"and dst[i] to s, or (accum != 0) to dst[i]+s. Requires AVX-512F.")
	g := Load(Param("grad"), GP64())
	dst := Load(Param("dst"), GP64())
	mask := Load(Param("mask"), GP64())
	n := Load(Param("n"), GP64())
	accum := Load(Param("accum"), GP64())
	keep, v, d := Z0, Z1, Z2
	VBROADCASTSS(paramAddr("keep"), keep)
	i := GP64()
	XORQ(i, i)
	CMPQ(n, U8(0))
	JE(LabelRef("dob_done"))
	Label("dob_loop")
	blockLanes(n, i)
	{
		w := GP64()
		MOVQ(i, w)
		SHRQ(U8(3), w)
		KMOVW(Mem{Base: mask, Index: w, Scale: 1}, K2)
	}
	VMOVUPS_Z(Mem{Base: g, Index: i, Scale: 4}, K1, v)
	VMULPS(keep, v, v)
	VMOVUPS_Z(v, K2, v)
	CMPQ(accum, U8(0))
	JE(LabelRef("dob_store"))
	VMOVUPS_Z(Mem{Base: dst, Index: i, Scale: 4}, K1, d)
	VADDPS(v, d, v)
	Label("dob_store")
	VMOVUPS(v, K1, Mem{Base: dst, Index: i, Scale: 4})
	ADDQ(U32(16), i)
	CMPQ(i, n)
	JL(LabelRef("dob_loop"))
	Label("dob_done")
	VZEROUPPER()
	RET()
}
