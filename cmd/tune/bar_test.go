package main

import (
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tunekit/tune/goal"
)

// A diverged trial's values (NaN, ±Inf) draw an empty or clamped bar of
// the usual width instead of crashing tune show.
func TestBarOfDivergedValues(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		v, lo, hi float64
		full      int
	}{
		{0.5, 0, 1, 11},
		{1, 0, 1, 20},
		{0, 0, 1, 1},
		{inf, 0, 1, 20},
		{-inf, 0, 1, 1},
		{math.NaN(), 0, 1, 0},
		{0.5, 0, inf, 1},
		{0.5, -inf, 1, 0},
	} {
		b := bar(c.v, c.lo, c.hi, goal.Maximize)
		if n := utf8.RuneCountInString(b); n != 20 {
			t.Errorf("bar(%v, %v, %v): %d runes, want 20", c.v, c.lo, c.hi, n)
		}
		if n := strings.Count(b, "█"); n != c.full {
			t.Errorf("bar(%v, %v, %v): %d full cells, want %d", c.v, c.lo, c.hi, n, c.full)
		}
	}
}

func TestRoundDuration(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{23456 * time.Microsecond, "23ms"},
		{999400 * time.Microsecond, "999ms"},
		{1234 * time.Millisecond, "1.2s"},
		{83456 * time.Millisecond, "1m23s"},
		{2*time.Hour + 89*time.Second, "2h1m0s"},
	} {
		if got := roundDuration(c.d).String(); got != c.want {
			t.Errorf("roundDuration(%v) = %s, want %s", c.d, got, c.want)
		}
	}
}
