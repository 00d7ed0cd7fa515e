package nn

import (
	"fmt"
	"math"
)

type metricKind uint8

const (
	metricBinaryAccuracy metricKind = iota
	metricCategoricalAccuracy
	metricSparseCategoricalAccuracy
	metricMSE
	metricMAE
	metricRMSE
)

var metricKinds = map[string]metricKind{
	"binary_accuracy":             metricBinaryAccuracy,
	"categorical_accuracy":        metricCategoricalAccuracy,
	"sparse_categorical_accuracy": metricSparseCategoricalAccuracy,
	"mse":                         metricMSE,
	"mean_squared_error":          metricMSE,
	"mae":                         metricMAE,
	"mean_absolute_error":         metricMAE,
	"rmse":                        metricRMSE,
	"root_mean_squared_error":     metricRMSE,
}

// metric is a streaming metric: a running mean over every sample (rmse: the
// root of the running mean of squared errors) since the last reset.
type metric struct {
	name       string // the name the user asked for; the key in Logs
	kind       metricKind
	sum, count float64
}

// parseMetric resolves a metric name for the compiled loss and output count.
// "accuracy" and "acc" resolve as in Keras: from a cross-entropy loss to its
// accuracy, otherwise to binary accuracy for one output and categorical
// accuracy for several.
func parseMetric(name string, l loss, units int) (metric, error) {
	k, ok := metricKinds[name]
	if name == "accuracy" || name == "acc" {
		ok = true
		switch {
		case l.kind == lossSCCE:
			k = metricSparseCategoricalAccuracy
		case l.kind == lossCCE:
			k = metricCategoricalAccuracy
		case l.kind == lossBCE || units == 1:
			k = metricBinaryAccuracy
		default:
			k = metricCategoricalAccuracy
		}
	}
	if !ok {
		return metric{}, fmt.Errorf("%w %q (want accuracy, acc, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, mse, mae or rmse)",
			ErrUnknownMetric, name)
	}
	want := units
	if k == metricSparseCategoricalAccuracy {
		want = 1
	}
	if got := l.yCols(units); got != want {
		return metric{}, fmt.Errorf("%w %q with this loss: it needs targets with %d columns, the loss uses %d",
			ErrUnknownMetric, name, want, got)
	}
	return metric{name: name, kind: k}, nil
}

func (m *metric) reset() { m.sum, m.count = 0, 0 }

func (m *metric) result() float64 {
	if m.count == 0 {
		return math.NaN()
	}
	if m.kind == metricRMSE {
		return math.Sqrt(m.sum / m.count)
	}
	return m.sum / m.count
}

// update adds a batch of n outputs a (n×units) with targets y.
func (m *metric) update(a, y []float32, n, units int) {
	a = a[:n*units]
	switch m.kind {
	case metricBinaryAccuracy: // Keras: y == (a > 0.5), averaged over outputs
		for i, p := range a {
			var pred float32
			if p > 0.5 {
				pred = 1
			}
			if pred == y[i] {
				m.sum++
			}
		}
		m.count += float64(len(a))
	case metricCategoricalAccuracy:
		for r := range n {
			if argmax(a[r*units:(r+1)*units]) == argmax(y[r*units:(r+1)*units]) {
				m.sum++
			}
		}
		m.count += float64(n)
	case metricSparseCategoricalAccuracy:
		for r := range n {
			if float32(argmax(a[r*units:(r+1)*units])) == y[r] {
				m.sum++
			}
		}
		m.count += float64(n)
	case metricMSE, metricRMSE:
		for i, p := range a {
			d := float64(p) - float64(y[i])
			m.sum += d * d
		}
		m.count += float64(len(a))
	case metricMAE:
		for i, p := range a {
			m.sum += math.Abs(float64(p) - float64(y[i]))
		}
		m.count += float64(len(a))
	default:
		panic(fmt.Sprintf("nn: metric kind %d not implemented", m.kind))
	}
}

// argmax returns the index of the first largest value (NaN never wins).
func argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}
