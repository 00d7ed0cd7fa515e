//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// useAsm reports whether the AVX2/FMA kernels of kernel_amd64.s can run
// (cpu.X86.HasAVX2 also means that the OS saves the ymm registers).
var useAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kernelName describes the kernels in use, for tests and benchmarks.
func kernelName() string {
	if useAsm {
		return "avx2-fma"
	}
	return "generic"
}

// macroKernel: see macroKernelGeneric. The bounds checks turn a caller bug
// into a panic rather than a stray read or write in assembly.
func macroKernel(t tile, colA bool, m, k int, a []float32, aoff, lda, astep int, b []float32, boff, ldb, bstep int, c []float32, coff, ldc, n int, alpha, beta float32, bias []float32, biasoff, flags int) {
	if !useAsm {
		macroKernelGeneric(t, colA, m, k, a, aoff, lda, astep, b, boff, ldb, bstep, c, coff, ldc, n, alpha, beta, bias, biasoff, flags)
		return
	}
	_ = b[boff+(panels(n, t)-1)*bstep+(k-1)*ldb+t.nr-1]
	cr, cc := m, n // the block of C written
	if t.trans {
		cr, cc = n, m
	}
	_ = c[coff+(cr-1)*ldc+cc-1]
	var bp *float32
	if flags&flagBias != 0 {
		_ = bias[biasoff+cc-1]
		bp = &bias[biasoff]
	}
	if colA {
		_ = a[aoff+(k-1)*lda+m-1]
	} else {
		_ = a[aoff+(m-1)*lda+k-1]
	}
	pa, pb, pc := &a[aoff], &b[boff], &c[coff]
	switch {
	case t == tile4x24 && !colA:
		kernRowA4x24(m, k, pa, lda, astep, pb, ldb, bstep, pc, ldc, n, alpha, beta, bp, flags)
	case t == tile4x24 && colA:
		kernColA4x24(m, k, pa, lda, astep, pb, ldb, bstep, pc, ldc, n, alpha, beta, bp, flags)
	case t == tile6x16 && !colA:
		kernRowA6x16(m, k, pa, lda, astep, pb, ldb, bstep, pc, ldc, n, alpha, beta, bp, flags)
	case t == tile6x16 && colA:
		kernColA6x16(m, k, pa, lda, astep, pb, ldb, bstep, pc, ldc, n, alpha, beta, bp, flags)
	case t == tileT4x24 && !colA:
		kernRowAT4x24(m, k, pa, lda, astep, pb, ldb, bstep, pc, ldc, n, alpha, beta, bp, flags)
	case t == tileT4x24 && colA:
		kernColAT4x24(m, k, pa, lda, astep, pb, ldb, bstep, pc, ldc, n, alpha, beta, bp, flags)
	case t == tileT6x16 && !colA:
		kernRowAT6x16(m, k, pa, lda, astep, pb, ldb, bstep, pc, ldc, n, alpha, beta, bp, flags)
	case t == tileT6x16 && colA:
		kernColAT6x16(m, k, pa, lda, astep, pb, ldb, bstep, pc, ldc, n, alpha, beta, bp, flags)
	default:
		panic("gemm: no kernel for tile")
	}
}

// packBN: see packBNGeneric.
func packBN(w, k int, src []float32, soff, ldb, nr int, dst []float32) {
	if !useAsm {
		packBNGeneric(w, k, src, soff, ldb, nr, dst)
		return
	}
	_ = dst[k*w-1]
	_ = src[soff+(k-1)*ldb+nr-1]
	switch w {
	case 24:
		packBN24(k, &src[soff], ldb, nr, &dst[0])
	case 16:
		packBN16(k, &src[soff], ldb, nr, &dst[0])
	default:
		panic("gemm: no packing kernel for panel width")
	}
}

// packBT: see packBTGeneric.
func packBT(w, k int, src []float32, soff, ldb, n int, dst []float32, pstep int) {
	if !useAsm {
		packBTGeneric(w, k, src, soff, ldb, n, dst, pstep)
		return
	}
	np := (n + w - 1) / w
	if w == 24 {
		np = (n + 23) / 24
	} else if w == 16 {
		np = (n + 15) / 16
	}
	cols := np * w
	_ = dst[(np-1)*pstep+k*w-1]
	_ = src[soff+(n-1)*ldb+k-1]
	packBTRun(k, &src[soff], ldb, n, cols, &dst[0], w, pstep)
}
