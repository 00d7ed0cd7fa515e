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
func macroKernel(t tile, colA bool, m, k int, a []float32, aoff, lda, astep int, b []float32, c []float32, coff, ldc, nr int, alpha, beta float32, bias []float32, boff, flags int) {
	if !useAsm {
		macroKernelGeneric(t, colA, m, k, a, aoff, lda, astep, b, c, coff, ldc, nr, alpha, beta, bias, boff, flags)
		return
	}
	_ = b[k*t.nr-1]
	_ = c[coff+(m-1)*ldc+nr-1]
	var bp *float32
	if flags&flagBias != 0 {
		_ = bias[boff+nr-1]
		bp = &bias[boff]
	}
	if colA {
		_ = a[aoff+(k-1)*lda+m-1]
	} else {
		_ = a[aoff+(m-1)*lda+k-1]
	}
	switch {
	case t == tile4x24 && !colA:
		kernRowA4x24(m, k, &a[aoff], lda, astep, &b[0], &c[coff], ldc, nr, alpha, beta, bp, flags)
	case t == tile4x24 && colA:
		kernColA4x24(m, k, &a[aoff], lda, astep, &b[0], &c[coff], ldc, nr, alpha, beta, bp, flags)
	case t == tile6x16 && !colA:
		kernRowA6x16(m, k, &a[aoff], lda, astep, &b[0], &c[coff], ldc, nr, alpha, beta, bp, flags)
	case t == tile6x16 && colA:
		kernColA6x16(m, k, &a[aoff], lda, astep, &b[0], &c[coff], ldc, nr, alpha, beta, bp, flags)
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
func packBT(w, k int, src []float32, soff, ldb, nr int, dst []float32) {
	if !useAsm {
		packBTGeneric(w, k, src, soff, ldb, nr, dst)
		return
	}
	_ = dst[k*w-1]
	for g := 0; g < w; g += 8 {
		rows := min(max(nr-g, 0), 8)
		s := &dst[0] // not read when rows == 0
		if rows > 0 {
			_ = src[soff+(g+rows-1)*ldb+k-1]
			s = &src[soff+g*ldb]
		}
		packBT8(k, s, ldb, rows, &dst[g], w)
	}
}
