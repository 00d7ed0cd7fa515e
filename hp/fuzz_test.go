package hp

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
)

func FuzzValuesJSON(f *testing.F) {
	for _, s := range []string{
		`{}`, `null`, `{"a":1,"b":1.0,"c":"x","d":true}`, `{"a":-0}`, `{"a":-0.0}`,
		`{"a":1e400}`, `{"a":99999999999999999999}`, `{"a":1E3,"b":5e-324}`,
		`{"a":"\u00e9\ud800"}`, `{"a":[1]}`, `{"a":null}`, `[]`, `{"a":1,"a":"x"}`, "{\"\xff\":1}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v Values
		if err := json.Unmarshal(data, &v); err != nil {
			return
		}
		enc, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("decoded %#v but cannot encode it: %v", v, err)
		}
		var back Values
		if err := json.Unmarshal(enc, &back); err != nil {
			t.Fatalf("cannot decode own encoding %s: %v", enc, err)
		}
		if !reflect.DeepEqual(back, v) {
			t.Fatalf("round trip changed %#v to %#v", v, back)
		}
		for k, x := range v {
			if reflect.TypeOf(back[k]) != reflect.TypeOf(x) {
				t.Fatalf("%s: type %T became %T", k, x, back[k])
			}
		}
		enc2, err := json.Marshal(back)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding not stable: %s vs %s (%v)", enc, enc2, err)
		}
	})
}

func FuzzSpaceJSON(f *testing.F) {
	for _, s := range []string{
		`[]`, `null`,
		`[{"name":"units","kind":"int","min":32,"max":512,"step":32,"sampling":"linear","default":32}]`,
		`[{"name":"w","kind":"int","min":32,"max":512,"step":2,"sampling":"log"}]`,
		`[{"name":"lr","kind":"float","min":0.0001,"max":0.01,"sampling":"log","default":0.001}]`,
		`[{"name":"d","kind":"float","min":0,"max":1,"step":0.2,"default":0.6000000000000001}]`,
		`[{"name":"b","kind":"float","min":0.9,"max":0.999,"sampling":"reverse_log"}]`,
		`[{"name":"a","kind":"choice","values":["relu","tanh"],"ordered":true}]`,
		`[{"name":"a","kind":"choice","values":[1.0,2.5],"default":1}]`,
		`[{"name":"f","kind":"fixed","values":[3]},{"name":"g","kind":"boolean","default":true}]`,
		`[{"name":"m","kind":"choice","values":["x","y"]},` +
			`{"name":"n","kind":"int","min":1,"max":4,"conditions":[{"parent":"m","values":["y"]}]},` +
			`{"name":"o","kind":"float","min":-1,"max":1,"step":0.5,"conditions":[{"parent":"n","values":[2,4]},{"parent":"m","values":["y"]}]}]`,
		`[{"name":"a","kind":"int","min":0,"max":1},{"name":"a","kind":"int","min":0,"max":1}]`,
		`[{"name":"a","kind":"float","min":-1e308,"max":1e308}]`,
		`[{"name":"a","kind":"float","min":1e-300,"max":1e300,"step":1.0000001,"sampling":"log"}]`,
		`[{"name":"a","kind":"int","min":-9007199254740992,"max":9007199254740992}]`,
		`[{"name":"a","kind":"boolean","default":null}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Space
		if err := json.Unmarshal(data, &s); err != nil {
			return
		}
		enc, err := json.Marshal(&s)
		if err != nil {
			t.Fatalf("decoded a space but cannot encode it: %v", err)
		}
		var back Space
		if err := json.Unmarshal(enc, &back); err != nil {
			t.Fatalf("cannot decode own encoding %s: %v", enc, err)
		}
		if back.Len() != s.Len() {
			t.Fatalf("round trip changed Len %d to %d", s.Len(), back.Len())
		}
		for i := range s.Params() {
			p, q := &s.Params()[i], &back.Params()[i]
			if !p.Equal(q) || !reflect.DeepEqual(p, q) {
				t.Fatalf("round trip changed %#v to %#v", *p, *q)
			}
		}
		enc2, err := json.Marshal(&back)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding not stable: %s vs %s (%v)", enc, enc2, err)
		}
		// A space that decodes is usable: defaults and samples validate,
		// and discrete samples round-trip through the unit cube.
		if err := s.Validate(s.Defaults()); err != nil {
			t.Fatalf("defaults invalid: %v", err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for range 3 {
			v := s.Sample(rng)
			if err := s.Validate(v); err != nil {
				t.Fatalf("sample %v invalid: %v", v, err)
			}
			if _, err := s.ToUnit(v); err != nil {
				t.Fatalf("sample %v does not encode: %v", v, err)
			}
		}
		for _, p := range s.Params() {
			if n := p.Count(); n > 0 {
				for _, i := range []int{0, n / 2, n - 1} {
					v := p.ValueAt(i)
					u, err := p.ToUnit(v)
					if err != nil {
						t.Fatalf("%v: ToUnit(ValueAt(%d) = %v): %v", p, i, v, err)
					}
					if got := p.FromUnit(u); got != v {
						t.Fatalf("%v: FromUnit(ToUnit(%v)) = %v", p, v, got)
					}
				}
			}
		}
	})
}
