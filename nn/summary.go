package nn

import (
	"fmt"
	"strings"
)

// CountParams returns the number of weights of the model, trainable and
// not, or 0 if its layers are invalid (see Compile). It does not need
// Compile.
func (m *Model) CountParams() int {
	g, err := m.graph()
	if err != nil {
		return 0
	}
	return g.total()
}

// Summary returns a Keras-like table of the layers, their output shapes,
// parameter counts and (for functional models) inputs, followed by the
// total, trainable and non-trainable parameter counts. It does not need
// Compile; for an invalid model it returns the error message.
func (m *Model) Summary() string {
	g, err := m.graph()
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	width := 65
	if !g.sequential {
		width = 98
	}
	line := func(c byte) { b.WriteString(strings.Repeat(string(c), width) + "\n") }
	stops := []int{1, 29, 55} // where each column starts
	if !g.sequential {
		stops = []int{1, 32, 53, 65}
	}
	row := func(cols ...string) {
		var s []byte
		for i, c := range cols[:len(stops)] {
			pad := stops[i] - len(s)
			if i > 0 {
				pad = max(pad, 1) // a column pushed right by a long one still gets a space
			}
			for range pad {
				s = append(s, ' ')
			}
			s = append(s, c...)
		}
		b.WriteString(strings.TrimRight(string(s), " ") + "\n")
	}
	fmt.Fprintf(&b, "Model: %q\n", m.name)
	line('_')
	row("Layer (type)", "Output Shape", "Param #", "Connected to")
	line('=')
	for i, nd := range g.nodes {
		name := g.names[i] + " (" + nd.layer.typeName() + ")"
		params := fmt.Sprint(g.trainable[i] + g.nonTrainable[i])
		if g.sequential {
			if i > 0 {
				row(name, batchShapeString(nd.shape), params)
			}
			continue
		}
		shape := batchShapeString(nd.shape)
		if isInput(nd) {
			shape = "[" + shape + "]"
		}
		var conns []string
		for _, k := range g.ins[i] {
			conns = append(conns, "'"+g.names[k]+"[0][0]'")
		}
		if len(conns) == 0 {
			row(name, shape, params, "[]")
			continue
		}
		for c, conn := range conns {
			switch {
			case len(conns) == 1:
				conn = "[" + conn + "]"
			case c == 0:
				conn = "[" + conn + ","
			case c == len(conns)-1:
				conn = " " + conn + "]"
			default:
				conn = " " + conn + ","
			}
			if c == 0 {
				row(name, shape, params, conn)
			} else {
				row("", "", "", conn)
			}
		}
	}
	line('=')
	fmt.Fprintf(&b, "Total params: %s\nTrainable params: %s\nNon-trainable params: %s\n",
		thousands(g.total()), thousands(g.totalTrainable), thousands(g.totalNonTrainable))
	line('_')
	return b.String()
}

func batchShapeString(s []int) string {
	var b strings.Builder
	b.WriteString("(None")
	for _, d := range s {
		fmt.Fprintf(&b, ", %d", d)
	}
	b.WriteString(")")
	return b.String()
}

// thousands formats n with comma separators: 266610 → "266,610".
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
