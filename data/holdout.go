package data

import (
	"fmt"
	"math"
	"slices"

	"github.com/tunekit/tune/nn"
)

// HoldoutOptions says how Holdout divides a dataset into training,
// validation and test sets. The zero value with a fraction set draws the
// held-out rows at random (seeded), which is right for files sorted in any
// way; set ClassLabels for classification to also stratify and check the
// classes.
type HoldoutOptions struct {
	// Validation and Test are the fractions of all rows held out for
	// validation and for testing, each in [0, 1), together below 1. A
	// fraction f of n rows holds out n − int(n·(1−f)) rows, the count
	// Keras' validation_split holds out.
	Validation, Test float64

	// Seed seeds the random draw; the same data, options and seed give the
	// same sets on every run.
	Seed int64

	// Positional takes the held-out rows from the end of the data instead
	// of at random, what Keras' validation_split does: the test set is the
	// last rows, the validation set the rows before it. A file sorted by
	// class or by time then holds out only its last classes or its latest
	// rows; the result's Warnings say so when ClassLabels is set.
	Positional bool

	// ClassLabels says y holds class ids 0, 1, 2, …: random draws are then
	// stratified (each set keeps every class's share of the rows, and a
	// class of two or more rows reaches each held-out set when the set is
	// large enough) and the result's Warnings report sets holding a single
	// class and classes absent from training.
	ClassLabels bool

	// NoStratify, with ClassLabels, draws the held-out rows at random
	// without regard to the classes (the warnings still apply).
	NoStratify bool
}

// Sets is a dataset divided by Holdout. Each set keeps the rows in their
// original order. Sets without rows are nil.
type Sets struct {
	TrainX, TrainY           *nn.Matrix
	ValidationX, ValidationY *nn.Matrix
	TestX, TestY             *nn.Matrix

	// Warnings are problems of the division a person should hear about
	// (print them); nil when there are none or without ClassLabels.
	Warnings []ClassWarning
}

// Holdout divides x and y (y may be nil) into training, validation and test
// sets as o says. The sets are new matrices, except with Positional, where
// they are views of x and y (nn.Matrix.Slice). Errors wrap ErrOptions (bad
// fractions, or too few rows to train on what is left), ErrShape, or
// ErrLabel (ClassLabels with a y that is not class ids).
func Holdout(x, y *nn.Matrix, o HoldoutOptions) (*Sets, error) {
	if err := checkXY(x, y); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"validation", o.Validation}, {"test", o.Test}} {
		if !(f.v >= 0 && f.v < 1) {
			return nil, fmt.Errorf("%w: %s fraction %v is not in [0, 1)", ErrOptions, f.name, f.v)
		}
	}
	n := x.Rows
	nTest, nVal := heldOut(n, o.Test), heldOut(n, o.Validation)
	if (nTest > 0 || nVal > 0) && nTest+nVal >= n {
		return nil, fmt.Errorf("%w: %d rows are too few to hold out %d for validation and %d for testing and train on the rest",
			ErrOptions, n, nVal, nTest)
	}
	var classes []int
	if o.ClassLabels {
		if y == nil {
			return nil, fmt.Errorf("%w: ClassLabels without y", ErrOptions)
		}
		var err error
		if classes, err = classIDs(y); err != nil {
			return nil, err
		}
	}
	s := &Sets{}
	if o.Positional {
		cutVal, cutTest := n-nTest-nVal, n-nTest
		s.TrainX, s.ValidationX, s.TestX = x.Slice(0, cutVal), x.Slice(cutVal, cutTest), x.Slice(cutTest, n)
		if y != nil {
			s.TrainY, s.ValidationY, s.TestY = y.Slice(0, cutVal), y.Slice(cutVal, cutTest), y.Slice(cutTest, n)
		}
	} else {
		var train, val, test []int
		if o.ClassLabels && !o.NoStratify {
			train, val, test = stratifiedDraw(classes, nVal, nTest, o.Seed)
		} else {
			p := newRNG(o.Seed, streamHoldout).perm(n)
			test, val, train = p[:nTest], p[nTest:nTest+nVal], p[nTest+nVal:]
		}
		for _, idx := range [][]int{train, val, test} {
			slices.Sort(idx)
		}
		s.TrainX, s.TrainY = gatherRows(x, train), gatherRows(y, train)
		s.ValidationX, s.ValidationY = gatherRows(x, val), gatherRows(y, val)
		s.TestX, s.TestY = gatherRows(x, test), gatherRows(y, test)
	}
	if nVal == 0 {
		s.ValidationX, s.ValidationY = nil, nil
	}
	if nTest == 0 {
		s.TestX, s.TestY = nil, nil
	}
	if o.ClassLabels {
		var err error
		if s.Warnings, err = CheckClasses(s.TrainY, s.ValidationY, s.TestY); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// heldOut is the number of n rows a fraction f holds out (Keras' rule).
func heldOut(n int, f float64) int {
	if f == 0 {
		return 0
	}
	return n - int(float64(n)*(1-f))
}

func gatherRows(m *nn.Matrix, idx []int) *nn.Matrix {
	if m == nil {
		return nil
	}
	out := nn.NewMatrix(len(idx), m.Cols)
	for i, k := range idx {
		copy(out.Row(i), m.Row(k))
	}
	return out
}

// classIDs returns y's values as class ids, checking they are ones.
func classIDs(y *nn.Matrix) ([]int, error) {
	if y.Cols != 1 {
		return nil, fmt.Errorf("%w: class labels need one column, y has %d", ErrShape, y.Cols)
	}
	ids := make([]int, y.Rows)
	for i, v := range y.Data {
		f := float64(v)
		if !(f >= 0 && f < 1<<24) || f != math.Trunc(f) {
			return nil, fmt.Errorf("%w: %v at row %d", ErrLabel, v, i+1)
		}
		ids[i] = int(f)
	}
	return ids, nil
}

// stratifiedDraw shuffles each class's rows and deals nTest of all rows to
// the test set and nVal to the validation set in proportion to the class
// sizes.
func stratifiedDraw(classes []int, nVal, nTest int, seed int64) (train, val, test []int) {
	k := 0
	for _, c := range classes {
		k = max(k, c+1)
	}
	rows := make([][]int, k)
	for i, c := range classes {
		rows[c] = append(rows[c], i)
	}
	r := newRNG(seed, streamHoldout)
	counts := make([]int, k)
	for c, idx := range rows {
		counts[c] = len(idx)
		for i := len(idx) - 1; i > 0; i-- {
			j := int(r.uint64n(uint64(i + 1)))
			idx[i], idx[j] = idx[j], idx[i]
		}
	}
	testQ := allot(counts, nTest)
	left := make([]int, k)
	for c := range counts {
		left[c] = counts[c] - testQ[c]
	}
	valQ := allot(left, nVal)
	for c, idx := range rows {
		test = append(test, idx[:testQ[c]]...)
		val = append(val, idx[testQ[c]:testQ[c]+valQ[c]]...)
		train = append(train, idx[testQ[c]+valQ[c]:]...)
	}
	return train, val, test
}

// allot divides total (at most the sum of counts) among classes in
// proportion to counts (largest remainders, ties to the lower class), then
// moves single rows so that every class with two or more rows gets at least
// one while another class can spare one. No class gives all its rows unless
// total forces it.
func allot(counts []int, total int) []int {
	n := 0
	for _, c := range counts {
		n += c
	}
	q := make([]int, len(counts))
	if total == 0 || n == 0 {
		return q
	}
	rem := make([]float64, len(counts))
	given := 0
	for c, m := range counts {
		exact := float64(total) * float64(m) / float64(n)
		q[c] = int(exact)
		rem[c] = exact - float64(q[c])
		given += q[c]
	}
	order := make([]int, len(counts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case rem[a] > rem[b]:
			return -1
		case rem[a] < rem[b]:
			return 1
		}
		return 0
	})
	// Deal the rest by largest remainder, first leaving every class a row
	// for training, then, if total needs them, those rows too.
	for spare := 1; spare >= 0 && given < total; spare-- {
		for added := true; added && given < total; {
			added = false
			for _, c := range order {
				if given < total && q[c] < counts[c]-spare {
					q[c]++
					given++
					added = true
				}
			}
		}
	}
	for c, m := range counts {
		if m < 2 || q[c] > 0 {
			continue
		}
		donor := -1
		for d := range counts {
			if q[d] > 1 && (donor < 0 || q[d] > q[donor]) {
				donor = d
			}
		}
		if donor < 0 {
			break
		}
		q[donor]--
		q[c]++
	}
	return q
}

// ClassWarning reports a division of classified rows that makes the scores
// misleading: a held-out set holding a single class, or a class the
// training set lacks. Its String method names the counts, for printing.
type ClassWarning struct {
	// Set is "validation" or "test" for a single-class set, "training"
	// for a class absent from training.
	Set string
	// Class is the single class of Set, or the class absent from
	// training.
	Class int
	// Counts are the rows of Class in the training, validation and test
	// sets.
	Counts [3]int
	// Rows is the number of rows of a single-class Set.
	Rows int
}

func (w ClassWarning) String() string {
	if w.Set == "training" {
		return fmt.Sprintf("warning: class %d is absent from the training set (validation %d rows, test %d rows): the model cannot learn it",
			w.Class, w.Counts[1], w.Counts[2])
	}
	return fmt.Sprintf("warning: the %s set holds a single class (class %d, all its %d rows): its accuracy says nothing about the other classes",
		w.Set, w.Class, w.Rows)
}

// CheckClasses reports the problems of a division of class ids into
// training, validation and test sets (validation and test may be nil):
// a held-out set of a single class, and classes of a held-out set absent
// from training. Errors wrap ErrLabel for values
// that are not class ids.
func CheckClasses(train, validation, test *nn.Matrix) ([]ClassWarning, error) {
	var counts []map[int]int
	for _, y := range []*nn.Matrix{train, validation, test} {
		m := map[int]int{}
		if y != nil {
			ids, err := classIDs(y)
			if err != nil {
				return nil, err
			}
			for _, c := range ids {
				m[c]++
			}
		}
		counts = append(counts, m)
	}
	countsOf := func(c int) [3]int { return [3]int{counts[0][c], counts[1][c], counts[2][c]} }
	var ws []ClassWarning
	for i, set := range []string{"validation", "test"} {
		if len(counts[i+1]) == 1 {
			for c, rows := range counts[i+1] {
				ws = append(ws, ClassWarning{Set: set, Class: c, Counts: countsOf(c), Rows: rows})
			}
		}
	}
	var absent []int
	for _, m := range counts[1:] {
		for c := range m {
			if counts[0][c] == 0 && !slices.Contains(absent, c) {
				absent = append(absent, c)
			}
		}
	}
	slices.Sort(absent)
	for _, c := range absent {
		ws = append(ws, ClassWarning{Set: "training", Class: c, Counts: countsOf(c)})
	}
	return ws, nil
}
