package data

import (
	"fmt"
	"math"

	"github.com/tunekit/tune/nn"
)

func checkXY(x, y *nn.Matrix) error {
	if x == nil {
		return fmt.Errorf("%w: x is nil", ErrShape)
	}
	if len(x.Data) != x.Rows*x.Cols {
		return fmt.Errorf("%w: x is %d×%d with %d elements", ErrShape, x.Rows, x.Cols, len(x.Data))
	}
	if y != nil {
		if y.Rows != x.Rows {
			return fmt.Errorf("%w: x has %d rows, y %d", ErrShape, x.Rows, y.Rows)
		}
		if len(y.Data) != y.Rows*y.Cols {
			return fmt.Errorf("%w: y is %d×%d with %d elements", ErrShape, y.Rows, y.Cols, len(y.Data))
		}
	}
	return nil
}

// Split shuffles the rows of x and y (the same permutation for both) with a
// generator seeded by seed and splits them into a training and a test part.
// The test part has round(testFraction·rows) rows; testFraction must be in
// [0, 1]. y may be nil, and then trainY and testY are nil. The results are
// new matrices that do not share storage with x and y. The same inputs and
// seed always give the same split.
func Split(x, y *nn.Matrix, testFraction float64, seed int64) (trainX, trainY, testX, testY *nn.Matrix, err error) {
	if err := checkXY(x, y); err != nil {
		return nil, nil, nil, nil, err
	}
	if !(testFraction >= 0 && testFraction <= 1) {
		return nil, nil, nil, nil, fmt.Errorf("%w: test fraction %v is not in [0, 1]", ErrOptions, testFraction)
	}
	n := x.Rows
	nTest := int(math.Round(testFraction * float64(n)))
	p := newRNG(seed, streamSplit).perm(n)
	train, test := p[:n-nTest], p[n-nTest:]
	return gatherRows(x, train), gatherRows(y, train), gatherRows(x, test), gatherRows(y, test), nil
}

// SplitLast splits off the last n rows of x and y as a validation part, the
// convention of Keras' validation_split (which takes the last fraction of
// the data, before any shuffling) and of "the last 5,000 training images as
// validation". n must be in [0, rows]. y may be nil. The results are views
// sharing storage with x and y (nn.Matrix.Slice); no rows are copied.
func SplitLast(x, y *nn.Matrix, n int) (trainX, trainY, valX, valY *nn.Matrix, err error) {
	if err := checkXY(x, y); err != nil {
		return nil, nil, nil, nil, err
	}
	if n < 0 || n > x.Rows {
		return nil, nil, nil, nil, fmt.Errorf("%w: cannot take the last %d of %d rows", ErrOptions, n, x.Rows)
	}
	cut := x.Rows - n
	trainX, valX = x.Slice(0, cut), x.Slice(cut, x.Rows)
	if y != nil {
		trainY, valY = y.Slice(0, cut), y.Slice(cut, y.Rows)
	}
	return trainX, trainY, valX, valY, nil
}
