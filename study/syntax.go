package study

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxSyntaxLines bounds the files whose syntax errors syntaxError
// locates: it parses up to one prefix per line, which is cheap for a
// study file and not for a large document.
const maxSyntaxLines = 5000

// syntaxError describes a YAML syntax error err found in src.
//
// yaml.v3 gives a syntax error only as text, with a line that is 0-based
// for some errors and 1-based for others. Rather than read that text,
// syntaxError finds the line itself: the first line after the longest
// prefix of whole lines that still parses. A prefix cut inside a bracket
// that a later line closes fails too, which is why the search runs from
// the end. It then says what looks wrong on that line.
func syntaxError(src []byte, err error) *Error {
	lines := strings.SplitAfter(string(src), "\n")
	if len(lines) > maxSyntaxLines {
		return &Error{Msg: "not valid YAML", Err: err}
	}
	line := len(lines)
	for line > 1 && !parses(lines[:line-1]) {
		line--
	}
	if open, at := unclosed(lines); open != 0 {
		return &Error{Line: at, Msg: fmt.Sprintf("this %q is never closed", string(open)), Err: err}
	}
	return &Error{Line: line, Msg: describeLine(lines, line), Err: err}
}

// parses reports whether lines form valid YAML documents.
func parses(lines []string) bool {
	dec := yaml.NewDecoder(strings.NewReader(strings.Join(lines, "")))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return true
		}
		if err != nil {
			return false
		}
	}
}

// describeLine says what is wrong with the 1-based line of lines that
// does not parse.
func describeLine(lines []string, line int) string {
	const generic = "not valid YAML: check the indentation, that each key is followed by \": \", and the quotes"
	if line < 1 || line > len(lines) {
		return generic
	}
	text := strings.TrimRight(lines[line-1], "\r\n")
	body := strings.TrimLeft(text, " \t")
	indent := text[:len(text)-len(body)]
	switch {
	case strings.Contains(indent, "\t"):
		return "a tab in the indentation: YAML indents with spaces"
	case body == "":
		return generic
	}
	value := body
	if _, v, ok := strings.Cut(body, ": "); ok {
		value = strings.TrimSpace(v)
	}
	switch {
	case value != "" && strings.ContainsAny(value[:1], "@`%"):
		return fmt.Sprintf("%q cannot start a plain value; put the value in quotes", value[:1])
	case scanCode(body, nil) != 0:
		return fmt.Sprintf("the %c quote opened on this line is not closed", scanCode(body, nil))
	case value != body && plainValue(value) && strings.Contains(value, ": "):
		return "the value holds \": \"; put the value in quotes"
	}
	if levels := indents(lines[:line-1]); len(levels) > 0 && !slices.Contains(levels, len(indent)) {
		return fmt.Sprintf("indented by %d, like no line above it (they are indented by %s)", len(indent), joinInts(levels))
	}
	return generic
}

// unclosed returns the first bracket of lines ('[' or '{') that is never
// closed and its 1-based line, or 0.
func unclosed(lines []string) (open byte, line int) {
	type mark struct {
		b    byte
		line int
	}
	var stack []mark
	for i, l := range lines {
		scanCode(l, func(c byte) {
			switch c {
			case '[', '{':
				stack = append(stack, mark{c, i + 1})
			case ']', '}':
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
			}
		})
	}
	if len(stack) == 0 {
		return 0, 0
	}
	return stack[0].b, stack[0].line
}

// scanCode calls f, if not nil, for each byte of line outside quoted
// scalars and comments, and returns the quote a quoted scalar leaves open
// at the line's end, or 0. A quote starts a quoted scalar only where a
// scalar can start (at the start or after a space, ':', ',', '[', '{' or
// '-'), so the apostrophe in a plain "it's" does not.
func scanCode(line string, f func(c byte)) (open byte) {
	prev := byte(' ')
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case open == '"' && c == '\\':
			i++
		case open != 0:
			if c == open {
				open = 0
			}
		case (c == '"' || c == '\'') && strings.IndexByte(" \t:,[{-", prev) >= 0:
			open = c
		case c == '#' && (prev == ' ' || prev == '\t'):
			return 0
		case f != nil:
			f(c)
		}
		prev = c
	}
	return open
}

// plainValue reports whether value, the trimmed text after a key's ": ",
// is a plain scalar rather than a quoted, flow or block one.
func plainValue(value string) bool {
	return value != "" && !strings.ContainsAny(value[:1], `"'[{|>&*!#`)
}

// indents returns the distinct indentations of the lines holding content,
// in increasing order.
func indents(lines []string) []int {
	var levels []int
	for _, l := range lines {
		body := strings.TrimLeft(l, " ")
		if b := strings.TrimSpace(body); b == "" || b[0] == '#' {
			continue
		}
		if n := len(l) - len(body); !slices.Contains(levels, n) {
			levels = append(levels, n)
		}
	}
	slices.Sort(levels)
	return levels
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}
