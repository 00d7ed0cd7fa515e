package live

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// FuzzDecodeTrials: whatever decodeTrials accepts encodes and decodes
// back to the same trials; whatever it refuses wraps ErrProtocol.
func FuzzDecodeTrials(f *testing.F) {
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"id":1,"status":"running","values":{"lr":0.01},"history":[{"epoch":0,"metrics":{"loss":"NaN"}}],"started":"2026-01-02T03:04:05Z"}]`))
	f.Add([]byte(`[{"id":2,"status":"completed","values":{},"score":0.5,"metrics":{"x":1}},{"id":1,"status":"pending","values":{}}]`))
	f.Add([]byte(`[{"id":0,"status":"x"}]`))
	f.Add([]byte(`{"kind":"no_trial"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ts, err := decodeTrials(data)
		if err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("error %v does not wrap ErrProtocol", err)
			}
			return
		}
		enc, err := json.Marshal(ts)
		if err != nil {
			t.Fatalf("accepted trials do not encode: %v", err)
		}
		again, err := decodeTrials(enc)
		if err != nil {
			t.Fatalf("re-encoded trials do not decode: %v\n%s", err, enc)
		}
		enc2, _ := json.Marshal(again)
		if string(enc) != string(enc2) {
			t.Fatalf("round trip changed the trials:\n%s\n%s", enc, enc2)
		}
	})
}

// FuzzDecodeError: an accepted error body has a message, and a kind that
// is a trials sentinel or none.
func FuzzDecodeError(f *testing.F) {
	f.Add([]byte(`{"kind":"no_trial","message":"trial 9: no such trial"}`))
	f.Add([]byte(`{"message":"disk full"}`))
	f.Add([]byte(`{"kind":"from_the_future","message":"m"}`))
	f.Add([]byte(`[1]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := decodeError(data)
		if err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("error %v does not wrap ErrProtocol", err)
			}
			return
		}
		if e.Message == "" || e.Error() != e.Message {
			t.Fatalf("accepted %q as %+v", data, e)
		}
		if e.Kind != nil && kindOf(e) == "" {
			t.Fatalf("kind %v is not a known sentinel", e.Kind)
		}
	})
}

// FuzzDecodeQueue: what decodeEnqueue and decodeQueued accept encodes and
// decodes back to the same values; what they refuse wraps ErrProtocol.
func FuzzDecodeQueue(f *testing.F) {
	f.Add([]byte(`{"lr":0.01,"units":64,"act":"relu","wide":true}`))
	f.Add([]byte(`[{"lr":0.01},{}]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[null]`))
	f.Add([]byte(`{"x":1e400}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if v, err := decodeEnqueue(data); err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("decodeEnqueue: %v does not wrap ErrProtocol", err)
			}
		} else if enc, err := json.Marshal(v); err != nil {
			t.Fatalf("accepted values do not encode: %v", err)
		} else if again, err := decodeEnqueue(enc); err != nil || !reflect.DeepEqual(again, v) {
			t.Fatalf("round trip: %#v, %v; want %#v", again, err, v)
		}
		if vs, err := decodeQueued(data); err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("decodeQueued: %v does not wrap ErrProtocol", err)
			}
		} else if enc, err := json.Marshal(vs); err != nil {
			t.Fatalf("accepted queue does not encode: %v", err)
		} else if again, err := decodeQueued(enc); err != nil || !reflect.DeepEqual(again, vs) {
			t.Fatalf("round trip: %#v, %v; want %#v", again, err, vs)
		}
	})
}
