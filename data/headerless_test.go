package data

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// Without a header the columns are named "0", "1", …: the target and the
// features can be chosen by those names, and string labels in the last
// column are classes.
func TestLoadCSVHeaderless(t *testing.T) {
	in := "5.1;3.5;setosa\n\n6.2;2.9;versicolor\n5.9;3.0;setosa\n"
	tab, err := LoadCSV(strings.NewReader(in), CSVOptions{Comma: ';', Target: "2", Columns: []string{"1", "0"}, StringLabels: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tab.Features, []string{"1", "0"}) || tab.Target != "2" || !slices.Equal(tab.Classes, []string{"setosa", "versicolor"}) ||
		!slices.Equal(tab.X.Data, []float32{3.5, 5.1, 2.9, 6.2, 3.0, 5.9}) || !slices.Equal(tab.Y.Data, []float32{0, 1, 0}) ||
		!slices.Equal(tab.Lines, []int{1, 3, 4}) {
		t.Errorf("table %+v X %v Y %v", *tab, tab.X.Data, tab.Y.Data)
	}
	if _, err := LoadCSV(strings.NewReader(in), CSVOptions{Comma: ';', Target: "3"}); !errors.Is(err, ErrUnknownColumn) {
		t.Errorf("target beyond the columns: %v", err)
	}
}

// A field quoted in an error is cut to a readable length.
func TestCSVErrorCutsLongField(t *testing.T) {
	in := "1," + strings.Repeat("x", 1<<20) + "\n"
	_, err := LoadCSV(strings.NewReader(in), CSVOptions{})
	var pe *ParseError
	if !errors.As(err, &pe) || !errors.Is(err, ErrNotNumber) || pe.Line != 1 || pe.Column != 2 {
		t.Fatalf("err = %v", err)
	}
	want := `line 1, column 2: "` + strings.Repeat("x", 40) + `…" (1048576 bytes) is not a number`
	if err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if got := QuoteCut("short"); got != `"short"` {
		t.Errorf("QuoteCut(short) = %s", got)
	}
}
