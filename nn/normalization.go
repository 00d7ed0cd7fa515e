package nn

import (
	"fmt"
	"math"
)

// Normalization returns a layer that standardises its input with a mean
// and variance learned from data by Adapt, not by training, like Keras'
// Normalization layer:
//
//	y = (x − mean) / max(√variance, 1e-7)
//
// There is one mean and variance per input feature (per column of the
// data, that is per element of a sample). Call Adapt, or SetStatistics,
// before compiling a model that uses the layer: Compile copies the
// statistics into the model (they are saved with it as non-trainable
// weights) and reports an ErrInvalidModel error for a layer never adapted.
//
//	norm := nn.Normalization()
//	if err := norm.Adapt(xTrain); err != nil { ... }
//	m := nn.NewSequential(nn.Input(8), norm, nn.Dense(50, nn.ReLU), nn.Dense(1, nn.Linear))
func Normalization(opts ...LayerOption) *NormalizationLayer {
	return &NormalizationLayer{o: newOptions(opts)}
}

// NormalizationLayer is the Layer made by Normalization. Adapt and
// SetStatistics change it, and so must not run while a model using the
// layer is being compiled.
type NormalizationLayer struct {
	o              layerOptions
	mean, variance []float32
	count          float32
}

// Adapt sets the layer's statistics to the mean and (population) variance
// of every column of x, computed in float64. Rows with NaN or infinite
// values are an error.
func (l *NormalizationLayer) Adapt(x *Matrix) error {
	if err := x.check("x"); err != nil {
		return err
	}
	f := x.Cols
	sum, sq := make([]float64, f), make([]float64, f)
	for r := range x.Rows {
		for j, v := range x.Row(r) {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("%w: Normalization.Adapt: x row %d column %d is %v", ErrInvalidConfig, r, j, v)
			}
			sum[j] += float64(v)
		}
	}
	n := float64(x.Rows)
	mean, variance := make([]float32, f), make([]float32, f)
	for j := range f {
		sum[j] /= n
		mean[j] = float32(sum[j])
	}
	for r := range x.Rows {
		for j, v := range x.Row(r) {
			d := float64(v) - sum[j]
			sq[j] += d * d
		}
	}
	for j := range f {
		variance[j] = float32(sq[j] / n)
	}
	l.mean, l.variance, l.count = mean, variance, float32(x.Rows)
	return nil
}

// SetStatistics sets the layer's mean and variance directly, like Keras'
// Normalization(mean=..., variance=...). Both need one value per feature;
// variances must be non-negative and everything finite.
func (l *NormalizationLayer) SetStatistics(mean, variance []float32) error {
	if len(mean) == 0 || len(mean) != len(variance) {
		return fmt.Errorf("%w: Normalization.SetStatistics: %d means and %d variances", ErrInvalidConfig, len(mean), len(variance))
	}
	for j := range mean {
		m, v := float64(mean[j]), float64(variance[j])
		if math.IsNaN(m) || math.IsInf(m, 0) || !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: Normalization.SetStatistics: feature %d has mean %v and variance %v", ErrInvalidConfig, j, m, v)
		}
	}
	l.mean, l.variance, l.count = append([]float32(nil), mean...), append([]float32(nil), variance...), 0
	return nil
}

// Mean returns a copy of the adapted means (nil before Adapt).
func (l *NormalizationLayer) Mean() []float32 { return append([]float32(nil), l.mean...) }

// Variance returns a copy of the adapted variances (nil before Adapt).
func (l *NormalizationLayer) Variance() []float32 { return append([]float32(nil), l.variance...) }

// Apply connects the layer to its input for a functional model.
func (l *NormalizationLayer) Apply(in ...*Node) *Node { return apply(l, in) }

func (l *NormalizationLayer) opts() *layerOptions { return &l.o }
func (*NormalizationLayer) typeName() string      { return "Normalization" }
func (*NormalizationLayer) arity() (int, int)     { return 1, 1 }
func (*NormalizationLayer) hasWeights() bool      { return false }
func (*NormalizationLayer) encode(*layerJSON)     {}

func (*NormalizationLayer) paramCounts(in [][]int) (int, int) {
	return 0, 2*shapeSize(in[0]) + 1
}

func (*NormalizationLayer) outputShape(in [][]int) ([]int, error) {
	if shapeSize(in[0]) > maxParams/2-1 {
		return nil, specErr(ErrInvalidModel, "input shape %s is too large", shapeString(in[0]))
	}
	return append([]int(nil), in[0]...), nil
}

func (l *NormalizationLayer) build(c *buildContext) (unit, error) {
	f := c.base.size
	if l.mean == nil {
		return nil, specErr(ErrInvalidModel, "Normalization was not adapted; call Adapt(x) (or SetStatistics) before Compile")
	}
	if len(l.mean) != f {
		return nil, specErr(ErrInvalidModel, "Normalization was adapted to %d features but its input has %d", len(l.mean), f)
	}
	u := &normalization{unitBase: c.newBase()}
	u.mean = u.addTensor("mean", []int{f}, false)
	u.variance = u.addTensor("variance", []int{f}, false)
	u.count = u.addTensor("count", []int{}, false)
	copy(u.mean.w, l.mean)
	copy(u.variance.w, l.variance)
	u.count.w[0] = l.count
	u.std = make([]float32, f)
	return u, nil
}

// normalization is a compiled Normalization layer.
type normalization struct {
	unitBase
	mean, variance, count *tensor
	std                   []float32 // max(√variance, ε) of the last forward pass
	y                     []float32
}

func (u *normalization) reserve(rows int) { u.y = make([]float32, rows*u.size) }

func (u *normalization) forward(n int, _ bool) {
	f := u.size
	for j, v := range u.variance.w {
		u.std[j] = max(float32(math.Sqrt(float64(v))), probEpsilon)
	}
	x, y := u.ins[0].out[:n*f], u.y[:n*f]
	for r := range n {
		xr, yr := x[r*f:(r+1)*f], y[r*f:(r+1)*f]
		for j, v := range xr {
			yr[j] = (v - u.mean.w[j]) / u.std[j]
		}
	}
	u.out = y
}

func (u *normalization) backward(n int) {
	f := u.size
	g := u.g[:n*f]
	dst := u.ins[0].g[:n*f]
	for r := range n {
		gr, dr := g[r*f:(r+1)*f], dst[r*f:(r+1)*f]
		for j, v := range gr {
			if u.accum[0] {
				dr[j] += v / u.std[j]
			} else {
				dr[j] = v / u.std[j]
			}
		}
	}
}
