package data

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tunekit/tune/nn"
)

// CSVOptions controls LoadCSV. The zero value reads comma-separated numbers
// without a header and takes column 0 as the target (see TargetIndex).
type CSVOptions struct {
	// Comma is the field delimiter. 0 means ','. It must be a valid rune and
	// not '"', '\r' or '\n'.
	Comma rune

	// Comment, if not 0, marks comment lines: a line starting with it
	// (before any quote) is skipped. It must differ from Comma.
	Comment rune

	// Header says the first non-comment record holds the column names.
	// Names are trimmed of surrounding white space (and the first of a
	// UTF-8 byte order mark); quoted names may contain the delimiter.
	// Without a header the columns are named by their 0-based index:
	// "0", "1", "2", … (as pandas names them with header=None), and
	// Target and Columns may use those names.
	Header bool

	// Target names the target column. When Target is non-empty it decides
	// and TargetIndex must be 0.
	Target string

	// TargetIndex selects the target column by position when Target is
	// empty: 0 is the first column, 1 the second, and negative values count
	// from the end, -1 being the last column. There is no "unset" value:
	// the zero value selects the first column, so for the common layout
	// "features..., target" set TargetIndex to -1.
	TargetIndex int

	// NoTarget loads every selected column as a feature and leaves Table.Y
	// nil (for unlabelled data). Target, TargetIndex, StringLabels and
	// Classes must then be unset.
	NoTarget bool

	// StringLabels reads the target as class labels rather than numbers:
	// each distinct label (trimmed of surrounding white space) becomes a
	// class id 0..k-1 in order of first appearance, and Table.Classes keeps
	// the labels in id order.
	StringLabels bool

	// Classes, with StringLabels, fixes the label-to-id mapping instead:
	// Classes[i] has id i and any other label is an error wrapping
	// ErrUnknownClass. Pass a training table's Classes when loading its test
	// set so that both use the same ids.
	Classes []string

	// Columns selects the feature columns by name (header names, or the
	// generated "0", "1", … without a header), in the order given; it must
	// not name the target. Nil or empty
	// means every column except the target, in file order. Columns that are
	// not selected are not parsed, so they may hold text.
	Columns []string
}

// Table is a CSV file loaded as a feature matrix and a target.
type Table struct {
	X *nn.Matrix // rows × len(features) features
	Y *nn.Matrix // rows × 1 target (class ids with StringLabels); nil with NoTarget

	Features []string // names of X's columns (generated "0", "1", … without a header)
	Target   string   // name of the target column; "" without a target
	Classes  []string // with StringLabels: the label of each class id; nil otherwise
	Lines    []int    // the 1-based line on which each row starts, for messages naming a row
}

// LoadCSV reads CSV data from r (see LoadCSVFile, which names the file in
// errors).
//
// Rules: records are parsed by encoding/csv (RFC 4180 quoting). Every record
// must have as many fields as the first one (the header, if any); blank lines
// and comment lines are skipped. Each selected field is trimmed of surrounding
// white space and parsed with strconv.ParseFloat as a float32; an empty field,
// a non-number, NaN, ±Inf and values beyond the float32 range are errors.
// Errors located in the input are a *ParseError with the line and the
// 1-based column (field) number; for a record with the wrong number of
// fields the column is the first missing or extra one, and for errors about
// the header (an unknown Target name, say) it is 0. An input without data
// records is an error wrapping ErrNoData.
func LoadCSV(r io.Reader, opts CSVOptions) (*Table, error) {
	return loadCSV(r, "", opts)
}

// LoadCSVFile opens path and loads it with LoadCSV; errors name the file
// (ParseError.File is path).
func LoadCSVFile(path string, opts CSVOptions) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return loadCSV(f, path, opts)
}

func validDelim(r rune) bool {
	return r != 0 && r != '"' && r != '\r' && r != '\n' && utf8.ValidRune(r) && r != utf8.RuneError
}

func (o *CSVOptions) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrOptions}, args...)...)
	}
	if o.Comma == 0 {
		o.Comma = ','
	}
	if !validDelim(o.Comma) {
		return bad("Comma %q is not a valid delimiter", o.Comma)
	}
	if o.Comment != 0 && (!validDelim(o.Comment) || o.Comment == o.Comma) {
		return bad("Comment %q is not a valid comment character", o.Comment)
	}
	if o.Target != "" && o.TargetIndex != 0 {
		return bad("both Target %q and TargetIndex %d set", o.Target, o.TargetIndex)
	}
	if o.NoTarget && (o.Target != "" || o.TargetIndex != 0 || o.StringLabels || o.Classes != nil) {
		return bad("NoTarget with Target, TargetIndex, StringLabels or Classes set")
	}
	if o.Classes != nil && !o.StringLabels {
		return bad("Classes needs StringLabels")
	}
	seen := make(map[string]bool)
	for _, c := range o.Classes {
		if c == "" || c != strings.TrimSpace(c) {
			return bad("class label %q is empty or has surrounding white space", c)
		}
		if seen[c] {
			return bad("class label %q given twice", c)
		}
		seen[c] = true
	}
	clear(seen)
	for _, c := range o.Columns {
		if seen[c] {
			return bad("column %q given twice in Columns", c)
		}
		seen[c] = true
	}
	return nil
}

// csvPlan says which record fields become which outputs.
type csvPlan struct {
	features []int // record indices of X's columns
	target   int   // record index of the target; -1 with NoTarget
}

func planColumns(header []string, ncols int, opts *CSVOptions, perr func(error) error) (csvPlan, error) {
	lookup := func(name string) (int, error) {
		at := -1
		for i, h := range header {
			if h == name {
				if at >= 0 {
					return 0, perr(&ColumnError{Column: name, Err: fmt.Errorf("%w %q (columns %d and %d)", ErrDuplicateColumn, name, at+1, i+1)})
				}
				at = i
			}
		}
		if at < 0 {
			return 0, perr(&ColumnError{Column: name, Err: fmt.Errorf("%w %q", ErrUnknownColumn, name)})
		}
		return at, nil
	}
	p := csvPlan{target: -1}
	switch {
	case opts.NoTarget:
	case opts.Target != "":
		i, err := lookup(opts.Target)
		if err != nil {
			return p, err
		}
		p.target = i
	default:
		i := opts.TargetIndex
		if i < 0 {
			i += ncols
		}
		if i < 0 || i >= ncols {
			return p, perr(fmt.Errorf("%w: TargetIndex %d with %d columns", ErrUnknownColumn, opts.TargetIndex, ncols))
		}
		p.target = i
	}
	if len(opts.Columns) > 0 {
		for _, name := range opts.Columns {
			i, err := lookup(name)
			if err != nil {
				return p, err
			}
			if i == p.target {
				return p, perr(fmt.Errorf("%w: column %q is both a feature and the target", ErrOptions, name))
			}
			p.features = append(p.features, i)
		}
		return p, nil
	}
	for i := range ncols {
		if i != p.target {
			p.features = append(p.features, i)
		}
	}
	return p, nil
}

// parseNumber parses one trimmed CSV field as a finite float32.
func parseNumber(s string) (float32, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, ErrMissingValue
	}
	v, err := strconv.ParseFloat(s, 32)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("%s is %w", QuoteCut(s), ErrRange)
		}
		return 0, fmt.Errorf("%s is %w", QuoteCut(s), ErrNotNumber)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s is %w", QuoteCut(s), ErrNotFinite)
	}
	return float32(v), nil
}

func loadCSV(r io.Reader, file string, opts CSVOptions) (*Table, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	wrap := func(err error) error {
		var ce *csv.ParseError
		if errors.As(err, &ce) {
			return &ParseError{File: file, Line: ce.Line, Err: fmt.Errorf("%w (byte %d)", ce.Err, ce.Column)}
		}
		if file != "" {
			return fmt.Errorf("%s: %w", file, err)
		}
		return err
	}

	cr := csv.NewReader(r)
	cr.Comma = opts.Comma
	cr.Comment = opts.Comment
	cr.FieldsPerRecord = -1 // checked here, to report the column
	cr.ReuseRecord = true

	rec, err := cr.Read()
	if err == io.EOF {
		return nil, wrap(ErrNoData)
	}
	if err != nil {
		return nil, wrap(err)
	}
	rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
	ncols := len(rec)
	firstLine, _ := cr.FieldPos(0)

	header := make([]string, ncols)
	for i, h := range rec {
		if opts.Header {
			header[i] = strings.TrimSpace(h)
		} else {
			header[i] = strconv.Itoa(i)
		}
	}
	plan, err := planColumns(header, ncols, &opts, func(err error) error {
		return &ParseError{File: file, Line: firstLine, Err: err}
	})
	if err != nil {
		return nil, err
	}

	t := &Table{Features: make([]string, len(plan.features))}
	for j, c := range plan.features {
		t.Features[j] = header[c]
	}
	if plan.target >= 0 {
		t.Target = header[plan.target]
	}
	classID := make(map[string]int)
	fixedClasses := opts.Classes != nil
	if opts.StringLabels {
		t.Classes = append([]string{}, opts.Classes...)
		for i, c := range t.Classes {
			classID[c] = i
		}
	}

	var xs, ys []float32
	rows := 0
	fieldErr := func(col int, err error) error {
		line, _ := cr.FieldPos(col)
		pe := &ParseError{File: file, Line: line, Column: col + 1, Err: err}
		if opts.Header {
			pe.Field = header[col]
		}
		return pe
	}
	row := func(rec []string) error {
		if len(rec) != ncols {
			line, _ := cr.FieldPos(0)
			return &ParseError{File: file, Line: line, Column: min(len(rec), ncols) + 1,
				Err: fmt.Errorf("%w: got %d, want %d", ErrFieldCount, len(rec), ncols)}
		}
		for _, c := range plan.features {
			v, err := parseNumber(rec[c])
			if err != nil {
				return fieldErr(c, err)
			}
			xs = append(xs, v)
		}
		if c := plan.target; c >= 0 {
			if opts.StringLabels {
				s := strings.TrimSpace(rec[c])
				if s == "" {
					return fieldErr(c, ErrMissingValue)
				}
				id, ok := classID[s]
				if !ok {
					if fixedClasses {
						return fieldErr(c, fmt.Errorf("%w %s", ErrUnknownClass, QuoteCut(s)))
					}
					id = len(t.Classes)
					classID[s] = id
					t.Classes = append(t.Classes, s)
				}
				ys = append(ys, float32(id))
			} else {
				v, err := parseNumber(rec[c])
				if err != nil {
					return fieldErr(c, err)
				}
				ys = append(ys, v)
			}
		}
		line, _ := cr.FieldPos(0)
		t.Lines = append(t.Lines, line)
		rows++
		return nil
	}

	if !opts.Header {
		if err := row(rec); err != nil {
			return nil, err
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, wrap(err)
		}
		if err := row(rec); err != nil {
			return nil, err
		}
	}
	if rows == 0 {
		return nil, wrap(ErrNoData)
	}

	t.X = &nn.Matrix{Rows: rows, Cols: len(plan.features), Data: xs}
	if t.X.Data == nil {
		t.X.Data = []float32{}
	}
	if plan.target >= 0 {
		t.Y = &nn.Matrix{Rows: rows, Cols: 1, Data: ys}
	}
	return t, nil
}

// quoteMax is the most runes of a field QuoteCut quotes.
const quoteMax = 40

// QuoteCut quotes s like strconv.Quote, cut to its first 40 runes with the
// length said when it is longer, so that a message quoting a field stays
// one readable line: "aaaaaaaa…" (100000078 bytes).
func QuoteCut(s string) string {
	if utf8.RuneCountInString(s) <= quoteMax {
		return strconv.Quote(s)
	}
	cut, n := s, 0
	for i := range s {
		if n == quoteMax {
			cut = s[:i]
			break
		}
		n++
	}
	return strconv.Quote(cut+"…") + " (" + strconv.Itoa(len(s)) + " bytes)"
}
