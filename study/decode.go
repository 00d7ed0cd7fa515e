package study

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// The study file is decoded from its yaml.Node tree, key by key in
// document order, so that every error is placed by the node it concerns
// (its line) and worded from what the node holds and what the field
// wants, never from yaml.v3's message.

// nodeDecoder is a section type that decodes itself from its node; its
// errors are *Error values carrying their lines.
type nodeDecoder interface {
	decodeNode(n *yaml.Node) error
}

var nodeDecoderType = reflect.TypeFor[nodeDecoder]()

// decodeMapping decodes the mapping n into the struct v, whose yaml tags
// name its keys. path is the section's dotted name ("" at the top).
func decodeMapping(n *yaml.Node, v reflect.Value, path string) error {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		what := "want a mapping, got " + describeNode(n)
		if path != "" {
			what = strings.TrimSuffix(path, ".") + ": " + what
		}
		return errorf(n.Line, "%s", what)
	}
	t := v.Type()
	first := map[string]int{} // key → its line
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.ShortTag() == "!!merge" {
			// <<: *defaults merges an anchored mapping (or a list of them).
			val = resolve(val)
			maps := []*yaml.Node{val}
			if val.Kind == yaml.SequenceNode {
				maps = val.Content
			}
			for _, m := range maps {
				if err := decodeMapping(m, v, path); err != nil {
					return err
				}
			}
			continue
		}
		if line, dup := first[k.Value]; dup {
			return errorf(k.Line, "key %q is given twice (first at line %d)", k.Value, line)
		}
		first[k.Value] = k.Line
		f, ok := fieldByTag(t, k.Value)
		if !ok {
			return errorf(k.Line, "%s", unknownKey(k.Value, strings.TrimSuffix(path, "."), yamlKeys(t)))
		}
		if err := decodeField(val, v.FieldByIndex(f.Index), path+k.Value); err != nil {
			return err
		}
	}
	return nil
}

// decodeField decodes n into the field v, named path in messages.
func decodeField(n *yaml.Node, v reflect.Value, path string) error {
	n = resolve(n)
	if isNull(n) {
		// As yaml.v3 does: nothing resets a list or a pointer and
		// leaves any other field at its default.
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer, reflect.Map, reflect.Slice:
			v.SetZero()
		}
		return nil
	}
	if v.Addr().Type().Implements(nodeDecoderType) {
		return v.Addr().Interface().(nodeDecoder).decodeNode(n)
	}
	switch {
	case v.Kind() == reflect.Struct:
		return decodeMapping(n, v, path+".")
	case v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Struct:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return decodeMapping(n, v.Elem(), path+".")
	case v.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		// Element by element, to place a bad one.
		out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, c := range n.Content {
			if err := decodeLeaf(resolve(c), out.Index(i), path); err != nil {
				return err
			}
		}
		v.Set(out)
		return nil
	}
	return decodeLeaf(n, v, path)
}

// decodeLeaf decodes a value that yaml.v3 decodes by itself (a number, a
// string, a list of them). A number with a fraction for a whole-number
// field is an error rather than truncated, as yaml.v3 would.
func decodeLeaf(n *yaml.Node, v reflect.Value, path string) error {
	bad := func() error {
		return errorf(n.Line, "%s: want %s, got %s", path, describeType(v.Type()), describeNode(n))
	}
	if k := v.Kind(); k >= reflect.Int && k <= reflect.Int64 && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!float" {
		x, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err != nil || x != math.Trunc(x) || math.Abs(x) >= 1<<63 {
			return bad()
		}
	}
	if v.Addr().Type().Implements(reflect.TypeFor[yaml.Unmarshaler]()) {
		// A type of another package with its own decoding: its error
		// says what is wrong.
		if err := n.Decode(v.Addr().Interface()); err != nil {
			var e *Error
			if errors.As(err, &e) {
				return e
			}
			return wrapf(n.Line, err, "%s", path)
		}
		return nil
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		return bad()
	}
	return nil
}

// fieldByTag returns the struct field whose yaml key is key.
func fieldByTag(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); f.IsExported() && tag == key && tag != "" && tag != "-" {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// yamlKeys returns the keys of a struct type in declaration order.
func yamlKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag != "" && tag != "-" {
			keys = append(keys, tag)
		}
	}
	return keys
}

// unknownKey describes an unknown key of a section ("" for the top
// level), suggesting the known key it is closest to.
func unknownKey(key, section string, keys []string) string {
	msg := fmt.Sprintf("unknown key %q", key)
	if section != "" {
		msg += " in " + section
	}
	if best := closest(key, keys); best != "" {
		return msg + fmt.Sprintf(" (did you mean %q?)", best)
	}
	if len(keys) > 0 && len(keys) <= 8 {
		return msg + " (want " + orList(keys) + ")"
	}
	return msg
}

// describeType names a field's type in the study file's terms.
func describeType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "a list"
	}
	return "a mapping"
}

// describeNode describes what a node holds.
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.ShortTag() {
	case "!!null":
		return "nothing"
	case "!!str":
		return strconv.Quote(n.Value)
	}
	return n.Value
}
