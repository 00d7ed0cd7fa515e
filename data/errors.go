package data

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors. Errors returned by this package wrap one of these (test
// with errors.Is); CSV data errors are additionally a *ParseError (test with
// errors.As) carrying the file, line and column.
//
// Like encoding/csv's sentinels, their messages have no package prefix so that
// a ParseError reads as one line: `housing.csv:12:3: field "rooms": "abc" is
// not a number`.
var (
	// ErrNotIDX: the input does not start with an IDX magic number (two zero
	// bytes, a type code, a dimension count).
	ErrNotIDX = errors.New("not an IDX file")
	// ErrIDXType: the IDX data type is not unsigned byte (0x08).
	ErrIDXType = errors.New("unsupported IDX data type")
	// ErrIDXSize: the data after the IDX header is shorter or longer than the
	// header's dimensions say, or the dimensions are too large to address.
	ErrIDXSize = errors.New("IDX data size does not match its header")
	// ErrIDXShape: an IDX file has the wrong number of dimensions for its use
	// (images need at least 2, labels exactly 1), or image and label counts
	// differ.
	ErrIDXShape = errors.New("unexpected IDX shape")

	// ErrImage: a file in an image directory that the PNG and JPEG decoders
	// do not accept.
	ErrImage = errors.New("not a PNG or JPEG image")
	// ErrNoImages: an image directory without class subfolders or images,
	// or image options out of range.
	ErrNoImages = errors.New("no usable images")

	// ErrMissingValue: an empty field where a number or label is needed.
	ErrMissingValue = errors.New("missing value")
	// ErrNotNumber: a field that strconv.ParseFloat does not accept.
	ErrNotNumber = errors.New("not a number")
	// ErrNotFinite: a NaN or infinite value (in a CSV field or in a matrix
	// given to a scaler).
	ErrNotFinite = errors.New("not a finite number")
	// ErrRange: a number outside the float32 range.
	ErrRange = errors.New("out of float32 range")
	// ErrFieldCount: a CSV record with a different number of fields than the
	// first record (the header, if any).
	ErrFieldCount = errors.New("wrong number of fields")
	// ErrNoData: a CSV input without data records.
	ErrNoData = errors.New("no data rows")
	// ErrUnknownColumn: a column named in CSVOptions (Target, Columns) that is
	// not in the header, or a TargetIndex outside the record.
	ErrUnknownColumn = errors.New("unknown column")
	// ErrDuplicateColumn: a column looked up by name appears more than once
	// in the header.
	ErrDuplicateColumn = errors.New("duplicate column")
	// ErrUnknownClass: a string label not in CSVOptions.Classes.
	ErrUnknownClass = errors.New("unknown class label")
	// ErrOptions: contradictory or invalid options or arguments.
	ErrOptions = errors.New("invalid options")

	// ErrShape: matrices whose shapes do not fit together (for example x and
	// y with different row counts, or a scaler fitted on a different number
	// of columns).
	ErrShape = errors.New("shape mismatch")
	// ErrNotFitted: a scaler used before Fit.
	ErrNotFitted = errors.New("scaler not fitted")
	// ErrLabel: a class id that is not an integer in [0, classes).
	ErrLabel = errors.New("invalid class id")
)

// ParseError reports a problem in CSV input, located by line and column.
//
// Its Error method gives one line in the style of compilers:
//
//	housing.csv:12:3: field "rooms": "abc" is not a number
//
// or, when File is empty (LoadCSV on a reader),
//
//	line 12, column 3: field "rooms": "abc" is not a number
//
// The column part is left out when Column is 0 and the field part when Field
// is empty.
type ParseError struct {
	File   string // file name as given to LoadCSVFile; "" for LoadCSV
	Line   int    // 1-based line on which the record or field starts
	Column int    // 1-based field number within the record (not a byte offset); 0 if the error concerns the whole line
	Field  string // header name of the column; "" without a header or when Column is 0
	Err    error  // the underlying error; wraps one of the sentinels or an encoding/csv error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Column))
		}
	} else {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteString(", column ")
			b.WriteString(strconv.Itoa(e.Column))
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Message())
	return b.String()
}

// Message is the error without its position: the field, if any, and the
// underlying error. A caller that shows the position its own way (the
// study file's errors) puts this after it.
func (e *ParseError) Message() string {
	var b strings.Builder
	if e.Field != "" {
		b.WriteString("field ")
		b.WriteString(QuoteCut(e.Field))
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// ColumnError is a column looked up by name that is missing or given twice;
// it wraps ErrUnknownColumn or ErrDuplicateColumn. Column is the name, so
// that a caller can tell which of its settings (target or columns) named it.
type ColumnError struct {
	Column string
	Err    error
}

func (e *ColumnError) Error() string { return e.Err.Error() }
func (e *ColumnError) Unwrap() error { return e.Err }
