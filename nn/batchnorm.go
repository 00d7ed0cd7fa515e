package nn

import "math"

// BatchNormalization returns a layer that normalises each feature of a flat
// input, as Keras' BatchNormalization: in training with the mean and
// (biased) variance of the batch, at inference with moving averages of
// them, then scales by gamma and shifts by beta:
//
//	y = gamma·(x − mean)/√(variance + epsilon) + beta
//
// gamma (ones) and beta (zeros) are trained; the moving mean (zeros) and
// variance (ones) are non-trainable weights updated in every training step
// as moving = moving·momentum + batch·(1 − momentum). Options:
// BatchNormMomentum (default 0.99), BatchNormEpsilon (default 0.001), Name.
func BatchNormalization(opts ...LayerOption) Layer {
	return &batchNormLayer{o: newOptions(opts)}
}

type batchNormLayer struct{ o layerOptions }

func (l *batchNormLayer) Apply(in ...*Node) *Node { return apply(l, in) }
func (l *batchNormLayer) opts() *layerOptions     { return &l.o }
func (*batchNormLayer) typeName() string          { return "BatchNormalization" }
func (*batchNormLayer) arity() (int, int)         { return 1, 1 }
func (*batchNormLayer) hasWeights() bool          { return true }

func (*batchNormLayer) paramCounts(in [][]int) (int, int) {
	f := shapeSize(in[0])
	return 2 * f, 2 * f
}

func (l *batchNormLayer) momentum() float64 {
	if !l.o.has("BatchNormMomentum") {
		return 0.99
	}
	return l.o.momentum
}

func (l *batchNormLayer) epsilon() float64 {
	if !l.o.has("BatchNormEpsilon") {
		return 1e-3
	}
	return l.o.epsilon
}

func (l *batchNormLayer) encode(j *layerJSON) {
	m, e := l.momentum(), l.epsilon()
	j.Momentum, j.Epsilon = &m, &e
}

func (l *batchNormLayer) outputShape(in [][]int) ([]int, error) {
	if m := l.momentum(); !(m >= 0 && m < 1) {
		return nil, specErr(ErrInvalidModel, "BatchNormalization momentum is %v, want a value in [0, 1)", m)
	}
	if e := l.epsilon(); !(e > 0) || math.IsInf(e, 0) {
		return nil, specErr(ErrInvalidModel, "BatchNormalization epsilon is %v, want a positive finite value", e)
	}
	if err := needFlat(in[0]); err != nil {
		return nil, err
	}
	if in[0][0] > maxParams/4 {
		return nil, specErr(ErrInvalidModel, "%d features is too many parameters", in[0][0])
	}
	return append([]int(nil), in[0]...), nil
}

func (l *batchNormLayer) build(c *buildContext) (unit, error) {
	u := &batchNorm{unitBase: c.newBase(), momentum: l.momentum(), epsilon: l.epsilon()}
	f := u.size
	u.gamma = u.addTensor("gamma", []int{f}, true)
	u.beta = u.addTensor("beta", []int{f}, true)
	u.movingMean = u.addTensor("moving_mean", []int{f}, false)
	u.movingVar = u.addTensor("moving_variance", []int{f}, false)
	u.initWeights()
	u.mean, u.invStd = make([]float64, f), make([]float64, f)
	u.scale, u.shift = make([]float32, f), make([]float32, f)
	u.sum1, u.sum2 = make([]float64, f), make([]float64, f)
	return u, nil
}

// batchNorm is a compiled BatchNormalization layer.
type batchNorm struct {
	unitBase
	momentum, epsilon float64

	gamma, beta, movingMean, movingVar *tensor

	xhat         []float32 // normalised input of the last training pass
	y            []float32
	mean, invStd []float64 // batch statistics of the last training pass
	scale, shift []float32 // per-feature affine map of a forward pass
	sum1, sum2   []float64 // per-feature accumulators
}

func (u *batchNorm) initWeights() {
	Ones.fill(u.gamma.w, 0, 0, nil)
	Zeros.fill(u.beta.w, 0, 0, nil)
	Zeros.fill(u.movingMean.w, 0, 0, nil)
	Ones.fill(u.movingVar.w, 0, 0, nil)
}

func (u *batchNorm) reserve(rows int) {
	u.xhat = make([]float32, rows*u.size)
	u.y = make([]float32, rows*u.size)
}

func (u *batchNorm) forward(n int, training bool) {
	f := u.size
	x := u.ins[0].out[:n*f]
	y := u.y[:n*f]
	u.out = y
	if !training {
		for j := range f {
			inv := 1 / math.Sqrt(float64(u.movingVar.w[j])+u.epsilon)
			u.scale[j] = float32(float64(u.gamma.w[j]) * inv)
			u.shift[j] = float32(float64(u.beta.w[j]) - float64(u.movingMean.w[j])*float64(u.gamma.w[j])*inv)
		}
		for r := range n {
			xr, yr := x[r*f:(r+1)*f], y[r*f:(r+1)*f]
			for j, v := range xr {
				yr[j] = v*u.scale[j] + u.shift[j]
			}
		}
		return
	}
	clear(u.sum1)
	for r := range n {
		for j, v := range x[r*f : (r+1)*f] {
			u.sum1[j] += float64(v)
		}
	}
	inv := 1 / float64(n)
	for j := range f {
		u.mean[j] = u.sum1[j] * inv
	}
	clear(u.sum2)
	for r := range n {
		for j, v := range x[r*f : (r+1)*f] {
			d := float64(v) - u.mean[j]
			u.sum2[j] += d * d
		}
	}
	mom := u.momentum
	for j := range f {
		variance := u.sum2[j] * inv
		u.invStd[j] = 1 / math.Sqrt(variance+u.epsilon)
		u.movingMean.w[j] = float32(float64(u.movingMean.w[j])*mom + u.mean[j]*(1-mom))
		u.movingVar.w[j] = float32(float64(u.movingVar.w[j])*mom + variance*(1-mom))
	}
	xhat := u.xhat[:n*f]
	for r := range n {
		xr, hr, yr := x[r*f:(r+1)*f], xhat[r*f:(r+1)*f], y[r*f:(r+1)*f]
		for j, v := range xr {
			h := float32((float64(v) - u.mean[j]) * u.invStd[j])
			hr[j] = h
			yr[j] = u.gamma.w[j]*h + u.beta.w[j]
		}
	}
}

// backward is the gradient of the training forward pass:
//
//	dgamma = Σ g·x̂,  dbeta = Σ g,
//	dx = gamma/(n·σ) · (n·g − dbeta − x̂·dgamma)
func (u *batchNorm) backward(n int) {
	f := u.size
	g, xhat := u.g[:n*f], u.xhat[:n*f]
	clear(u.sum1) // Σ g
	clear(u.sum2) // Σ g·x̂
	for r := range n {
		gr, hr := g[r*f:(r+1)*f], xhat[r*f:(r+1)*f]
		for j, v := range gr {
			u.sum1[j] += float64(v)
			u.sum2[j] += float64(v) * float64(hr[j])
		}
	}
	for j := range f {
		u.beta.g[j] = float32(u.sum1[j])
		u.gamma.g[j] = float32(u.sum2[j])
	}
	in := u.ins[0]
	if !in.wantsGrad {
		return
	}
	dx := in.g[:n*f]
	fn := float64(n)
	for r := range n {
		gr, hr, dr := g[r*f:(r+1)*f], xhat[r*f:(r+1)*f], dx[r*f:(r+1)*f]
		for j, v := range gr {
			k := float64(u.gamma.w[j]) * u.invStd[j] / fn
			d := float32(k * (fn*float64(v) - u.sum1[j] - float64(hr[j])*u.sum2[j]))
			if u.accum[0] {
				dr[j] += d
			} else {
				dr[j] = d
			}
		}
	}
}
