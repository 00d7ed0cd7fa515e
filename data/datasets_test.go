package data

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// realDataDir returns the benchmark data directory ($TUNE_DATA_DIR, else
// the repository's sibling ../../shared/data) or skips the test.
func realDataDir(t *testing.T, sub string) string {
	t.Helper()
	dir := DefaultDataDir()
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data")
	}
	p := filepath.Join(dir, sub)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("benchmark data not found at %s (set %s to the directory holding %s/): %v", p, DirEnv, sub, err)
	}
	if testing.Short() {
		t.Skip("loading the benchmark data is slow; skipped with -short")
	}
	return p
}

func TestFashionMNISTReal(t *testing.T) {
	dir := realDataDir(t, "fashion-mnist")
	trainX, trainY, testX, testY, err := FashionMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name       string
		x, y       int
		rows, cols int
	}{
		{"trainX", trainX.Rows, trainX.Cols, 60000, 784},
		{"trainY", trainY.Rows, trainY.Cols, 60000, 1},
		{"testX", testX.Rows, testX.Cols, 10000, 784},
		{"testY", testY.Rows, testY.Cols, 10000, 1},
	} {
		if c.x != c.rows || c.y != c.cols {
			t.Errorf("%s is %d×%d, want %d×%d", c.name, c.x, c.y, c.rows, c.cols)
		}
	}
	for _, c := range []struct {
		name string
		y    []float32
		per  int
	}{{"train", trainY.Data, 6000}, {"test", testY.Data, 1000}} {
		counts := make([]int, 10)
		for _, v := range c.y {
			counts[int(v)]++
		}
		for k, n := range counts {
			if n != c.per {
				t.Errorf("%s class %d (%s): %d images, want %d", c.name, k, FashionMNISTClasses()[k], n, c.per)
			}
		}
	}
	lo, hi := float32(1), float32(0)
	for _, v := range testX.Data {
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo != 0 || hi != 1 {
		t.Errorf("test pixels in [%v, %v], want [0, 1]", lo, hi)
	}
}

func TestCaliforniaHousingReal(t *testing.T) {
	path := filepath.Join(realDataDir(t, "california-housing"), "cal_housing.data")
	x, y, features, err := CaliforniaHousing(path)
	if err != nil {
		t.Fatal(err)
	}
	wantFeatures := []string{"MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup", "Latitude", "Longitude"}
	if x.Rows != 20640 || x.Cols != 8 || y.Rows != 20640 || y.Cols != 1 || !slices.Equal(features, wantFeatures) {
		t.Fatalf("got %d×%d, %d×%d, %q", x.Rows, x.Cols, y.Rows, y.Cols, features)
	}
	// Check values from the data README (rounded to 7 decimals there).
	mean := func(col int) float64 {
		s := 0.0
		for i := range x.Rows {
			s += float64(x.At(i, col))
		}
		return s / float64(x.Rows)
	}
	ymean, ymin, ymax := 0.0, math.Inf(1), math.Inf(-1)
	for _, v := range y.Data {
		ymean += float64(v)
		ymin, ymax = min(ymin, float64(v)), max(ymax, float64(v))
	}
	ymean /= float64(y.Rows)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"mean MedInc", mean(0), 3.8706710},
		{"mean AveRooms", mean(2), 5.4289997},
		{"mean AveOccup", mean(5), 3.0706552},
		{"mean MedHouseVal", ymean, 2.0685582},
		{"min MedHouseVal", ymin, 0.14999},
		{"max MedHouseVal", ymax, 5.00001},
	} {
		if !near(c.got, c.want, 1e-7) { // one unit in the last digit given
			t.Errorf("%s = %.7f, want %.7f", c.name, c.got, c.want)
		}
	}
	row0 := []float64{8.3252, 41, 6.984127, 1.023810, 322, 2.555556, 37.88, -122.23}
	for j, want := range row0 {
		if got := float64(x.At(0, j)); !near(got, want, 1e-6*max(1, math.Abs(want))) {
			t.Errorf("row 0 %s = %v, want %v", features[j], got, want)
		}
	}
	if !near(float64(y.Data[0]), 4.526, 1e-6) {
		t.Errorf("row 0 MedHouseVal = %v, want 4.526", y.Data[0])
	}
}

// fashionFixture writes tiny Fashion-MNIST-shaped files into a directory:
// gzip for the training set, raw (decompressed names) for the test set.
func fashionFixture(t *testing.T, trainImages, trainLabels int) string {
	t.Helper()
	dir := t.TempDir()
	labels := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i % 10)
		}
		return b
	}
	writeFile(t, dir, FashionMNISTTrainImages, gzipBytes(t, encodeIDX(8, []uint32{uint32(trainImages), 28, 28}, seq(trainImages*784))))
	writeFile(t, dir, FashionMNISTTrainLabels, gzipBytes(t, encodeIDX(8, []uint32{uint32(trainLabels)}, labels(trainLabels))))
	writeFile(t, dir, strings.TrimSuffix(FashionMNISTTestImages, ".gz"), encodeIDX(8, []uint32{2, 28, 28}, seq(2*784)))
	writeFile(t, dir, strings.TrimSuffix(FashionMNISTTestLabels, ".gz"), encodeIDX(8, []uint32{2}, labels(2)))
	return dir
}

func TestFashionMNISTFixture(t *testing.T) {
	dir := fashionFixture(t, 3, 3)
	trainX, trainY, testX, testY, err := FashionMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	if trainX.Rows != 3 || trainX.Cols != 784 || trainY.Rows != 3 || testX.Rows != 2 || testY.Rows != 2 ||
		!slices.Equal(trainY.Data, []float32{0, 1, 2}) || testX.Data[1] != float32(37)/255 {
		t.Errorf("got %d×%d %v, %d×%d %v", trainX.Rows, trainX.Cols, trainY.Data, testX.Rows, testX.Cols, testY.Data)
	}

	// Missing file: named, with where to get it.
	os.Remove(filepath.Join(dir, FashionMNISTTrainLabels))
	_, _, _, _, err = FashionMNIST(dir)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), filepath.Join(dir, FashionMNISTTrainLabels)) ||
		!strings.Contains(err.Error(), FashionMNISTURL) {
		t.Errorf("missing labels: %v", err)
	}

	// Images and labels disagree.
	_, _, _, _, err = FashionMNIST(fashionFixture(t, 3, 4))
	if !errors.Is(err, ErrIDXShape) || !strings.Contains(err.Error(), "3 images but") {
		t.Errorf("count mismatch: %v", err)
	}

	// Wrong image size.
	dir = fashionFixture(t, 1, 1)
	writeFile(t, dir, FashionMNISTTrainImages, encodeIDX(8, []uint32{1, 27, 28}, seq(27*28)))
	if _, _, _, _, err = FashionMNIST(dir); !errors.Is(err, ErrIDXShape) {
		t.Errorf("27×28 images: %v", err)
	}

	// Label out of range.
	dir = fashionFixture(t, 1, 1)
	writeFile(t, dir, FashionMNISTTrainLabels, encodeIDX(8, []uint32{1}, []byte{10}))
	if _, _, _, _, err = FashionMNIST(dir); !errors.Is(err, ErrLabel) {
		t.Errorf("label 10: %v", err)
	}
}

func TestCaliforniaHousingFixture(t *testing.T) {
	dir := t.TempDir()
	// Made-up block groups in the raw StatLib column order: longitude,
	// latitude, housingMedianAge, totalRooms, totalBedrooms, population,
	// households, medianIncome, medianHouseValue.
	p := writeFile(t, dir, "cal_housing.data", []byte(
		"-120.500000,35.250000,20.000000,1000.000000,200.000000,500.000000,250.000000,4.500000,250000.000000\n"+
			"-118.000000,34.000000,7.000000,90.000000,30.000000,45.000000,30.000000,1.250000,125000.000000\n"))
	x, y, features, err := CaliforniaHousing(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(features) != 8 || features[0] != "MedInc" || features[7] != "Longitude" {
		t.Errorf("features %q", features)
	}
	checkMatrix(t, "x", x, [][]float64{
		{4.5, 20, 4, 0.8, 500, 2, 35.25, -120.5},
		{1.25, 7, 3, 1, 45, 1.5, 34, -118},
	}, 1e-6)
	checkMatrix(t, "y", y, [][]float64{{2.5}, {1.25}}, 1e-7)

	bad := writeFile(t, dir, "eight.data", []byte("1,2,3,4,5,6,7,8\n"))
	if _, _, _, err := CaliforniaHousing(bad); !errors.Is(err, ErrFieldCount) || !strings.Contains(err.Error(), bad) {
		t.Errorf("8 columns: %v", err)
	}
	bad = writeFile(t, dir, "zero.data", []byte("1,2,3,4,5,6,0,8,9\n"))
	if _, _, _, err := CaliforniaHousing(bad); !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), bad) {
		t.Errorf("0 households: %v", err)
	}
	bad = writeFile(t, dir, "text.data", []byte("1,2,3,4,5,6,7,8,9\n1,2,3,4,5,6,7,8,NEAR BAY\n"))
	var pe *ParseError
	if _, _, _, err := CaliforniaHousing(bad); !errors.As(err, &pe) || pe.File != bad || pe.Line != 2 || pe.Column != 9 {
		t.Errorf("text value: %v", err)
	}
	if _, _, _, err := CaliforniaHousing(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestDefaultDataDir(t *testing.T) {
	t.Setenv(DirEnv, "/some/where")
	if got := DefaultDataDir(); got != "/some/where" {
		t.Errorf("DefaultDataDir() = %q", got)
	}
	t.Setenv(DirEnv, "")
	os.Unsetenv(DirEnv)
	if got := DefaultDataDir(); got != "" {
		t.Errorf("unset: DefaultDataDir() = %q", got)
	}
}
