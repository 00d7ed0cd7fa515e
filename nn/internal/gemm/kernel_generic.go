package gemm

// Pure-Go kernels. They are compiled everywhere: kernel_noasm.go uses them
// on architectures other than amd64 and with -tags purego, and
// kernel_amd64.go falls back to them on CPUs without AVX2 and FMA. They
// have the same contracts as the assembly in kernel_amd64.s.

// genMR and genNR bound the tiles of the pure-Go kernels: the AVX2 tiles
// (the AVX-512 ones are only used with the AVX-512 kernels).
const (
	genMR = 6
	genNR = 24
)

// macroKernelGeneric computes rows 0..m-1, columns 0..n-1 of
//
//	C = epilogue(alpha·A·B [+ beta·C] [+ bias])
//
// where A(i,p) = a[aoff + (i/t.mr)*astep + (i%t.mr)*rs + p*cs] with rs, cs
// = lda, 1 (or 1, lda if colA), B is held in panels of t.nr columns, panel
// q starting at b[boff+q*bstep] with row stride ldb (packed panels, ldb =
// t.nr, or full panels of B read in place), C(i,j) = c[coff+i*ldc+j] and
// the bias is bias[biasoff+j]. flags select the terms as for the
// assembly kernels. If t.trans, the block is stored transposed: element
// (i,j) goes to c[coff+j*ldc+i], with the bias bias[biasoff+i].
func macroKernelGeneric(t tile, colA bool, m, k int, a []float32, aoff, lda, astep int, b []float32, boff, ldb, bstep int, c []float32, coff, ldc, n int, alpha, beta float32, bias []float32, biasoff int, mask []float32, flags int) {
	for j := 0; j < n; j += t.nr {
		nr := min(t.nr, n-j)
		bo := boff + j/t.nr*bstep
		if t.trans {
			panelGeneric(t, colA, m, k, a, aoff, lda, astep, b, bo, ldb, c, coff+j*ldc, ldc, nr, alpha, beta, bias, biasoff, nil, flags)
		} else {
			panelGeneric(t, colA, m, k, a, aoff, lda, astep, b, bo, ldb, c, coff+j, ldc, nr, alpha, beta, bias, biasoff+j, mask, flags)
		}
	}
}

// panelGeneric is macroKernelGeneric for one panel: rows 0..m-1, columns
// 0..nr-1 (nr ≤ t.nr).
func panelGeneric(t tile, colA bool, m, k int, a []float32, aoff, lda, astep int, b []float32, boff, ldb int, c []float32, coff, ldc, nr int, alpha, beta float32, bias []float32, biasoff int, mask []float32, flags int) {
	rs, cs := lda, 1
	if colA {
		rs, cs = 1, lda
	}
	b = b[boff : boff+(k-1)*ldb+t.nr]
	if t.mr > genMR || t.nr > genNR {
		panic("gemm: tile too large for the pure-Go kernels")
	}
	var ap [genMR * kcMax]float32 // the current row panel of A, k-major
	var acc [genMR * genNR]float32
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
		microGeneric(t, k, ap[:k*t.mr], b, ldb, &acc)
		for r := range mr {
			if t.trans {
				for j, v := range acc[r*t.nr : r*t.nr+nr] {
					e := &c[coff+j*ldc+i+r]
					*e = epilogue1(v, *e, alpha, beta, bias, biasoff+i+r, flags)
				}
				continue
			}
			row := c[coff+(i+r)*ldc : coff+(i+r)*ldc+nr]
			for j, v := range acc[r*t.nr : r*t.nr+nr] {
				row[j] = epilogue1(v, row[j], alpha, beta, bias, biasoff+j, flags)
			}
			if flags&flagMask != 0 {
				for j, y := range mask[coff+(i+r)*ldc : coff+(i+r)*ldc+nr] {
					if y <= 0 {
						row[j] = 0
					}
				}
			}
		}
	}
}

// epilogue1 applies the epilogue selected by flags to the sum v of one
// element whose old value in C is cv and whose bias is bias[j]. Tiles
// stored directly and transposed both use it, so that a product computed
// transposed rounds exactly as one computed directly (whether or not the
// compiler fuses v + beta*cv).
func epilogue1(v, cv, alpha, beta float32, bias []float32, j, flags int) float32 {
	if flags&flagAlpha != 0 {
		v *= alpha
	}
	if flags&flagLoadC != 0 {
		v += beta * cv
	}
	if flags&flagBias != 0 {
		v += bias[j]
	}
	if flags&flagReLU != 0 {
		v = max(v, 0)
	}
	return v
}

// microGeneric sets acc[r*t.nr+j] = Σ_p A(r,p)·B(p,j) for the packed
// k×t.mr panel ap (A(r,p) = ap[p*t.mr+r]) and the k×t.nr panel b (B(p,j) =
// b[p*ldb+j]), in 2×4 blocks whose accumulators fit in registers. Each
// element is summed in order p = 0, 1, …, k-1.
func microGeneric(t tile, k int, ap, b []float32, ldb int, acc *[genMR * genNR]float32) {
	ap, b = ap[:k*t.mr], b[:(k-1)*ldb+t.nr]
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
				bi += ldb
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

// packBTGeneric packs columns 0..n-1 of op(B) = srcᵀ, where column j of
// op(B) is src[soff+j*ldb:], into panels of w columns, panel q at
// dst[q*pstep:]: dst[(j/w)*pstep+p*w+j%w] = src[soff+j*ldb+p] for j < n,
// zero up to the end of the last panel, p < k.
func packBTGeneric(w, k int, src []float32, soff, ldb, n int, dst []float32, pstep int) {
	for j0 := 0; j0 < n; j0 += w {
		d := dst[j0/w*pstep:][:k*w]
		for j := range w {
			if j0+j >= n {
				for p := range k {
					d[p*w+j] = 0
				}
				continue
			}
			s := src[soff+(j0+j)*ldb : soff+(j0+j)*ldb+k]
			for p, v := range s {
				d[p*w+j] = v
			}
		}
	}
}
