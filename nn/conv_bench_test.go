//go:build unix

package nn

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// rusageCPU returns the process's user+system CPU time (getrusage).
func rusageCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkConv2D times one Conv2D layer's forward pass (im2col and the
// product with fused bias and ReLU) and backward pass (ReLU derivative,
// kernel and bias gradients, and the input gradient with col2im when the
// input is trained) on a batch of 200, reporting GFLOP/s of its products
// by wall and by CPU time (getrusage):
//
//   - seed: the lecture CNN's first layer, 28×28×1 → 24×24×32 (5×5, valid),
//     whose input is not trained (no input gradient);
//
//   - 3x3: 12×12×32 → 12×12×64 (3×3, same) after another Conv2D, so with the
//     input gradient.
//
//     go test ./nn/ -run '^$' -bench Conv2D -cpu 1
func BenchmarkConv2D(b *testing.B) {
	for _, c := range []struct {
		name   string
		layers []Layer
	}{
		{"seed", []Layer{Input(28, 28, 1), Conv2D(32, 5, ReLU)}},
		{"3x3", []Layer{Input(12, 12, 8), Conv2D(32, 1, ReLU), Conv2D(64, 3, ReLU, Padding(PaddingSame))}},
	} {
		m := NewSequential(append(c.layers, Flatten(), Dense(2, Softmax))...)
		if err := m.Compile(CompileConfig{Loss: "sparse_categorical_crossentropy", Optimizer: &SGD{}}); err != nil {
			b.Fatal(err)
		}
		const n = 200
		m.reserve(n)
		var u *conv
		for _, v := range m.units {
			if cv, ok := v.(*conv); ok {
				u = cv // the last one
			}
		}
		x := make([]float32, n*m.inputs[0].size)
		for i := range x {
			x[i] = float32(i%17) / 17
		}
		m.forward([][]float32{x}, n, true)
		for i := range u.g {
			u.g[i] = float32(i%7-3) / 7
		}
		p := n * u.win.positions()
		products := 2.0
		if u.ins[0].wantsGrad {
			products = 3
		}
		for _, pass := range []string{"forward", "forward+backward"} {
			b.Run(fmt.Sprintf("%s/%s", c.name, pass), func(b *testing.B) {
				b.ReportAllocs()
				cpu0 := rusageCPU()
				for b.Loop() {
					u.forward(n, true)
					if pass != "forward" {
						u.backward(n)
					}
				}
				cpu := (rusageCPU() - cpu0).Seconds()
				flop := 2 * float64(p) * float64(u.k) * float64(u.f) * float64(b.N)
				if pass != "forward" {
					flop *= products
				}
				b.ReportMetric(flop/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				if cpu > 0 {
					b.ReportMetric(flop/cpu/1e9, "cpu-GFLOP/s")
				}
			})
		}
	}
}

// BenchmarkIm2col times im2col of the lecture CNN's first layer (28×28×1,
// 5×5, valid) over 4 samples (one chunk, 240 KB of rows, in L2), with and
// without the kernel, reporting GB/s of rows written by wall and by CPU time.
func BenchmarkIm2col(b *testing.B) {
	w, err := newWindow([]int{28, 28, 1}, 5, 5, 1, 1, PaddingValid)
	if err != nil {
		b.Fatal(err)
	}
	const n = 4
	x := make([]float32, n*w.inSize())
	for i := range x {
		x[i] = float32(i%13) / 13
	}
	cols := make([]float32, n*w.positions()*26) // with a bias's 1
	for _, kernels := range []bool{false, true} {
		if kernels && !im2colKernels {
			continue
		}
		b.Run(map[bool]string{false: "go", true: "kernel"}[kernels], func(b *testing.B) {
			saved := im2colKernels
			im2colKernels = kernels
			defer func() { im2colKernels = saved }()
			cpu0 := rusageCPU()
			for b.Loop() {
				im2col(&w, x, cols, n, 26)
			}
			bytes := float64(4*len(cols)) * float64(b.N)
			b.ReportMetric(bytes/b.Elapsed().Seconds()/1e9, "GB/s")
			if cpu := (rusageCPU() - cpu0).Seconds(); cpu > 0 {
				b.ReportMetric(bytes/cpu/1e9, "cpu-GB/s")
			}
		})
	}
}
