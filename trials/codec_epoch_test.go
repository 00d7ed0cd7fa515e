package trials

import (
	"encoding/json"
	"math"
	"testing"
)

// marshalEpochReference is Epoch's encoding through encoding/json: the
// definition AppendJSON must match byte for byte.
func marshalEpochReference(e Epoch) ([]byte, error) {
	return json.Marshal(epochJSON{(*epochAlias)(&e), toJSONFloats(e.Metrics)})
}

// identicalEpoch compares epochs bit for bit (NaN equal to NaN, 0 unequal
// to -0), nil maps unequal to empty ones.
func identicalEpoch(a, b Epoch) bool {
	if a.Execution != b.Execution || a.Epoch != b.Epoch || (a.Metrics == nil) != (b.Metrics == nil) || len(a.Metrics) != len(b.Metrics) {
		return false
	}
	for k, v := range a.Metrics {
		w, ok := b.Metrics[k]
		if !ok || math.Float64bits(v) != math.Float64bits(w) && !(math.IsNaN(v) && math.IsNaN(w)) {
			return false
		}
	}
	return true
}

var epochSeeds = []string{
	`{"epoch":0,"metrics":{"loss":1}}`,
	`{"execution":2,"epoch":7,"metrics":{"accuracy":0.5,"loss":"NaN","val_loss":"+Inf","x":"-Inf","y":"Inf"}}`,
	`{"epoch":3,"metrics":null}`, `{"epoch":3,"metrics":{}}`, `{}`, ` { "epoch" : 1 , "metrics" : { "a" : -0 } } `,
	`{"epoch":1,"metrics":{"a":1e-7,"b":-1.5E+300,"c":0.000001,"d":1e21,"e":123456789012345678901234}}`,
	// What only the reference decoder reads, or rejects.
	`{"Epoch":1,"metrics":{"a":1}}`, `{"epoch":1,"metrics":{"\u003ca":1,"b\"":2}}`, `{"epoch":1,"epoch":2}`,
	`{"metrics":{"a":1},"metrics":{"b":2}}`, `{"metrics":{"a":1,"a":2}}`, `{"epoch":null}`, `{"unknown":[1,{}]}`,
	`{"epoch":1.0}`, `{"epoch":1e2}`, `{"epoch":01}`, `{"epoch":-}`, `{"epoch":99999999999999999999}`,
	`{"metrics":{"a":null}}`, `{"metrics":{"a":"nan"}}`, `{"metrics":{"a":1e400}}`, `{"metrics":{"a":.5}}`,
	`{"metrics":{"a":1.}}`, `{"metrics":{"a":+1}}`, `{"metrics":{"a":1,}}`, `{"epoch":1} x`, `{"epoch":1`,
	"{\"metrics\":{\"\xff\":1}}", "{\"metrics\":{\"a\tb\":1}}", `null`, `[]`, ``,
}

func TestEpochDecoderAgreesWithReference(t *testing.T) {
	for _, s := range epochSeeds {
		checkEpochDecoder(t, []byte(s))
	}
	// The plain records take the direct path.
	for _, s := range epochSeeds[:7] {
		var e Epoch
		if d := newEpochDecoder(false); !d.direct([]byte(s), &e) {
			t.Errorf("%s is not decoded directly", s)
		}
	}
}

// checkEpochDecoder checks that data decodes as the reference decodes it,
// and that a reusing decoder's earlier epoch does not show through.
func checkEpochDecoder(t *testing.T, data []byte) {
	t.Helper()
	var want Epoch
	wantErr := unmarshalEpochReference(data, &want)
	for _, d := range []*epochDecoder{{}, newEpochDecoder(true)} {
		var prev Epoch
		if err := d.decode([]byte(`{"epoch":9,"metrics":{"zz":1,"a":2}}`), &prev); err != nil {
			t.Fatal(err)
		}
		var got Epoch
		err := d.decode(data, &got)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("decode(%q): error %v, reference error %v", data, err, wantErr)
		}
		if err == nil && !identicalEpoch(got, want) {
			t.Fatalf("decode(%q) = %+v, reference %+v", data, got, want)
		}
	}
}

func FuzzEpochDecoder(f *testing.F) {
	for _, s := range epochSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkEpochDecoder(t, data)
	})
}

func TestEpochAppendJSONMatchesReference(t *testing.T) {
	for _, e := range []Epoch{
		{}, {Epoch: 3, Metrics: map[string]float64{}},
		{Execution: 2, Epoch: 1, Metrics: map[string]float64{"val_loss": 0.25, "loss": math.NaN(), "a": math.Inf(1), "b": math.Inf(-1)}},
		{Epoch: -1, Metrics: map[string]float64{"<&>": 1e-7, "\u2028": -1e21, "\xff": 1e20, "q\"": math.Copysign(0, -1), "t\t": 5e-324}},
	} {
		checkAppendJSON(t, e)
	}
}

// checkAppendJSON checks that e encodes as the reference encodes it and
// decodes back to itself.
func checkAppendJSON(t *testing.T, e Epoch) {
	t.Helper()
	want, err := marshalEpochReference(e)
	if err != nil {
		t.Fatal(err)
	}
	got := e.AppendJSON([]byte("prefix"))
	if string(got[6:]) != string(want) {
		t.Fatalf("AppendJSON(%+v) = %s, reference %s", e, got[6:], want)
	}
	var back, ref Epoch
	if err := newEpochDecoder(true).decode(got[6:], &back); err != nil {
		t.Fatalf("decoding %s: %v", got[6:], err)
	}
	if err := unmarshalEpochReference(want, &ref); err != nil {
		t.Fatal(err)
	}
	if !identicalEpoch(back, ref) {
		t.Fatalf("%s decodes to %+v, reference %+v", got[6:], back, ref)
	}
}

func FuzzEpochAppendJSON(f *testing.F) {
	f.Add(0, 0, "loss", 0.5, "val_loss", math.NaN(), false)
	f.Add(3, -7, "<a>", 1e-7, "\xfe", math.Inf(-1), true)
	f.Fuzz(func(t *testing.T, execution, epoch int, k1 string, v1 float64, k2 string, v2 float64, nilMap bool) {
		e := Epoch{Execution: execution, Epoch: epoch}
		if !nilMap {
			e.Metrics = map[string]float64{k1: v1, k2: v2}
		}
		checkAppendJSON(t, e)
	})
}
