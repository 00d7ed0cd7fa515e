package data

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tunekit/tune/nn"
)

// DirEnv is the environment variable naming the directory that holds the
// benchmark datasets (with sub-directories fashion-mnist and
// california-housing).
const DirEnv = "TUNE_DATA_DIR"

// DefaultDataDir returns the value of $TUNE_DATA_DIR, or "" if it is unset.
// Finding a default location otherwise is the caller's business.
func DefaultDataDir() string { return os.Getenv(DirEnv) }

// FashionMNISTURL is where the Fashion-MNIST files are published.
const FashionMNISTURL = "https://github.com/zalandoresearch/fashion-mnist"

// Fashion-MNIST file names, as published.
const (
	FashionMNISTTrainImages = "train-images-idx3-ubyte.gz"
	FashionMNISTTrainLabels = "train-labels-idx1-ubyte.gz"
	FashionMNISTTestImages  = "t10k-images-idx3-ubyte.gz"
	FashionMNISTTestLabels  = "t10k-labels-idx1-ubyte.gz"
)

// FashionMNISTClasses returns the names of the 10 Fashion-MNIST classes,
// indexed by class id.
func FashionMNISTClasses() []string {
	return []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
		"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}
}

// findIDX returns dir/name, or dir/name without ".gz" if only the
// decompressed file exists (as some downloaders leave it).
func findIDX(dir, name string) (string, error) {
	p := filepath.Join(dir, name)
	_, err := os.Stat(p)
	if err == nil {
		return p, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("Fashion-MNIST: %w", err)
	}
	raw := strings.TrimSuffix(p, ".gz")
	if _, err2 := os.Stat(raw); err2 == nil {
		return raw, nil
	}
	return "", fmt.Errorf("Fashion-MNIST: %s: %w; run `tune data get fashion-mnist`, or download %s (and the other three files) from %s (folder data/fashion) into %s",
		p, fs.ErrNotExist, name, FashionMNISTURL, dir)
}

// FashionMNIST loads Fashion-MNIST from the four published gzip IDX files in
// dir (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
// t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz; decompressed copies
// without ".gz" are accepted too).
//
// trainX is 60000×784 and testX 10000×784, one 28×28 image per row,
// row-major, pixels scaled to [0, 1]; trainY and testY are N×1 class ids
// 0–9 (see FashionMNISTClasses). A missing file is an error wrapping
// fs.ErrNotExist that names the file and says where to get it.
func FashionMNIST(dir string) (trainX, trainY, testX, testY *nn.Matrix, err error) {
	load := func(images, labels string) (*nn.Matrix, *nn.Matrix, error) {
		ip, err := findIDX(dir, images)
		if err != nil {
			return nil, nil, err
		}
		lp, err := findIDX(dir, labels)
		if err != nil {
			return nil, nil, err
		}
		x, shape, err := LoadIDXImages(ip)
		if err != nil {
			return nil, nil, err
		}
		if len(shape) != 2 || shape[0] != 28 || shape[1] != 28 {
			return nil, nil, fmt.Errorf("%s: %w: images are %v, want [28 28]", ip, ErrIDXShape, shape)
		}
		y, err := LoadIDXLabels(lp)
		if err != nil {
			return nil, nil, err
		}
		if y.Rows != x.Rows {
			return nil, nil, fmt.Errorf("%w: %s has %d images but %s has %d labels", ErrIDXShape, ip, x.Rows, lp, y.Rows)
		}
		for i, v := range y.Data {
			if v > 9 {
				return nil, nil, fmt.Errorf("%s: %w: label %d is %v, want 0–9", lp, ErrLabel, i, v)
			}
		}
		return x, y, nil
	}
	if trainX, trainY, err = load(FashionMNISTTrainImages, FashionMNISTTrainLabels); err != nil {
		return nil, nil, nil, nil, err
	}
	if testX, testY, err = load(FashionMNISTTestImages, FashionMNISTTestLabels); err != nil {
		return nil, nil, nil, nil, err
	}
	return trainX, trainY, testX, testY, nil
}

// californiaHousingFeatures are the names of CaliforniaHousing's features, in
// column order (scikit-learn's fetch_california_housing frame).
var californiaHousingFeatures = []string{
	"MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup", "Latitude", "Longitude",
}

// CaliforniaHousing loads the raw StatLib file cal_housing.data (comma
// separated, no header, 9 columns: longitude, latitude, housingMedianAge,
// totalRooms, totalBedrooms, population, households, medianIncome,
// medianHouseValue) and derives scikit-learn's fetch_california_housing
// frame, keeping the row order.
//
// x has the 8 features MedInc, HouseAge, AveRooms, AveBedrms, Population,
// AveOccup, Latitude, Longitude (returned as features), where
// AveRooms = totalRooms/households, AveBedrms = totalBedrooms/households and
// AveOccup = population/households; y (N×1) is MedHouseVal =
// medianHouseValue/100000, in units of $100,000. Derived values are computed
// in float64 and rounded once to float32.
func CaliforniaHousing(path string) (x, y *nn.Matrix, features []string, err error) {
	t, err := LoadCSVFile(path, CSVOptions{NoTarget: true})
	if err != nil {
		return nil, nil, nil, err
	}
	if t.X.Cols != 9 {
		return nil, nil, nil, fmt.Errorf("%s: %w: %d columns, want 9 (longitude, latitude, housingMedianAge, totalRooms, totalBedrooms, population, households, medianIncome, medianHouseValue)",
			path, ErrFieldCount, t.X.Cols)
	}
	n := t.X.Rows
	x = nn.NewMatrix(n, len(californiaHousingFeatures))
	y = nn.NewMatrix(n, 1)
	for i := range n {
		c := t.X.Row(i)
		lon, lat, age := float64(c[0]), float64(c[1]), float64(c[2])
		rooms, bedrooms, pop, households := float64(c[3]), float64(c[4]), float64(c[5]), float64(c[6])
		income, value := float64(c[7]), float64(c[8])
		if !(households > 0) {
			return nil, nil, nil, fmt.Errorf("%s: row %d: households is %v, which makes the averages %w", path, i+1, households, ErrNotFinite)
		}
		row := x.Row(i)
		row[0] = float32(income)
		row[1] = float32(age)
		row[2] = float32(rooms / households)
		row[3] = float32(bedrooms / households)
		row[4] = float32(pop)
		row[5] = float32(pop / households)
		row[6] = float32(lat)
		row[7] = float32(lon)
		y.Data[i] = float32(value / 100000)
	}
	return x, y, append([]string(nil), californiaHousingFeatures...), nil
}
