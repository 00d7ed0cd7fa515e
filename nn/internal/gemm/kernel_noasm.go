//go:build !amd64 || purego

package gemm

func kernelName() string { return "generic" }

func macroKernel(t tile, colA bool, m, k int, a []float32, aoff, lda, astep int, b []float32, c []float32, coff, ldc, nr int, alpha, beta float32, bias []float32, boff, flags int) {
	macroKernelGeneric(t, colA, m, k, a, aoff, lda, astep, b, c, coff, ldc, nr, alpha, beta, bias, boff, flags)
}

func packBN(w, k int, src []float32, soff, ldb, nr int, dst []float32) {
	packBNGeneric(w, k, src, soff, ldb, nr, dst)
}

func packBT(w, k int, src []float32, soff, ldb, nr int, dst []float32) {
	packBTGeneric(w, k, src, soff, ldb, nr, dst)
}
