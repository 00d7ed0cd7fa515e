package nn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// saveLoad round-trips m through the model file.
func saveLoad(t testing.TB, m *Model) *Model {
	t.Helper()
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	l, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// richModel has every layer type with state: Normalization, Dropout,
// BatchNormalization, an Activation layer, custom initialisers.
func richModel(t testing.TB, opt Optimizer) (*Model, *Matrix, *Matrix) {
	x, y := housingLike(5, 120)
	norm := Normalization(Name("norm"))
	if err := norm.Adapt(x); err != nil {
		t.Fatal(err)
	}
	m := NewSequential(Input(8), norm, Dense(16, Linear, KernelInitializer(HeNormal), BiasInitializer(Ones)),
		ActivationLayer(ELU), BatchNormalization(BatchNormMomentum(0.9)), Dropout(0.25), Dense(1, Linear))
	mustCompile(t, m, CompileConfig{Loss: "huber", HuberDelta: 0.5, Optimizer: opt, Metrics: []string{"mae", "rmse"}, Seed: 3})
	return m, x, y
}

var allOptimizers = map[string]Optimizer{
	"sgd":      &SGD{LearningRate: 0.02, Momentum: 0.9, Nesterov: true, ClipNorm: 1},
	"adam":     &Adam{LearningRate: 0.01, GlobalClipNorm: 5},
	"adamw":    &AdamW{LearningRate: 0.01, WeightDecay: 0.01},
	"rmsprop":  &RMSprop{LearningRate: 0.005, Momentum: 0.5, ClipValue: 1},
	"adagrad":  &Adagrad{LearningRate: 0.05},
	"sgd-flat": &SGD{},
}

// Training 2 epochs, saving, loading and training 2 more is bit-identical
// to training 4 epochs: weights, statistics, optimizer moments, step count
// and (changed by a schedule) learning rate are all restored.
func TestSaveLoadContinuesTraining(t *testing.T) {
	for name, opt := range allOptimizers {
		t.Run(name, func(t *testing.T) {
			cfg := func(from, to int) FitConfig {
				return FitConfig{Epochs: to, InitialEpoch: from, BatchSize: 16, Seed: 9, ValidationSplit: 0.2,
					Callbacks: []Callback{&LearningRateScheduler{Schedule: func(_ int, lr float64) float64 { return lr * 0.7 }}}}
			}
			one, x, y := richModel(t, opt)
			h, err := one.Fit(t.Context(), x, y, cfg(0, 4))
			if err != nil {
				t.Fatal(err)
			}
			two, _, _ := richModel(t, opt)
			h1, err := two.Fit(t.Context(), x, y, cfg(0, 2))
			if err != nil {
				t.Fatal(err)
			}
			loaded := saveLoad(t, two)
			if loaded.LearningRate() != two.LearningRate() || loaded.Iterations() != two.Iterations() || loaded.LearningRate() == two.opt.base().lr0 {
				t.Errorf("optimizer state: lr %v iterations %d, saved %v %d", loaded.LearningRate(), loaded.Iterations(), two.LearningRate(), two.Iterations())
			}
			h2, err := loaded.Fit(t.Context(), x, y, cfg(2, 4))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range h.Metrics {
				if got := append(append([]float64(nil), h1.Metrics[k]...), h2.Metrics[k]...); !reflect.DeepEqual(got, v) {
					t.Errorf("%s: resumed %v, one run %v", k, got, v)
				}
			}
			w1, _ := one.MarshalBinary()
			w2, _ := loaded.MarshalBinary()
			if !bytes.Equal(w1, w2) {
				t.Error("the model files of a resumed run and an uninterrupted one differ")
			}
		})
	}
}

// A loaded model predicts bit-identically and describes itself the same
// way; so does a functional model with two inputs and outputs.
func TestSaveLoadRoundTrip(t *testing.T) {
	seq, x, y := richModel(t, &Adam{})
	if _, err := seq.Fit(t.Context(), x, y, FitConfig{Epochs: 1, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	graph, data := wideDeep(t, 2)
	if _, err := graph.FitMulti(t.Context(), data[:2], []*Matrix{data[2], data[2]}, FitConfig{Epochs: 1}); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		m *Model
		x []*Matrix
	}{"sequential": {seq, []*Matrix{x}}, "functional": {graph, data[:2]}} {
		t.Run(name, func(t *testing.T) {
			l := saveLoad(t, tc.m)
			p1, _ := tc.m.PredictMulti(tc.x)
			p2, err := l.PredictMulti(tc.x)
			if err != nil || !reflect.DeepEqual(p1, p2) {
				t.Errorf("predictions differ (err %v)", err)
			}
			if tc.m.Summary() != l.Summary() {
				t.Errorf("summaries differ:\n%s\n%s", tc.m.Summary(), l.Summary())
			}
			if !reflect.DeepEqual(tc.m.MetricsNames(), l.MetricsNames()) || !reflect.DeepEqual(tc.m.InputNames(), l.InputNames()) ||
				!reflect.DeepEqual(tc.m.OutputNames(), l.OutputNames()) {
				t.Error("names differ")
			}
			b1, _ := tc.m.MarshalBinary()
			b2, _ := l.MarshalBinary()
			if !bytes.Equal(b1, b2) {
				t.Error("re-saved file differs")
			}
			// A loaded Sequential model can grow; its Normalization layer
			// kept its statistics, so it compiles.
			if name == "sequential" {
				l.Add(Dense(1, Linear))
				if err := l.Compile(CompileConfig{Loss: "mse"}); err != nil {
					t.Errorf("recompiling a loaded model: %v", err)
				}
			}
		})
	}
}

func TestSaveFile(t *testing.T) {
	m, x, _ := richModel(t, &RMSprop{})
	path := filepath.Join(t.TempDir(), "model.tnn")
	if err := m.SaveFile(path); err != nil {
		t.Fatal(err)
	}
	l, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p1, _ := m.Predict(x)
	p2, _ := l.Predict(x)
	if !reflect.DeepEqual(p1, p2) {
		t.Error("predictions differ")
	}
	if _, err := LoadFile(path + ".missing"); err == nil || errors.Is(err, ErrModelFormat) {
		t.Errorf("missing file: %v", err)
	}
	if err := NewSequential(Input(1), Dense(1, "")).SaveFile(path); !errors.Is(err, ErrNotCompiled) {
		t.Errorf("uncompiled: %v", err)
	}
}

// Every damaged or hostile file is an ErrModelFormat error, without a
// panic or a large allocation.
func TestLoadRejects(t *testing.T) {
	m, _, _ := richModel(t, &Adam{})
	good, _ := m.MarshalBinary()
	check := func(name string, b []byte) {
		t.Helper()
		var err error
		if n := allocBytes(func() { _, err = UnmarshalModel(b) }); n > 1<<20 {
			t.Errorf("%s: %d bytes allocated", name, n)
		}
		if !errors.Is(err, ErrModelFormat) || !strings.HasPrefix(err.Error(), "nn: ") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	for n := 0; n < len(good); n += 1 + n/8 {
		check("truncated", good[:n])
	}
	for i := 0; i < len(good); i += 1 + i/16 {
		b := append([]byte(nil), good...)
		b[i] ^= 0x04
		check("bit flip", b)
	}
	archLen := int(binary.LittleEndian.Uint64(good[12:]))
	arch := string(good[20 : 20+archLen])
	// withArch replaces the architecture JSON and reseals the file.
	withArch := func(js string) []byte {
		b := append([]byte(nil), good[:12]...)
		b = binary.LittleEndian.AppendUint64(b, uint64(len(js)))
		b = append(b, js...)
		b = append(b, good[20+archLen:]...)
		return reseal(b)
	}
	if _, err := UnmarshalModel(withArch(arch)); err != nil {
		t.Fatalf("withArch is broken: %v", err)
	}
	edit := func(off int, v uint64, size int) []byte {
		b := append([]byte(nil), good...)
		if size == 8 {
			binary.LittleEndian.PutUint64(b[off:], v)
		} else {
			binary.LittleEndian.PutUint32(b[off:], uint32(v))
		}
		return reseal(b)
	}
	check("version 3", edit(4, 3, 4))
	check("version 0", edit(4, 0, 4))
	check("huge section length", edit(12, 1<<62, 8))
	check("huge weight count", edit(20+archLen+12, 0xffffffff, 4))
	check("huge name length", edit(20+archLen+16, 0xfffffff0, 4))
	for name, js := range map[string]string{
		"huge units":         strings.Replace(arch, `"units":16`, `"units":1000000000`, 1),
		"units fit the file": strings.Replace(arch, `"units":16`, `"units":17`, 1),
		"huge input":         strings.Replace(arch, `"shape":[8]`, `"shape":[1073741824,1073741824]`, 1),
		"negative input":     strings.Replace(arch, `"shape":[8]`, `"shape":[-8]`, 1),
		"unknown field":      strings.Replace(arch, `"units":16`, `"units":16,"filters":3`, 1),
		"field of another":   strings.Replace(arch, `"units":16`, `"units":16,"rate":0.5`, 1),
		"unknown type":       strings.Replace(arch, `"Dropout"`, `"Conv2D"`, 1),
		"unknown optimizer":  strings.Replace(arch, `"type":"Adam"`, `"type":"Lion"`, 1),
		"unknown loss":       strings.Replace(arch, `"huber"`, `"hinge"`, 1),
		"bad activation":     strings.Replace(arch, `"elu"`, `"gelu"`, 1),
		"cycle":              strings.Replace(arch, `"inputs":["input_layer"]`, `"inputs":["dense_1"]`, 1),
		"not a chain":        strings.Replace(arch, `"inputs":["dense"]`, `"inputs":["norm"]`, 1),
		"trailing data":      arch + "{}",
		"not json":           "\x00",
		"empty":              "",
		"no layers":          `{"name":"model","layers":[]}`,
		"wrong name":         strings.Replace(arch, `"name":"sequential"`, `"name":"x"`, 1),
	} {
		if js == arch {
			t.Fatalf("%s: the replacement did not apply", name)
		}
		check(name, withArch(js))
	}
	if _, err := UnmarshalModel(good); err != nil {
		t.Fatal(err)
	}
}

func FuzzLoad(f *testing.F) {
	m, _, _ := richModel(f, &Adam{})
	good, _ := m.MarshalBinary()
	small := mustCompile(f, NewSequential(Input(2), Dense(2, Softmax)), CompileConfig{Loss: "categorical_crossentropy", Optimizer: &SGD{}})
	tiny, _ := small.MarshalBinary()
	f.Add(good)
	f.Add(tiny)
	f.Add(good[:60])
	f.Add([]byte{})
	f.Add([]byte("TNNM\x01\x00\x00\x00ARCH\xff\xff\xff\xff\xff\xff\xff\x7f"))
	f.Fuzz(func(t *testing.T, b []byte) {
		inputs := [][]byte{b}
		if len(b) >= 4 {
			inputs = append(inputs, reseal(b)) // reach the parser behind the checksum
		}
		for _, in := range inputs {
			l, err := UnmarshalModel(in)
			if err != nil {
				if !errors.Is(err, ErrModelFormat) {
					t.Fatalf("unexpected error class: %v", err)
				}
				continue
			}
			// An accepted file describes a usable model that saves back to
			// a file it accepts again.
			again, err := l.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := UnmarshalModel(again); err != nil {
				t.Fatalf("re-saved model does not load: %v", err)
			}
		}
	})
}
