package study

import (
	"errors"
	"testing"

	"github.com/tunekit/tune/tuner"
)

func TestKeepCheckpoints(t *testing.T) {
	for _, c := range []struct {
		line string
		want int
	}{
		{"", tuner.DefaultKeepCheckpoints},
		{"keep_checkpoints: 3\n", 3},
		{"keep_checkpoints: -1\n", tuner.NoLimit},
	} {
		s, err := Parse([]byte("data: {format: spirals}\n"+c.line), "s.yml")
		if err != nil {
			t.Fatalf("%q: %v", c.line, err)
		}
		o, err := s.Options()
		if err != nil {
			t.Fatalf("%q: %v", c.line, err)
		}
		if o.KeepCheckpoints != c.want {
			t.Errorf("%q: KeepCheckpoints %d, want %d", c.line, o.KeepCheckpoints, c.want)
		}
	}
	_, err := Parse([]byte("data: {format: spirals}\nkeep_checkpoints: -2\n"), "s.yml")
	var se *Error
	if !errors.As(err, &se) || se.Line != 2 {
		t.Errorf("keep_checkpoints: -2: err = %v, want an *Error at line 2", err)
	}
	// A zero, which Go reads as the default, is refused in the file.
	for _, key := range []string{"keep_checkpoints", "max_consecutive_failed_trials"} {
		_, err := Parse([]byte("data: {format: spirals}\n"+key+": 0\n"), "s.yml")
		want := "s.yml:2: " + key + " is 0: write -1 for no limit, or a positive number (leave the key out for the default)"
		if err == nil || err.Error() != want {
			t.Errorf("%s: 0: err = %v, want %s", key, err, want)
		}
	}
}
