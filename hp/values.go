package hp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Values maps hyperparameter names to values of type int, float64, string
// or bool. Only active hyperparameters have a value.
type Values map[string]any

// Clone returns a copy of v.
func (v Values) Clone() Values { return maps.Clone(v) }

// Key is a canonical text of v: equal values give equal keys. Oracles use it
// to recognise a set of values that was tried before.
func (v Values) Key() string {
	b, err := v.MarshalJSON()
	if err != nil {
		return fmt.Sprint(map[string]any(v))
	}
	return string(b)
}

// String formats v as name=value pairs in name order.
func (v Values) String() string {
	var sb strings.Builder
	for i, k := range slices.Sorted(maps.Keys(v)) {
		if i > 0 {
			sb.WriteString(" ")
		}
		fmt.Fprintf(&sb, "%s=%v", k, v[k])
	}
	return sb.String()
}

// MarshalJSON writes v with sorted keys, and floats always with a decimal
// point or an exponent so that they read back as floats (-0 as 0.0).
func (v Values) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range slices.Sorted(maps.Keys(v)) {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		if err := appendScalar(&b, v[k]); err != nil {
			return nil, &Error{Name: k, Err: err}
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads what MarshalJSON writes: a JSON number without a
// decimal point or exponent is an int (an error if it does not fit), any
// other number a float64.
func (v *Values) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	out := make(Values, len(raw))
	for k, r := range raw {
		x, err := parseScalar(r)
		if err != nil {
			return &Error{Name: k, Err: err}
		}
		out[k] = x
	}
	*v = out
	return nil
}

func appendScalar(b *bytes.Buffer, x any) error {
	x, err := scalar(x)
	if err != nil {
		return err
	}
	switch x := x.(type) {
	case int:
		b.WriteString(strconv.Itoa(x))
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		b.WriteString(s)
	default:
		j, _ := json.Marshal(x)
		b.Write(j)
	}
	return nil
}

func parseScalar(r json.RawMessage) (any, error) {
	r = bytes.TrimSpace(r)
	if len(r) == 0 {
		return nil, fmt.Errorf("empty value")
	}
	switch r[0] {
	case '"':
		var s string
		err := json.Unmarshal(r, &s)
		return s, err
	case 't', 'f':
		var x bool
		err := json.Unmarshal(r, &x)
		return x, err
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		s := string(r)
		if !strings.ContainsAny(s, ".eE") {
			i, err := strconv.Atoi(s)
			if err != nil {
				return nil, fmt.Errorf("integer %s: %w", s, errors.Unwrap(err))
			}
			return i, nil
		}
		var f float64
		if err := json.Unmarshal(r, &f); err != nil {
			return nil, err
		}
		return f, nil
	}
	return nil, fmt.Errorf("value %s is not a number, string or bool", r)
}

// scalarJSON carries one typed value through JSON inside other structures.
type scalarJSON struct{ v any }

func (s scalarJSON) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	err := appendScalar(&b, s.v)
	return b.Bytes(), err
}

func (s *scalarJSON) UnmarshalJSON(data []byte) (err error) {
	s.v, err = parseScalar(data)
	return err
}

func wrapScalars(vs []any) []scalarJSON {
	out := make([]scalarJSON, len(vs))
	for i, v := range vs {
		out[i] = scalarJSON{v}
	}
	return out
}

// unwrapScalars returns nil for an empty list, as for an absent one: the
// encoder leaves an empty list out (omitempty), so a round trip keeps it.
func unwrapScalars(ss []scalarJSON) []any {
	if len(ss) == 0 {
		return nil
	}
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s.v
	}
	return out
}
