package trials

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
)

func seedTrials() []*Trial {
	started := time.Date(2025, 3, 4, 5, 6, 7, 890, time.UTC)
	return []*Trial{
		{ID: 1, Status: Running, Values: hp.Values{}, Started: started},
		{
			ID: 7, Status: Completed, Values: hp.Values{"units": 64, "lr": 1.0, "opt": "adam", "bn": false},
			Schedule: Schedule{Epochs: 9, InitialEpoch: 3, Parent: 2, Bracket: 1, Round: 2}, Attempt: 1,
			History: []Epoch{
				{Epoch: 0, Metrics: map[string]float64{"loss": math.NaN(), "acc": math.Inf(-1)}},
				{Execution: 1, Epoch: 1, Metrics: map[string]float64{"loss": 1e-300, "acc": math.Inf(1)}},
			},
			Score: ptr(math.NaN()), BestEpoch: 1, Metrics: map[string]float64{"loss": 0.25},
			Error: "<oops> & \u2028", Started: started, Ended: started.Add(time.Hour),
		},
	}
}

func TestTrialJSON(t *testing.T) {
	for _, tr := range seedTrials() {
		data, err := json.Marshal(tr)
		if err != nil {
			t.Fatalf("Marshal(%+v): %v", tr, err)
		}
		got, err := DecodeTrial(data)
		if err != nil {
			t.Fatalf("DecodeTrial(%s): %v", data, err)
		}
		if !sameTrial(got, tr) {
			t.Errorf("round trip of %s:\n got %+v\nwant %+v", data, got, tr)
		}
	}
	// Non-finite numbers are strings; finite ones numbers.
	data, _ := json.Marshal(seedTrials()[1])
	for _, s := range []string{`"score":"NaN"`, `"acc":"-Inf"`, `"acc":"+Inf"`, `"loss":1e-300`, `"lr":1.0`, `"units":64`} {
		if !strings.Contains(string(data), s) {
			t.Errorf("%s does not contain %s", data, s)
		}
	}
}

func TestDecodeTrialErrors(t *testing.T) {
	for _, data := range []string{
		``, `null`, `[]`, `{}`, `{"id":0,"status":"running"}`, `{"id":-1,"status":"running"}`,
		`{"id":1}`, `{"id":1,"status":"Running"}`, `{"id":1,"status":"running"} x`,
		`{"id":1,"status":"running","values":{"a":null}}`,
		`{"id":1,"status":"running","score":"NaNa"}`,
		`{"id":1,"status":"running","metrics":{"a":null}}`,
		`{"id":1,"status":"running","history":[{"metrics":{"a":"1"}}]}`,
		`{"id":1,"status":"running","started":"yesterday"}`,
		// Impossible epoch numbers.
		`{"id":1,"status":"completed","epochs":5,"history":[{"epoch":5,"metrics":{"loss":1}}]}`,
		`{"id":1,"status":"completed","history":[{"epoch":1099511627776,"metrics":{"loss":1}}]}`,
		`{"id":1,"status":"completed","history":[{"epoch":-1,"metrics":{"loss":1}}]}`,
		`{"id":1,"status":"completed","history":[{"execution":-2,"metrics":{"loss":1}}]}`,
		`{"id":1,"status":"completed","epochs":3,"best_epoch":3}`,
		`{"id":1,"status":"completed","epochs":1099511627776}`,
	} {
		if tr, err := DecodeTrial([]byte(data)); err == nil {
			t.Errorf("DecodeTrial(%s) = %+v, want an error", data, tr)
		}
	}
}

func TestDecodeTrialEpochsWithinBudget(t *testing.T) {
	tr, err := DecodeTrial([]byte(`{"id":1,"status":"completed","epochs":5,"best_epoch":4,"history":[{"epoch":4,"metrics":{"loss":1}}]}`))
	if err != nil || tr.BestEpoch != 4 {
		t.Errorf("the last epoch of a 5-epoch trial: %+v %v", tr, err)
	}
}

func FuzzDecodeTrial(f *testing.F) {
	for _, tr := range seedTrials() {
		data, err := json.Marshal(tr)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"id":3,"status":"pending","values":null,"history":[],"metrics":{},"started":"2025-01-01T00:00:00+05:30"}`))
	f.Add([]byte(`{"id":3,"status":"failed","values":{"x":-0,"y":-0.0,"z":1E400},"history":[null,{"metrics":null}]}`))
	f.Add([]byte(`{"id":3,"status":"failed","values":{"x":99999999999999999999,"y":1e5}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := DecodeTrial(data)
		if err != nil {
			return
		}
		enc, err := json.Marshal(tr)
		if err != nil {
			t.Fatalf("decoded %+v does not encode: %v", tr, err)
		}
		again, err := DecodeTrial(enc)
		if err != nil {
			t.Fatalf("encoding %s does not decode: %v", enc, err)
		}
		if !sameTrial(tr, again) {
			t.Fatalf("round trip changed the trial:\n%+v\n%+v\n%s", tr, again, enc)
		}
		// Encoding is canonical after one round.
		if enc2, _ := json.Marshal(again); string(enc2) != string(enc) {
			t.Fatalf("second encoding differs:\n%s\n%s", enc, enc2)
		}
	})
}

func TestStudyJSON(t *testing.T) {
	s := testStudy(t, 7)
	s.Config = json.RawMessage(" {\"file\" : \"<study.yaml>\"} ")
	data, err := encodeStudy(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeStudy(data)
	if err != nil {
		t.Fatalf("DecodeStudy(%s): %v", data, err)
	}
	if string(got.Config) != `{"file":"\u003cstudy.yaml\u003e"}` || got.Space.String() != s.Space.String() || got.Seed != 7 {
		t.Errorf("round trip of %s: %+v", data, got)
	}
}

func FuzzDecodeStudy(f *testing.F) {
	s := &StudyRecord{
		Objective: goal.Objective{Name: "val_accuracy", Direction: goal.Maximize}, Oracle: "hyperband",
		OracleConfig: json.RawMessage(`{"factor":3}`), Config: json.RawMessage(`"x"`), Seed: -3,
		Created: time.Date(2025, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3600)),
	}
	space, err := hp.NewSpace(
		hp.Param{Name: "units", Kind: hp.KindInt, Min: 32, Max: 512, Step: 32},
		hp.Param{Name: "lr", Kind: hp.KindFloat, Min: 1e-4, Max: 1e-2, Sampling: hp.Log},
		hp.Param{Name: "opt", Kind: hp.KindChoice, Values: []any{"adam", "sgd"}},
		hp.Param{Name: "momentum", Kind: hp.KindFloat, Min: 0, Max: 0.9,
			Conditions: []hp.Condition{{Parent: "opt", Values: []any{"sgd"}}}},
	)
	if err != nil {
		f.Fatal(err)
	}
	for _, sp := range []*hp.Space{nil, space} {
		s.Space = sp
		data, err := encodeStudy(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"oracle_config": { "a" : [1, 2] }, "config": null, "space": []}`))
	f.Add([]byte(`{"warm_start": {"sources": [{"source": "old", "trials": [{"id": 3, "status": "completed", "values": {"units": 64, "lr": 0.1}, "score": 0.5}], "skipped": [{"reason": "r", "trials": 2}]}, {"source": "x", "trials": [], "skipped": null}, {"trials": [{"values": null}]}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := DecodeStudy(data)
		if err != nil {
			return
		}
		enc, err := encodeStudy(s)
		if err != nil {
			t.Fatalf("decoded %+v does not encode: %v", s, err)
		}
		again, err := DecodeStudy(enc)
		if err != nil {
			t.Fatalf("encoding %s does not decode: %v", enc, err)
		}
		if !sameStudy(s, again) {
			t.Fatalf("round trip changed the study:\n%+v\n%+v\n%s", s, again, enc)
		}
	})
}

func sameStudy(a, b *StudyRecord) bool {
	if !sameTime(a.Created, b.Created) {
		return false
	}
	if (a.Space == nil) != (b.Space == nil) || a.Space != nil && !reflect.DeepEqual(a.Space.Params(), b.Space.Params()) {
		return false
	}
	x, y := *a, *b
	x.Created, x.Space, y.Created, y.Space = time.Time{}, nil, time.Time{}, nil
	return reflect.DeepEqual(x, y)
}
