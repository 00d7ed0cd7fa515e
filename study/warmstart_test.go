package study

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWarmStartKey(t *testing.T) {
	dir := filepath.Join("studies", "mnist")
	for _, c := range []struct {
		name, yaml string
		want       []string
	}{
		{"one", "warm_start: ../old\n", []string{filepath.Join("studies", "old")}},
		{"list", "warm_start:\n  - old/study.db\n  - /abs/proj\n  - etcd://h1:2379/tune/a\n",
			[]string{filepath.Join(dir, "old", "study.db"), "/abs/proj", "etcd://h1:2379/tune/a"}},
		{"flow list", "warm_start: [a, b]\n", []string{filepath.Join(dir, "a"), filepath.Join(dir, "b")}},
		{"none", "warm_start:\n", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse([]byte(valid+c.yaml), filepath.Join(dir, "study.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			o, err := s.Options()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(o.WarmStart, c.want) {
				t.Errorf("Options().WarmStart = %q, want %q", o.WarmStart, c.want)
			}
		})
	}
	line := strings.Count(valid, "\n") + 1 // the warm_start key's line
	for _, c := range []struct {
		name, yaml, want string
	}{
		{"a number", "warm_start: 3\n", `study.yaml:%d: warm_start: want a project directory, a store file or an etcd:// URL, got 3`},
		{"a mapping", "warm_start: {path: a}\n", `study.yaml:%d: warm_start: want a project directory, a store file or an etcd:// URL, or a list of them, got a mapping`},
		{"an empty entry", "warm_start:\n  - a\n  - ''\n", `study.yaml:%d: warm_start: want a project directory, a store file or an etcd:// URL, got ""`},
		{"twice", "warm_start:\n  - a\n  - a\n", `study.yaml:%d: warm_start: "a" is listed twice`},
		{"bad etcd URL", "warm_start: [a, 'etcd://h1:2379']\n", `study.yaml:%d: warm_start: `},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(valid+c.yaml), "study.yaml")
			if err == nil {
				t.Fatal("no error")
			}
			wantLine := line
			if c.name == "an empty entry" || c.name == "twice" {
				wantLine = line + 2
			}
			want := fmt.Sprintf(c.want, wantLine)
			if got := err.Error(); !strings.HasPrefix(got, want) {
				t.Errorf("error %q, want %q", got, want)
			}
		})
	}
}
