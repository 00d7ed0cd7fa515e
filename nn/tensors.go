package nn

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// Tensor lists, the payload of weight checkpoints (MarshalWeights) and of
// the weight and optimizer sections of model files; see FORMAT in doc.go.
// All integers are little-endian uint32, values little-endian IEEE float32:
//
//	count | per tensor: [name length, name bytes (version 2)] rank, dims, values

const (
	maxRank       = 4
	maxTensorName = 2*maxNameLen + 64
)

// appendTensors encodes ts (with names if named) to b.
func appendTensors(b []byte, ts []*tensor, named bool) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(len(ts)))
	for _, t := range ts {
		if named {
			b = binary.LittleEndian.AppendUint32(b, uint32(len(t.name)))
			b = append(b, t.name...)
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(len(t.shape)))
		for _, d := range t.shape {
			b = binary.LittleEndian.AppendUint32(b, uint32(d))
		}
		for _, v := range t.w {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
	}
	return b
}

// tensorsSize is the encoded size of ts.
func tensorsSize(ts []*tensor, named bool) int {
	size := 4
	for _, t := range ts {
		if named {
			size += 4 + len(t.name)
		}
		size += 4 + 4*len(t.shape) + 4*len(t.w)
	}
	return size
}

// tensorMismatch is a well-formed tensor list that does not fit the model.
type tensorMismatch struct{ msg string }

func (e *tensorMismatch) Error() string { return e.msg }

// matchTensors checks that b (exactly) encodes tensors of the shapes (and,
// if checkNames, the names) of want, and returns the offset of each
// tensor's values in b. It allocates only the offsets; nothing is
// allocated from sizes read from b. A format error is returned as a plain
// error, a well-formed list that does not fit as a *tensorMismatch.
func matchTensors(b []byte, want []*tensor, named, checkNames bool) ([]int, error) {
	r := reader{b: b}
	count, ok := r.uint32()
	if !ok {
		return nil, fmt.Errorf("truncated before the tensor count")
	}
	if int64(count) != int64(len(want)) {
		return nil, &tensorMismatch{fmt.Sprintf("%d tensors, the model has %d", count, len(want))}
	}
	offsets := make([]int, len(want))
	var dims [maxRank]int
	for i, t := range want {
		if named {
			n, ok := r.uint32()
			if !ok {
				return nil, fmt.Errorf("truncated in tensor %d", i)
			}
			if n > maxTensorName {
				return nil, fmt.Errorf("tensor %d has a name of %d bytes", i, n)
			}
			name, ok := r.bytes(int(n))
			if !ok {
				return nil, fmt.Errorf("truncated in tensor %d", i)
			}
			if checkNames && string(name) != t.name {
				return nil, &tensorMismatch{fmt.Sprintf("tensor %d is %q, the model's is %q", i, name, t.name)}
			}
		}
		rank, ok := r.uint32()
		if !ok {
			return nil, fmt.Errorf("truncated in tensor %d", i)
		}
		if rank > maxRank {
			return nil, fmt.Errorf("tensor %d has rank %d", i, rank)
		}
		for k := range int(rank) {
			d, ok := r.uint32()
			if !ok {
				return nil, fmt.Errorf("truncated in tensor %d", i)
			}
			dims[k] = int(d)
		}
		if !slices.Equal(dims[:rank], t.shape) {
			return nil, &tensorMismatch{fmt.Sprintf("tensor %d (%s) has shape %s, the model needs %s",
				i, t.name, shapeString(dims[:rank]), shapeString(t.shape))}
		}
		offsets[i] = r.off
		if !r.skip(4 * len(t.w)) {
			return nil, fmt.Errorf("truncated in tensor %d", i)
		}
	}
	if r.off != len(b) {
		return nil, fmt.Errorf("%d unexpected bytes after the last tensor", len(b)-r.off)
	}
	return offsets, nil
}

// loadTensors copies the values at offsets (from matchTensors) into ts.
func loadTensors(b []byte, offsets []int, ts []*tensor) {
	for i, t := range ts {
		for j := range t.w {
			t.w[j] = math.Float32frombits(binary.LittleEndian.Uint32(b[offsets[i]+4*j:]))
		}
	}
}

// reader reads little-endian values from b without allocating.
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

func (r *reader) uint64() (uint64, bool) {
	if len(r.b)-r.off < 8 {
		return 0, false
	}
	v := binary.LittleEndian.Uint64(r.b[r.off:])
	r.off += 8
	return v, true
}

func (r *reader) bytes(n int) ([]byte, bool) {
	if n < 0 || len(r.b)-r.off < n {
		return nil, false
	}
	s := r.b[r.off : r.off+n]
	r.off += n
	return s, true
}

func (r *reader) skip(n int) bool {
	_, ok := r.bytes(n)
	return ok
}
