package study

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// decode parses data into s strictly (unknown keys are errors) and keeps
// the node tree for the lines of keys.
func (s *Study) decode(data []byte) error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return syntaxError(err)
	}
	if root.Kind == 0 || len(root.Content) == 0 || isNull(root.Content[0]) {
		return errorf(0, "the study file is empty; it needs at least a data section")
	}
	s.root = &root
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(s); err != nil {
		return s.decodeError(err)
	}
	if err := s.checkWhole(); err != nil {
		return err
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return errorf(next.Line, "a study file holds one YAML document; remove the second (after ---)")
	case !errors.Is(err, io.EOF):
		return syntaxError(err)
	}
	return nil
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

var (
	reSyntax  = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	reLine    = regexp.MustCompile(`(?s)^line (\d+): (.*)$`)
	reUnknown = regexp.MustCompile(`^field (.*) not found in type (\S+)$`)
	reSet     = regexp.MustCompile(`^field (.*) already set in type \S+$`)
	reDup     = regexp.MustCompile(`^mapping key (".*") already defined at line (\d+)$`)
	reTypeErr = regexp.MustCompile("(?s)^cannot unmarshal (!!\\w+|\\S+)(?: `(.*)`)? into (.+)$")
)

// syntaxError turns a YAML syntax error into an *Error.
//
// yaml.v3 reports the line of a parser error (as opposed to a scanner
// error) 0-based, one less than the line it means, and leaves the line out
// when that is 0; parserError recognises those messages to correct them.
func syntaxError(err error) error {
	msg := oneLine(err.Error())
	if m := reSyntax.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if parserError(m[2]) {
			line++
		}
		return &Error{Line: line, Msg: m[2], Err: err}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if parserError(msg) {
		return &Error{Line: 1, Msg: msg, Err: err}
	}
	return &Error{Msg: msg, Err: err}
}

// parserError reports whether msg is one of the parser's errors (see
// yaml.v3's parserc.go), whose lines yaml.v3 reports 0-based.
func parserError(msg string) bool {
	for _, p := range []string{"did not find expected", "found duplicate %", "found incompatible YAML document", "found undefined tag handle"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// decodeError turns an error of the strict decoder into an *Error about
// the first problem it reports.
func (s *Study) decodeError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) || len(te.Errors) == 0 {
		var e *Error
		if errors.As(err, &e) {
			return e
		}
		return syntaxError(err)
	}
	m := reLine.FindStringSubmatch(te.Errors[0])
	if m == nil {
		return &Error{Msg: oneLine(te.Errors[0]), Err: err}
	}
	line, _ := strconv.Atoi(m[1])
	msg := m[2]
	switch {
	case reUnknown.MatchString(msg):
		u := reUnknown.FindStringSubmatch(msg)
		msg = unknownKey(u[1], sections[u[2]])
	case reSet.MatchString(msg):
		msg = fmt.Sprintf("key %q is given twice", reSet.FindStringSubmatch(msg)[1])
	case reDup.MatchString(msg):
		d := reDup.FindStringSubmatch(msg)
		k, _ := strconv.Unquote(d[1])
		msg = fmt.Sprintf("key %q is given twice (first at line %s)", k, d[2])
	case reTypeErr.MatchString(msg):
		t := reTypeErr.FindStringSubmatch(msg)
		got := describeNode(t[1], t[2])
		path := s.keyAt(line, t[1], strings.TrimSuffix(t[2], "..."))
		msg = fmt.Sprintf("want %s, got %s", describeType(t[3]), got)
		if path != "" {
			msg = path + ": " + msg
		}
	}
	return &Error{Line: line, Msg: oneLine(msg), Err: err}
}

// typeError passes an *Error of a custom unmarshaler to yaml.v3 as a
// *yaml.TypeError, which it collects in document order with its own
// errors (any other error would end decoding at once, dropping those).
func typeError(err error) error {
	var e *Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s", e.Line, e.Msg)}}
}

// checkWhole reports a fractional number given for a whole-number setting,
// which yaml.v3 would silently truncate (epochs: 2.5 becomes 2).
func (s *Study) checkWhole() error {
	var walk func(n *yaml.Node, t reflect.Type, path string) error
	walk = func(n *yaml.Node, t reflect.Type, path string) error {
		n = resolve(n)
		if n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], resolve(n.Content[i+1])
			f, ok := fieldByTag(t, k.Value)
			if !ok {
				continue
			}
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			switch {
			case ft.Kind() == reflect.Struct && path == "":
				if err := walk(v, ft, k.Value+"."); err != nil {
					return err
				}
			case ft.Kind() >= reflect.Int && ft.Kind() <= reflect.Int64 && v.Kind == yaml.ScalarNode && v.ShortTag() == "!!float":
				x, err := strconv.ParseFloat(strings.ReplaceAll(v.Value, "_", ""), 64)
				if err != nil || x != math.Trunc(x) || math.Abs(x) >= 1<<63 {
					return errorf(v.Line, "%s%s: want a whole number, got %s", path, k.Value, v.Value)
				}
			}
		}
		return nil
	}
	if s.root == nil || len(s.root.Content) == 0 {
		return nil
	}
	return walk(s.root.Content[0], reflect.TypeOf(*s), "")
}

// fieldByTag returns the struct field whose yaml key is key.
func fieldByTag(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag == key {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

// unknownKey describes an unknown key of a section, suggesting the known
// key it is closest to.
func unknownKey(key string, sec section) string {
	msg := fmt.Sprintf("unknown key %q", key)
	if sec.name != "" {
		msg += " in " + sec.name
	}
	if best := closest(key, sec.keys); best != "" {
		return msg + fmt.Sprintf(" (did you mean %q?)", best)
	}
	if len(sec.keys) > 0 && len(sec.keys) <= 8 {
		return msg + " (want " + orList(sec.keys) + ")"
	}
	return msg
}

// section is a mapping of the study file decoded into a struct.
type section struct {
	name string   // "" for the top level, "data", "early_stopping"
	keys []string // its keys in declaration order
}

// sections maps the Go type names that yaml.v3 puts in its errors to the
// sections they decode.
var sections = map[string]section{
	"study.Study":         sectionOf("", Study{}),
	"study.Data":          sectionOf("data", Data{}),
	"study.EarlyStopping": sectionOf("early_stopping", EarlyStopping{}),
}

func sectionOf(name string, v any) section {
	sec := section{name: name}
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag != "" && tag != "-" {
			sec.keys = append(sec.keys, tag)
		}
	}
	return sec
}

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

// describeType names the Go type yaml.v3 could not decode into, in the
// study file's terms.
func describeType(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "a whole number"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "bool":
		return "true or false"
	case goType == "string", goType == "study.Task", goType == "goal.Direction":
		return "a string"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	}
	return "a mapping"
}

// describeNode describes the value yaml.v3 could not decode.
func describeNode(tag, value string) string {
	switch tag {
	case "!!map":
		return "a mapping"
	case "!!seq":
		return "a list"
	case "!!null":
		return "nothing"
	case "!!str":
		return strconv.Quote(value)
	}
	return value
}

// keyAt returns the dotted path of the key whose value is on line: a
// mapping or list for the tags !!map and !!seq, otherwise a scalar that
// starts with value (yaml.v3 truncates long values). The deepest such key
// wins; "" if there is none.
func (s *Study) keyAt(line int, tag, value string) string {
	if s.root == nil || len(s.root.Content) == 0 {
		return ""
	}
	match := func(v *yaml.Node) bool {
		switch {
		case v.Line != line:
			return false
		case tag == "!!map":
			return v.Kind == yaml.MappingNode
		case tag == "!!seq":
			return v.Kind == yaml.SequenceNode
		}
		return v.Kind == yaml.ScalarNode && strings.HasPrefix(v.Value, value)
	}
	var walk func(n *yaml.Node, path string) string
	walk = func(n *yaml.Node, path string) string {
		if n.Kind != yaml.MappingNode {
			return ""
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			if found := walk(v, p); found != "" {
				return found
			}
			if match(v) {
				return p
			}
		}
		return ""
	}
	return walk(s.root.Content[0], "")
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
	// (default), "grid", "hyperband", "bayesian" or "tpe".
	Type string
	// Config holds the section's other keys as a JSON object, the
	// settings oracle.New decodes (for random: max_collisions).
	Config json.RawMessage
}

// UnmarshalYAML reads `oracle: random` or `oracle: {type: random, ...}`.
func (o *Oracle) UnmarshalYAML(n *yaml.Node) error {
	return typeError(unmarshalAlgorithm(n, "oracle", "random", &o.Type, &o.Config))
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
func (p *Pruner) UnmarshalYAML(n *yaml.Node) error {
	return typeError(unmarshalAlgorithm(n, "pruner", "median", &p.Type, &p.Config))
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
func (c *Column) UnmarshalYAML(n *yaml.Node) error {
	return typeError(c.unmarshal(n))
}

func (c *Column) unmarshal(n *yaml.Node) error {
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
