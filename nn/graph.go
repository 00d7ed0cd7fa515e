package nn

import (
	"errors"
	"fmt"
	"strings"
)

// maxLayers bounds the number of layers of a model.
const maxLayers = 10000

// graph is the checked structure of a model, before any allocation: its
// nodes in topological order (model inputs first), their names and
// parameter counts.
type graph struct {
	nodes   []*Node
	names   []string
	ins     [][]int // per node, the positions of its input nodes
	inputs  []int   // positions of the model's inputs, in order
	outputs []int   // positions of the model's outputs, in order

	trainable, nonTrainable []int // per node
	totalTrainable          int
	totalNonTrainable       int
	sequential              bool
}

func (g *graph) total() int { return g.totalTrainable + g.totalNonTrainable }

// sequentialGraph applies layers in turn, starting from an Input layer.
func sequentialGraph(layers []Layer) (*graph, error) {
	if len(layers) == 0 {
		return nil, fmt.Errorf("%w: no layers; start with Input(...)", ErrInvalidModel)
	}
	first, ok := layers[0].(*inputLayer)
	if !ok {
		return nil, fmt.Errorf("%w: the first layer must be Input(...), got %s", ErrInvalidModel, typeOf(layers[0]))
	}
	if len(layers) == 1 {
		return nil, fmt.Errorf("%w: no layers after Input", ErrInvalidModel)
	}
	in := &Node{layer: first}
	in.shape, in.err = first.outputShape(nil)
	if in.err != nil {
		return nil, in.err // names Input already
	}
	nd := in
	for i, l := range layers[1:] {
		if l == nil {
			return nil, fmt.Errorf("%w: layer %d is nil", ErrInvalidModel, i+1)
		}
		if _, ok := l.(*inputLayer); ok {
			return nil, fmt.Errorf("%w: layer %d is a second Input", ErrInvalidModel, i+1)
		}
		nd = l.Apply(nd)
	}
	return buildGraph([]*Node{in}, []*Node{nd}, true)
}

func typeOf(l Layer) string {
	if l == nil {
		return "nil"
	}
	return l.typeName()
}

// buildGraph checks a graph from its inputs and outputs.
func buildGraph(inputs, outputs []*Node, sequential bool) (*graph, error) {
	if len(inputs) == 0 {
		return nil, fmt.Errorf("%w: no inputs", ErrInvalidModel)
	}
	if len(outputs) == 0 {
		return nil, fmt.Errorf("%w: no outputs", ErrInvalidModel)
	}
	g := &graph{sequential: sequential}
	pos := map[*Node]int{}
	add := func(nd *Node) {
		pos[nd] = len(g.nodes)
		g.nodes = append(g.nodes, nd)
	}
	for i, in := range inputs {
		if in == nil {
			return nil, fmt.Errorf("%w: input %d is nil", ErrInvalidModel, i)
		}
		if _, ok := in.layer.(*inputLayer); !ok {
			return nil, fmt.Errorf("%w: input %d is the output of a %s layer, not an input made by NewInput", ErrInvalidModel, i, typeOf(in.layer))
		}
		if _, dup := pos[in]; dup {
			return nil, fmt.Errorf("%w: input %d is given twice", ErrInvalidModel, i)
		}
		add(in)
		g.inputs = append(g.inputs, pos[in])
	}
	// Depth-first from the outputs, inputs before the nodes using them.
	var visit func(nd *Node, depth int) error
	visit = func(nd *Node, depth int) error {
		if _, seen := pos[nd]; seen {
			return nil
		}
		if depth > maxLayers || len(g.nodes) >= maxLayers {
			return fmt.Errorf("%w: more than %d layers", ErrInvalidModel, maxLayers)
		}
		if isInput(nd) && len(nd.inputs) == 0 {
			return fmt.Errorf("%w: an output depends on input %q, which is not among the model's inputs", ErrInvalidModel, nd.layer.opts().name)
		}
		for _, in := range nd.inputs {
			if in == nil {
				continue // reported as the node's error
			}
			if err := visit(in, depth+1); err != nil {
				return err
			}
		}
		add(nd)
		return nil
	}
	for i, out := range outputs {
		if out == nil {
			return nil, fmt.Errorf("%w: output %d is nil", ErrInvalidModel, i)
		}
		if err := visit(out, 0); err != nil {
			return nil, err
		}
		p := pos[out]
		for _, o := range g.outputs {
			if o == p {
				return nil, fmt.Errorf("%w: output %d is given twice", ErrInvalidModel, i)
			}
		}
		g.outputs = append(g.outputs, p)
	}
	if err := g.name(); err != nil {
		return nil, err
	}
	if err := g.check(); err != nil {
		return nil, err
	}
	return g, nil
}

func isInput(nd *Node) bool {
	_, ok := nd.layer.(*inputLayer)
	return ok
}

// name gives every node its explicit name or a free one after its type.
func (g *graph) name() error {
	g.names = make([]string, len(g.nodes))
	used := map[string]bool{}
	for i, nd := range g.nodes {
		if n := nd.layer.opts().name; n != "" {
			if used[n] {
				return fmt.Errorf("%w: two layers are named %q", ErrInvalidModel, n)
			}
			used[n] = true
			g.names[i] = n
		}
	}
	counts := map[string]int{}
	for i, nd := range g.nodes {
		if g.names[i] != "" {
			continue
		}
		base := snakeCase(nd.layer.typeName())
		for {
			name := base
			if c := counts[base]; c > 0 {
				name = fmt.Sprintf("%s_%d", base, c)
			}
			counts[base]++
			if !used[name] {
				used[name] = true
				g.names[i] = name
				break
			}
		}
	}
	return nil
}

// check reports the first invalid node, shared weights, unused inputs,
// non-flat outputs and too many parameters, and counts the parameters.
func (g *graph) check() error {
	g.ins = make([][]int, len(g.nodes))
	g.trainable = make([]int, len(g.nodes))
	g.nonTrainable = make([]int, len(g.nodes))
	pos := make(map[*Node]int, len(g.nodes))
	for i, nd := range g.nodes {
		pos[nd] = i
	}
	seenLayer := map[Layer]int{}
	used := make([]bool, len(g.nodes))
	for i, nd := range g.nodes {
		if nd.err != nil && !errors.Is(nd.err, errUpstream) {
			return g.nodeErr(i, nd.err)
		}
		if nd.err != nil {
			continue // the cause is an earlier node, reported above
		}
		if nd.layer.hasWeights() {
			if j, dup := seenLayer[nd.layer]; dup {
				return g.nodeErr(i, specErr(ErrInvalidModel, "is the layer %q applied a second time; shared layers are not supported", g.names[j]))
			}
			seenLayer[nd.layer] = i
		}
		shapes := make([][]int, len(nd.inputs))
		for k, in := range nd.inputs {
			g.ins[i] = append(g.ins[i], pos[in])
			used[pos[in]] = true
			shapes[k] = in.shape
		}
		if isInput(nd) {
			continue
		}
		t, n := nd.layer.paramCounts(shapes)
		g.trainable[i], g.nonTrainable[i] = t, n
		g.totalTrainable += t
		g.totalNonTrainable += n
		if g.total() > maxParams {
			return fmt.Errorf("%w: more than %d parameters", ErrInvalidModel, maxParams)
		}
	}
	for _, i := range g.inputs {
		if !used[i] && !g.isOutput(i) {
			return fmt.Errorf("%w: input %q is not used by any output", ErrInvalidModel, g.names[i])
		}
	}
	for _, o := range g.outputs {
		if s := g.nodes[o].shape; len(s) != 1 {
			return fmt.Errorf("%w: the output %q has shape %s, which is not flat; add Flatten()", ErrInvalidModel, g.names[o], shapeString(s))
		}
	}
	return nil
}

func (g *graph) isOutput(i int) bool {
	for _, o := range g.outputs {
		if o == i {
			return true
		}
	}
	return false
}

// nodeErr prefixes err with the node's position (Sequential) or name.
func (g *graph) nodeErr(i int, err error) error {
	var where string
	if g.sequential {
		where = fmt.Sprintf("layer %d (%s)", i, g.names[i])
	} else {
		where = fmt.Sprintf("layer %q (%s)", g.names[i], g.nodes[i].layer.typeName())
	}
	var se *specError
	if errors.As(err, &se) {
		return specErr(se.kind, "%s: %s", where, se.msg)
	}
	return fmt.Errorf("%s: %w", where, err)
}

// snakeCase turns a class name into Keras' default layer name:
// BatchNormalization → batch_normalization, MaxPooling2D → max_pooling2d
// (no underscore after a digit).
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 && s[i-1] >= 'a' && s[i-1] <= 'z' {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
