package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args and returns the exit status: 0, 1 for
// an error (printed to stderr as one line "tune: <error>"), or 130 when a
// search was interrupted.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := NewRootCommand()
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	if err := cmd.ExecuteContext(ctx); err != nil {
		fmt.Fprintf(stderr, "tune: %s\n", cutWords(oneLine(err.Error())))
		if errors.Is(err, errInterrupted) {
			return 130
		}
		return 1
	}
	return 0
}

// oneLine folds a message onto one line.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	var parts []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " ")
}

// A word of an error line longer than wordMax runes (a value quoted from a
// file, which may be megabytes long) is shown as its first wordKeep runes
// and an ellipsis.
const (
	wordMax  = 200
	wordKeep = 60
)

// cutWords shortens the overlong words of a line for display.
func cutWords(line string) string {
	words := strings.Split(line, " ")
	for i, w := range words {
		if r := []rune(w); len(r) > wordMax {
			words[i] = string(r[:wordKeep]) + "…"
		}
	}
	return strings.Join(words, " ")
}
