//go:build !amd64 || purego

package gemm

func kernelName() string { return "generic" }

func macroKernel(t tile, colA bool, m, k int, a []float32, aoff, lda, astep int, b []float32, boff, ldb, bstep int, c []float32, coff, ldc, n int, alpha, beta float32, bias []float32, biasoff int, mask []float32, flags int) {
	macroKernelGeneric(t, colA, m, k, a, aoff, lda, astep, b, boff, ldb, bstep, c, coff, ldc, n, alpha, beta, bias, biasoff, mask, flags)
}

func packBN(w, k int, src []float32, soff, ldb, nr int, dst []float32) {
	packBNGeneric(w, k, src, soff, ldb, nr, dst)
}

func packBT(w, k int, src []float32, soff, ldb, n int, dst []float32, pstep int) {
	packBTGeneric(w, k, src, soff, ldb, n, dst, pstep)
}

func directTiles() tileSet { return tiles8 }
