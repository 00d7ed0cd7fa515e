package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// The optimizer updates, 8 lanes at a time with AVX2 (they are bound by
// memory: wider vectors gain nothing), each element computed with the
// instructions, in the order, of package nn's Go loops (no fused
// multiply-adds), so that both give the same bits. n must be a multiple
// of 8: the Go wrappers do the tail.

func genSGD() {
	TEXT("sgdStep", NOSPLIT, "func(w, grad *float32, n int, lr float32)")
	Pragma("noescape")
	Doc("sgdStep sets w[i] -= lr*g[i] for i < n (a multiple of 8). Requires AVX.")
	w := Load(Param("w"), GP64())
	g := Load(Param("grad"), GP64())
	n := Load(Param("n"), GP64())
	SHRQ(U8(3), n)
	JZ(LabelRef("sgd_done"))
	lr := Y0
	VBROADCASTSS(paramAddr("lr"), lr)
	Label("sgd_loop")
	VMULPS(Mem{Base: g}, lr, Y1)
	VMOVUPS(Mem{Base: w}, Y2)
	VSUBPS(Y1, Y2, Y2)
	VMOVUPS(Y2, Mem{Base: w})
	ADDQ(U32(32), w)
	ADDQ(U32(32), g)
	DECQ(n)
	JNZ(LabelRef("sgd_loop"))
	Label("sgd_done")
	VZEROUPPER()
	RET()
}

func genAdam() {
	TEXT("adamStep", NOSPLIT, "func(w, grad, m, v *float32, n int, alpha, c1, c2, eps float32)")
	Pragma("noescape")
	Doc("adamStep sets, for i < n (a multiple of 8),",
		"m[i] += (g[i]-m[i])*c1; v[i] += (g[i]*g[i]-v[i])*c2; w[i] -= alpha*m[i]/(sqrt(v[i])+eps).",
		"Requires AVX.")
	w := Load(Param("w"), GP64())
	g := Load(Param("grad"), GP64())
	m := Load(Param("m"), GP64())
	v := Load(Param("v"), GP64())
	n := Load(Param("n"), GP64())
	SHRQ(U8(3), n)
	JZ(LabelRef("adam_done"))
	alpha, c1, c2, eps := Y0, Y1, Y2, Y3
	VBROADCASTSS(paramAddr("alpha"), alpha)
	VBROADCASTSS(paramAddr("c1"), c1)
	VBROADCASTSS(paramAddr("c2"), c2)
	VBROADCASTSS(paramAddr("eps"), eps)
	gv, mv, vv, t, wv := Y4, Y5, Y6, Y7, Y8
	Label("adam_loop")
	VMOVUPS(Mem{Base: g}, gv)
	VMOVUPS(Mem{Base: m}, mv)
	VSUBPS(mv, gv, t) // g - m
	VMULPS(c1, t, t)
	VADDPS(t, mv, mv) // m + (g-m)*c1
	VMOVUPS(mv, Mem{Base: m})
	VMOVUPS(Mem{Base: v}, vv)
	VMULPS(gv, gv, t) // g*g
	VSUBPS(vv, t, t)  // g*g - v
	VMULPS(c2, t, t)
	VADDPS(t, vv, vv)
	VMOVUPS(vv, Mem{Base: v})
	VSQRTPS(vv, t)
	VADDPS(eps, t, t) // sqrt(v) + eps
	VMULPS(mv, alpha, mv)
	VDIVPS(t, mv, mv) // alpha*m / (sqrt(v)+eps)
	VMOVUPS(Mem{Base: w}, wv)
	VSUBPS(mv, wv, wv)
	VMOVUPS(wv, Mem{Base: w})
	for _, r := range []Register{w, g, m, v} {
		ADDQ(U32(32), r)
	}
	DECQ(n)
	JNZ(LabelRef("adam_loop"))
	Label("adam_done")
	VZEROUPPER()
	RET()
}
