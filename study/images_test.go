package study

import (
	"context"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/tuner"
)

// greyLevels are the pixel values of writeImageFolder's classes.
var greyLevels = map[string]uint8{"boot": 0, "coat": 128, "shirt": 255, "a": 0, "b": 255, "c": 128, "no": 0, "yes": 255}

// writeImageFolder writes folder/class/NAME images of the class's grey
// level (sizes vary, PNG and JPEG alternate).
func writeImageFolder(t *testing.T, folder string, classes []string, perClass int) {
	t.Helper()
	for _, class := range classes {
		if err := os.MkdirAll(filepath.Join(folder, class), 0o755); err != nil {
			t.Fatal(err)
		}
		for i := range perClass {
			img := image.NewGray(image.Rect(0, 0, 7+i, 9-i%3))
			for p := range img.Pix {
				img.Pix[p] = greyLevels[class]
			}
			name := filepath.Join(folder, class, class+string(rune('a'+i)))
			f, err := os.Create(name + [...]string{".png", ".jpg"}[i%2])
			if err != nil {
				t.Fatal(err)
			}
			if i%2 == 0 {
				err = png.Encode(f, img)
			} else {
				err = jpeg.Encode(f, img, &jpeg.Options{Quality: 100})
			}
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestLoadImages(t *testing.T) {
	dir := t.TempDir()
	writeImageFolder(t, filepath.Join(dir, "pics"), []string{"boot", "coat", "shirt"}, 4)
	writeImageFolder(t, filepath.Join(dir, "test"), []string{"coat", "shirt"}, 2) // no boots
	study := `seed: 3
data:
  format: images
  directory: pics
  image_size: [6, 5]
  validation_split: 0.25
  test_directory: test
`
	path := filepath.Join(dir, "study.yaml")
	if err := os.WriteFile(path, []byte(study), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := s.LoadData()
	if err != nil {
		t.Fatal(err)
	}
	if ds.X.Rows != 9 || ds.ValidationX.Rows != 3 || ds.TestX.Rows != 4 || ds.X.Cols != 30 {
		t.Fatalf("rows: train %d, validation %d, test %d; columns %d", ds.X.Rows, ds.ValidationX.Rows, ds.TestX.Rows, ds.X.Cols)
	}
	if got := ds.InputShape; len(got) != 3 || got[0] != 6 || got[1] != 5 || got[2] != 1 {
		t.Errorf("input shape %v, want [6 5 1]", got)
	}
	if ds.Classes != 3 || strings.Join(ds.ClassNames, ",") != "boot,coat,shirt" {
		t.Errorf("classes %d %v", ds.Classes, ds.ClassNames)
	}
	// Every row's pixels are its class's grey level: the labels follow
	// the folders, the test folder's too (coat is class 1 there as well).
	for name, xy := range map[string][2]*[]float32{
		"train": {&ds.X.Data, &ds.Y.Data}, "validation": {&ds.ValidationX.Data, &ds.ValidationY.Data}, "test": {&ds.TestX.Data, &ds.TestY.Data},
	} {
		x, y := *xy[0], *xy[1]
		for r, label := range y {
			want := float32(greyLevels[ds.ClassNames[int(label)]]) / 255
			for _, v := range x[r*30 : (r+1)*30] {
				if d := v - want; d > 0.02 || d < -0.02 {
					t.Fatalf("%s row %d (class %v): pixel %v, want %v", name, r, label, v, want)
				}
			}
		}
	}
	// The split is shuffled with the seed: the same seed, the same order.
	again, err := s.LoadData()
	if err != nil {
		t.Fatal(err)
	}
	if !equalFloats(ds.Y.Data, again.Y.Data) {
		t.Error("the same seed gave another order")
	}
	s.Seed = 4
	other, err := s.LoadData()
	if err != nil {
		t.Fatal(err)
	}
	if equalFloats(append(ds.Y.Data, ds.ValidationY.Data...), append(other.Y.Data, other.ValidationY.Data...)) {
		t.Error("seeds 3 and 4 gave the same order")
	}
}

func equalFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLoadImagesRGB(t *testing.T) {
	dir := t.TempDir()
	writeImageFolder(t, filepath.Join(dir, "pics"), []string{"no", "yes"}, 2)
	study := "task: binary\ndata: {format: images, directory: pics, image_size: [3, 4], channels: 3, class_names: [yes, no]}\n"
	if err := os.WriteFile(filepath.Join(dir, "study.yaml"), []byte(study), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(filepath.Join(dir, "study.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := s.LoadData()
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.InputShape) != 3 || ds.InputShape[2] != 3 || ds.X.Cols != 36 || ds.Classes != 2 || ds.ClassNames[0] != "yes" {
		t.Fatalf("shape %v, %d columns, classes %d %v", ds.InputShape, ds.X.Cols, ds.Classes, ds.ClassNames)
	}
	for r, label := range ds.Y.Data {
		if want := float32(label); ds.X.Data[r*36] != 1-want { // yes (class 0) is white
			t.Fatalf("row %d of class %v has pixel %v", r, label, ds.X.Data[r*36])
		}
	}
}

func TestLoadImagesErrors(t *testing.T) {
	dir := t.TempDir()
	writeImageFolder(t, filepath.Join(dir, "pics"), []string{"a", "b"}, 2)
	writeImageFolder(t, filepath.Join(dir, "odd"), []string{"a", "c"}, 1)
	broken := filepath.Join(dir, "pics", "b", "broken.png")
	if err := os.WriteFile(filepath.Join(dir, "bad.png"), []byte("not a png"), 0o644); err != nil {
		t.Fatal(err)
	}
	write := func(study string) *Study {
		t.Helper()
		path := filepath.Join(dir, "study.yaml")
		if err := os.WriteFile(path, []byte(study), 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	parseErrors := []struct{ study, want string }{
		{"data:\n  format: images\n  directory: pics\n  channels: 2\n", "study.yaml:4: data.channels is 2, want 1 (grey) or 3 (RGB)"},
		{"data:\n  format: images\n  directory: pics\n  image_size: [0, 5]\n", "study.yaml:4: data.image_size [0 5]: want [height, width], each 1 to 4096"},
		{"data:\n  format: images\n  directory: pics\n  image_size: [5]\n", "study.yaml:4: data.image_size [5]: want [height, width], each 1 to 4096"},
		{"data:\n  format: images\n", "study.yaml:1: data.directory is missing: the images format needs it"},
		{"task: regression\ndata: {format: images, directory: pics}\n", "study.yaml:1: task regression does not fit the images data, whose labels are classes"},
		{"data:\n  format: csv\n  path: x.csv\n  directory: pics\n", "study.yaml:4: data.directory applies to format images, not csv"},
		{"data:\n  format: images\n  directory: pics\n  class_names: [a, a]\n", "study.yaml:4: data.class_names lists \"a\" twice"},
		{"task: binary\ndata:\n  format: images\n  directory: pics\n  class_names: [a, b, c]\n", "study.yaml:5: task binary needs 2 data.class_names, not 3"},
		{"data:\n  format: images\n  directory: pics\n  validation_directory: odd\n  validation_split: 0.5\n", "study.yaml:5: data.validation_split and a validation file exclude each other: set one"},
	}
	for _, c := range parseErrors {
		path := filepath.Join(dir, "study.yaml")
		if err := os.WriteFile(path, []byte(c.study), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		if err == nil || !strings.HasSuffix(err.Error(), c.want) {
			t.Errorf("%q:\n got %v\nwant …%s", c.study, err, c.want)
		}
	}

	s := write("data:\n  format: images\n  directory: pics\n  test_directory: odd\n")
	_, err := s.LoadData()
	var se *Error
	if !errors.Is(err, data.ErrUnknownClass) || !errors.As(err, &se) || se.Line != 4 {
		t.Errorf("a test folder with an unknown class: %v, want ErrUnknownClass at line 4", err)
	}
	if err := os.WriteFile(broken, []byte("not a png"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = s.LoadData()
	if !errors.Is(err, data.ErrImage) || !errors.As(err, &se) || se.Line != 3 || !strings.Contains(se.Msg, broken) {
		t.Errorf("a broken image: %v, want ErrImage at line 3 naming %s", err, broken)
	}
	s = write("task: binary\ndata: {format: images, directory: odd, test_directory: pics}\n")
	if err := os.Remove(broken); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadData(); !errors.Is(err, data.ErrUnknownClass) {
		t.Errorf("binary, test folder with a third class: %v, want ErrUnknownClass", err)
	}
}

// TestCNNStudy runs model: cnn on an image folder from a study file.
func TestCNNStudy(t *testing.T) {
	dir := t.TempDir()
	writeImageFolder(t, filepath.Join(dir, "pics"), []string{"a", "b"}, 10)
	study := `seed: 2
model: cnn
data: {format: images, directory: pics, image_size: [6, 6], validation_split: 0.3}
hyperparameters:
  conv_blocks: [1, 2]
  filters: 4
  pooling: [max, avg]
  dense_units: 8
  optimizer: [sgd, adam]
  momentum: 0.9
  learning_rate: 0.01
oracle: random
max_trials: 3
epochs: 2
batch_size: 4
parallel_trials: 1
`
	path := filepath.Join(dir, "study.yaml")
	if err := os.WriteFile(path, []byte(study), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := s.LoadData()
	if err != nil {
		t.Fatal(err)
	}
	opts, err := s.Options()
	if err != nil {
		t.Fatal(err)
	}
	tn, err := tuner.New(&tuner.Training{HyperModel: s.HyperModel(ds.Profile()), X: ds.X, Y: ds.Y, Config: s.FitConfig(ds)}, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer tn.Close()
	if err := tn.Search(context.Background()); err != nil {
		t.Fatal(err)
	}
	best, err := tn.BestTrials(3)
	if err != nil || len(best) != 3 {
		t.Fatalf("%d completed trials: %v", len(best), err)
	}
	for _, tr := range best {
		m, err := tn.LoadModel(tr.ID)
		if err != nil {
			t.Fatal(err)
		}
		// 6×6 → 3×3 (4 filters) → 2×2 (8 filters), Dense 8, 2 classes:
		// (9+1)·4 + 3·3·4·8+8 + 18, or with a second block (36+1)·8 and 2·2·8·8+8.
		want := map[int]int{1: 40 + 296 + 18, 2: 40 + 296 + 264 + 18}[tr.Values["conv_blocks"].(int)]
		if got := m.CountParams(); got != want {
			t.Errorf("trial %d %v: %d parameters, want %d\n%s", tr.ID, tr.Values, got, want, m.Summary())
		}
		if _, ok := tr.Values["momentum"]; ok != (tr.Values["optimizer"] == "sgd") {
			t.Errorf("trial %d: momentum active %v with %v", tr.ID, ok, tr.Values["optimizer"])
		}
	}
}

func TestCNNStudyErrors(t *testing.T) {
	for _, c := range []struct{ study, want string }{
		{"model: cnn\ndata: {format: spirals}\n", "s.yaml:1: model cnn takes images: set data.format to images or idx, or use model mlp"},
		{"model: cnn\ndata: {format: idx, train_images: x, train_labels: y}\nhyperparameters:\n  n_hidden: 2\n",
			`s.yaml:4: unknown hyperparameter "n_hidden" (model cnn has conv_blocks, filters, kernel_size, pooling, dense_units, dropout, optimizer, learning_rate, momentum or batch_size)`},
		{"model: cnn\ndata: {format: idx, train_images: x, train_labels: y}\nhyperparameters:\n  pooling: [max, median]\n",
			`s.yaml:4: hyperparameter "pooling": "median" is not max or avg`},
	} {
		_, err := Parse([]byte(c.study), "s.yaml")
		if err == nil || err.Error() != c.want {
			t.Errorf("%q:\n got %v\nwant %s", c.study, err, c.want)
		}
	}
}
