package nn

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
)

// The model file; FORMAT in doc.go documents it.
const (
	modelMagic   = "TNNM"
	modelVersion = 2 // 2: convolution and pooling layers; version 1 files still load
	maxArchJSON  = 16 << 20
)

var sectionTags = [...]string{"ARCH", "WGHT", "OPTS"}

// MarshalBinary returns the model file that Save writes.
func (m *Model) MarshalBinary() ([]byte, error) {
	if !m.compiled {
		return nil, ErrNotCompiled
	}
	arch, err := json.Marshal(m.archJSON())
	if err != nil {
		return nil, fmt.Errorf("nn: encoding the architecture: %w", err)
	}
	slots := m.slotTensors()
	size := 8 + 3*12 + len(arch) + tensorsSize(m.tensors, true) + 16 + tensorsSize(slots, true) + 4
	b := make([]byte, 0, size)
	b = append(b, modelMagic...)
	b = binary.LittleEndian.AppendUint32(b, modelVersion)
	section := func(tag string, payload func([]byte) []byte) {
		b = append(b, tag...)
		at := len(b)
		b = binary.LittleEndian.AppendUint64(b, 0)
		b = payload(b)
		binary.LittleEndian.PutUint64(b[at:], uint64(len(b)-at-8))
	}
	section("ARCH", func(b []byte) []byte { return append(b, arch...) })
	section("WGHT", func(b []byte) []byte { return appendTensors(b, m.tensors, true) })
	section("OPTS", func(b []byte) []byte {
		ob := m.opt.base()
		b = binary.LittleEndian.AppendUint64(b, uint64(ob.iterations))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(ob.lr))
		return appendTensors(b, slots, true)
	})
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b)), nil
}

// Save writes the whole compiled model to w in one versioned file: its
// architecture and compile settings (JSON), every weight including
// BatchNormalization and Normalization statistics, and the optimizer state
// (step count, current learning rate, moments). Load reads it back into a
// model that predicts bit-identically and continues training exactly as
// this one would.
func (m *Model) Save(w io.Writer) error {
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// SaveFile writes the model file to path, atomically: a temporary file in
// the same directory is renamed over path once complete.
func (m *Model) SaveFile(path string) error {
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	if err := writeFileAtomic(path, b); err != nil {
		return fmt.Errorf("nn: save: %w", err)
	}
	return nil
}

// Load reads a model file written by Save and returns the compiled model.
// A truncated, corrupt or hostile file is an error wrapping ErrModelFormat
// (never a panic); memory use is bounded by a small multiple of the file's
// size whatever its header claims.
func Load(r io.Reader) (*Model, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("nn: load: %w", err)
	}
	return UnmarshalModel(b)
}

// LoadFile reads the model file at path (see Load).
func LoadFile(path string) (*Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("nn: load: %w", err)
	}
	m, err := UnmarshalModel(b)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	return m, nil
}

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrModelFormat, fmt.Sprintf(format, args...))
}

// UnmarshalModel decodes a model file (see Load).
func UnmarshalModel(b []byte) (*Model, error) {
	if len(b) < 8+4 {
		return nil, formatErr("%d bytes is too short", len(b))
	}
	if string(b[:4]) != modelMagic {
		return nil, formatErr("bad magic %q", b[:4])
	}
	if v := binary.LittleEndian.Uint32(b[4:]); v < 1 || v > modelVersion {
		return nil, formatErr("unsupported version %d (this package reads versions 1 to %d)", v, modelVersion)
	}
	body := b[:len(b)-4]
	if want, got := binary.LittleEndian.Uint32(b[len(b)-4:]), crc32.ChecksumIEEE(body); want != got {
		return nil, formatErr("checksum mismatch (truncated or corrupt)")
	}
	r := reader{b: body, off: 8}
	var sections [len(sectionTags)][]byte
	for i, tag := range sectionTags {
		t, ok := r.bytes(4)
		if !ok {
			return nil, formatErr("truncated before section %s", tag)
		}
		if string(t) != tag {
			return nil, formatErr("section %d is %q, want %q", i, t, tag)
		}
		n, ok := r.uint64()
		if !ok || n > uint64(len(body)-r.off) {
			return nil, formatErr("section %s is truncated", tag)
		}
		sections[i], _ = r.bytes(int(n))
	}
	if r.off != len(body) {
		return nil, formatErr("%d unexpected bytes after the last section", len(body)-r.off)
	}
	arch, wght, opts := sections[0], sections[1], sections[2]

	if len(arch) > maxArchJSON {
		return nil, formatErr("architecture of %d bytes is larger than %d", len(arch), maxArchJSON)
	}
	var mj modelJSON
	dec := json.NewDecoder(bytes.NewReader(arch))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&mj); err != nil {
		return nil, formatErr("architecture: %v", err)
	}
	if dec.More() {
		return nil, formatErr("architecture: data after the JSON object")
	}
	m, norms, err := mj.model()
	if err != nil {
		return nil, formatErr("architecture: %v", err)
	}
	g, err := m.graph()
	if err != nil {
		return nil, formatErr("architecture: %v", err)
	}
	// Compile allocates the weights (and optimizer state, at most twice
	// as much): the file must hold at least the weights' bytes.
	if int64(g.total())*4 > int64(len(wght)) {
		return nil, formatErr("the architecture has %d weights but the weight section only %d bytes", g.total(), len(wght))
	}
	for _, nl := range norms {
		size := shapeSize(nl.shape)
		nl.layer.mean, nl.layer.variance = make([]float32, size), make([]float32, size)
	}
	cfg, err := mj.Compile.config()
	if err != nil {
		return nil, formatErr("compile settings: %v", err)
	}
	if err := m.Compile(cfg); err != nil {
		return nil, formatErr("compile settings: %v", err)
	}
	offsets, err := matchTensors(wght, m.tensors, true, true)
	if err != nil {
		return nil, formatErr("weights: %v", err)
	}
	loadTensors(wght, offsets, m.tensors)
	for i, u := range m.units {
		if nu, ok := u.(*normalization); ok {
			nl := g.nodes[i].layer.(*NormalizationLayer)
			copy(nl.mean, nu.mean.w)
			copy(nl.variance, nu.variance.w)
			nl.count = nu.count.w[0]
		}
	}
	if err := m.loadOptimizerState(opts); err != nil {
		return nil, formatErr("optimizer state: %v", err)
	}
	return m, nil
}

// loadOptimizerState restores the OPTS section.
func (m *Model) loadOptimizerState(b []byte) error {
	r := reader{b: b}
	it, ok1 := r.uint64()
	lrBits, ok2 := r.uint64()
	if !ok1 || !ok2 {
		return errors.New("truncated")
	}
	lr := math.Float64frombits(lrBits)
	if it > math.MaxInt64 || !(lr > 0) || math.IsInf(lr, 0) {
		return fmt.Errorf("iterations %d, learning rate %v", it, lr)
	}
	slots := m.slotTensors()
	offsets, err := matchTensors(b[r.off:], slots, true, true)
	if err != nil {
		return err
	}
	loadTensors(b[r.off:], offsets, slots)
	ob := m.opt.base()
	ob.iterations, ob.lr = int64(it), lr
	return nil
}

// slotTensors returns the optimizer state tensors, named after their
// weights: "dense/kernel/m".
func (m *Model) slotTensors() []*tensor {
	ob := m.opt.base()
	params := m.trainableTensors()
	ts := make([]*tensor, len(ob.slots))
	for k, s := range ob.slots {
		p := params[k%len(params)]
		ts[k] = &tensor{name: p.name + "/" + ob.slotNames[k], shape: p.shape, w: s}
	}
	return ts
}
