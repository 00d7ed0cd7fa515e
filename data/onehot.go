package data

import (
	"fmt"
	"math"

	"github.com/tunekit/tune/nn"
)

// maxInferredClasses bounds the class count OneHot infers, so that a
// regression target passed by mistake is an error rather than a matrix of
// many gigabytes.
const maxInferredClasses = 1 << 16

// OneHot returns the one-hot encoding of the class ids in y (a rows×1
// matrix, as returned by the loaders): a rows×classes matrix whose row i is
// all zeros except a 1 in column y[i], like Keras' to_categorical.
//
// classes 0 means one more than the largest id in y (at most 65,536). Pass
// the number of classes explicitly when encoding a subset (a test set, a
// batch) that may not contain the largest class. Every id must be an integer
// in [0, classes); otherwise the error wraps ErrLabel and names the row.
func OneHot(y *nn.Matrix, classes int) (*nn.Matrix, error) {
	if err := checkXY(y, nil); err != nil {
		return nil, err
	}
	if y.Cols != 1 {
		return nil, fmt.Errorf("%w: OneHot needs a rows×1 matrix of class ids, got %d×%d", ErrShape, y.Rows, y.Cols)
	}
	if classes < 0 {
		return nil, fmt.Errorf("%w: %d classes", ErrOptions, classes)
	}
	limit := classes
	if classes == 0 {
		limit = maxInferredClasses
	}
	for i, v := range y.Data {
		f := float64(v)
		if !(f >= 0 && f < float64(limit) && f == math.Trunc(f)) {
			if classes == 0 {
				return nil, fmt.Errorf("%w: row %d: %v is not an integer in [0, %d) (pass the class count to go beyond)", ErrLabel, i, v, limit)
			}
			return nil, fmt.Errorf("%w: row %d: %v is not an integer in [0, %d)", ErrLabel, i, v, classes)
		}
	}
	if classes == 0 {
		for _, v := range y.Data {
			classes = max(classes, int(v)+1)
		}
	}
	out := nn.NewMatrix(y.Rows, classes)
	for i, v := range y.Data {
		out.Data[i*classes+int(v)] = 1
	}
	return out, nil
}
