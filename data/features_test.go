package data

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/tunekit/tune/nn"
)

func TestFitFeatures(t *testing.T) {
	x := nn.NewMatrixFrom(3, 2, []float32{1, 5, 2, 5, 4, 5})
	if sc, err := FitFeatures(ScaleNone, x); sc != nil || err != nil {
		t.Errorf("none: %v %v", sc, err)
	}
	if _, err := FitFeatures("robust", x); !errors.Is(err, ErrOptions) {
		t.Errorf("unknown kind: %v", err)
	}
	mm, err := FitFeatures(ScaleMinMax, x)
	if err != nil {
		t.Fatal(err)
	}
	// The constant column keeps Divisor 1, so it maps to 0, not NaN.
	if mm.Offset[0] != 1 || mm.Divisor[0] != 3 || mm.Offset[1] != 5 || mm.Divisor[1] != 1 {
		t.Errorf("minmax %+v", mm)
	}
	got, err := mm.Transform(x)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float32{0, 0, 1.0 / 3, 0, 1, 0} {
		if math.Abs(float64(got.Data[i]-want)) > 1e-6 {
			t.Fatalf("minmax transform %v", got.Data)
		}
	}
	std, err := FitFeatures(ScaleStandard, x)
	if err != nil {
		t.Fatal(err)
	}
	// The Normalization layer inside a model scales as Transform does.
	want, err := std.Transform(x)
	if err != nil {
		t.Fatal(err)
	}
	l, err := std.Normalization()
	if err != nil {
		t.Fatal(err)
	}
	m := nn.NewSequential(nn.Input(2), l)
	if err := m.Compile(nn.CompileConfig{Loss: "mse", Optimizer: &nn.SGD{}}); err != nil {
		t.Fatal(err)
	}
	out, err := m.Predict(x)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want.Data {
		if math.Abs(float64(out.Data[i]-want.Data[i])) > 1e-5 {
			t.Fatalf("layer %v, Transform %v", out.Data, want.Data)
		}
	}
	var none *FeatureScaler
	if y, err := none.Transform(x); y != x || err != nil {
		t.Error("a nil scaler changes x")
	}
	if _, err := mm.Transform(nn.NewMatrix(1, 3)); !errors.Is(err, ErrShape) {
		t.Errorf("wrong width: %v", err)
	}
}

// TestProfileKeys checks that a profile written by an older project (the
// keys study.DataInfo used) reads unchanged.
func TestProfileKeys(t *testing.T) {
	old := `{"input_shape":[2,3],"classes":2,"class_names":["no","yes"],"features":["a","b"],"train_rows":40,` +
		`"validation_rows":10,"scaler":{"kind":"minmax","offset":[1,2],"divisor":[3,4]},"target_scaler":{"Kind":"standard","Shift":1,"Scale":2}}`
	var p Profile
	if err := json.Unmarshal([]byte(old), &p); err != nil {
		t.Fatal(err)
	}
	if p.Width() != 6 || p.Classes != 2 || p.ClassNames[1] != "yes" || p.Features[0] != "a" || p.TrainRows != 40 ||
		p.ValidationRows != 10 || p.Scaler.Divisor[1] != 4 || p.Target.Scale != 2 {
		t.Errorf("profile %+v", p)
	}
	b, err := json.Marshal(&p)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != old {
		t.Errorf("round trip\n got %s\nwant %s", b, old)
	}
}
