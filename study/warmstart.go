package study

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tunekit/tune/trials/etcdstore"
)

// WarmStart is the warm_start key: the projects whose trials seed the
// oracle (tuner.Options.WarmStart), as one string or a list of them. Each
// is a project directory, a store file (relative paths are relative to
// the study file's directory) or an etcd study, etcd://host:port/prefix.
type WarmStart []string

// UnmarshalYAML reads a string or a list of strings.
func (w *WarmStart) UnmarshalYAML(n *yaml.Node) error { return w.decodeNode(n) }

const warmStartWant = "a project directory, a store file or an etcd:// URL"

func (w *WarmStart) decodeNode(n *yaml.Node) error {
	n = resolve(n)
	items := []*yaml.Node{n}
	switch n.Kind {
	case yaml.ScalarNode:
	case yaml.SequenceNode:
		items = n.Content
	default:
		return errorf(n.Line, "warm_start: want %s, or a list of them, got %s", warmStartWant, describeNode(n))
	}
	out := make(WarmStart, 0, len(items))
	for _, c := range items {
		c = resolve(c)
		if c.Kind != yaml.ScalarNode || c.ShortTag() != "!!str" || strings.TrimSpace(c.Value) == "" {
			return errorf(c.Line, "warm_start: want %s, got %s", warmStartWant, describeNode(c))
		}
		if etcdstore.IsURL(c.Value) {
			if _, _, err := etcdstore.ParseURL(c.Value); err != nil {
				return errorf(c.Line, "warm_start: %v", err)
			}
		}
		if slices.Contains(out, c.Value) {
			return errorf(c.Line, "warm_start: %q is listed twice", c.Value)
		}
		out = append(out, c.Value)
	}
	*w = out
	return nil
}

// resolvedWarmStart returns the sources with relative paths resolved against the
// study file's directory.
func (s *Study) resolvedWarmStart() []string {
	if len(s.WarmStart) == 0 {
		return nil
	}
	out := make([]string, len(s.WarmStart))
	for i, src := range s.WarmStart {
		if etcdstore.IsURL(src) {
			out[i] = src
		} else {
			out[i] = s.path(src)
		}
	}
	return out
}
