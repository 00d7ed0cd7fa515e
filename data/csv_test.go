package data

import (
	"encoding/csv"
	"errors"
	"io/fs"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tunekit/tune/nn"
)

func mat(rows, cols int, v ...float32) *nn.Matrix {
	if v == nil {
		v = []float32{}
	}
	return &nn.Matrix{Rows: rows, Cols: cols, Data: v}
}

func equalMatrix(a, b *nn.Matrix) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Rows == b.Rows && a.Cols == b.Cols && slices.Equal(a.Data, b.Data)
}

func equalTable(a, b *Table) bool {
	return equalMatrix(a.X, b.X) && equalMatrix(a.Y, b.Y) &&
		slices.Equal(a.Features, b.Features) && a.Target == b.Target && slices.Equal(a.Classes, b.Classes)
}

func TestLoadCSV(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opts CSVOptions
		want Table
	}{
		{
			name: "zero options: no header, target column 0",
			in:   "1,2,3\n4,5,6\n",
			want: Table{Features: []string{"1", "2"}, Target: "0", X: mat(2, 2, 2, 3, 5, 6), Y: mat(2, 1, 1, 4)},
		},
		{
			name: "TargetIndex -1 is the last column",
			in:   "1,2,3\n4,5,6\n",
			opts: CSVOptions{TargetIndex: -1},
			want: Table{Features: []string{"0", "1"}, Target: "2", X: mat(2, 2, 1, 2, 4, 5), Y: mat(2, 1, 3, 6)},
		},
		{
			name: "TargetIndex 1 and -2 are the middle column",
			in:   "1,2,3\n4,5,6",
			opts: CSVOptions{TargetIndex: 1},
			want: Table{Features: []string{"0", "2"}, Target: "1", X: mat(2, 2, 1, 3, 4, 6), Y: mat(2, 1, 2, 5)},
		},
		{
			name: "TargetIndex -3 is the first of 3",
			in:   "1,2,3\n4,5,6",
			opts: CSVOptions{TargetIndex: -3},
			want: Table{Features: []string{"1", "2"}, Target: "0", X: mat(2, 2, 2, 3, 5, 6), Y: mat(2, 1, 1, 4)},
		},
		{
			name: "header and target by name",
			in:   "a,price,b\n1,2,3\n4,5,6\n",
			opts: CSVOptions{Header: true, Target: "price"},
			want: Table{X: mat(2, 2, 1, 3, 4, 6), Y: mat(2, 1, 2, 5), Features: []string{"a", "b"}, Target: "price"},
		},
		{
			name: "header with TargetIndex",
			in:   "a,b,price\n1,2,3\n",
			opts: CSVOptions{Header: true, TargetIndex: -1},
			want: Table{X: mat(1, 2, 1, 2), Y: mat(1, 1, 3), Features: []string{"a", "b"}, Target: "price"},
		},
		{
			name: "quoted header names with comma, quote and newline",
			in:   "\"median, income\",\"the \"\"best\"\" age\",\"house\nvalue\"\n1,2,3\n",
			opts: CSVOptions{Header: true, Target: "house\nvalue"},
			want: Table{X: mat(1, 2, 1, 2), Y: mat(1, 1, 3), Features: []string{"median, income", `the "best" age`}, Target: "house\nvalue"},
		},
		{
			name: "header names trimmed, byte order mark dropped",
			in:   "\ufeffa , b,  y\n1,2,3\n",
			opts: CSVOptions{Header: true, Target: "y"},
			want: Table{X: mat(1, 2, 1, 2), Y: mat(1, 1, 3), Features: []string{"a", "b"}, Target: "y"},
		},
		{
			name: "semicolon, spaces, quoted numbers, CRLF",
			in:   "x; y\r\n 1.5 ;\"-2e3\"\r\n+.25;0x1p-2\r\n",
			opts: CSVOptions{Comma: ';', Header: true, Target: "y"},
			want: Table{X: mat(2, 1, 1.5, 0.25), Y: mat(2, 1, -2000, 0.25), Features: []string{"x"}, Target: "y"},
		},
		{
			name: "tab separated",
			in:   "1\t2\n3\t4\n",
			opts: CSVOptions{Comma: '\t', TargetIndex: -1},
			want: Table{Features: []string{"0"}, Target: "1", X: mat(2, 1, 1, 3), Y: mat(2, 1, 2, 4)},
		},
		{
			name: "comments and blank lines skipped",
			in:   "# generated\na,y\n\n1,2\n# a comment, with a comma\n\n3,4\n",
			opts: CSVOptions{Header: true, Comment: '#', Target: "y"},
			want: Table{X: mat(2, 1, 1, 3), Y: mat(2, 1, 2, 4), Features: []string{"a"}, Target: "y"},
		},
		{
			name: "string labels in order of first appearance",
			in:   "x,species\n1,setosa\n2, virginica\n3,setosa\n4,\"versicolor\"\n",
			opts: CSVOptions{Header: true, Target: "species", StringLabels: true},
			want: Table{X: mat(4, 1, 1, 2, 3, 4), Y: mat(4, 1, 0, 1, 0, 2), Features: []string{"x"}, Target: "species",
				Classes: []string{"setosa", "virginica", "versicolor"}},
		},
		{
			name: "fixed classes",
			in:   "1,b\n2,b\n",
			opts: CSVOptions{TargetIndex: -1, StringLabels: true, Classes: []string{"a", "b", "c"}},
			want: Table{Features: []string{"0"}, Target: "1", X: mat(2, 1, 1, 2), Y: mat(2, 1, 1, 1), Classes: []string{"a", "b", "c"}},
		},
		{
			name: "numeric-looking string labels",
			in:   "1,10\n2,3\n",
			opts: CSVOptions{TargetIndex: -1, StringLabels: true},
			want: Table{Features: []string{"0"}, Target: "1", X: mat(2, 1, 1, 2), Y: mat(2, 1, 0, 1), Classes: []string{"10", "3"}},
		},
		{
			name: "column subset reorders and skips text",
			in:   "a,name,b,c,y\n1,first row,2,3,4\n5,second,6,7,8\n",
			opts: CSVOptions{Header: true, Target: "y", Columns: []string{"c", "a"}},
			want: Table{X: mat(2, 2, 3, 1, 7, 5), Y: mat(2, 1, 4, 8), Features: []string{"c", "a"}, Target: "y"},
		},
		{
			name: "duplicate header names are fine when not looked up",
			in:   "a,a,y\n1,2,3\n",
			opts: CSVOptions{Header: true, TargetIndex: -1},
			want: Table{X: mat(1, 2, 1, 2), Y: mat(1, 1, 3), Features: []string{"a", "a"}, Target: "y"},
		},
		{
			name: "no target",
			in:   "a,b\n1,2\n3,4\n",
			opts: CSVOptions{Header: true, NoTarget: true},
			want: Table{X: mat(2, 2, 1, 2, 3, 4), Features: []string{"a", "b"}},
		},
		{
			name: "target only",
			in:   "y\n1\n2\n",
			opts: CSVOptions{Header: true},
			want: Table{X: mat(2, 0), Y: mat(2, 1, 1, 2), Features: []string{}, Target: "y"},
		},
		{
			name: "float32 extremes",
			in:   "3.4028235e38,-1.4e-45,-0,1e-50\n",
			opts: CSVOptions{TargetIndex: -1},
			want: Table{Features: []string{"0", "1", "2"}, Target: "3", X: mat(1, 3, math.MaxFloat32, -math.SmallestNonzeroFloat32, float32(math.Copysign(0, -1))), Y: mat(1, 1, 0)},
		},
		{
			name: "unicode delimiter",
			in:   "1·2\n",
			opts: CSVOptions{Comma: '·'},
			want: Table{Features: []string{"1"}, Target: "0", X: mat(1, 1, 2), Y: mat(1, 1, 1)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			got, err := LoadCSV(strings.NewReader(tt.in), opts)
			if err != nil {
				t.Fatal(err)
			}
			if !equalTable(got, &tt.want) {
				t.Errorf("got  %+v X=%v Y=%v\nwant %+v X=%v Y=%v", *got, got.X, got.Y, tt.want, tt.want.X, tt.want.Y)
			}
			if opts.Classes != nil && &got.Classes[0] == &opts.Classes[0] {
				t.Error("Table.Classes aliases CSVOptions.Classes")
			}
		})
	}
}

func TestLoadCSVErrors(t *testing.T) {
	hdr := CSVOptions{Header: true, TargetIndex: -1}
	tests := []struct {
		name   string
		in     string
		opts   CSVOptions
		want   error
		line   int
		column int
		field  string
		msg    string
	}{
		{
			name: "not a number", in: "a,b,rooms,y\n1,2,3,4\n5,6,abc,8\n", opts: hdr,
			want: ErrNotNumber, line: 3, column: 3, field: "rooms",
			msg: `housing.csv:3:3: field "rooms": "abc" is not a number`,
		},
		{
			name: "not a number without header", in: "1,2\n3,x y\n",
			want: ErrNotNumber, line: 2, column: 2,
			msg: `housing.csv:2:2: "x y" is not a number`,
		},
		{
			name: "missing value", in: "a,b,y\n1,,3\n", opts: hdr,
			want: ErrMissingValue, line: 2, column: 2, field: "b",
			msg: `housing.csv:2:2: field "b": missing value`,
		},
		{
			name: "blank value", in: "a,b,y\n1,  ,3\n", opts: hdr,
			want: ErrMissingValue, line: 2, column: 2, field: "b",
		},
		{
			name: "missing target", in: "a,y\n1,2\n3,\n", opts: hdr,
			want: ErrMissingValue, line: 3, column: 2, field: "y",
		},
		{
			name: "NaN", in: "a,y\n1,2\nNaN,3\n", opts: hdr,
			want: ErrNotFinite, line: 3, column: 1, field: "a",
			msg: `housing.csv:3:1: field "a": "NaN" is not a finite number`,
		},
		{
			name: "Inf target", in: "a,y\n1,-Inf\n", opts: hdr,
			want: ErrNotFinite, line: 2, column: 2, field: "y",
		},
		{
			name: "beyond float32", in: "a,y\n1e39,1\n", opts: hdr,
			want: ErrRange, line: 2, column: 1, field: "a",
			msg: `housing.csv:2:1: field "a": "1e39" is out of float32 range`,
		},
		{
			name: "ragged row too short", in: "a,b,y\n1,2,3\n4,5\n", opts: hdr,
			want: ErrFieldCount, line: 3, column: 3,
			msg: `housing.csv:3:3: wrong number of fields: got 2, want 3`,
		},
		{
			name: "ragged row too long", in: "1,2\n3,4\n5,6,7\n",
			want: ErrFieldCount, line: 3, column: 3,
			msg: `housing.csv:3:3: wrong number of fields: got 3, want 2`,
		},
		{
			name: "ragged data under header", in: "a,b\n1\n", opts: CSVOptions{Header: true},
			want: ErrFieldCount, line: 2, column: 2,
		},
		{
			name: "line counts comments, blank lines and multi-line fields",
			in:   "# comment\na,label\n\n1,\"two\nlines\"\n# c\n2,x\nbad,y\n",
			opts: CSVOptions{Header: true, Comment: '#', Target: "label", StringLabels: true},
			want: ErrNotNumber, line: 8, column: 1, field: "a",
		},
		{
			name: "error in the second line of a record", in: "a,b\n\"1\n\",\"\nx\"\n", opts: hdr,
			want: ErrNotNumber, line: 3, column: 2, field: "b",
		},
		{
			name: "missing string label", in: "x,c\n1,a\n2,\"\"\n", opts: CSVOptions{Header: true, Target: "c", StringLabels: true},
			want: ErrMissingValue, line: 3, column: 2, field: "c",
		},
		{
			name: "unknown class", in: "1,a\n2,d\n", opts: CSVOptions{TargetIndex: -1, StringLabels: true, Classes: []string{"a", "b"}},
			want: ErrUnknownClass, line: 2, column: 2,
			msg: `housing.csv:2:2: unknown class label "d"`,
		},
		{
			name: "unknown target", in: "a,b\n1,2\n", opts: CSVOptions{Header: true, Target: "price"},
			want: ErrUnknownColumn, line: 1,
			msg: `housing.csv:1: unknown column "price"`,
		},
		{
			name: "unknown target after comments", in: "#\n#\na,b\n1,2\n", opts: CSVOptions{Header: true, Comment: '#', Target: "price"},
			want: ErrUnknownColumn, line: 3,
		},
		{
			name: "unknown feature column", in: "a,b\n1,2\n", opts: CSVOptions{Header: true, TargetIndex: -1, Columns: []string{"c"}},
			want: ErrUnknownColumn, line: 1,
		},
		{
			name: "ambiguous target", in: "y,a,y\n1,2,3\n", opts: CSVOptions{Header: true, Target: "y"},
			want: ErrDuplicateColumn, line: 1,
			msg: `housing.csv:1: duplicate column "y" (columns 1 and 3)`,
		},
		{
			name: "target index too large", in: "1,2,3\n", opts: CSVOptions{TargetIndex: 3},
			want: ErrUnknownColumn, line: 1,
			msg: `housing.csv:1: unknown column: TargetIndex 3 with 3 columns`,
		},
		{
			name: "target index too negative", in: "1,2,3\n", opts: CSVOptions{TargetIndex: -4},
			want: ErrUnknownColumn, line: 1,
		},
		{
			name: "target among the features", in: "a,y\n1,2\n", opts: CSVOptions{Header: true, Target: "y", Columns: []string{"a", "y"}},
			want: ErrOptions, line: 1,
		},
		{
			name: "bare quote", in: "a,y\n1,2\n3,4\"x\n", opts: hdr,
			want: csv.ErrBareQuote, line: 3,
			msg: `housing.csv:3: bare " in non-quoted-field (byte 4)`,
		},
		{
			name: "unterminated quote", in: "a,y\n1,\"2\n", opts: hdr,
			want: csv.ErrQuote, line: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loadCSV(strings.NewReader(tt.in), "housing.csv", tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, %v; want error wrapping %v", got, err, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("%v (%T) is not a *ParseError", err, err)
			}
			if pe.File != "housing.csv" || pe.Line != tt.line || pe.Column != tt.column || pe.Field != tt.field {
				t.Errorf("%q: got file %q line %d column %d field %q, want line %d column %d field %q",
					err, pe.File, pe.Line, pe.Column, pe.Field, tt.line, tt.column, tt.field)
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("message\n got %s\nwant %s", err, tt.msg)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("message %q spans lines", err)
			}
		})
	}
}

func TestLoadCSVNoData(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		opts     CSVOptions
	}{
		{"empty", "", CSVOptions{}},
		{"blank lines", "\n\n\n", CSVOptions{}},
		{"header only", "a,b\n", CSVOptions{Header: true}},
		{"comments only", "# x\n# y\n", CSVOptions{Comment: '#'}},
		{"empty with header", "", CSVOptions{Header: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadCSV(strings.NewReader(tt.in), tt.opts)
			if !errors.Is(err, ErrNoData) || err.Error() != "no data rows" {
				t.Errorf("err = %v, want data: no data rows", err)
			}
		})
	}
}

func TestCSVOptionsErrors(t *testing.T) {
	tests := []struct {
		name string
		opts CSVOptions
	}{
		{"Target and TargetIndex", CSVOptions{Header: true, Target: "y", TargetIndex: -1}},
		{"NoTarget and Target", CSVOptions{Header: true, NoTarget: true, Target: "y"}},
		{"NoTarget and TargetIndex", CSVOptions{NoTarget: true, TargetIndex: -1}},
		{"NoTarget and StringLabels", CSVOptions{NoTarget: true, StringLabels: true}},
		{"Classes without StringLabels", CSVOptions{Classes: []string{"a"}}},
		{"duplicate class", CSVOptions{StringLabels: true, Classes: []string{"a", "b", "a"}}},
		{"empty class", CSVOptions{StringLabels: true, Classes: []string{""}}},
		{"untrimmed class", CSVOptions{StringLabels: true, Classes: []string{" a"}}},
		{"duplicate column", CSVOptions{Header: true, Columns: []string{"a", "a"}}},
		{"quote as comma", CSVOptions{Comma: '"'}},
		{"newline as comma", CSVOptions{Comma: '\n'}},
		{"invalid rune as comma", CSVOptions{Comma: -1}},
		{"comment equals comma", CSVOptions{Comma: ';', Comment: ';'}},
		{"comment equals default comma", CSVOptions{Comment: ','}},
		{"comment is CR", CSVOptions{Comment: '\r'}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadCSV(strings.NewReader("a,y\n1,2\n"), tt.opts)
			if !errors.Is(err, ErrOptions) {
				t.Errorf("err = %v, want ErrOptions", err)
			}
		})
	}
}

func TestLoadCSVFile(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "housing.csv", []byte("rooms,price\n3,100\nabc,200\n"))
	_, err := LoadCSVFile(p, CSVOptions{Header: true, Target: "price"})
	var pe *ParseError
	if !errors.As(err, &pe) || pe.File != p || err.Error() != p+`:3:1: field "rooms": "abc" is not a number` {
		t.Errorf("err = %v", err)
	}

	p = writeFile(t, dir, "ok.csv", []byte("rooms,price\n3,100\n"))
	tab, err := LoadCSVFile(p, CSVOptions{Header: true, Target: "price"})
	if err != nil || !equalTable(tab, &Table{X: mat(1, 1, 3), Y: mat(1, 1, 100), Features: []string{"rooms"}, Target: "price"}) {
		t.Errorf("got %+v, %v", tab, err)
	}

	missing := filepath.Join(dir, "missing.csv")
	if _, err := LoadCSVFile(missing, CSVOptions{}); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: err = %v", err)
	}
	p = writeFile(t, dir, "empty.csv", nil)
	if _, err := LoadCSVFile(p, CSVOptions{}); !errors.Is(err, ErrNoData) || err.Error() != p+": no data rows" {
		t.Errorf("empty file: err = %v", err)
	}
}

func TestParseErrorFormat(t *testing.T) {
	tests := []struct {
		err  ParseError
		want string
	}{
		{ParseError{File: "f.csv", Line: 12, Column: 3, Field: "rooms", Err: ErrMissingValue}, `f.csv:12:3: field "rooms": missing value`},
		{ParseError{File: "f.csv", Line: 12, Err: ErrFieldCount}, `f.csv:12: wrong number of fields`},
		{ParseError{Line: 12, Column: 3, Field: "a\nb", Err: ErrMissingValue}, `line 12, column 3: field "a\nb": missing value`},
		{ParseError{Line: 4, Err: ErrNoData}, `line 4: no data rows`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %s, want %s", got, tt.want)
		}
	}
}

// writeCSV writes t as CSV: a header (if t has feature names) and one record
// per row with the features followed by the target (a class label with
// Classes). Numbers use the shortest float32 representation.
// writeCSV writes t as CSV with the target last, with a header when header.
func writeCSV(t *Table, comma rune, header bool) string {
	var b strings.Builder
	cw := csv.NewWriter(&b)
	cw.Comma = comma
	w := recordWriter{cw, &b}
	if header {
		rec := slices.Clone(t.Features)
		if t.Y != nil {
			rec = append(rec, t.Target)
		}
		w.Write(rec)
	}
	for i := range t.X.Rows {
		var rec []string
		for _, v := range t.X.Row(i) {
			rec = append(rec, strconv.FormatFloat(float64(v), 'g', -1, 32))
		}
		if t.Y != nil {
			y := t.Y.Data[i]
			if t.Classes != nil {
				rec = append(rec, t.Classes[int(y)])
			} else {
				rec = append(rec, strconv.FormatFloat(float64(y), 'g', -1, 32))
			}
		}
		w.Write(rec)
	}
	cw.Flush()
	return b.String()
}

// recordWriter works around encoding/csv writing a record of one empty
// field as a blank line, which readers skip.
type recordWriter struct {
	w *csv.Writer
	b *strings.Builder
}

func (r recordWriter) Write(rec []string) {
	if len(rec) == 1 && rec[0] == "" {
		r.w.Flush()
		r.b.WriteString("\"\"\n")
		return
	}
	r.w.Write(rec)
}

func TestCSVRoundTrip(t *testing.T) {
	r := newRNG(1, 1)
	specials := []float32{0, float32(math.Copysign(0, -1)), 1, -1, math.MaxFloat32, -math.MaxFloat32,
		math.SmallestNonzeroFloat32, 1.17549435e-38, 0.1, 1e-7, 16777217}
	for trial := range 50 {
		rows, cols := 1+int(r.uint64n(20)), int(r.uint64n(5))
		want := &Table{X: nn.NewMatrix(rows, cols), Y: nn.NewMatrix(rows, 1)}
		for i := range want.X.Data {
			if r.uint64n(4) == 0 {
				want.X.Data[i] = specials[r.uint64n(uint64(len(specials)))]
			} else {
				want.X.Data[i] = math.Float32frombits(uint32(r.uint64n(1 << 32)))
				if f := float64(want.X.Data[i]); math.IsNaN(f) || math.IsInf(f, 0) {
					want.X.Data[i] = 2
				}
			}
		}
		opts := CSVOptions{TargetIndex: -1, Comma: []rune{',', ';', '\t', '|'}[trial%4]}
		if trial%2 == 1 {
			opts.Header = true
			want.Target = "target, \"quoted\""
			for j := range cols {
				want.Features = append(want.Features, "feature "+strconv.Itoa(j))
			}
			if cols == 0 {
				want.Features = []string{}
			}
		}
		if trial%3 == 0 {
			opts.StringLabels = true
			want.Classes = []string{"cat", "dog, big", "\"mouse\"", "line\nbreak"}
			seen := map[float32]bool{}
			var order []string
			for i := range want.Y.Data {
				id := r.uint64n(4)
				if !seen[float32(id)] {
					seen[float32(id)] = true
					order = append(order, want.Classes[id])
				}
				want.Y.Data[i] = float32(id)
			}
			// First-appearance order: renumber.
			for i, y := range want.Y.Data {
				want.Y.Data[i] = float32(slices.Index(order, want.Classes[int(y)]))
			}
			want.Classes = order
		} else {
			for i := range want.Y.Data {
				want.Y.Data[i] = float32(r.norm() * 1e5)
			}
		}
		if !opts.Header {
			for j := range cols {
				want.Features = append(want.Features, strconv.Itoa(j))
			}
			want.Target = strconv.Itoa(cols)
		}
		text := writeCSV(want, opts.Comma, opts.Header)
		got, err := LoadCSV(strings.NewReader(text), opts)
		if err != nil {
			t.Fatalf("trial %d: %v\n%s", trial, err, text)
		}
		if !equalTable(got, want) {
			t.Fatalf("trial %d: round trip differs\n%s\ngot  %+v %v %v\nwant %+v %v %v", trial, text, *got, got.X, got.Y, *want, want.X, want.Y)
		}
	}
}

func FuzzLoadCSV(f *testing.F) {
	f.Add("a,b,y\n1,2,3\n4,5,6\n", true, false, uint8(1))
	f.Add("1,2,3\n4,5,6\n", false, false, uint8(0))
	f.Add("x;label\n1.5;cat\n-2;dog\n", true, true, uint8(4))
	f.Add("\"a,b\",\"c\nd\"\n1e3,\"x y\"\n", true, true, uint8(1))
	f.Add("1\t2\n3\t\n", false, false, uint8(2))
	f.Add("\ufeffname,y\n0x1p-3,NaN\n", true, false, uint8(3))
	f.Fuzz(func(t *testing.T, in string, header, stringLabels bool, sel uint8) {
		comma := []rune{',', ';', '\t'}[sel%3]
		opts := CSVOptions{
			Comma:        comma,
			Header:       header,
			TargetIndex:  []int{-1, 0, 1}[sel/3%3],
			StringLabels: stringLabels,
		}
		if sel&0x80 != 0 {
			opts.Comment = '#'
		}
		tab, err := LoadCSV(strings.NewReader(in), opts)
		if err != nil {
			if tab != nil {
				t.Fatal("table with error")
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		// Invariants.
		if tab.X.Rows < 1 || len(tab.X.Data) != tab.X.Rows*tab.X.Cols || tab.Y == nil ||
			tab.Y.Rows != tab.X.Rows || tab.Y.Cols != 1 || len(tab.Y.Data) != tab.Y.Rows {
			t.Fatalf("bad shapes: X %d×%d (%d), Y %+v", tab.X.Rows, tab.X.Cols, len(tab.X.Data), tab.Y)
		}
		if len(tab.Features) != tab.X.Cols || len(tab.Lines) != tab.X.Rows {
			t.Fatalf("features %q for %d columns, header %v", tab.Features, tab.X.Cols, header)
		}
		for _, v := range append(slices.Clone(tab.X.Data), tab.Y.Data...) {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("non-finite value %v", v)
			}
		}
		if stringLabels {
			for _, y := range tab.Y.Data {
				if y != float32(int(y)) || y < 0 || int(y) >= len(tab.Classes) {
					t.Fatalf("class id %v with %d classes", y, len(tab.Classes))
				}
			}
		}
		// Round trip: write the table, read it back, get the same table.
		// A header name starting with a byte order mark would lose it when
		// it lands in the first column; skip those.
		if header {
			names := append(slices.Clone(tab.Features), tab.Target)
			if strings.HasPrefix(names[0], "\ufeff") {
				return
			}
		}
		text := writeCSV(tab, comma, header)
		again, err := LoadCSV(strings.NewReader(text), CSVOptions{Comma: comma, Header: header, TargetIndex: -1, StringLabels: stringLabels})
		if err != nil {
			t.Fatalf("reading back %q: %v", text, err)
		}
		if !header {
			// The generated names follow the target's position.
			again.Features, again.Target = tab.Features, tab.Target
		}
		if !equalTable(again, tab) {
			t.Fatalf("round trip of %q via %q:\ngot  %+v\nwant %+v", in, text, *again, *tab)
		}
	})
}
