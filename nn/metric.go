package nn

import (
	"fmt"
	"math"
	"sort"
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

// metricClassNames maps Keras' metric class names to the snake-case names
// Keras logs them under.
var metricClassNames = map[string]string{
	"BinaryAccuracy":            "binary_accuracy",
	"CategoricalAccuracy":       "categorical_accuracy",
	"SparseCategoricalAccuracy": "sparse_categorical_accuracy",
	"MeanSquaredError":          "mean_squared_error",
	"MeanAbsoluteError":         "mean_absolute_error",
	"RootMeanSquaredError":      "root_mean_squared_error",
}

// maximized reports whether a larger value of the metric kind is better.
func (k metricKind) maximized() bool {
	return k == metricBinaryAccuracy || k == metricCategoricalAccuracy || k == metricSparseCategoricalAccuracy
}

// metric is a streaming metric: a weighted running mean over every sample
// (rmse: the root of the running mean of squared errors) since the last
// reset. Sample weights weigh each sample (Σ w·m / Σ w), as in Keras.
type metric struct {
	name       string // the name the user asked for (class names in snake case)
	key        string // the key in Logs: name, prefixed with the output's name when there are several
	kind       metricKind
	sum, count float64
}

// parseMetric resolves a metric name for the compiled loss and output count.
// "accuracy" and "acc" resolve as in Keras: from a cross-entropy loss to its
// accuracy, otherwise to binary accuracy for one output and categorical
// accuracy for several.
func parseMetric(name string, l loss, units int) (metric, error) {
	logName := name
	if snake, ok := metricClassNames[name]; ok {
		logName = snake
	}
	k, ok := metricKinds[logName]
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
	return metric{name: logName, key: logName, kind: k}, nil
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

// update adds a batch of n outputs a (n×units) with targets y and sample
// weights sw (nil: all 1).
func (m *metric) update(a, y, sw []float32, n, units int) {
	a = a[:n*units]
	for r := range n {
		w := 1.0
		if sw != nil {
			w = float64(sw[r])
		}
		ar := a[r*units : (r+1)*units]
		switch m.kind {
		case metricBinaryAccuracy: // Keras: y == (a > 0.5), averaged over outputs
			yr := y[r*units : (r+1)*units]
			for i, p := range ar {
				var pred float32
				if p > 0.5 {
					pred = 1
				}
				if pred == yr[i] {
					m.sum += w
				}
			}
			m.count += w * float64(units)
		case metricCategoricalAccuracy:
			if argmax(ar) == argmax(y[r*units:(r+1)*units]) {
				m.sum += w
			}
			m.count += w
		case metricSparseCategoricalAccuracy:
			if float32(argmax(ar)) == y[r] {
				m.sum += w
			}
			m.count += w
		case metricMSE, metricRMSE:
			yr := y[r*units : (r+1)*units]
			for i, p := range ar {
				d := float64(p) - float64(yr[i])
				m.sum += w * d * d
			}
			m.count += w * float64(units)
		case metricMAE:
			yr := y[r*units : (r+1)*units]
			for i, p := range ar {
				m.sum += w * math.Abs(float64(p)-float64(yr[i]))
			}
			m.count += w * float64(units)
		default:
			panic(fmt.Sprintf("nn: metric kind %d not implemented", m.kind))
		}
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

// monitorMaximized tells whether a Logs key (as EarlyStopping and the other
// callbacks monitor it) is better when larger: accuracies are, losses and
// errors are not. ok is false for a key it does not know.
func monitorMaximized(key string) (maximize, ok bool) {
	name := key
	if len(name) > 4 && name[:4] == "val_" {
		name = name[4:]
	}
	if name == "loss" || hasSuffix(name, "_loss") {
		return false, true
	}
	names := make([]string, 0, len(metricKinds)+2)
	for k := range metricKinds {
		names = append(names, k)
	}
	names = append(names, "accuracy", "acc")
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	for _, k := range names {
		if name == k || hasSuffix(name, "_"+k) {
			if k == "accuracy" || k == "acc" {
				return true, true
			}
			return metricKinds[k].maximized(), true
		}
	}
	return false, false
}

func hasSuffix(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}
