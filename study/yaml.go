package study

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// decode parses data into s strictly (unknown keys are errors) and keeps
// the node tree for the lines of keys.
func (s *Study) decode(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil && !errors.Is(err, io.EOF) {
		return syntaxError(data, err)
	}
	if root.Kind == 0 || len(root.Content) == 0 || isNull(root.Content[0]) {
		return errorf(0, "the study file is empty; it needs at least a data section")
	}
	s.root = &root
	if err := decodeMapping(root.Content[0], reflect.ValueOf(s).Elem(), ""); err != nil {
		return err
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return errorf(next.Line, "a study file holds one YAML document; remove the second (after ---)")
	case !errors.Is(err, io.EOF):
		return syntaxError(data, err)
	}
	return nil
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// closest returns the known key nearest to key, if it is near enough to
// be a typo.
func closest(key string, known []string) string {
	best, bestD := "", math.MaxInt
	for _, k := range known {
		if d := editDistance(strings.ToLower(key), k); d < bestD {
			best, bestD = k, d
		}
	}
	if bestD <= max(1, min(3, len(key)/3)) {
		return best
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return math.MaxInt
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// lookup returns the key and value nodes at a path of mapping keys; when
// the path does not exist, key is the deepest existing key on it (nil if
// none) and value is nil.
func (s *Study) lookup(path ...string) (key, value *yaml.Node) {
	if s.root == nil || len(s.root.Content) == 0 {
		return nil, nil
	}
	n := s.root.Content[0]
	for depth, name := range path {
		if n.Kind != yaml.MappingNode {
			return key, nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == name {
				key, next = n.Content[i], n.Content[i+1]
			}
		}
		if next == nil {
			return key, nil
		}
		if depth == len(path)-1 {
			return key, next
		}
		n = next
	}
	return key, nil
}

// line returns the line of the key at path, or of the deepest key on the
// path that exists, or 0.
func (s *Study) line(path ...string) int {
	if k, _ := s.lookup(path...); k != nil {
		return k.Line
	}
	return 0
}

// has reports whether the key at path is in the file.
func (s *Study) has(path ...string) bool {
	_, v := s.lookup(path...)
	return v != nil
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}

// scalar decodes a scalar node to int, float64, string or bool.
func scalar(n *yaml.Node) (any, error) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode {
		return nil, errorf(n.Line, "want a number, a string or true/false, got %s", kindName(n))
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, errorf(n.Line, "%v", err)
	}
	switch x := v.(type) {
	case int, float64, string, bool:
		return x, nil
	case int64:
		if x >= math.MinInt && x <= math.MaxInt {
			return int(x), nil
		}
	case nil:
		return nil, errorf(n.Line, "a value is missing")
	}
	// Beyond int, or a type such as a timestamp: keep the text.
	if n.ShortTag() == "!!int" || n.ShortTag() == "!!float" {
		return nil, errorf(n.Line, "number %s is out of range", n.Value)
	}
	return n.Value, nil
}

// number decodes a scalar node to a float64.
func number(n *yaml.Node) (float64, error) {
	v, err := scalar(n)
	if err != nil {
		return 0, err
	}
	switch x := v.(type) {
	case int:
		return float64(x), nil
	case float64:
		return x, nil
	}
	return 0, errorf(n.Line, "want a number, got %s", describeScalar(v))
}

// text decodes a scalar node to a string.
func text(n *yaml.Node) (string, error) {
	v, err := scalar(n)
	if err != nil {
		return "", err
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	return "", errorf(n.Line, "want a name, got %v", v)
}

func describeScalar(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return "a value"
}

// Oracle is the oracle section: the algorithm's name and its settings.
type Oracle struct {
	// Type names the algorithm, as oracle.New knows it: "random"
	// (default), "grid", "hyperband", "bayesian", "tpe" or "nsga2".
	Type string
	// Config holds the section's other keys as a JSON object, the
	// settings oracle.New decodes (for random: max_collisions).
	Config json.RawMessage
}

// UnmarshalYAML reads `oracle: random` or `oracle: {type: random, ...}`.
func (o *Oracle) UnmarshalYAML(n *yaml.Node) error { return o.decodeNode(n) }

func (o *Oracle) decodeNode(n *yaml.Node) error {
	return unmarshalAlgorithm(n, "oracle", "random", &o.Type, &o.Config)
}

// Pruner is the pruner section: the rule's name and its settings. The
// zero value means no pruner.
type Pruner struct {
	// Type names the rule, as oracle.NewPruner knows it: "median" or
	// "successive_halving".
	Type string
	// Config holds the section's other keys as a JSON object, the
	// settings oracle.NewPruner decodes (for median: warmup_trials,
	// warmup_epochs, min_trials).
	Config json.RawMessage
}

// UnmarshalYAML reads `pruner: median` or `pruner: {type: median, ...}`.
func (p *Pruner) UnmarshalYAML(n *yaml.Node) error { return p.decodeNode(n) }

func (p *Pruner) decodeNode(n *yaml.Node) error {
	return unmarshalAlgorithm(n, "pruner", "median", &p.Type, &p.Config)
}

// unmarshalAlgorithm reads a section that is a name, or a mapping with a
// type and settings, into typ and config (a JSON object, nil without
// settings). example is a name for the messages.
func unmarshalAlgorithm(n *yaml.Node, section, example string, typ *string, config *json.RawMessage) error {
	n = resolve(n)
	switch n.Kind {
	case yaml.ScalarNode:
		t, err := text(n)
		if err != nil {
			return errorf(n.Line, "%s: want a name or a mapping with a type", section)
		}
		*typ, *config = t, nil
		return nil
	case yaml.MappingNode:
	default:
		return errorf(n.Line, "%s: want a name or a mapping with a type, got %s", section, kindName(n))
	}
	settings := map[string]any{}
	*typ = ""
	seenType := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if _, dup := settings[k.Value]; dup || (k.Value == "type" && seenType) {
			return errorf(k.Line, "key %q is given twice", k.Value)
		}
		if k.Value == "type" {
			t, err := text(v)
			if err != nil {
				return errorf(v.Line, "%s.type: want a name such as %s", section, example)
			}
			*typ, seenType = t, true
			continue
		}
		var x any
		if err := v.Decode(&x); err != nil {
			return errorf(v.Line, "%s.%s: %v", section, k.Value, err)
		}
		if f, ok := nonFinite(x); ok {
			return errorf(v.Line, "%s.%s: %v is not a finite number", section, k.Value, f)
		}
		settings[k.Value] = x
	}
	if !seenType && section == "pruner" {
		return errorf(n.Line, "pruner.type is missing: want median or successive_halving")
	}
	*config = nil
	if len(settings) > 0 {
		b, err := json.Marshal(settings)
		if err != nil {
			return errorf(n.Line, "%s settings: %v", section, err)
		}
		*config = b
	}
	return nil
}

// nonFinite returns the first NaN or infinite number in a decoded value
// (a number, or a list or mapping holding numbers), which a setting
// cannot be.
func nonFinite(x any) (float64, bool) {
	switch v := x.(type) {
	case float64:
		return v, math.IsNaN(v) || math.IsInf(v, 0)
	case []any:
		for _, e := range v {
			if f, ok := nonFinite(e); ok {
				return f, true
			}
		}
	case map[string]any:
		for _, e := range v {
			if f, ok := nonFinite(e); ok {
				return f, true
			}
		}
	}
	return 0, false
}

// Column names a CSV column by its header name or by its 0-based index;
// a negative index counts from the end (-1 is the last column).
type Column struct {
	Name  string
	Index int
}

// String returns the name, or the index in decimal.
func (c Column) String() string {
	if c.Name != "" {
		return c.Name
	}
	return strconv.Itoa(c.Index)
}

// UnmarshalYAML reads a name or a whole number.
func (c *Column) UnmarshalYAML(n *yaml.Node) error { return c.decodeNode(n) }

func (c *Column) decodeNode(n *yaml.Node) error {
	n = resolve(n)
	v, err := scalar(n)
	if err != nil {
		return errorf(n.Line, "data.target: want a column name or index")
	}
	switch x := v.(type) {
	case int:
		*c = Column{Index: x}
	case string:
		if x == "" {
			return errorf(n.Line, "data.target: empty column name")
		}
		*c = Column{Name: x}
	default:
		return errorf(n.Line, "data.target: want a column name or a whole-number index, got %v", v)
	}
	return nil
}
