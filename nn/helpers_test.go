package nn

import (
	"math"
	"testing"
)

// blobs returns n points in 2-D drawn from k well-separated gaussian blobs
// (centres on a circle of radius 3, σ 0.5), with sparse class labels.
func blobs(seed int64, n, k int) (*Matrix, *Matrix) {
	r := newRNG(seed, 1000)
	x, y := NewMatrix(n, 2), NewMatrix(n, 1)
	for i := range n {
		c := r.intn(k)
		angle := 2 * math.Pi * float64(c) / float64(k)
		x.Set(i, 0, float32(3*math.Cos(angle)+0.5*gauss(&r)))
		x.Set(i, 1, float32(3*math.Sin(angle)+0.5*gauss(&r)))
		y.Set(i, 0, float32(c))
	}
	return x, y
}

// xor returns n points of the XOR problem in [-1,1]² with a margin around
// the axes: label 1 when the coordinates have the same sign.
func xor(seed int64, n int) (*Matrix, *Matrix) {
	r := newRNG(seed, 2000)
	x, y := NewMatrix(n, 2), NewMatrix(n, 1)
	for i := 0; i < n; {
		a, b := 2*r.float64()-1, 2*r.float64()-1
		if math.Abs(a) < 0.1 || math.Abs(b) < 0.1 {
			continue
		}
		x.Set(i, 0, float32(a))
		x.Set(i, 1, float32(b))
		if a*b > 0 {
			y.Set(i, 0, 1)
		}
		i++
	}
	return x, y
}

func gauss(r *rng) float64 { // Box–Muller
	u1, u2 := r.float64(), r.float64()
	return math.Sqrt(-2*math.Log(1-u1)) * math.Cos(2*math.Pi*u2)
}

func mustCompile(t testing.TB, m *Model, cfg CompileConfig) *Model {
	t.Helper()
	if err := m.Compile(cfg); err != nil {
		t.Fatal(err)
	}
	return m
}

// blobModel is a small classifier for blobs(…, 3).
func blobModel(t testing.TB, seed int64) *Model {
	return mustCompile(t, NewSequential(Input(2), Dense(16, ReLU), Dense(3, Softmax)), CompileConfig{
		Loss: "sparse_categorical_crossentropy", Optimizer: &Adam{LearningRate: 0.01},
		Metrics: []string{"accuracy"}, Seed: seed,
	})
}

// recorder is a callback that logs the events it sees.
type recorder struct {
	BaseCallback
	events  []string
	batches map[int]int // epoch → batches run
	epoch   int
	onBatch func(m *Model, epoch, batch int)
}

func (r *recorder) OnTrainBegin(*Model) error {
	r.events = append(r.events, "train_begin")
	r.batches = map[int]int{}
	return nil
}
func (r *recorder) OnEpochBegin(_ *Model, e int) error {
	r.epoch = e
	r.events = append(r.events, "epoch_begin")
	return nil
}
func (r *recorder) OnBatchEnd(m *Model, b int, _ Logs) error {
	r.batches[r.epoch]++
	if r.onBatch != nil {
		r.onBatch(m, r.epoch, b)
	}
	return nil
}
func (r *recorder) OnEpochEnd(*Model, int, Logs) error {
	r.events = append(r.events, "epoch_end")
	return nil
}
func (r *recorder) OnTrainEnd(*Model, Logs) error {
	r.events = append(r.events, "train_end")
	return nil
}

// housingLike returns n rows of a synthetic regression with 8 features on
// different scales and a target that depends on them non-linearly.
func housingLike(seed int64, n int) (*Matrix, *Matrix) {
	r := newRNG(seed, 3000)
	x, y := NewMatrix(n, 8), NewMatrix(n, 1)
	for i := range n {
		row := x.Row(i)
		for j := range row {
			row[j] = float32(float64(j+1) * (gauss(&r) + float64(j)))
		}
		a, b := (float64(row[0])-1)/1, (float64(row[3])-12)/4
		y.Set(i, 0, float32(math.Tanh(a)+0.5*b*b/4+0.1*gauss(&r)))
	}
	return x, y
}

// wideDeep builds the seed chapter's Wide & Deep model with an auxiliary
// output: features 0–4 go through the wide path, 2–7 through the deep
// one. It returns the model and its adapted inputs' data.
func wideDeep(t testing.TB, seed int64) (*Model, [3]*Matrix) {
	t.Helper()
	x, y := housingLike(seed, 200)
	xw, xd := NewMatrix(x.Rows, 5), NewMatrix(x.Rows, 6)
	for i := range x.Rows {
		copy(xw.Row(i), x.Row(i)[:5])
		copy(xd.Row(i), x.Row(i)[2:])
	}
	normWide, normDeep := Normalization(), Normalization()
	if err := normWide.Adapt(xw); err != nil {
		t.Fatal(err)
	}
	if err := normDeep.Adapt(xd); err != nil {
		t.Fatal(err)
	}
	wide, deep := NewInput("wide_input", 5), NewInput("deep_input", 6)
	h1 := Dense(30, ReLU).Apply(normDeep.Apply(deep))
	h2 := Dense(30, ReLU).Apply(h1)
	concat := Concatenate().Apply(normWide.Apply(wide), h2)
	out := Dense(1, Linear, Name("output")).Apply(concat)
	aux := Dense(1, Linear, Name("aux_output")).Apply(h2)
	m, err := NewModel([]*Node{wide, deep}, []*Node{out, aux})
	if err != nil {
		t.Fatal(err)
	}
	mustCompile(t, m, CompileConfig{Losses: []string{"mse", "mse"}, LossWeights: []float64{0.9, 0.1},
		Optimizer: &Adam{LearningRate: 1e-3}, Metrics: []string{"RootMeanSquaredError"}, Seed: seed})
	return m, [3]*Matrix{xw, xd, y}
}

// denses returns the model's compiled Dense layers, in order.
func denses(m *Model) []*dense {
	var ds []*dense
	for _, u := range m.units {
		if d, ok := u.(*dense); ok {
			ds = append(ds, d)
		}
	}
	return ds
}
