package examplesetup

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/nn"
)

// DataDir is the default of the examples' -data flag: $TUNE_DATA_DIR, or
// ../shared/data when it is unset.
func DataDir() string {
	if dir := data.DefaultDataDir(); dir != "" {
		return dir
	}
	return filepath.Join("..", "shared", "data")
}

// Missing reports whether err says that the dataset (the name tune data
// get knows: fashion-mnist, california-housing) is not in dataDir, and if
// so prints that the example is skipped and how to get the data.
func Missing(err error, dataset, dataDir string) bool {
	if !errors.Is(err, fs.ErrNotExist) {
		return false
	}
	fmt.Printf("the %s data are not in %s: %v\nskipping (set -data or $%s, or run: tune data get %s)\n",
		dataset, dataDir, err, data.DirEnv, dataset)
	return true
}

// Fashion is Fashion-MNIST split as Hands-On Machine Learning, chapter 10,
// splits it: the last 5,000 of the 60,000 training images held out as
// validation data.
type Fashion struct {
	TrainX, TrainY *nn.Matrix // 55,000 images (fewer after LimitTrain)
	ValidX, ValidY *nn.Matrix // 5,000 images
	TestX, TestY   *nn.Matrix // 10,000 images
}

// FashionMNIST loads the four gzip IDX files of dataDir/fashion-mnist.
// When they are missing the error wraps fs.ErrNotExist (see Missing).
func FashionMNIST(dataDir string) (*Fashion, error) {
	trainX, trainY, testX, testY, err := data.FashionMNIST(filepath.Join(dataDir, "fashion-mnist"))
	if err != nil {
		return nil, err
	}
	f := &Fashion{TestX: testX, TestY: testY}
	f.TrainX, f.TrainY, f.ValidX, f.ValidY, err = data.SplitLast(trainX, trainY, 5000)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// LimitTrain keeps the first n training images; n <= 0 keeps them all.
func (f *Fashion) LimitTrain(n int) {
	if n > 0 && n < f.TrainX.Rows {
		f.TrainX, f.TrainY = f.TrainX.Slice(0, n), f.TrainY.Slice(0, n)
	}
}

// CaliforniaHousing loads dataDir/california-housing/cal_housing.data: the
// 8 features of each district and its median house value. When the file
// is missing the error wraps fs.ErrNotExist (see Missing).
func CaliforniaHousing(dataDir string) (x, y *nn.Matrix, err error) {
	x, y, _, err = data.CaliforniaHousing(filepath.Join(dataDir, "california-housing", "cal_housing.data"))
	return x, y, err
}
