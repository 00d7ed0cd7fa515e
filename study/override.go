package study

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Override returns the study file src with settings changed, as the tune
// command's flags change them. Each setting is "key=value": a dotted key
// (max_trials, oracle.type, data.path, hyperparameters.n_hidden) and a
// YAML value (20, bayesian, "train.csv", {type: int, min: 1, max: 3}).
// Missing keys are created; a section given as a plain name (oracle:
// random) becomes a mapping with that type when a key inside it is set.
// Comments are kept, but the document is re-encoded, so lines may move:
// check the original first for errors that point at lines.
func Override(src []byte, settings ...string) ([]byte, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, syntaxError(src, err)
	}
	if root.Kind == 0 || len(root.Content) == 0 || isNull(root.Content[0]) {
		root = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
	}
	doc := resolve(root.Content[0])
	if doc.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("the study file is not a mapping of keys to values")
	}
	for _, set := range settings {
		key, value, ok := strings.Cut(set, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return nil, fmt.Errorf("setting %q: want key=value, such as max_trials=20", set)
		}
		var v yaml.Node
		if err := yaml.Unmarshal([]byte(value), &v); err != nil {
			return nil, fmt.Errorf("setting %s: the value is not YAML: %s", key, syntaxError([]byte(value), err).Msg)
		}
		val := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: ""}
		if len(v.Content) > 0 {
			val = v.Content[0]
		}
		if err := setKey(doc, strings.Split(key, "."), val); err != nil {
			return nil, fmt.Errorf("setting %s: %w", key, err)
		}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// setKey sets path in the mapping m to v.
func setKey(m *yaml.Node, path []string, v *yaml.Node) error {
	for i, name := range path {
		if name == "" {
			return fmt.Errorf("empty key")
		}
		var next *yaml.Node
		for j := 0; j+1 < len(m.Content); j += 2 {
			if m.Content[j].Value == name {
				if i == len(path)-1 {
					if old := m.Content[j+1]; v.LineComment == "" {
						v.LineComment = old.LineComment
					}
					m.Content[j+1] = v
					return nil
				}
				next = resolve(m.Content[j+1])
				if next.Kind == yaml.ScalarNode && !isNull(next) {
					// oracle: random → oracle: {type: random}
					typ := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "type"}
					name := *next
					name.LineComment = ""
					next = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle,
						Content: []*yaml.Node{typ, &name}, LineComment: next.LineComment}
					m.Content[j+1] = next
				} else if next.Kind != yaml.MappingNode {
					next = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
					m.Content[j+1] = next
				}
				break
			}
		}
		k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name}
		if next == nil {
			if i == len(path)-1 {
				m.Content = append(m.Content, k, v)
				return nil
			}
			next = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			m.Content = append(m.Content, k, next)
		}
		m = next
	}
	return nil
}
