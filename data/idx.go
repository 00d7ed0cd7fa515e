package data

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"

	"github.com/tunekit/tune/nn"
)

// IDXUnsignedByte is the IDX type code of unsigned-byte data, the only type
// ReadIDX supports.
const IDXUnsignedByte = 0x08

// IDX is a decoded IDX file: an n-dimensional array of unsigned bytes.
type IDX struct {
	Type byte   // data type code; always IDXUnsignedByte
	Dims []int  // sizes, outermost first: [count, rows, cols] for images, [count] for labels
	Data []byte // the elements in row-major order; len(Data) is the product of Dims
}

// maxIDXDims bounds the dimension count; the header field is a byte, so this
// is what the format allows.
const maxIDXDims = 255

// idxChunk is the first allocation for IDX data; the buffer grows only as
// real data arrives, so a header claiming more than the input holds costs at
// most about twice the actual input.
const idxChunk = 1 << 20

// ReadIDX decodes an IDX file from r, gzip-compressed or raw; gzip is detected
// by its magic bytes 0x1f 0x8b.
//
// The header is a 4-byte magic (two zero bytes, the type code, the number of
// dimensions) followed by one big-endian uint32 per dimension. Only unsigned
// byte data (type 0x08) is supported; any number of dimensions from 1 to 255
// is. The data must be exactly as long as the dimensions say: a short input
// or trailing bytes are an error wrapping ErrIDXSize, and memory is allocated
// as data arrives, not from the header's claim, so a hostile header cannot
// cause a huge allocation.
func ReadIDX(r io.Reader) (*IDX, error) {
	m, err := readIDX(r)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// readIDX is ReadIDX without the package prefix on errors.
func readIDX(r io.Reader) (*IDX, error) {
	br := bufio.NewReader(r)
	var src io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		src = zr
	}

	var head [4]byte
	if n, err := io.ReadFull(src, head[:]); err != nil {
		if n == 0 && err == io.EOF {
			return nil, fmt.Errorf("empty input: %w", ErrNotIDX)
		}
		return nil, fmt.Errorf("reading IDX magic: %w: %w", ErrNotIDX, err)
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, fmt.Errorf("magic 0x%08x: %w", binary.BigEndian.Uint32(head[:]), ErrNotIDX)
	}
	if head[2] != IDXUnsignedByte {
		return nil, fmt.Errorf("IDX type 0x%02x: %w (only unsigned byte, 0x08)", head[2], ErrIDXType)
	}
	ndims := int(head[3])
	if ndims == 0 {
		return nil, fmt.Errorf("IDX header has 0 dimensions: %w", ErrNotIDX)
	}

	dimBytes := make([]byte, 4*ndims)
	if _, err := io.ReadFull(src, dimBytes); err != nil {
		return nil, fmt.Errorf("reading IDX dimensions: %w: %w", ErrIDXSize, err)
	}
	dims := make([]int, ndims)
	total := uint64(1)
	for i := range dims {
		d := uint64(binary.BigEndian.Uint32(dimBytes[4*i:]))
		hi, lo := bits.Mul64(total, d)
		if hi != 0 || lo > math.MaxInt {
			return nil, fmt.Errorf("IDX dimensions %v…: %w (too large)", dimsPrefix(dimBytes, i+1), ErrIDXSize)
		}
		total = lo
		dims[i] = int(d)
	}

	buf, err := readExactly(src, int(total))
	if err != nil {
		return nil, fmt.Errorf("IDX dimensions %v: %w", dims, err)
	}
	// The data must end here. Reading on also makes gzip verify its checksum.
	var extra [1]byte
	n, err := io.ReadFull(src, extra[:])
	if n > 0 {
		return nil, fmt.Errorf("IDX dimensions %v: %w (trailing data)", dims, ErrIDXSize)
	}
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("reading IDX: %w", err)
	}
	return &IDX{Type: head[2], Dims: dims, Data: buf}, nil
}

func dimsPrefix(b []byte, n int) []uint32 {
	out := make([]uint32, n)
	for i := range out {
		out[i] = binary.BigEndian.Uint32(b[4*i:])
	}
	return out
}

// readExactly reads exactly n bytes, growing its buffer only as data arrives.
func readExactly(r io.Reader, n int) ([]byte, error) {
	buf := make([]byte, 0, min(n, idxChunk))
	for len(buf) < n {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(n, 2*cap(buf)))
			copy(grown, buf)
			buf = grown
		}
		m, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, fmt.Errorf("%w (want %d data bytes, got %d)", ErrIDXSize, n, len(buf))
			}
			return nil, err
		}
	}
	return buf, nil
}

// readIDXFile reads an IDX file, naming it in errors.
func readIDXFile(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := readIDX(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// pixelScale maps a byte to float32(b)/255, as Keras' x.astype("float32")/255.
var pixelScale = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(i) / 255
	}
	return t
}()

// LoadIDXImages reads an IDX image file (gzip or raw) of at least 2
// dimensions, [count, d1, d2, ...], and returns a count×(d1·d2·…) matrix with
// one flattened image per row, each pixel scaled to [0, 1] as pixel/255, and
// the per-image shape [d1, d2, ...] (for Fashion-MNIST: [28 28]).
// Errors name the file.
func LoadIDXImages(path string) (*nn.Matrix, []int, error) {
	m, err := readIDXFile(path)
	if err != nil {
		return nil, nil, err
	}
	if len(m.Dims) < 2 {
		return nil, nil, fmt.Errorf("%s: IDX dimensions %v: %w (images need at least 2 dimensions; is this a label file?)", path, m.Dims, ErrIDXShape)
	}
	cols := 1
	for _, d := range m.Dims[1:] {
		cols *= d
	}
	x := nn.NewMatrix(m.Dims[0], cols)
	for i, b := range m.Data {
		x.Data[i] = pixelScale[b]
	}
	return x, append([]int(nil), m.Dims[1:]...), nil
}

// WithChannels returns the image shape [height, width, 1] for a grey IDX
// image shape [height, width], the (height, width, channels) input that
// nn.Conv2D takes; other shapes are returned unchanged. The pixels need no
// copy: one channel of channels-last data is stored like the plain image.
func WithChannels(shape []int) []int {
	if len(shape) == 2 {
		return []int{shape[0], shape[1], 1}
	}
	return append([]int(nil), shape...)
}

// LoadIDXLabels reads a 1-dimensional IDX label file (gzip or raw) and
// returns a count×1 matrix of class ids. Errors name the file.
func LoadIDXLabels(path string) (*nn.Matrix, error) {
	m, err := readIDXFile(path)
	if err != nil {
		return nil, err
	}
	if len(m.Dims) != 1 {
		return nil, fmt.Errorf("%s: IDX dimensions %v: %w (labels need exactly 1 dimension; is this an image file?)", path, m.Dims, ErrIDXShape)
	}
	y := nn.NewMatrix(m.Dims[0], 1)
	for i, b := range m.Data {
		y.Data[i] = float32(b)
	}
	return y, nil
}
