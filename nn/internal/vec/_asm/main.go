// Command _asm generates vec_amd64.s and stubs_amd64.go for package
// vec with github.com/mmcloughlin/avo. It is its own module so that avo
// is not a dependency of the main module; run it with go generate in the
// vec directory.
package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

var iota16, kmaskTable Mem

func main() {
	ConstraintExpr("!purego")
	iota16 = GLOBL("iota16", RODATA|NOPTR)
	for i := 0; i < 16; i++ {
		DATA(4*i, U32(uint32(i)))
	}
	kmaskTable = GLOBL("kmask16", RODATA|NOPTR)
	for i := 0; i <= 16; i++ {
		DATA(2*i, U16(uint16(1<<i-1)))
	}
	genDropoutData()
	genRow(false)
	genRow(true)
	genSGD()
	genAdam()
	genDropoutForward()
	genDropoutBackward()
	genIm2col()
	Generate()
}

// genRow emits maxRowForward or maxRowBackward: one row of outW tiled
// kh×kw windows over channels-last input, 16 channels at a time (the last
// group masked).
func genRow(backward bool) {
	if backward {
		TEXT("maxRowBackward", NOSPLIT, "func(dy, d *float32, arg *int32, base, outW, kh, kw, stride, c int)")
		Doc("maxRowBackward writes, for each input of a row of outW tiled kh×kw windows (see maxRowForward),",
			"d[off] = dy[o] if arg[o] == base+off, else +0, where o is the output (window, channel) the",
			"input belongs to. Requires AVX-512F.")
	} else {
		TEXT("maxRowForward", NOSPLIT, "func(x, y *float32, arg *int32, base, outW, kh, kw, stride, c, relu int)")
		Doc("maxRowForward computes a row of outW max-pooling outputs over tiled kh×kw windows of a",
			"channels-last input with row stride stride (elements) and c channels: for window w and",
			"channel i, y[w*c+i] is the largest x[(ky*stride+(w*kw+kx)*c+i)] (starting from −∞; an",
			"input replaces it only if greater, so NaNs never do and the first of equal values stays)",
			"and arg[w*c+i] is base plus that input's offset (the window's first if none is greater),",
			"or, if relu != 0 and that input is ≤ 0, −1 (a ReLU before the pooling passes no gradient).",
			"Requires AVX-512F.")
	}
	Pragma("noescape")
	// Per-window state in stack locals: the window's first input (x, and d
	// backward), its outputs (y or g, and arg), the index of its first
	// input, and the windows left.
	xL, dL, yL, aL, offL, owL := AllocLocal(8), AllocLocal(8), AllocLocal(8), AllocLocal(8), AllocLocal(8), AllocLocal(8)
	copyParam := func(name string, m Mem) {
		r := Load(Param(name), GP64())
		MOVQ(r, m)
	}
	if backward {
		copyParam("d", dL)
		copyParam("dy", yL)
	} else {
		copyParam("x", xL)
		copyParam("y", yL)
	}
	copyParam("arg", aL)
	copyParam("base", offL)
	copyParam("outW", owL)

	iota := Z0
	VMOVDQU32(iota16, iota)
	inf := Z1
	if !backward {
		t := GP32()
		MOVL(U32(0xff800000), t)
		VPBROADCASTD(t, inf)
	}
	zero := Z2
	VPXORD(zero, zero, zero)

	Label(pfx(backward, "window"))
	j := GP64() // channel group
	XORQ(j, j)
	Label(pfx(backward, "group"))
	{
		// Lanes: min(c - j, 16).
		lanes, s, tbl := GP64(), GP64(), GP64()
		Load(Param("c"), lanes)
		SUBQ(j, lanes)
		MOVQ(U32(16), s)
		CMPQ(lanes, U32(16))
		CMOVQGT(s, lanes)
		LEAQ(kmaskTable, tbl)
		KMOVW(Mem{Base: tbl, Index: lanes, Scale: 2}, K1)
	}
	idx0 := Z3 // index of the window's first input + j + lane
	{
		t := GP64()
		MOVQ(offL, t)
		ADDQ(j, t)
		VPBROADCASTD(t.As32(), idx0)
		VPADDD(iota, idx0, idx0)
	}
	m, a, v, idx, gv := Z4, Z5, Z6, Z7, Z8
	{
		y, ar := GP64(), GP64()
		MOVQ(yL, y)
		MOVQ(aL, ar)
		if backward {
			VMOVUPS_Z(Mem{Base: y, Index: j, Scale: 4}, K1, gv)
			VMOVDQU32_Z(Mem{Base: ar, Index: j, Scale: 4}, K1, a)
		} else {
			VMOVAPS(inf, m)
			VMOVDQA32(idx0, a)
		}
	}
	// xj (dj): this group's channels of the window's first input. xa:
	// the value at arg, for the ReLU test.
	xj, dj := GP64(), GP64()
	xa := Z9
	if backward {
		MOVQ(dL, dj)
		LEAQ(Mem{Base: dj, Index: j, Scale: 4}, dj)
	} else {
		MOVQ(xL, xj)
		LEAQ(Mem{Base: xj, Index: j, Scale: 4}, xj)
		VMOVUPS_Z(Mem{Base: xj}, K1, xa)
	}
	c := Load(Param("c"), GP64())
	c4 := GP64()
	MOVQ(c, c4)
	SHLQ(U8(2), c4)
	// Positions: byte offset p from xj and element offset io, by rows
	// (rowP, rowI) of the window.
	ky := Load(Param("kh"), GP64())
	rowP, rowI := GP64(), GP64()
	XORQ(rowP, rowP)
	XORQ(rowI, rowI)
	Label(pfx(backward, "ky"))
	kx := Load(Param("kw"), GP64())
	p, io := GP64(), GP64()
	MOVQ(rowP, p)
	MOVQ(rowI, io)
	Label(pfx(backward, "kx"))
	VPBROADCASTD(io.As32(), idx)
	VPADDD(idx0, idx, idx)
	if backward {
		// K2 = tail & (arg == idx)
		VPCMPEQD(idx, a, K1, K2)
		VMOVUPS_Z(gv, K2, v)
		VMOVUPS(v, K1, Mem{Base: dj, Index: p, Scale: 1})
	} else {
		VMOVUPS_Z(Mem{Base: xj, Index: p, Scale: 1}, K1, v)
		VCMPPS(U8(0x1E), m, v, K1, K2) // GT_OQ: v > m
		VBLENDMPS(v, m, K2, m)
		VBLENDMPS(v, xa, K2, xa)
		VPBLENDMD(idx, a, K2, a)
	}
	ADDQ(c4, p)
	ADDQ(c, io)
	DECQ(kx)
	JNZ(LabelRef(pfx(backward, "kx")))
	{
		s := Load(Param("stride"), GP64())
		ADDQ(s, rowI)
		SHLQ(U8(2), s)
		ADDQ(s, rowP)
	}
	DECQ(ky)
	JNZ(LabelRef(pfx(backward, "ky")))
	if !backward {
		// With relu, arg = −1 where the input at arg is ≤ 0.
		CMPQ(paramAddr("relu"), U8(0))
		JE(LabelRef("f_norelu"))
		VCMPPS(U8(0x06), zero, xa, K1, K3) // NLE_UQ: !(xa <= 0)
		VPTERNLOGD(U8(0xff), v, v, v)      // all ones: −1
		VPBLENDMD(a, v, K3, a)
		Label("f_norelu")
		y, ar := GP64(), GP64()
		MOVQ(yL, y)
		MOVQ(aL, ar)
		VMOVUPS(m, K1, Mem{Base: y, Index: j, Scale: 4})
		VMOVDQU32(a, K1, Mem{Base: ar, Index: j, Scale: 4})
	}
	ADDQ(U32(16), j)
	CMPQ(j, paramAddr("c"))
	JL(LabelRef(pfx(backward, "group")))

	// Next window: kw positions on.
	{
		step, c := GP64(), Load(Param("c"), GP64())
		Load(Param("kw"), step)
		IMULQ(c, step) // elements
		ADDQ(step, offL)
		SHLQ(U8(2), step)
		if backward {
			ADDQ(step, dL)
		} else {
			ADDQ(step, xL)
		}
		SHLQ(U8(2), c)
		ADDQ(c, aL)
		ADDQ(c, yL)
	}
	DECQ(owL)
	JNZ(LabelRef(pfx(backward, "window")))
	VZEROUPPER()
	RET()
}

func paramAddr(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

func pfx(backward bool, s string) string {
	if backward {
		return "b_" + s
	}
	return "f_" + s
}
