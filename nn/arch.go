package nn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// modelJSON is the ARCH section: the architecture and compile settings.
type modelJSON struct {
	Name       string      `json:"name"`
	Sequential bool        `json:"sequential"`
	Layers     []layerJSON `json:"layers"`
	Inputs     []string    `json:"inputs"`
	Outputs    []string    `json:"outputs"`
	Compile    compileJSON `json:"compile"`
}

// layerJSON is one layer; which fields are set depends on its type.
type layerJSON struct {
	Name              string   `json:"name"`
	Type              string   `json:"type"`
	Inputs            []string `json:"inputs,omitempty"`
	Shape             []int    `json:"shape,omitempty"`
	Units             int      `json:"units,omitempty"`
	Activation        string   `json:"activation,omitempty"`
	KernelInitializer string   `json:"kernel_initializer,omitempty"`
	BiasInitializer   string   `json:"bias_initializer,omitempty"`
	Rate              float64  `json:"rate,omitempty"`
	Momentum          *float64 `json:"momentum,omitempty"`
	Epsilon           *float64 `json:"epsilon,omitempty"`
	Filters           int      `json:"filters,omitempty"`
	KernelSize        []int    `json:"kernel_size,omitempty"`
	PoolSize          []int    `json:"pool_size,omitempty"`
	Strides           []int    `json:"strides,omitempty"`
	Padding           string   `json:"padding,omitempty"`
	UseBias           *bool    `json:"use_bias,omitempty"`
	TargetShape       []int    `json:"target_shape,omitempty"`
}

type compileJSON struct {
	Losses      []string      `json:"losses"`
	LossWeights []float64     `json:"loss_weights"`
	HuberDelta  float64       `json:"huber_delta"`
	Metrics     []string      `json:"metrics"`
	Seed        int64         `json:"seed"`
	Optimizer   optimizerJSON `json:"optimizer"`
}

// archJSON describes the compiled model for Save.
func (m *Model) archJSON() modelJSON {
	g := m.g
	mj := modelJSON{Name: m.name, Sequential: !m.functional}
	for i, nd := range g.nodes {
		j := layerJSON{Name: g.names[i], Type: nd.layer.typeName()}
		for _, k := range g.ins[i] {
			j.Inputs = append(j.Inputs, g.names[k])
		}
		nd.layer.encode(&j)
		mj.Layers = append(mj.Layers, j)
	}
	for _, i := range g.inputs {
		mj.Inputs = append(mj.Inputs, g.names[i])
	}
	for _, i := range g.outputs {
		mj.Outputs = append(mj.Outputs, g.names[i])
	}
	c := &mj.Compile
	for _, h := range m.heads {
		c.Losses = append(c.Losses, h.loss.name())
		c.LossWeights = append(c.LossWeights, h.weight)
		c.HuberDelta = h.loss.delta
	}
	c.Metrics = append([]string{}, m.cfg.Metrics...)
	c.Seed = m.cfg.Seed
	c.Optimizer = m.opt.config()
	return mj
}

func (c compileJSON) config() (CompileConfig, error) {
	opt, err := c.Optimizer.optimizer()
	if err != nil {
		return CompileConfig{}, err
	}
	return CompileConfig{Losses: c.Losses, LossWeights: c.LossWeights, HuberDelta: c.HuberDelta,
		Metrics: c.Metrics, Seed: c.Seed, Optimizer: opt}, nil
}

// normRef is a Normalization layer of a decoded model and its input shape.
type normRef struct {
	layer *NormalizationLayer
	shape []int
}

// model builds the (uncompiled) model the architecture describes.
func (mj *modelJSON) model() (*Model, []normRef, error) {
	if len(mj.Layers) == 0 || len(mj.Layers) > maxLayers {
		return nil, nil, fmt.Errorf("%d layers", len(mj.Layers))
	}
	if mj.Name != "sequential" && mj.Name != "model" {
		return nil, nil, fmt.Errorf("model name %q", mj.Name)
	}
	nodes := make(map[string]*Node, len(mj.Layers))
	var layers []Layer
	var norms []normRef
	for i, j := range mj.Layers {
		if _, dup := nodes[j.Name]; dup || j.Name == "" {
			return nil, nil, fmt.Errorf("layer %d has an empty or repeated name %q", i, j.Name)
		}
		ins := make([]*Node, len(j.Inputs))
		for k, name := range j.Inputs {
			if ins[k] = nodes[name]; ins[k] == nil {
				return nil, nil, fmt.Errorf("layer %q: input %q is not an earlier layer", j.Name, name)
			}
		}
		l, err := j.layer()
		if err != nil {
			return nil, nil, fmt.Errorf("layer %q: %v", j.Name, err)
		}
		var nd *Node
		if in, ok := l.(*inputLayer); ok {
			if len(ins) != 0 {
				return nil, nil, fmt.Errorf("input layer %q has inputs", j.Name)
			}
			nd = &Node{layer: in}
			if nd.err = checkLayerName(j.Name); nd.err == nil {
				nd.shape, nd.err = in.outputShape(nil)
			}
		} else {
			nd = l.Apply(ins...)
		}
		if nd.err != nil {
			return nil, nil, fmt.Errorf("layer %q: %v", j.Name, nd.err)
		}
		if mj.Sequential && i > 0 && (len(j.Inputs) != 1 || j.Inputs[0] != mj.Layers[i-1].Name) {
			return nil, nil, fmt.Errorf("layer %q of a sequential model does not follow the previous layer", j.Name)
		}
		if nl, ok := l.(*NormalizationLayer); ok {
			norms = append(norms, normRef{nl, ins[0].shape})
		}
		nodes[j.Name] = nd
		layers = append(layers, l)
	}
	find := func(names []string) ([]*Node, error) {
		out := make([]*Node, len(names))
		for i, n := range names {
			if out[i] = nodes[n]; out[i] == nil {
				return nil, fmt.Errorf("unknown layer %q", n)
			}
		}
		return out, nil
	}
	inputs, err := find(mj.Inputs)
	if err != nil {
		return nil, nil, err
	}
	outputs, err := find(mj.Outputs)
	if err != nil {
		return nil, nil, err
	}
	if mj.Sequential {
		if len(inputs) != 1 || len(outputs) != 1 || inputs[0].layer != layers[0] || outputs[0] != nodes[mj.Layers[len(mj.Layers)-1].Name] {
			return nil, nil, errors.New("a sequential model's input and output are not its first and last layers")
		}
		return NewSequential(layers...), norms, nil
	}
	m, err := NewModel(inputs, outputs)
	return m, norms, err
}

// layer returns the Layer a layerJSON describes.
func (j *layerJSON) layer() (Layer, error) {
	name := Name(j.Name)
	var l Layer
	switch j.Type {
	case "InputLayer":
		in := &inputLayer{shape: j.Shape}
		in.o.name = j.Name
		l = in
	case "Dense":
		l = Dense(j.Units, Activation(j.Activation), name,
			KernelInitializer(Initializer(j.KernelInitializer)), BiasInitializer(Initializer(j.BiasInitializer)))
	case "Flatten":
		l = Flatten(name)
	case "Conv2D":
		if len(j.KernelSize) != 2 || len(j.Strides) != 2 || j.UseBias == nil {
			return nil, errors.New("Conv2D needs kernel_size, strides and use_bias")
		}
		l = Conv2D(j.Filters, j.KernelSize[0], Activation(j.Activation), name,
			KernelInitializer(Initializer(j.KernelInitializer)), BiasInitializer(Initializer(j.BiasInitializer)),
			Strides(j.Strides[0], j.Strides[1]), Padding(j.Padding), UseBias(*j.UseBias))
	case "MaxPooling2D", "AveragePooling2D":
		if len(j.PoolSize) != 2 || len(j.Strides) != 2 {
			return nil, fmt.Errorf("%s needs pool_size and strides", j.Type)
		}
		opts := []LayerOption{name, Strides(j.Strides[0], j.Strides[1]), Padding(j.Padding)}
		if j.Type == "MaxPooling2D" {
			l = MaxPooling2D(j.PoolSize[0], opts...)
		} else {
			l = AveragePooling2D(j.PoolSize[0], opts...)
		}
	case "GlobalAveragePooling2D":
		l = GlobalAveragePooling2D(name)
	case "Reshape":
		l = Reshape(j.TargetShape, name)
	case "Activation":
		l = ActivationLayer(Activation(j.Activation), name)
	case "Dropout":
		l = Dropout(j.Rate, name)
	case "BatchNormalization":
		if j.Momentum == nil || j.Epsilon == nil {
			return nil, errors.New("BatchNormalization needs momentum and epsilon")
		}
		l = BatchNormalization(name, BatchNormMomentum(*j.Momentum), BatchNormEpsilon(*j.Epsilon))
	case "Normalization":
		l = Normalization(name)
	case "Concatenate":
		l = Concatenate(name)
	default:
		return nil, fmt.Errorf("unknown layer type %q", j.Type)
	}
	var check layerJSON
	check.Name, check.Type, check.Inputs = j.Name, j.Type, j.Inputs
	l.encode(&check)
	if !sameLayerJSON(&check, j) {
		return nil, fmt.Errorf("fields that a %s layer does not have", j.Type)
	}
	return l, nil
}

// sameLayerJSON reports whether decoding and re-encoding kept every field,
// so that a file with fields a layer type does not use is rejected.
func sameLayerJSON(a, b *layerJSON) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}
