package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// im2colReference is im2col from its definition: row (s, oy, ox) of cols
// holds x[s][oy·sh−padT+ky][ox·sw−padL+kx][ch] in (ky, kx, ch) order, zero
// outside the input.
func im2colReference(w *window, x []float32, n int) []float32 {
	cols := make([]float32, 0, n*w.positions()*w.kh*w.kw*w.inC)
	for s := range n {
		for oy := range w.outH {
			for ox := range w.outW {
				for ky := range w.kh {
					for kx := range w.kw {
						iy, ix := oy*w.sh-w.padT+ky, ox*w.sw-w.padL+kx
						for ch := range w.inC {
							v := float32(0)
							if iy >= 0 && iy < w.inH && ix >= 0 && ix < w.inW {
								v = x[((s*w.inH+iy)*w.inW+ix)*w.inC+ch]
							}
							cols = append(cols, v)
						}
					}
				}
			}
		}
	}
	return cols
}

// runIm2col runs im2col with or without the kernel, rows ld values apart,
// into cols pre-filled with NaNs (every value must be written), and
// returns the rows without their last ld−k values, which must still be the
// NaNs.
func runIm2col(t *testing.T, w *window, x []float32, n, ld int, kernels bool) []float32 {
	t.Helper()
	saved := im2colKernels
	im2colKernels = kernels
	defer func() { im2colKernels = saved }()
	k := w.kh * w.kw * w.inC
	rows := n * w.positions()
	nan := math.Float32frombits(0x7fc0beef)
	cols := make([]float32, rows*ld)
	for i := range cols {
		cols[i] = nan
	}
	im2col(w, x, cols, n, ld)
	packed := make([]float32, 0, rows*k)
	for r := range rows {
		packed = append(packed, cols[r*ld:r*ld+k]...)
		for _, v := range cols[r*ld+k : (r+1)*ld] {
			if math.Float32bits(v) != math.Float32bits(nan) {
				t.Fatalf("row %d: im2col wrote %v after the window's values", r, v)
			}
		}
	}
	return packed
}

// TestIm2colKernel checks that im2col gives the bits of its definition on
// random shapes — channels 1 to 40 (around the kernel's 16-value groups),
// kernels 1 to 7, strides 1 to 3, valid and same padding, odd sizes —
// with the kernel (where the CPU has it) and with the Go loops alone, rows
// k or k+1 values apart (a Conv2D with a bias keeps a 1 after each row).
// Inputs include signed zeros and NaNs with payloads, which a copy keeps.
func TestIm2colKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 1))
	paths := []bool{false}
	if im2colKernels {
		paths = append(paths, true)
	}
	special := []float32{float32(math.Copysign(0, -1)), math.Float32frombits(0x7fc00123), float32(math.Inf(-1))}
	tried := 0
	for tried < 400 {
		c, k := 1+rng.IntN(40), 1+rng.IntN(7)
		sh, sw := 1+rng.IntN(3), 1+rng.IntN(3)
		h, wd := 1+rng.IntN(14), 1+rng.IntN(14)
		pad := PaddingValid
		if rng.IntN(2) == 0 {
			pad = PaddingSame
		}
		w, err := newWindow([]int{h, wd, c}, k, k, sh, sw, pad)
		if err != nil {
			continue // a window larger than a valid-padded input
		}
		tried++
		n := 1 + rng.IntN(3)
		x := make([]float32, n*w.inSize())
		for i := range x {
			if rng.IntN(16) == 0 {
				x[i] = special[rng.IntN(len(special))]
			} else {
				x[i] = rng.Float32()*2 - 1
			}
		}
		want := im2colReference(&w, x, n)
		ld := k * k * c
		if rng.IntN(2) == 0 {
			ld++
		}
		for _, kernels := range paths {
			got := runIm2col(t, &w, x, n, ld, kernels)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("in %d×%d×%d, kernel %d, strides %d×%d, %s, %d samples, row stride %d, kernels %v: cols[%d] = %v, want %v",
						h, wd, c, k, sh, sw, pad, n, ld, kernels, i, got[i], want[i])
				}
			}
		}
	}
}
