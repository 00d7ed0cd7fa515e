package nn

import (
	"bytes"
	"math"
	"slices"
	"testing"
)

// refConv is a direct float64 convolution (no im2col) for the gradient
// checks.
func refConv(w *window, f int, act actKind, kernel, bias, x, out []float64, n int) {
	outSize := w.positions() * f
	for s := range n {
		for oy := range w.outH {
			for ox := range w.outW {
				z := make([]float64, f)
				for j := range z {
					if bias != nil {
						z[j] = bias[j]
					}
					for ky := range w.kh {
						for kx := range w.kw {
							iy, ix := oy*w.sh-w.padT+ky, ox*w.sw-w.padL+kx
							if iy < 0 || iy >= w.inH || ix < 0 || ix >= w.inW {
								continue
							}
							for c := range w.inC {
								z[j] += x[s*w.inSize()+(iy*w.inW+ix)*w.inC+c] * kernel[((ky*w.kw+kx)*w.inC+c)*f+j]
							}
						}
					}
				}
				copy(out[s*outSize+(oy*w.outW+ox)*f:], refActivate(act, z))
			}
		}
	}
}

func refPool(w *window, isMax bool, x, out []float64, n int) {
	c := w.inC
	outSize := w.positions() * c
	for s := range n {
		for oy := range w.outH {
			for ox := range w.outW {
				for ch := range c {
					v, cnt := math.Inf(-1), 0.0
					if !isMax {
						v = 0
					}
					for ky := range w.kh {
						for kx := range w.kw {
							iy, ix := oy*w.sh-w.padT+ky, ox*w.sw-w.padL+kx
							if iy < 0 || iy >= w.inH || ix < 0 || ix >= w.inW {
								continue
							}
							e := x[s*w.inSize()+(iy*w.inW+ix)*c+ch]
							if isMax {
								v = math.Max(v, e)
							} else {
								v += e
								cnt++
							}
						}
					}
					if !isMax {
						v /= cnt
					}
					out[s*outSize+(oy*w.outW+ox)*c+ch] = v
				}
			}
		}
	}
}

func refGlobalPool(positions, c int, x, out []float64, n int) {
	for s := range n {
		for ch := range c {
			var sum float64
			for p := range positions {
				sum += x[(s*positions+p)*c+ch]
			}
			out[s*c+ch] = sum / float64(positions)
		}
	}
}

// Conv2D (valid and same padding, strides, with and without a bias, fused
// ReLU and other activations), the pooling layers and Reshape, each after a
// trainable layer so that their input gradients are checked too.
func TestGradientsConvolution(t *testing.T) {
	cases := map[string][]Layer{
		"conv-valid-relu": {Input(6, 5, 2), Conv2D(3, 3, ReLU), Flatten(), Dense(3, Softmax)},
		"conv-same-stride": {Input(7, 6, 2), Conv2D(4, 3, Tanh, Padding(PaddingSame), Strides(2, 2)),
			Conv2D(2, 2, ELU, UseBias(false), Padding(PaddingSame)), Flatten(), Dense(3, Softmax)},
		"maxpool": {Input(6, 6, 1), Conv2D(3, 2, Linear), MaxPooling2D(2), Flatten(), Dense(2, Softmax)},
		// Tiled windows (pool_max.go), with the ReLU's derivative fused in.
		"maxpool-tiled":      {Input(5, 5, 1), Conv2D(3, 2, Linear), MaxPooling2D(2), Flatten(), Dense(2, Softmax)},
		"maxpool-tiled-relu": {Input(7, 7, 2), Conv2D(3, 2, ReLU), MaxPooling2D(3), Flatten(), Dense(2, Softmax)},
		"maxpool-same": {Input(5, 5, 2), Conv2D(2, 2, Sigmoid, Padding(PaddingSame)),
			MaxPooling2D(2, Padding(PaddingSame), Strides(2, 1)), Flatten(), Dense(2, Softmax)},
		"avgpool": {Input(5, 6, 2), Conv2D(3, 2, Tanh), AveragePooling2D(2, Padding(PaddingSame)),
			AveragePooling2D(2), Flatten(), Dense(2, Softmax)},
		"global":  {Input(4, 4, 2), Conv2D(3, 3, Tanh, Padding(PaddingSame)), GlobalAveragePooling2D(), Dense(2, Softmax)},
		"reshape": {Input(12), Dense(24, Tanh), Reshape([]int{3, -1, 2}), Conv2D(2, 2, Tanh), Flatten(), Dense(2, Softmax)},
	}
	for name, layers := range cases {
		t.Run(name, func(t *testing.T) {
			checkGradients(t, layers, "sparse_categorical_crossentropy", 21)
		})
	}
}

func TestConvShapes(t *testing.T) {
	for _, c := range []struct {
		layer Layer
		in    []int
		want  string
	}{
		{Conv2D(32, 5, ReLU), []int{28, 28, 1}, "(24, 24, 32)"},
		{Conv2D(8, 3, ReLU, Padding(PaddingSame), Strides(2, 2)), []int{28, 28, 1}, "(14, 14, 8)"},
		{Conv2D(8, 3, ReLU, Padding(PaddingSame), Strides(2, 2)), []int{7, 7, 3}, "(4, 4, 8)"},
		{MaxPooling2D(2), []int{24, 24, 32}, "(12, 12, 32)"},
		{MaxPooling2D(3), []int{7, 7, 2}, "(2, 2, 2)"},
		{AveragePooling2D(3, Padding(PaddingSame)), []int{7, 7, 2}, "(3, 3, 2)"},
		{GlobalAveragePooling2D(), []int{5, 5, 7}, "(7,)"},
		{Reshape([]int{-1, 4}), []int{2, 6}, "(3, 4)"},
	} {
		nd := c.layer.Apply(NewInput("x", c.in...))
		if nd.err != nil {
			t.Errorf("%s on %v: %v", c.layer.typeName(), c.in, nd.err)
			continue
		}
		if got := shapeString(nd.Shape()); got != c.want {
			t.Errorf("%s on %v: shape %s, want %s", c.layer.typeName(), c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		layer Layer
		in    []int
	}{
		{Conv2D(4, 3, ReLU), []int{28, 28}},
		{Conv2D(4, 5, ReLU), []int{4, 4, 1}},
		{Conv2D(0, 3, ReLU), []int{8, 8, 1}},
		{Conv2D(4, 3, "swish"), []int{8, 8, 1}},
		{Conv2D(4, 3, ReLU, Padding("full")), []int{8, 8, 1}},
		{Conv2D(4, 3, ReLU, Strides(0, 1)), []int{8, 8, 1}},
		{MaxPooling2D(0), []int{8, 8, 1}},
		{MaxPooling2D(2, UseBias(false)), []int{8, 8, 1}},
		{GlobalAveragePooling2D(), []int{8}},
		{Reshape([]int{5, -1}), []int{12}},
		{Reshape([]int{-1, -1}), []int{12}},
	} {
		if nd := c.layer.Apply(NewInput("x", c.in...)); nd.err == nil {
			t.Errorf("%s on %v: no error", c.layer.typeName(), c.in)
		}
	}
}

// A CNN's training step allocates nothing once its buffers are reserved.
func TestTrainStepZeroAllocsConv(t *testing.T) {
	m := mustCompile(t, NewSequential(Input(8, 8, 2), Conv2D(4, 3, ReLU, Padding(PaddingSame)), MaxPooling2D(2),
		Conv2D(3, 2, Tanh), AveragePooling2D(2, Padding(PaddingSame)), Reshape([]int{-1}), Dropout(0.2),
		Reshape([]int{1, 2, 6}), GlobalAveragePooling2D(), Dense(3, Softmax)),
		CompileConfig{Loss: "sparse_categorical_crossentropy", Optimizer: &Adam{}, Metrics: []string{"accuracy"}})
	const batch = 8
	m.reserve(batch)
	r := newRNG(3, 3)
	x := [][]float32{randSlice(&r, batch*128)}
	y := [][]float32{make([]float32, batch)}
	for i := range y[0] {
		y[0][i] = float32(r.intn(3))
	}
	m.trainStep(x, y, nil, batch)
	if a := testing.AllocsPerRun(20, func() { m.trainStep(x, y, nil, batch) }); a != 0 {
		t.Errorf("%v allocations per step, want 0", a)
	}
}

// A convolutional model saves and loads: same predictions, same file; and
// a version-1 file written before convolutions existed still loads.
func TestSaveLoadConv(t *testing.T) {
	m := mustCompile(t, NewSequential(Input(6, 6, 1), Conv2D(3, 3, ReLU, Padding(PaddingSame), Strides(2, 1), UseBias(false),
		KernelInitializer(HeNormal)), MaxPooling2D(2, Padding(PaddingSame)), Conv2D(2, 2, Linear), AveragePooling2D(1),
		Reshape([]int{-1, 2}), Flatten(), Dense(2, Softmax)), CompileConfig{Loss: "sparse_categorical_crossentropy", Optimizer: &Adam{}})
	r := newRNG(4, 4)
	x := NewMatrixFrom(5, 36, randSlice(&r, 5*36))
	y := NewMatrixFrom(5, 1, []float32{0, 1, 1, 0, 1})
	if _, err := m.Fit(t.Context(), x, y, FitConfig{Epochs: 2, BatchSize: 2}); err != nil {
		t.Fatal(err)
	}
	l := saveLoad(t, m)
	p1, _ := m.Predict(x)
	p2, err := l.Predict(x)
	if err != nil || !slices.Equal(p1.Data, p2.Data) {
		t.Errorf("predictions differ (err %v)", err)
	}
	if m.Summary() != l.Summary() {
		t.Errorf("summaries differ:\n%s\n%s", m.Summary(), l.Summary())
	}
	b1, _ := m.MarshalBinary()
	b2, _ := l.MarshalBinary()
	if !bytes.Equal(b1, b2) {
		t.Error("re-saved file differs")
	}

	// testdata/model_v1.tnnm: Input(2, 3), Flatten, Dense(4, relu),
	// Dropout(0.1), Dense(3, softmax), Adam, trained 2 epochs; its
	// predictions for the rows below were recorded when it was written.
	old, err := LoadFile("testdata/model_v1.tnnm")
	if err != nil {
		t.Fatal(err)
	}
	xv := NewMatrix(4, 6)
	for i := range xv.Data {
		xv.Data[i] = float32(i%7) / 7
	}
	p, err := old.Predict(xv)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{0.32274255, 0.35501036, 0.32224706, 0.33419088, 0.3327793, 0.33302987,
		0.32742175, 0.34591666, 0.3266616, 0.33419088, 0.3327793, 0.33302987}
	// The kernels in use (AVX-512, AVX2 or pure Go) may round the last bit
	// differently; a wrongly decoded weight changes far more than that.
	for i := range want {
		if d := math.Abs(float64(p.Data[i] - want[i])); d > 1e-6 {
			t.Fatalf("version-1 model predicts %v, recorded %v", p.Data, want)
		}
	}
}

// TestMaxPoolingFusesReLU checks that a max pooling over tiled windows
// takes over the derivative of the ReLU Conv2D before it when the pooling
// kernels run, and that a pooling whose windows overlap does not.
func TestMaxPoolingFusesReLU(t *testing.T) {
	for _, c := range []struct {
		pool Layer
		want bool
	}{{MaxPooling2D(2), true}, {MaxPooling2D(2, Strides(1, 1)), false}, {AveragePooling2D(2), false}} {
		m := NewSequential(Input(4, 4, 1), Conv2D(2, 3, ReLU, Padding(PaddingSame)), c.pool, Flatten(), Dense(2, Softmax))
		if err := m.Compile(CompileConfig{Loss: "sparse_categorical_crossentropy", Optimizer: &Adam{}}); err != nil {
			t.Fatal(err)
		}
		for _, u := range m.units {
			want := c.want && poolKernels
			if p, ok := u.(*pool); ok && (p.reluIn != want || p.ins[0].gradIsZ != want) {
				t.Errorf("%s: fused %v, conv gradIsZ %v, want %v", p.typ, p.reluIn, p.ins[0].gradIsZ, want)
			}
		}
	}
}

// TestDenseFusesReLU checks that each Dense after a ReLU Dense takes over
// that ReLU's derivative (in its input gradient's product); the gradient
// checks of hidden ReLU layers cover the values.
func TestDenseFusesReLU(t *testing.T) {
	m := NewSequential(Input(6), Dense(8, ReLU), Dense(5, ReLU), Dense(3, Softmax))
	if err := m.Compile(CompileConfig{Loss: "sparse_categorical_crossentropy", Optimizer: &SGD{}}); err != nil {
		t.Fatal(err)
	}
	fused := 0
	for _, u := range m.units {
		if d, ok := u.(*dense); ok && d.reluIn {
			if !d.ins[0].gradIsZ {
				t.Errorf("%s fuses its input's ReLU, which still applies it", d.name)
			}
			fused++
		}
	}
	if fused != 2 {
		t.Errorf("%d Dense layers fuse their input's ReLU, want 2", fused)
	}
}
