package nn

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
)

// Weight format, version 1, all integers little-endian uint32:
//
//	magic "TNNW" | version | tensor count |
//	per tensor: rank, rank dimensions, product-of-dimensions float32 values |
//	CRC-32 (IEEE) of everything before it
//
// Tensors are in Keras' get_weights order: for each Dense layer its kernel
// (in, out) then its bias (out,).
const (
	weightsMagic   = "TNNW"
	weightsVersion = 1
	maxRank        = 4
)

// MarshalWeights encodes the model's weights (not the optimizer state) in a
// versioned binary format that UnmarshalWeights reads back bit-exactly.
func (m *Model) MarshalWeights() ([]byte, error) {
	if !m.compiled {
		return nil, ErrNotCompiled
	}
	size := 12 + 4
	for i := range m.params {
		size += 4 + 4*len(m.tensorShape(i)) + 4*len(m.params[i].w)
	}
	b := make([]byte, 0, size)
	b = append(b, weightsMagic...)
	b = binary.LittleEndian.AppendUint32(b, weightsVersion)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(m.params)))
	for i, p := range m.params {
		shape := m.tensorShape(i)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(shape)))
		for _, d := range shape {
			b = binary.LittleEndian.AppendUint32(b, uint32(d))
		}
		for _, v := range p.w {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
	}
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b)), nil
}

// UnmarshalWeights loads weights written by MarshalWeights into a compiled
// model of the same architecture. The input is checked completely (size,
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
	if v := binary.LittleEndian.Uint32(b[4:]); v != weightsVersion {
		return fmt.Errorf("%w: unsupported version %d (this package reads version %d)", ErrWeightsFormat, v, weightsVersion)
	}
	body := b[:len(b)-4]
	if want, got := binary.LittleEndian.Uint32(b[len(b)-4:]), crc32.ChecksumIEEE(body); want != got {
		return fmt.Errorf("%w: checksum mismatch (truncated or corrupt)", ErrWeightsFormat)
	}
	r := reader{b: body, off: 8}
	count, _ := r.uint32()
	if int64(count) != int64(len(m.params)) {
		return fmt.Errorf("%w: %d tensors, the model has %d", ErrWeightsMismatch, count, len(m.params))
	}
	data := make([]int, len(m.params)) // offset of each tensor's values
	for i := range m.params {
		shape := m.tensorShape(i)
		rank, ok := r.uint32()
		if !ok {
			return fmt.Errorf("%w: truncated in tensor %d", ErrWeightsFormat, i)
		}
		if rank == 0 || rank > maxRank {
			return fmt.Errorf("%w: tensor %d has rank %d", ErrWeightsFormat, i, rank)
		}
		got := make([]int, 0, maxRank)
		for range rank {
			d, ok := r.uint32()
			if !ok {
				return fmt.Errorf("%w: truncated in tensor %d", ErrWeightsFormat, i)
			}
			got = append(got, int(d))
		}
		if !slices.Equal(got, shape) {
			return fmt.Errorf("%w: tensor %d (%s) has shape %s, the model needs %s",
				ErrWeightsMismatch, i, m.tensorName(i), shapeString(got), shapeString(shape))
		}
		data[i] = r.off
		if !r.skip(4 * len(m.params[i].w)) {
			return fmt.Errorf("%w: truncated in tensor %d", ErrWeightsFormat, i)
		}
	}
	if r.off != len(body) {
		return fmt.Errorf("%w: %d unexpected bytes after the last tensor", ErrWeightsFormat, len(body)-r.off)
	}
	for i, p := range m.params {
		for j := range p.w {
			p.w[j] = math.Float32frombits(binary.LittleEndian.Uint32(body[data[i]+4*j:]))
		}
	}
	return nil
}

// tensorShape is the shape of params[i]: (in, out) for a kernel, (out,) for a bias.
func (m *Model) tensorShape(i int) []int {
	d := m.denses[i/2]
	if i%2 == 0 {
		return []int{d.in, d.out}
	}
	return []int{d.out}
}

func (m *Model) tensorName(i int) string {
	if i%2 == 0 {
		return m.denses[i/2].name + " kernel"
	}
	return m.denses[i/2].name + " bias"
}

// appendWeights appends every weight of the model to buf, in params order.
func (m *Model) appendWeights(buf []float32) []float32 {
	for _, p := range m.params {
		buf = append(buf, p.w...)
	}
	return buf
}

// setWeights copies weights made by appendWeights back into the model.
func (m *Model) setWeights(buf []float32) {
	for _, p := range m.params {
		buf = buf[copy(p.w, buf):]
	}
}

type reader struct {
	b   []byte
	off int
}

func (r *reader) uint32() (uint32, bool) {
	if len(r.b)-r.off < 4 {
		return 0, false
	}
	v := binary.LittleEndian.Uint32(r.b[r.off:])
	r.off += 4
	return v, true
}

func (r *reader) skip(n int) bool {
	if n < 0 || len(r.b)-r.off < n {
		return false
	}
	r.off += n
	return true
}

func sortedKeys(l Logs) []string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
