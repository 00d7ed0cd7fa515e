package study

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is an error in a study file or in the data it names. It reads as
// one line, compiler style:
//
//	study.yaml:7: unknown key "lerning_rate" (did you mean "learning_rate"?)
//	study.yaml:12: hyperparameter "n_neurons": min 300 > max 200
//
// Line is 0 when the error concerns something absent from the file (such
// as a required section); the line part is then left out.
type Error struct {
	// File is the study file's name as given to Load or Parse.
	File string
	// Line is the 1-based line in File, or 0.
	Line int
	// Column is the 1-based field of a data file's row, or 0 (study files
	// and whole rows).
	Column int
	// Msg is the message, without the location; always one line.
	Msg string
	// Err is the underlying error, if any: hp.ErrInvalid for a bad
	// hyperparameter definition, fs.ErrNotExist for a missing data file,
	// oracle.ErrUnknown, and so on.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Column))
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// ErrData is wrapped by the errors of LoadData about data that do not fit
// the task: class labels that are not whole numbers, binary labels other
// than 0 and 1, too few rows for the validation split, and so on.
var ErrData = errors.New("data do not fit the study")

// errorf returns an *Error at line with a formatted message.
func errorf(line int, format string, args ...any) *Error {
	return &Error{Line: line, Msg: oneLine(fmt.Sprintf(format, cutFields(args)...))}
}

// A string argument of an error message longer than fieldMax runes (a
// value from the file, which may be a 100 MB field; the messages' own
// lists of names are shorter) is cut to fieldKeep runes and an ellipsis.
const (
	fieldMax  = 200
	fieldKeep = 60
)

// cutFields cuts the long string arguments of a message, so that an error
// stays one readable line.
func cutFields(args []any) []any {
	out := args
	for i, a := range args {
		v := reflect.ValueOf(a)
		if !v.IsValid() || v.Kind() != reflect.String || utf8.RuneCountInString(v.String()) <= fieldMax {
			continue
		}
		if &out[0] == &args[0] {
			out = slices.Clone(args)
		}
		r := []rune(v.String())
		out[i] = string(r[:fieldKeep]) + "…"
	}
	return out
}

// wrapf returns an *Error at line whose message is the formatted text
// followed by err's message, and which wraps err.
func wrapf(line int, err error, format string, args ...any) *Error {
	msg := err.Error()
	if format != "" {
		msg = fmt.Sprintf(format, args...) + ": " + msg
	}
	return &Error{Line: line, Msg: oneLine(msg), Err: err}
}

// oneLine folds a message onto one line: line breaks and the indentation
// after them become one space, and trailing space is trimmed.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
	for i, f := range fields {
		fields[i] = strings.TrimSpace(f)
	}
	return strings.Join(slices.DeleteFunc(fields, func(f string) bool { return f == "" }), " ")
}
