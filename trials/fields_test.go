package trials

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/tunekit/tune/hp"
)

// fill sets every field of the struct v points to, recursively through
// embedded structs, to a non-zero value that depends on its position.
func fill(t *testing.T, v reflect.Value, n *int) {
	t.Helper()
	for i := range v.NumField() {
		f, sf := v.Field(i), v.Type().Field(i)
		if !sf.IsExported() {
			continue
		}
		*n++
		switch f.Interface().(type) {
		case time.Time:
			f.Set(reflect.ValueOf(time.Date(2025, 1, 2, 3, 4, 5, *n, time.UTC)))
			continue
		case hp.Values:
			f.Set(reflect.ValueOf(hp.Values{"units": *n, "opt": "adam"}))
			continue
		case *float64:
			x := math.Inf(1) // a non-finite score must survive too
			f.Set(reflect.ValueOf(&x))
			continue
		case map[string]float64:
			f.Set(reflect.ValueOf(map[string]float64{"loss": float64(*n) + 0.5}))
			continue
		case []Epoch:
			f.Set(reflect.ValueOf([]Epoch{{Execution: 1, Epoch: *n, Metrics: map[string]float64{"loss": math.Inf(-1)}}}))
			continue
		case Status:
			f.Set(reflect.ValueOf(Pruned))
			continue
		}
		switch f.Kind() {
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(*n))
		case reflect.String:
			f.SetString("text " + sf.Name)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Struct:
			fill(t, f, n)
		default:
			t.Fatalf("fill: field %s of kind %s has no test value: teach fill about it", sf.Name, f.Kind())
		}
	}
}

// lostFields returns the names of the fields of v (a pointer to a filled
// struct) that differ after encoding and decoding, recursing into embedded
// structs.
func lostFields(want, got reflect.Value) []string {
	var lost []string
	for i := range want.NumField() {
		sf := want.Type().Field(i)
		if !sf.IsExported() {
			continue
		}
		w, g := want.Field(i), got.Field(i)
		if sf.Anonymous && w.Kind() == reflect.Struct {
			lost = append(lost, lostFields(w, g)...)
			continue
		}
		if !reflect.DeepEqual(w.Interface(), g.Interface()) {
			lost = append(lost, sf.Name)
		}
	}
	return lost
}

func roundTripLosses(t *testing.T, v any) []string {
	t.Helper()
	n := 0
	fill(t, reflect.ValueOf(v).Elem(), &n)
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	back := reflect.New(reflect.TypeOf(v).Elem())
	if err := json.Unmarshal(data, back.Interface()); err != nil {
		t.Fatalf("Unmarshal(%s): %v", data, err)
	}
	return lostFields(reflect.ValueOf(v).Elem(), back.Elem())
}

// TestTrialFieldsRoundTrip sets every field of Trial, found by reflection,
// and checks that each one survives the store's encoding: a field added to
// Trial without being stored fails here.
func TestTrialFieldsRoundTrip(t *testing.T) {
	if lost := roundTripLosses(t, &Trial{}); len(lost) > 0 {
		t.Errorf("fields lost in a round trip through JSON: %v", lost)
	}
}

// TestRoundTripCheckCatchesDroppedField shows that the check above would
// fail: a trial-like type whose encoding drops a field is caught.
func TestRoundTripCheckCatchesDroppedField(t *testing.T) {
	type lossy struct {
		Trial
		Forgotten int `json:"-"`
	}
	lost := roundTripLosses(t, &lossy{})
	if !reflect.DeepEqual(lost, []string{"Forgotten"}) {
		t.Errorf("lost fields = %v, want [Forgotten]", lost)
	}
}
