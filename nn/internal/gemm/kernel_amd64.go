//go:build amd64 && !purego

package gemm

import (
	"os"

	"golang.org/x/sys/cpu"
)

// kernelPath is the set of kernels in use.
type kernelPath uint8

const (
	pathGeneric kernelPath = iota // pure Go
	pathAVX2                      // AVX2 and FMA
	pathAVX512                    // AVX-512F for products computed directly, AVX2 for the rest
)

// cpuPath is the best path the CPU supports (cpu.X86.HasAVX2 and
// HasAVX512F also mean that the OS saves the ymm, zmm and opmask
// registers), lowered by the environment variable TUNE_KERNELS (generic or
// avx2) so that a whole test suite can run on a slower path; path is the one
// in use, which this package's tests switch.
var (
	cpuPath = func() kernelPath {
		p := pathGeneric
		switch {
		case cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasAVX512F:
			p = pathAVX512
		case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
			p = pathAVX2
		}
		switch os.Getenv("TUNE_KERNELS") {
		case "generic":
			p = pathGeneric
		case "avx2":
			p = min(p, pathAVX2)
		}
		return p
	}()
	path = cpuPath
)

// kernelName describes the kernels in use, for tests and benchmarks.
func kernelName() string {
	return [...]string{pathGeneric: "generic", pathAVX2: "avx2-fma", pathAVX512: "avx512"}[path]
}

// directTiles returns the micro-kernels of products computed directly.
func directTiles() tileSet {
	if path == pathAVX512 {
		return tiles16
	}
	return tiles8
}

// macroKernel: see macroKernelGeneric. The bounds checks turn a caller bug
// into a panic rather than a stray read or write in assembly.
func macroKernel(t tile, colA bool, m, k int, a []float32, aoff, lda, astep int, b []float32, boff, ldb, bstep int, c []float32, coff, ldc, n int, alpha, beta float32, bias []float32, biasoff int, mask []float32, flags int) {
	if path == pathGeneric {
		macroKernelGeneric(t, colA, m, k, a, aoff, lda, astep, b, boff, ldb, bstep, c, coff, ldc, n, alpha, beta, bias, biasoff, mask, flags)
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
	var mp *float32
	if flags&flagMask != 0 {
		if t.trans {
			panic("gemm: mask with a transposed product")
		}
		_ = mask[coff+(cr-1)*ldc+cc-1]
		mp = &mask[coff]
	}
	pa, pb, pc := &a[aoff], &b[boff], &c[coff]
	if (t.nr == 48 || t.nr == 32) && path != pathAVX512 {
		panic("gemm: AVX-512 tile without AVX-512")
	}
	switch {
	case t == tile4x24 && !colA:
		kernRowA4x24(m, k, pa, lda, astep, pb, ldb, bstep, pc, ldc, n, alpha, beta, bp, mp, flags)
	case t == tile4x24 && colA:
		kernColA4x24(m, k, pa, lda, astep, pb, ldb, bstep, pc, ldc, n, alpha, beta, bp, mp, flags)
	case t == tile6x16 && !colA:
		kernRowA6x16(m, k, pa, lda, astep, pb, ldb, bstep, pc, ldc, n, alpha, beta, bp, mp, flags)
	case t == tile6x16 && colA:
		kernColA6x16(m, k, pa, lda, astep, pb, ldb, bstep, pc, ldc, n, alpha, beta, bp, mp, flags)
	case t == tile8x48 && !colA:
		kernRowA8x48(m, k, pa, lda, astep, pb, ldb, bstep, pc, ldc, n, alpha, beta, bp, mp, flags)
	case t == tile8x48 && colA:
		kernColA8x48(m, k, pa, lda, astep, pb, ldb, bstep, pc, ldc, n, alpha, beta, bp, mp, flags)
	case t == tile12x32 && !colA:
		kernRowA12x32(m, k, pa, lda, astep, pb, ldb, bstep, pc, ldc, n, alpha, beta, bp, mp, flags)
	case t == tile12x32 && colA:
		kernColA12x32(m, k, pa, lda, astep, pb, ldb, bstep, pc, ldc, n, alpha, beta, bp, mp, flags)
	case t == tileT4x24 && !colA:
		kernRowAT4x24(m, k, pa, lda, astep, pb, ldb, bstep, pc, ldc, n, alpha, beta, bp, mp, flags)
	case t == tileT4x24 && colA:
		kernColAT4x24(m, k, pa, lda, astep, pb, ldb, bstep, pc, ldc, n, alpha, beta, bp, mp, flags)
	case t == tileT6x16 && !colA:
		kernRowAT6x16(m, k, pa, lda, astep, pb, ldb, bstep, pc, ldc, n, alpha, beta, bp, mp, flags)
	case t == tileT6x16 && colA:
		kernColAT6x16(m, k, pa, lda, astep, pb, ldb, bstep, pc, ldc, n, alpha, beta, bp, mp, flags)
	default:
		panic("gemm: no kernel for tile")
	}
}

// packBN: see packBNGeneric.
func packBN(w, k int, src []float32, soff, ldb, nr int, dst []float32) {
	if path == pathGeneric {
		packBNGeneric(w, k, src, soff, ldb, nr, dst)
		return
	}
	_ = dst[k*w-1]
	_ = src[soff+(k-1)*ldb+nr-1]
	switch {
	case w == 24:
		packBN24(k, &src[soff], ldb, nr, &dst[0])
	case w == 16:
		packBN16(k, &src[soff], ldb, nr, &dst[0])
	case w == 48 && path == pathAVX512:
		packBN48(k, &src[soff], ldb, nr, &dst[0])
	case w == 32 && path == pathAVX512:
		packBN32(k, &src[soff], ldb, nr, &dst[0])
	default:
		panic("gemm: no packing kernel for panel width")
	}
}

// packBT: see packBTGeneric.
func packBT(w, k int, src []float32, soff, ldb, n int, dst []float32, pstep int) {
	if path == pathGeneric {
		packBTGeneric(w, k, src, soff, ldb, n, dst, pstep)
		return
	}
	np := (n + w - 1) / w
	cols := np * w
	_ = dst[(np-1)*pstep+k*w-1]
	_ = src[soff+(n-1)*ldb+k-1]
	packBTRun(k, &src[soff], ldb, n, cols, &dst[0], w, pstep)
}
