package nn

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
)

// Weight checkpoints (MarshalWeights), version 2, integers little-endian
// uint32:
//
//	magic "TNNW" | version 2 | tensor list (see FORMAT in doc.go) |
//	CRC-32 (IEEE) of everything before it
//
// The tensors are every weight of the model in Keras' get_weights order:
// per layer, Dense kernel (in, out) and bias (out,); BatchNormalization
// gamma, beta, moving_mean, moving_variance; Normalization mean, variance
// and count (a scalar). Version 1 (written before names and non-trainable
// weights existed) has no names and only Dense kernels and biases; it is
// still read.
const (
	weightsMagic   = "TNNW"
	weightsVersion = 2
)

// MarshalWeights encodes the model's weights, trainable and not (moving
// statistics, normalization statistics), but not the optimizer state, in
// a versioned binary checkpoint that UnmarshalWeights reads back
// bit-exactly. Save writes the whole model instead.
func (m *Model) MarshalWeights() ([]byte, error) {
	if !m.compiled {
		return nil, ErrNotCompiled
	}
	b := make([]byte, 0, 8+tensorsSize(m.tensors, true)+4)
	b = append(b, weightsMagic...)
	b = binary.LittleEndian.AppendUint32(b, weightsVersion)
	b = appendTensors(b, m.tensors, true)
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b)), nil
}

// UnmarshalWeights loads weights written by MarshalWeights into a compiled
// model of the same architecture: the tensors' names (hence the layers'
// names) and shapes must match the model's. The input is checked completely (size,
// checksum, version, every shape) before any weight changes, so on error
// the model is unchanged; nothing is allocated from sizes in the input.
// Optimizer state is kept as it is.
func (m *Model) UnmarshalWeights(b []byte) error {
	if !m.compiled {
		return ErrNotCompiled
	}
	if len(b) < 16 {
		return fmt.Errorf("%w: %d bytes is too short", ErrWeightsFormat, len(b))
	}
	if string(b[:4]) != weightsMagic {
		return fmt.Errorf("%w: bad magic %q", ErrWeightsFormat, b[:4])
	}
	v := binary.LittleEndian.Uint32(b[4:])
	if v != 1 && v != weightsVersion {
		return fmt.Errorf("%w: unsupported version %d (this package reads versions 1 and %d)", ErrWeightsFormat, v, weightsVersion)
	}
	body := b[:len(b)-4]
	if want, got := binary.LittleEndian.Uint32(b[len(b)-4:]), crc32.ChecksumIEEE(body); want != got {
		return fmt.Errorf("%w: checksum mismatch (truncated or corrupt)", ErrWeightsFormat)
	}
	want := m.tensors
	if v == 1 {
		want = m.trainableTensors()
		if len(want) != len(m.tensors) {
			return fmt.Errorf("%w: a version 1 checkpoint has no non-trainable weights, the model has %d",
				ErrWeightsMismatch, len(m.tensors)-len(want))
		}
	}
	list := body[8:]
	offsets, err := matchTensors(list, want, v == weightsVersion, true)
	if err != nil {
		var mm *tensorMismatch
		if errors.As(err, &mm) {
			return fmt.Errorf("%w: %s", ErrWeightsMismatch, mm.msg)
		}
		return fmt.Errorf("%w: %v", ErrWeightsFormat, err)
	}
	loadTensors(list, offsets, want)
	return nil
}

func (m *Model) trainableTensors() []*tensor {
	var ts []*tensor
	for _, t := range m.tensors {
		if t.g != nil {
			ts = append(ts, t)
		}
	}
	return ts
}

// Weights returns a copy of every weight tensor of a compiled model, flat
// and in Keras' get_weights order (see MarshalWeights), with their names
// ("dense/kernel") in names and shapes in shapes.
func (m *Model) Weights() (values [][]float32, names []string, shapes [][]int) {
	for _, t := range m.tensors {
		values = append(values, slices.Clone(t.w))
		names = append(names, t.name)
		shapes = append(shapes, slices.Clone(t.shape))
	}
	return values, names, shapes
}

// appendWeights appends every weight of the model to buf, in tensor order.
func (m *Model) appendWeights(buf []float32) []float32 {
	for _, t := range m.tensors {
		buf = append(buf, t.w...)
	}
	return buf
}

// setWeights copies weights made by appendWeights back into the model.
func (m *Model) setWeights(buf []float32) {
	for _, t := range m.tensors {
		buf = buf[copy(t.w, buf):]
	}
}
