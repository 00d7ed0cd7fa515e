package trials

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// An epoch record is the JSON Epoch.MarshalJSON writes:
//
//	{"execution":1,"epoch":3,"metrics":{"loss":0.25,"val_loss":"NaN"}}
//
// A history of 100,000 epochs is read and written an epoch at a time, so
// both directions have a direct path for that shape, without reflection,
// the alias type or a map per epoch: appendEpochJSON writes the bytes
// json.Marshal writes, and epochDecoder reads them. Whatever the direct
// reader does not take as it is (escapes in a name, a field named in
// another case, a repeated key, null, any error) goes through the
// reference decoder, unmarshalEpochReference, which decides: the direct
// path only ever agrees with it (FuzzEpochDecoder checks both).

// AppendJSON appends e as MarshalJSON writes it to dst and returns the
// extended buffer.
func (e Epoch) AppendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	if e.Execution != 0 {
		dst = append(dst, `"execution":`...)
		dst = strconv.AppendInt(dst, int64(e.Execution), 10)
		dst = append(dst, ',')
	}
	dst = append(dst, `"epoch":`...)
	dst = strconv.AppendInt(dst, int64(e.Epoch), 10)
	dst = append(dst, `,"metrics":`...)
	if e.Metrics == nil {
		return append(dst, "null}"...)
	}
	var buf [8]string
	names := buf[:0]
	for k := range e.Metrics {
		names = append(names, k)
	}
	slices.Sort(names) // encoding/json's order for map keys
	dst = append(dst, '{')
	for i, k := range names {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		dst = appendJSONFloat(dst, e.Metrics[k])
	}
	return append(dst, "}}"...)
}

// appendJSONString appends s as json.Marshal writes a string.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s) // a string always encodes
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// appendJSONFloat appends v as jsonFloat's MarshalJSON writes it: a
// string for NaN and the infinities, else the number as encoding/json
// formats a float64.
func appendJSONFloat(dst []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(dst, `"NaN"`...)
	case math.IsInf(v, 1):
		return append(dst, `"+Inf"`...)
	case math.IsInf(v, -1):
		return append(dst, `"-Inf"`...)
	}
	format := byte('f')
	if a := math.Abs(v); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, v, format, -1, 64)
	if format == 'e' {
		// encoding/json writes e-07 as e-7.
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// unmarshalEpochReference decodes data into e through encoding/json: the
// definition of what an epoch record means.
func unmarshalEpochReference(data []byte, e *Epoch) error {
	var d Epoch
	j := epochJSON{epochAlias: (*epochAlias)(&d)}
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	d.Metrics = fromJSONFloats(j.Metrics)
	*e = d
	return nil
}

// epochDecoder decodes epoch records. The zero value decodes each epoch
// into a map of its own; see newEpochDecoder for a stream's.
type epochDecoder struct {
	reuse   bool
	names   map[string]string // each metric name once, if non-nil
	metrics map[string]float64
}

// newEpochDecoder returns a decoder for a stream of epochs: it holds each
// metric name once (a history repeats the same few), and with reuse set,
// every epoch it decodes shares one Metrics map, valid until the next
// decode.
func newEpochDecoder(reuse bool) *epochDecoder {
	return &epochDecoder{reuse: reuse, names: map[string]string{}}
}

// decode decodes the epoch record data into e, as
// unmarshalEpochReference does.
func (d *epochDecoder) decode(data []byte, e *Epoch) error {
	if d.direct(data, e) {
		return nil
	}
	return unmarshalEpochReference(data, e)
}

// direct decodes data into e and reports true if data has the plain shape
// it reads; false leaves e unspecified.
func (d *epochDecoder) direct(data []byte, e *Epoch) bool {
	s := jsonScanner{b: data}
	if !s.expect('{') {
		return false
	}
	var out Epoch
	var seen [3]bool
	for first := true; ; first = false {
		if first && s.expect('}') {
			break
		}
		key, ok := s.plainString()
		if !ok || !s.expect(':') {
			return false
		}
		var field int
		switch string(key) {
		case "execution":
			field = 0
			out.Execution, ok = s.integer()
		case "epoch":
			field = 1
			out.Epoch, ok = s.integer()
		case "metrics":
			field = 2
			out.Metrics, ok = d.metricsObject(&s)
		default:
			return false
		}
		if !ok || seen[field] {
			return false
		}
		seen[field] = true
		if s.expect(',') {
			continue
		}
		if !s.expect('}') {
			return false
		}
		break
	}
	if !s.end() {
		return false
	}
	*e = out
	return true
}

// metricsObject reads an object of metric values; null is a nil map.
func (d *epochDecoder) metricsObject(s *jsonScanner) (map[string]float64, bool) {
	if s.literal("null") {
		return nil, true
	}
	if !s.expect('{') {
		return nil, false
	}
	var m map[string]float64
	if d.reuse && d.metrics != nil {
		m = d.metrics
		clear(m)
	} else {
		m = make(map[string]float64, 4)
		if d.reuse {
			d.metrics = m
		}
	}
	if s.expect('}') {
		return m, true
	}
	for {
		key, ok := s.plainString()
		if !ok || !s.expect(':') {
			return nil, false
		}
		v, ok := s.metricValue()
		if !ok {
			return nil, false
		}
		name, ok := d.names[string(key)]
		if !ok {
			name = string(key)
			if d.names != nil {
				d.names[name] = name
			}
		}
		if _, dup := m[name]; dup {
			return nil, false
		}
		m[name] = v
		if s.expect(',') {
			continue
		}
		return m, s.expect('}')
	}
}

// jsonScanner reads JSON tokens from b, skipping whitespace before each.
type jsonScanner struct {
	b []byte
	i int
}

func (s *jsonScanner) skipSpace() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// expect consumes c if it comes next.
func (s *jsonScanner) expect(c byte) bool {
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// literal consumes lit if it comes next.
func (s *jsonScanner) literal(lit string) bool {
	s.skipSpace()
	if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
		s.i += len(lit)
		return true
	}
	return false
}

// end reports whether only whitespace is left.
func (s *jsonScanner) end() bool {
	s.skipSpace()
	return s.i == len(s.b)
}

// plainString reads a string of valid UTF-8 without escapes and returns
// its contents (aliasing b).
func (s *jsonScanner) plainString() ([]byte, bool) {
	if !s.expect('"') {
		return nil, false
	}
	start := s.i
	for ; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			str := s.b[start:s.i]
			s.i++
			return str, utf8.Valid(str)
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// integer reads a JSON number that is an int of at most 18 digits.
func (s *jsonScanner) integer() (int, bool) {
	s.skipSpace()
	neg := s.i < len(s.b) && s.b[s.i] == '-'
	if neg {
		s.i++
	}
	start := s.i
	n := 0
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		n = n*10 + int(s.b[s.i]-'0')
		s.i++
	}
	digits := s.i - start
	if digits == 0 || digits > 18 || (digits > 1 && s.b[start] == '0') {
		return 0, false
	}
	if s.i < len(s.b) && (s.b[s.i] == '.' || s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// metricValue reads a JSON number, or "NaN", "+Inf", "Inf" or "-Inf", as
// jsonFloat's UnmarshalJSON reads them.
func (s *jsonScanner) metricValue() (float64, bool) {
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == '"' {
		str, ok := s.plainString()
		if !ok {
			return 0, false
		}
		switch string(str) {
		case "NaN":
			return math.NaN(), true
		case "+Inf", "Inf":
			return math.Inf(1), true
		case "-Inf":
			return math.Inf(-1), true
		}
		return 0, false
	}
	num, ok := s.number()
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(num), 64)
	return v, err == nil
}

// number reads the bytes of a JSON number:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *jsonScanner) number() ([]byte, bool) {
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case s.digits() == 0:
		return nil, false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			return nil, false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return nil, false
		}
	}
	return s.b[start:s.i], true
}

// digits consumes decimal digits and returns how many.
func (s *jsonScanner) digits() int {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}
