package gemm

// Pure-Go kernels. They are compiled everywhere: kernel_noasm.go uses them
// on architectures other than amd64 and with -tags purego, and
// kernel_amd64.go falls back to them on CPUs without AVX2 and FMA. They
// have the same contracts as the assembly in kernel_amd64.s.

// macroKernelGeneric computes rows 0..m-1, columns 0..nr-1 of
//
//	C = epilogue(alpha·A·B [+ beta·C] [+ bias])
//
// where A(i,p) = a[aoff + (i/t.mr)*astep + (i%t.mr)*rs + p*cs] with rs, cs
// = lda, 1 (or 1, lda if colA), B(p,j) = b[p*t.nr+j] (one packed panel),
// C(i,j) = c[coff+i*ldc+j] and the bias is bias[boff+j]. flags select the
// terms as for the assembly kernels.
func macroKernelGeneric(t tile, colA bool, m, k int, a []float32, aoff, lda, astep int, b []float32, c []float32, coff, ldc, nr int, alpha, beta float32, bias []float32, boff, flags int) {
	rs, cs := lda, 1
	if colA {
		rs, cs = 1, lda
	}
	b = b[:k*t.nr]
	var ap [maxMR * kcMax]float32 // the current row panel of A, k-major
	var acc [maxMR * maxNR]float32
	for i := 0; i < m; i += t.mr {
		mr := min(t.mr, m-i)
		ai := aoff + i/t.mr*astep
		// Copy the panel of A, zero-padded to t.mr rows, so that the inner
		// loops read it with unit stride.
		for p := range k {
			for r := range t.mr {
				v := float32(0)
				if r < mr {
					v = a[ai+r*rs+p*cs]
				}
				ap[p*t.mr+r] = v
			}
		}
		microGeneric(t, k, ap[:k*t.mr], b, &acc)
		for r := range mr {
			row := c[coff+(i+r)*ldc : coff+(i+r)*ldc+nr]
			for j, v := range acc[r*t.nr : r*t.nr+nr] {
				if flags&flagAlpha != 0 {
					v *= alpha
				}
				if flags&flagLoadC != 0 {
					v += beta * row[j]
				}
				if flags&flagBias != 0 {
					v += bias[boff+j]
				}
				if flags&flagReLU != 0 {
					v = max(v, 0)
				}
				row[j] = v
			}
		}
	}
}

// microGeneric sets acc[r*t.nr+j] = Σ_p A(r,p)·B(p,j) for the packed
// k×t.mr panel ap (A(r,p) = ap[p*t.mr+r]) and k×t.nr panel b, in 2×4
// blocks whose accumulators fit in registers. Each element is summed in
// order p = 0, 1, …, k-1.
func microGeneric(t tile, k int, ap, b []float32, acc *[maxMR * maxNR]float32) {
	ap, b = ap[:k*t.mr], b[:k*t.nr]
	for j := 0; j < t.nr; j += 4 {
		for r := 0; r < t.mr; r += 2 {
			var c00, c01, c02, c03, c10, c11, c12, c13 float32
			bi, ai := j, r
			for range k {
				bq := b[bi : bi+4 : bi+4]
				aq := ap[ai : ai+2 : ai+2]
				a0, a1 := aq[0], aq[1]
				c00 += a0 * bq[0]
				c01 += a0 * bq[1]
				c02 += a0 * bq[2]
				c03 += a0 * bq[3]
				c10 += a1 * bq[0]
				c11 += a1 * bq[1]
				c12 += a1 * bq[2]
				c13 += a1 * bq[3]
				bi += t.nr
				ai += t.mr
			}
			t0 := (*[4]float32)(acc[r*t.nr+j:])
			t1 := (*[4]float32)(acc[(r+1)*t.nr+j:])
			t0[0], t0[1], t0[2], t0[3] = c00, c01, c02, c03
			t1[0], t1[1], t1[2], t1[3] = c10, c11, c12, c13
		}
	}
}

// packBNGeneric sets dst[p*w+j] = src[soff+p*ldb+j] for j < nr, 0 for
// nr ≤ j < w, p < k.
func packBNGeneric(w, k int, src []float32, soff, ldb, nr int, dst []float32) {
	for p := range k {
		d := dst[p*w : p*w+w]
		copy(d, src[soff+p*ldb:soff+p*ldb+nr])
		clear(d[nr:])
	}
}

// packBTGeneric sets dst[p*w+j] = src[soff+j*ldb+p] for j < nr, 0 for
// nr ≤ j < w, p < k.
func packBTGeneric(w, k int, src []float32, soff, ldb, nr int, dst []float32) {
	dst = dst[:k*w]
	for j := range w {
		if j >= nr {
			for p := range k {
				dst[p*w+j] = 0
			}
			continue
		}
		s := src[soff+j*ldb : soff+j*ldb+k]
		for p, v := range s {
			dst[p*w+j] = v
		}
	}
}
