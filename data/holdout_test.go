package data

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tunekit/tune/nn"
)

// sortedByClass is a CSV of rows sorted by their string label, the layout
// that defeats a positional split: 40 "a", 30 "b", 20 "c", 10 "d".
func sortedByClass() string {
	var b strings.Builder
	b.WriteString("x1,x2,label\n")
	row := 0
	for _, c := range []struct {
		label string
		n     int
	}{{"a", 40}, {"b", 30}, {"c", 20}, {"d", 10}} {
		for range c.n {
			fmt.Fprintf(&b, "%d,%d,%s\n", row, -row, c.label)
			row++
		}
	}
	return b.String()
}

func classCounts(y *nn.Matrix) map[int]int {
	m := map[int]int{}
	if y != nil {
		for _, v := range y.Data {
			m[int(v)]++
		}
	}
	return m
}

// The default division of a file sorted by class puts every class in the
// training, validation and test sets, in proportion.
func TestHoldoutSortedByClass(t *testing.T) {
	tab, err := LoadCSV(strings.NewReader(sortedByClass()), CSVOptions{Header: true, Target: "label", StringLabels: true})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Holdout(tab.X, tab.Y, HoldoutOptions{Validation: 0.2, Test: 0.1, Seed: 7, ClassLabels: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.Warnings != nil {
		t.Errorf("warnings %v", s.Warnings)
	}
	want := map[string]map[int]int{
		"train":      {0: 28, 1: 21, 2: 14, 3: 7},
		"validation": {0: 8, 1: 6, 2: 4, 3: 2},
		"test":       {0: 4, 1: 3, 2: 2, 3: 1},
	}
	got := map[string]map[int]int{"train": classCounts(s.TrainY), "validation": classCounts(s.ValidationY), "test": classCounts(s.TestY)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("class counts %v, want %v", got, want)
	}
	// Every row lands in exactly one set, with its own label, in file order.
	var rows []int
	for _, set := range [][2]*nn.Matrix{{s.TrainX, s.TrainY}, {s.ValidationX, s.ValidationY}, {s.TestX, s.TestY}} {
		prev := -1
		for i := range set[0].Rows {
			r := set[0].Row(i)
			id := int(r[0])
			if r[1] != -r[0] || tab.Y.Data[id] != set[1].Data[i] || id <= prev {
				t.Fatalf("row %v with label %v after row %d", r, set[1].Data[i], prev)
			}
			prev = id
			rows = append(rows, id)
		}
	}
	slices.Sort(rows)
	for i, id := range rows {
		if id != i {
			t.Fatalf("rows %v are not 0..99 once each", rows)
		}
	}
	// The same seed gives the same sets, another seed others.
	again, _ := Holdout(tab.X, tab.Y, HoldoutOptions{Validation: 0.2, Test: 0.1, Seed: 7, ClassLabels: true})
	other, _ := Holdout(tab.X, tab.Y, HoldoutOptions{Validation: 0.2, Test: 0.1, Seed: 8, ClassLabels: true})
	if !slices.Equal(again.ValidationX.Data, s.ValidationX.Data) || slices.Equal(other.ValidationX.Data, s.ValidationX.Data) {
		t.Error("the draw does not follow the seed")
	}
}

// A positional division (Keras' validation_split) of the same file holds
// out only the last class, and says so.
func TestHoldoutPositionalWarns(t *testing.T) {
	tab, err := LoadCSV(strings.NewReader(sortedByClass()), CSVOptions{Header: true, Target: "label", StringLabels: true})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Holdout(tab.X, tab.Y, HoldoutOptions{Validation: 0.2, Positional: true, ClassLabels: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.TrainX.Rows != 80 || s.ValidationX.Rows != 20 || s.TestX != nil || s.ValidationX.At(0, 0) != 80 {
		t.Fatalf("positional sets %d/%d, first validation row %v", s.TrainX.Rows, s.ValidationX.Rows, s.ValidationX.At(0, 0))
	}
	// The last 20 rows are class 2's last 10 and class 3's 10: class 3 is
	// absent from training.
	want := []ClassWarning{{Set: "training", Class: 3, Counts: [3]int{0, 10, 0}}}
	if !reflect.DeepEqual(s.Warnings, want) {
		t.Errorf("warnings %+v, want %+v", s.Warnings, want)
	}
	if got := s.Warnings[0].String(); got != "warning: class 3 is absent from the training set (validation 10 rows, test 0 rows): the model cannot learn it" {
		t.Errorf("warning reads %q", got)
	}
	s, err = Holdout(tab.X, tab.Y, HoldoutOptions{Validation: 0.1, Positional: true, ClassLabels: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) != 2 || s.Warnings[0].String() != "warning: the validation set holds a single class (class 3, all its 10 rows): its accuracy says nothing about the other classes" {
		t.Errorf("warnings %v", s.Warnings)
	}
}

// Unstratified random draws and y-less data: sizes follow Keras' rule and
// every row is used once.
func TestHoldoutSizes(t *testing.T) {
	for _, tt := range []struct {
		n               int
		val, test       float64
		train, nv, ntst int
	}{
		{10, 0.2, 0, 8, 2, 0},
		{10, 0.25, 0.25, 4, 3, 3}, // 10 − int(7.5) = 3
		{7, 0, 0.5, 3, 0, 4},
		{100, 0, 0, 100, 0, 0},
	} {
		x, y := numbered(tt.n)
		s, err := Holdout(x, y, HoldoutOptions{Validation: tt.val, Test: tt.test, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		rows := func(m *nn.Matrix) int {
			if m == nil {
				return 0
			}
			return m.Rows
		}
		if rows(s.TrainX) != tt.train || rows(s.ValidationY) != tt.nv || rows(s.TestX) != tt.ntst {
			t.Errorf("%d rows, %v/%v: sets %d/%d/%d, want %d/%d/%d", tt.n, tt.val, tt.test,
				rows(s.TrainX), rows(s.ValidationY), rows(s.TestX), tt.train, tt.nv, tt.ntst)
		}
		if s.Warnings != nil {
			t.Errorf("warnings without ClassLabels: %v", s.Warnings)
		}
	}
	x, _ := numbered(10)
	if s, err := Holdout(x, nil, HoldoutOptions{Validation: 0.3}); err != nil || s.TrainY != nil || s.ValidationX.Rows != 3 {
		t.Errorf("without y: %+v, %v", s, err)
	}
}

func TestHoldoutErrors(t *testing.T) {
	x, y := numbered(4)
	frac := nn.NewMatrix(4, 1)
	frac.Data[2] = 0.5
	for _, tt := range []struct {
		o    HoldoutOptions
		y    *nn.Matrix
		want error
	}{
		{HoldoutOptions{Validation: 1}, y, ErrOptions},
		{HoldoutOptions{Test: -0.1}, y, ErrOptions},
		{HoldoutOptions{Validation: 0.5, Test: 0.5}, y, ErrOptions},
		{HoldoutOptions{Validation: 0.9}, y, ErrOptions},
		{HoldoutOptions{Validation: 0.25, ClassLabels: true}, frac, ErrLabel},
		{HoldoutOptions{Validation: 0.25, ClassLabels: true}, nil, ErrOptions},
	} {
		if _, err := Holdout(x, tt.y, tt.o); !errors.Is(err, tt.want) {
			t.Errorf("%+v: err = %v, want %v", tt.o, err, tt.want)
		}
	}
}

func TestAllot(t *testing.T) {
	for _, tt := range []struct {
		counts []int
		total  int
		want   []int
	}{
		{[]int{40, 30, 20, 10}, 10, []int{4, 3, 2, 1}},
		{[]int{95, 3, 2}, 5, []int{3, 1, 1}}, // the small classes get a row each
		{[]int{5, 1}, 2, []int{2, 0}},        // a single row stays in training
		{[]int{2, 2}, 4, []int{2, 2}},        // unless the total needs it
		{[]int{3, 3}, 0, []int{0, 0}},
	} {
		if got := allot(tt.counts, tt.total); !slices.Equal(got, tt.want) {
			t.Errorf("allot(%v, %d) = %v, want %v", tt.counts, tt.total, got, tt.want)
		}
	}
}
