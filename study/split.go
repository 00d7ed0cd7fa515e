package study

import (
	"fmt"
	"math"

	"github.com/tunekit/tune/data"
	"github.com/tunekit/tune/hypermodels"
	"github.com/tunekit/tune/nn"
)

// checkHoldout checks the keys that divide the data and scale the target.
func (s *Study) checkHoldout() error {
	d := &s.Data
	testFile := d.TestPath != "" || d.TestImages != "" || d.TestDirectory != ""
	switch {
	case !(d.ValidationSplit >= 0 && d.ValidationSplit < 1):
		return errorf(s.line("data", "validation_split"), "data.validation_split %v must be in [0, 1)", d.ValidationSplit)
	case !(d.TestSplit >= 0 && d.TestSplit < 1):
		return errorf(s.line("data", "test_split"), "data.test_split %v must be in [0, 1)", d.TestSplit)
	case d.ValidationSplit+d.TestSplit >= 1:
		return errorf(s.line("data", "test_split"), "data.validation_split %v and data.test_split %v leave no row to train on: their sum must be below 1",
			d.ValidationSplit, d.TestSplit)
	case d.ValidationLast < 0:
		return errorf(s.line("data", "validation_last"), "data.validation_last is %d, want 0 or more", d.ValidationLast)
	case d.ValidationSplit > 0 && d.ValidationLast > 0:
		return errorf(s.line("data", "validation_last"), "set data.validation_split or data.validation_last, not both")
	case (d.ValidationPath != "" || d.ValidationImages != "" || d.ValidationDirectory != "") && (d.ValidationSplit > 0 || d.ValidationLast > 0):
		key := "validation_split"
		if d.ValidationLast > 0 {
			key = "validation_last"
		}
		return errorf(s.line("data", key), "data.%s and a validation file exclude each other: set one", key)
	case testFile && d.TestSplit > 0:
		return errorf(s.line("data", "test_split"), "data.test_split and a test file exclude each other: set one")
	case s.Task == hypermodels.Regression && d.Stratify && s.has("data", "stratify"):
		return errorf(s.line("data", "stratify"), "data.stratify applies to classes: a regression target is not stratified")
	}
	switch d.Scale {
	case "":
		d.Scale = "none"
	case "none", "standard", "minmax":
	default:
		return errorf(s.line("data", "scale"), "data.scale %q: want none, standard or minmax", d.Scale)
	}
	switch d.ScaleTarget {
	case "":
		d.ScaleTarget = data.TargetNone
	case data.TargetNone:
	case data.TargetMinMax, data.TargetStandard:
		if s.Task != hypermodels.Regression {
			return errorf(s.line("data", "scale_target"), "data.scale_target %s scales a regression target; task %s has classes", d.ScaleTarget, s.Task)
		}
	default:
		return errorf(s.line("data", "scale_target"), "data.scale_target %q: want none, minmax or standard", d.ScaleTarget)
	}
	return nil
}

// holdout divides the training file's rows into ds's training,
// validation and test parts (data.Holdout with the study's seed).
func (s *Study) holdout(ds *LoadedData, train *part) error {
	d := &s.Data
	x, y := train.x, train.y
	o := data.HoldoutOptions{
		Validation:  d.ValidationSplit,
		Test:        d.TestSplit,
		Seed:        s.Seed,
		Positional:  !d.Shuffle,
		ClassLabels: s.Task != hypermodels.Regression,
		NoStratify:  !d.Stratify,
	}
	sets, err := data.Holdout(x, y, o)
	if err != nil {
		line := s.line("data", "validation_split")
		if d.TestSplit > 0 {
			line = s.line("data", "test_split")
		}
		return &Error{Line: line, Err: ErrData,
			Msg: fmt.Sprintf("the data have %d rows: too few to hold out %v for validation and %v for testing and train on the rest",
				x.Rows, d.ValidationSplit, d.TestSplit)}
	}
	if (d.ValidationSplit > 0 && sets.ValidationX == nil) || (d.TestSplit > 0 && sets.TestX == nil) {
		return &Error{Line: s.line("data", "validation_split"), Err: ErrData,
			Msg: fmt.Sprintf("data.validation_split %v and data.test_split %v of %d rows hold out no row", d.ValidationSplit, d.TestSplit, x.Rows)}
	}
	ds.X, ds.Y = sets.TrainX, sets.TrainY
	ds.ValidationX, ds.ValidationY = sets.ValidationX, sets.ValidationY
	ds.TestX, ds.TestY = sets.TestX, sets.TestY
	if n := d.ValidationLast; n > 0 {
		if n >= ds.X.Rows {
			return &Error{Line: s.line("data", "validation_last"), Err: ErrData,
				Msg: fmt.Sprintf("the data have %d training rows: too few to hold out %d for validation and train on the rest", ds.X.Rows, n)}
		}
		if ds.X, ds.Y, ds.ValidationX, ds.ValidationY, err = data.SplitLast(ds.X, ds.Y, n); err != nil {
			return wrapf(s.line("data", "validation_last"), err, "")
		}
	}
	return nil
}

// scaleTarget fits data.scale_target on the training target and applies
// it to every part's target.
func (s *Study) scaleTarget(ds *LoadedData) error {
	t, err := s.FitTarget(ds.Y)
	if err != nil || t == nil {
		return err
	}
	ds.Target = t
	for _, y := range []**nn.Matrix{&ds.Y, &ds.ValidationY, &ds.TestY} {
		if *y == nil {
			continue
		}
		if *y, err = t.Transform(*y); err != nil {
			return wrapf(s.line("data", "scale_target"), err, "data.scale_target %s", s.Data.ScaleTarget)
		}
	}
	return nil
}

// FitTarget fits the study's target scaling (data.scale_target) on y; nil
// when the study does not scale its target.
func (s *Study) FitTarget(y *nn.Matrix) (*data.TargetScaler, error) {
	if s.Data.ScaleTarget == data.TargetNone || s.Data.ScaleTarget == "" {
		return nil, nil
	}
	t, err := data.FitTarget(s.Data.ScaleTarget, y)
	if err != nil {
		return nil, wrapf(s.line("data", "scale_target"), err, "data.scale_target %s", s.Data.ScaleTarget)
	}
	return t, nil
}

// maxClasses bounds the classes inferred from labels: a larger label is
// more likely a regression target than a class id.
const maxClasses = 10000

// checkLabels checks a data file's labels against the task, naming the
// file's line (csv) or record (idx) of a bad one, and returns the number
// of classes they make (the largest label + 1; 2 for binary, 0 for
// regression). classes, when above 0, is the training files' count,
// which the labels of a validation or test file must stay below.
func (s *Study) checkLabels(what string, p *part, classes int) (int, error) {
	y := p.y
	if y.Cols != 1 {
		return 0, &Error{Line: s.line("data"), Err: ErrData, Msg: fmt.Sprintf("the %s labels have %d columns, want 1", what, y.Cols)}
	}
	bad := func(i int, format string, args ...any) error {
		e := &Error{File: p.labels, Err: ErrData, Msg: fmt.Sprintf(format, args...)}
		switch {
		case p.lines != nil:
			e.Line = p.lines[i]
		case p.labels != "":
			e.Msg += fmt.Sprintf(" (label %d of the file)", i+1)
		default:
			e.Msg += fmt.Sprintf(" (row %d)", i+1)
		}
		if e.File == "" {
			e.Line = s.line("task")
		}
		return e
	}
	top := 0
	for i, v := range y.Data {
		f := float64(v)
		switch s.Task {
		case hypermodels.Classification:
			if f < 0 || f != math.Trunc(f) || f >= maxClasses {
				return 0, bad(i, "%s label %v is not a class id 0, 1, 2, … below %d; for a real-valued target use task: regression", what, v, maxClasses)
			}
			if classes > 0 && int(f) >= classes {
				return 0, bad(i, "%s label %v is not a class of the training labels (0 to %d)", what, v, classes-1)
			}
			top = max(top, int(f))
		case hypermodels.Binary:
			if f != 0 && f != 1 {
				return 0, bad(i, "%s label %v is not 0 or 1, as task binary needs; for more classes use task: classification", what, v)
			}
		}
	}
	switch s.Task {
	case hypermodels.Binary:
		return 2, nil
	case hypermodels.Regression:
		return 0, nil
	}
	if classes == 0 && top == 0 && len(p.classNames) < 2 {
		line := s.line("task")
		if line == 0 {
			line = s.line("data")
		}
		return 0, &Error{Line: line, Err: ErrData, Msg: fmt.Sprintf("the %s labels hold a single class (0); classification needs 2 or more", what)}
	}
	return top + 1, nil
}
