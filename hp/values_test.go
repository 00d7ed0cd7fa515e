package hp

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestValuesJSON(t *testing.T) {
	v := Values{
		"units": 64, "neg": -3, "zero": 0,
		"lr": 0.001, "whole": 1.0, "big": 1e21, "tiny": 5e-324, "negzero": math.Copysign(0, -1),
		"act": "relu", "quote": "a\"b<c>", "empty": "",
		"bn": true, "off": false,
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"act":"relu","big":1e+21,"bn":true,"empty":"","lr":0.001,"neg":-3,"negzero":0.0,"off":false,` +
		`"quote":"a\"b\u003cc\u003e","tiny":5e-324,"units":64,"whole":1.0,"zero":0}`
	if string(data) != want {
		t.Errorf("got  %s\nwant %s", data, want)
	}
	var back Values
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, v) {
		t.Errorf("round trip: %#v, want %#v", back, v)
	}
	for k, x := range back {
		if reflect.TypeOf(x) != reflect.TypeOf(v[k]) {
			t.Errorf("%s: %T, want %T", k, x, v[k])
		}
	}
}

func TestValuesJSONNormalizesGoTypes(t *testing.T) {
	data, err := json.Marshal(Values{"a": int64(3), "b": int32(4), "c": float32(0.5)})
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != `{"a":3,"b":4,"c":0.5}` {
		t.Errorf("got %s", data)
	}
}

func TestValuesJSONInStruct(t *testing.T) {
	type trial struct {
		ID     int    `json:"id"`
		Values Values `json:"values"`
	}
	in := trial{7, Values{"x": 2.0, "n": 2}}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != `{"id":7,"values":{"n":2,"x":2.0}}` {
		t.Errorf("got %s", data)
	}
	var out trial
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("got %#v", out)
	}
}

func TestValuesJSONErrors(t *testing.T) {
	for in, param := range map[string]string{
		`{"a":null}`:                   "a",
		`{"a":[1]}`:                    "a",
		`{"a":{"b":1}}`:                "a",
		`{"big":99999999999999999999}`: "big",
		`[1,2]`:                        "",
		`{"a":1`:                       "",
	} {
		var v Values
		err := json.Unmarshal([]byte(in), &v)
		if err == nil {
			t.Errorf("%s: no error", in)
			continue
		}
		if param != "" && !strings.Contains(err.Error(), `"`+param+`"`) {
			t.Errorf("%s: error %q does not name %q", in, err, param)
		}
	}
	for _, bad := range []Values{{"f": func() {}}, {"n": nil}, {"s": []int{1}}, {"x": 1.0 / zero()}} {
		if _, err := json.Marshal(bad); err == nil {
			t.Errorf("Marshal(%v): no error", bad)
		}
	}
}

func zero() float64 { return 0 }

func TestValuesKeyStringClone(t *testing.T) {
	a := Values{"b": 1.0, "a": 1, "c": "x"}
	b := Values{"c": "x", "a": 1, "b": 1.0}
	if a.Key() != b.Key() {
		t.Errorf("keys differ: %s %s", a.Key(), b.Key())
	}
	if a.Key() == (Values{"b": 1, "a": 1, "c": "x"}).Key() {
		t.Error("int and float give the same key")
	}
	if got := a.String(); got != "a=1 b=1 c=x" {
		t.Errorf("String() = %q", got)
	}
	c := a.Clone()
	c["a"] = 2
	if a["a"] != 1 {
		t.Error("Clone shares the map")
	}
	if (Values)(nil).Clone() != nil {
		t.Error("Clone(nil) != nil")
	}
}
