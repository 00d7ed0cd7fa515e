package nn

import (
	"fmt"
	"math"
)

// Optimizer configures how Fit updates weights from their gradients. Use
// &SGD{...}, &Adam{...}, &AdamW{...}, &RMSprop{...} or &Adagrad{...}. An
// Optimizer value holds settings only: Compile gives each model its own
// state (moments, step count, current learning rate), so one value can
// configure many models, even concurrently. The state is saved with the
// model (Save) and restored by Load.
//
// Every optimizer takes Keras' gradient clipping settings, applied to the
// gradients of a batch before the update: ClipValue clips each element to
// [−ClipValue, ClipValue], ClipNorm rescales each tensor's gradient to at
// most that L2 norm, GlobalClipNorm rescales all gradients together to at
// most that global norm. Zero disables each.
type Optimizer interface {
	// newUpdater validates the settings and returns state for params.
	newUpdater(params []param) (updater, error)
}

// param is one trainable tensor and its gradient, both flat.
type param struct{ w, g []float32 }

// updater applies one optimisation step to the params it was made for.
type updater interface {
	step()
	base() *optBase
	// config returns the resolved settings, for Save.
	config() optimizerJSON
}

// optBase is the state every optimizer shares.
type optBase struct {
	params     []param
	lr0        float64 // the configured learning rate
	lr         float64 // the current one (callbacks may change it)
	iterations int64
	clipValue  float64
	clipNorm   float64
	globalClip float64
	// slots are the state tensors (moments), in the order Save writes them,
	// with the suffix naming each kind ("momentum", "m", "v", ...).
	slots     [][]float32
	slotNames []string
}

func (b *optBase) base() *optBase { return b }

// clipping holds the clipping settings shared by every optimizer.
type clipping struct{ value, norm, global float64 }

func newOptBase(name string, params []param, lr float64, c clipping) (optBase, error) {
	b := optBase{params: params, lr0: lr, lr: lr, clipValue: c.value, clipNorm: c.norm, globalClip: c.global}
	if err := checkPositive(name, "LearningRate", lr); err != nil {
		return b, err
	}
	for _, f := range []struct {
		field string
		v     float64
	}{{"ClipValue", c.value}, {"ClipNorm", c.norm}, {"GlobalClipNorm", c.global}} {
		if !(f.v >= 0) || math.IsInf(f.v, 0) {
			return b, fmt.Errorf("%w: %s.%s is %v, want 0 (off) or a positive finite value", ErrInvalidConfig, name, f.field, f.v)
		}
	}
	return b, nil
}

// addSlots adds one zeroed state tensor per param, named kind.
func (b *optBase) addSlots(kind string, fill float32) [][]float32 {
	s := make([][]float32, len(b.params))
	for i, p := range b.params {
		s[i] = make([]float32, len(p.w))
		if fill != 0 {
			for j := range s[i] {
				s[i][j] = fill
			}
		}
		b.slots = append(b.slots, s[i])
		b.slotNames = append(b.slotNames, kind)
	}
	return s
}

// begin counts the step and clips the gradients.
func (b *optBase) begin() {
	b.iterations++
	if b.clipValue > 0 {
		c := float32(b.clipValue)
		for _, p := range b.params {
			for i, v := range p.g[:len(p.w)] {
				p.g[i] = min(max(v, -c), c)
			}
		}
	}
	if b.clipNorm > 0 {
		for _, p := range b.params {
			g := p.g[:len(p.w)]
			if n := math.Sqrt(sumSquares(g)); n > b.clipNorm {
				scaleBy(g, float32(b.clipNorm/n))
			}
		}
	}
	if b.globalClip > 0 {
		var s float64
		for _, p := range b.params {
			s += sumSquares(p.g[:len(p.w)])
		}
		if n := math.Sqrt(s); n > b.globalClip {
			f := float32(b.globalClip / n)
			for _, p := range b.params {
				scaleBy(p.g[:len(p.w)], f)
			}
		}
	}
}

func sumSquares(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return s
}

func scaleBy(x []float32, f float32) {
	for i := range x {
		x[i] *= f
	}
}

func (b *optBase) clipConfig(j *optimizerJSON) {
	j.LearningRate = b.lr0
	j.ClipValue, j.ClipNorm, j.GlobalClipNorm = b.clipValue, b.clipNorm, b.globalClip
}

// optimizerJSON is an optimizer's resolved settings as Save writes them.
type optimizerJSON struct {
	Type                    string  `json:"type"`
	LearningRate            float64 `json:"learning_rate"`
	Momentum                float64 `json:"momentum,omitempty"`
	Nesterov                bool    `json:"nesterov,omitempty"`
	Beta1                   float64 `json:"beta_1,omitempty"`
	Beta2                   float64 `json:"beta_2,omitempty"`
	Epsilon                 float64 `json:"epsilon,omitempty"`
	Rho                     float64 `json:"rho,omitempty"`
	WeightDecay             float64 `json:"weight_decay,omitempty"`
	InitialAccumulatorValue float64 `json:"initial_accumulator_value,omitempty"`
	ClipValue               float64 `json:"clipvalue,omitempty"`
	ClipNorm                float64 `json:"clipnorm,omitempty"`
	GlobalClipNorm          float64 `json:"global_clipnorm,omitempty"`
}

// optimizer returns the Optimizer the settings describe.
func (j optimizerJSON) optimizer() (Optimizer, error) {
	switch j.Type {
	case "SGD":
		return &SGD{LearningRate: j.LearningRate, Momentum: j.Momentum, Nesterov: j.Nesterov,
			ClipValue: j.ClipValue, ClipNorm: j.ClipNorm, GlobalClipNorm: j.GlobalClipNorm}, nil
	case "Adam":
		return &Adam{LearningRate: j.LearningRate, Beta1: j.Beta1, Beta2: j.Beta2, Epsilon: j.Epsilon,
			ClipValue: j.ClipValue, ClipNorm: j.ClipNorm, GlobalClipNorm: j.GlobalClipNorm}, nil
	case "AdamW":
		return &AdamW{LearningRate: j.LearningRate, WeightDecay: j.WeightDecay, Beta1: j.Beta1, Beta2: j.Beta2, Epsilon: j.Epsilon,
			ClipValue: j.ClipValue, ClipNorm: j.ClipNorm, GlobalClipNorm: j.GlobalClipNorm}, nil
	case "RMSprop":
		return &RMSprop{LearningRate: j.LearningRate, Rho: j.Rho, Momentum: j.Momentum, Epsilon: j.Epsilon,
			ClipValue: j.ClipValue, ClipNorm: j.ClipNorm, GlobalClipNorm: j.GlobalClipNorm}, nil
	case "Adagrad":
		return &Adagrad{LearningRate: j.LearningRate, InitialAccumulatorValue: j.InitialAccumulatorValue, Epsilon: j.Epsilon,
			ClipValue: j.ClipValue, ClipNorm: j.ClipNorm, GlobalClipNorm: j.GlobalClipNorm}, nil
	}
	return nil, fmt.Errorf("unknown optimizer %q", j.Type)
}

func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

func checkRange(opt, field string, v, lo, hi float64, hiOpen bool) error {
	if !(v >= lo && (v < hi || !hiOpen && v == hi)) {
		closing := "]"
		if hiOpen {
			closing = ")"
		}
		return fmt.Errorf("%w: %s.%s is %v, want a value in [%v, %v%s", ErrInvalidConfig, opt, field, v, lo, hi, closing)
	}
	return nil
}

func checkPositive(opt, field string, v float64) error {
	if !(v > 0) || math.IsInf(v, 0) {
		return fmt.Errorf("%w: %s.%s is %v, want a positive finite value", ErrInvalidConfig, opt, field, v)
	}
	return nil
}
