package nn

import (
	"fmt"
	"math"
)

// Initializer names how a weight tensor is initialised, spelled as in Keras.
// Every draw comes from the model's seed (CompileConfig.Seed) and the
// layer's position, so the same seed gives bit-identical weights.
type Initializer string

// Initializers. Fan-in is the number of inputs of a Dense layer, fan-out its
// units. The variance-scaling normals are truncated at two standard
// deviations, as in Keras.
const (
	GlorotUniform Initializer = "glorot_uniform" // U(−l, l), l = √(6/(fan_in+fan_out)); Dense's default
	GlorotNormal  Initializer = "glorot_normal"  // truncated normal, σ = √(2/(fan_in+fan_out))
	HeNormal      Initializer = "he_normal"      // truncated normal, σ = √(2/fan_in)
	HeUniform     Initializer = "he_uniform"     // U(−l, l), l = √(6/fan_in)
	LecunNormal   Initializer = "lecun_normal"   // truncated normal, σ = √(1/fan_in)
	LecunUniform  Initializer = "lecun_uniform"  // U(−l, l), l = √(3/fan_in)
	RandomNormal  Initializer = "random_normal"  // N(0, 0.05²)
	RandomUniform Initializer = "random_uniform" // U(−0.05, 0.05)
	Zeros         Initializer = "zeros"
	Ones          Initializer = "ones"
)

const initializerList = "glorot_uniform, glorot_normal, he_normal, he_uniform, lecun_normal, lecun_uniform, random_normal, random_uniform, zeros or ones"

// truncatedNormalStd is the standard deviation of a standard normal
// truncated to [−2, 2]; variance-scaling draws divide by it so that the
// truncated distribution has the intended variance.
const truncatedNormalStd = 0.87962566103423978

func checkInitializer(init Initializer) error {
	switch init {
	case GlorotUniform, GlorotNormal, HeNormal, HeUniform, LecunNormal, LecunUniform,
		RandomNormal, RandomUniform, Zeros, Ones:
		return nil
	}
	return specErr(ErrUnknownInitializer, "%q (want %s)", string(init), initializerList)
}

// fill initialises w (fanIn × fanOut values, or a vector) from r.
func (init Initializer) fill(w []float32, fanIn, fanOut int, r *rng) {
	uniform := func(limit float64) {
		for i := range w {
			w[i] = float32((2*r.float64() - 1) * limit)
		}
	}
	truncated := func(std float64) {
		std /= truncatedNormalStd
		for i := range w {
			w[i] = float32(r.truncatedNormal() * std)
		}
	}
	in, avg := float64(fanIn), float64(fanIn+fanOut)/2
	switch init {
	case GlorotUniform:
		uniform(math.Sqrt(3 / avg))
	case GlorotNormal:
		truncated(math.Sqrt(1 / avg))
	case HeNormal:
		truncated(math.Sqrt(2 / in))
	case HeUniform:
		uniform(math.Sqrt(6 / in))
	case LecunNormal:
		truncated(math.Sqrt(1 / in))
	case LecunUniform:
		uniform(math.Sqrt(3 / in))
	case RandomNormal:
		for i := range w {
			w[i] = float32(0.05 * r.normal())
		}
	case RandomUniform:
		uniform(0.05)
	case Zeros:
		clear(w)
	case Ones:
		for i := range w {
			w[i] = 1
		}
	default:
		panic(fmt.Sprintf("nn: initializer %q not implemented", string(init)))
	}
}
