package study

import (
	"os"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics and that its errors are one line
// naming the file, and that a study it accepts gives tuner options.
func FuzzParse(f *testing.F) {
	f.Add([]byte(valid))
	for _, name := range []string{"quickstart.yaml", "multiobjective.yaml"} {
		if b, err := os.ReadFile("../testdata/" + name); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"", "data: {format: spirals}\n", "- a\n", "data: &d {format: spirals}\nx: *d\n", "a: &a [*a]\n",
		"data: {format: csv, path: x.csv, target: -1, columns: [a, b]}\n",
		"data: {format: spirals}\nhyperparameters: {n_hidden: &n {type: int, min: 1, max: 2}, n_neurons: *n}\n",
		"data: {format: spirals}\nhyperparameters: {n_neurons: {type: choice, values: [1, 2.0, 1e400]}}\n",
		"data: {format: spirals}\noracle: {type: random, max_collisions: {a: [1]}}\n",
		"data: {format: spirals}\nseed: 99999999999999999999\n", "%YAML 1.1\n---\ndata: x\n", "\t\x00",
		"data:\n  format: spirals\n samples: 3\n", "data: {format: spirals}\n---\n---\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data, "fuzz.yaml")
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\r\n") {
				t.Fatalf("error has more than one line: %q", msg)
			}
			if !strings.HasPrefix(msg, "fuzz.yaml") {
				t.Fatalf("error does not name the file: %q", msg)
			}
			return
		}
		if _, err := s.Options(); err != nil {
			t.Fatalf("parsed, but Options fails: %v", err)
		}
	})
}
