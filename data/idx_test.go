package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// encodeIDX writes an IDX file by hand: magic (0, 0, type, ndims), the
// big-endian dimensions, then data.
func encodeIDX(typ byte, dims []uint32, data []byte) []byte {
	b := []byte{0, 0, typ, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
	}
	return append(b, data...)
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 37)
	}
	return b
}

func TestReadIDXRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		dims []uint32
	}{
		{"labels", []uint32{7}},
		{"images", []uint32{3, 4, 5}},
		{"4 dims", []uint32{2, 3, 2, 2}},
		{"no items", []uint32{0, 28, 28}},
		{"many dims", []uint32{1, 2, 1, 2, 1, 2, 1, 2, 1, 2}},
	}
	for _, tt := range tests {
		n := 1
		want := make([]int, len(tt.dims))
		for i, d := range tt.dims {
			n *= int(d)
			want[i] = int(d)
		}
		raw := encodeIDX(IDXUnsignedByte, tt.dims, seq(n))
		for _, enc := range []struct {
			name string
			in   []byte
		}{{"raw", raw}, {"gzip", gzipBytes(t, raw)}} {
			t.Run(tt.name+"/"+enc.name, func(t *testing.T) {
				m, err := ReadIDX(bytes.NewReader(enc.in))
				if err != nil {
					t.Fatal(err)
				}
				if m.Type != IDXUnsignedByte || !slices.Equal(m.Dims, want) || !bytes.Equal(m.Data, seq(n)) {
					t.Errorf("got type %#x dims %v data %v, want dims %v data %v", m.Type, m.Dims, m.Data, want, seq(n))
				}
			})
		}
	}
}

func TestReadIDXErrors(t *testing.T) {
	valid := encodeIDX(8, []uint32{2, 3}, seq(6))
	badCRC := gzipBytes(t, valid)
	badCRC[len(badCRC)-8] ^= 0xff // gzip trailer: CRC-32, then size
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrNotIDX},
		{"short magic", []byte{0, 0, 8}, ErrNotIDX},
		{"nonzero magic", []byte{1, 0, 8, 1, 0, 0, 0, 0}, ErrNotIDX},
		{"text", []byte("hello, world"), ErrNotIDX},
		{"float type", encodeIDX(0x0d, []uint32{1}, []byte{0, 0, 0, 0}), ErrIDXType},
		{"int type", encodeIDX(0x0c, []uint32{1}, []byte{0, 0, 0, 0}), ErrIDXType},
		{"zero dims", []byte{0, 0, 8, 0}, ErrNotIDX},
		{"truncated dims", []byte{0, 0, 8, 3, 0, 0, 0, 1, 0, 0}, ErrIDXSize},
		{"short data", encodeIDX(8, []uint32{2, 3}, seq(5)), ErrIDXSize},
		{"no data", encodeIDX(8, []uint32{60000, 28, 28}, nil), ErrIDXSize},
		{"trailing data", encodeIDX(8, []uint32{2, 3}, seq(7)), ErrIDXSize},
		{"gzip short data", gzipBytes(t, encodeIDX(8, []uint32{2, 3}, seq(5))), ErrIDXSize},
		{"gzip trailing data", gzipBytes(t, encodeIDX(8, []uint32{2, 3}, seq(7))), ErrIDXSize},
		{"overflow 3 dims", encodeIDX(8, []uint32{0xffffffff, 0xffffffff, 0xffffffff}, seq(10)), ErrIDXSize},
		{"overflow 2 dims", encodeIDX(8, []uint32{0xffffffff, 0xffffffff}, seq(10)), ErrIDXSize},
		{"huge claim", encodeIDX(8, []uint32{0xffffffff, 0xffff}, seq(10)), ErrIDXSize},
		{"gzip bad checksum", badCRC, gzip.ErrChecksum},
		{"gzip truncated", gzipBytes(t, valid)[:15], io.ErrUnexpectedEOF},
		{"gzip bad header", []byte{0x1f, 0x8b, 0, 0}, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ReadIDX(bytes.NewReader(tt.in))
			if !errors.Is(err, tt.want) {
				t.Fatalf("ReadIDX = %v, %v; want error wrapping %v", m, err, tt.want)
			}
			if msg := err.Error(); strings.HasPrefix(msg, "data: ") || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line without a package prefix", err)
			}
		})
	}
}

// A header claiming gigabytes in front of a few bytes must fail without
// allocating what it claims.
func TestReadIDXHostileHeaderAllocation(t *testing.T) {
	raw := encodeIDX(8, []uint32{0xffffffff, 16}, seq(100)) // claims 64 GiB
	for _, enc := range []struct {
		name string
		in   []byte
	}{{"raw", raw}, {"gzip", gzipBytes(t, raw)}} {
		t.Run(enc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := ReadIDX(bytes.NewReader(enc.in))
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrIDXSize) {
				t.Fatalf("err = %v, want ErrIDXSize", err)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 8<<20 {
				t.Errorf("allocated %d bytes for a 100-byte input", got)
			}
		})
	}
}

func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadIDXImagesAndLabels(t *testing.T) {
	dir := t.TempDir()
	pixels := []byte{0, 255, 51, 128, 1, 2, 3, 4, 5, 6, 7, 8} // 3 images of 2×2
	imgs := writeFile(t, dir, "imgs.gz", gzipBytes(t, encodeIDX(8, []uint32{3, 2, 2}, pixels)))
	labels := writeFile(t, dir, "labels", encodeIDX(8, []uint32{3}, []byte{9, 0, 4}))

	x, shape, err := LoadIDXImages(imgs)
	if err != nil {
		t.Fatal(err)
	}
	if x.Rows != 3 || x.Cols != 4 || !slices.Equal(shape, []int{2, 2}) {
		t.Fatalf("got %d×%d shape %v, want 3×4 shape [2 2]", x.Rows, x.Cols, shape)
	}
	for i, p := range pixels {
		if want := float32(p) / 255; x.Data[i] != want {
			t.Errorf("pixel %d = %v, want %v", i, x.Data[i], want)
		}
	}
	if x.Data[0] != 0 || x.Data[1] != 1 || x.Data[2] != 0.2 {
		t.Errorf("pixels 0, 255, 51 scaled to %v, want 0, 1, 0.2", x.Data[:3])
	}

	y, err := LoadIDXLabels(labels)
	if err != nil {
		t.Fatal(err)
	}
	if y.Rows != 3 || y.Cols != 1 || !slices.Equal(y.Data, []float32{9, 0, 4}) {
		t.Errorf("labels = %d×%d %v, want 3×1 [9 0 4]", y.Rows, y.Cols, y.Data)
	}

	corrupt := writeFile(t, dir, "corrupt.gz", gzipBytes(t, encodeIDX(8, []uint32{3, 2, 2}, pixels[:11])))
	missing := filepath.Join(dir, "missing.gz")
	errTests := []struct {
		name string
		load func() error
		path string
		want error
	}{
		{"labels as images", func() error { _, _, err := LoadIDXImages(labels); return err }, labels, ErrIDXShape},
		{"images as labels", func() error { _, err := LoadIDXLabels(imgs); return err }, imgs, ErrIDXShape},
		{"corrupt images", func() error { _, _, err := LoadIDXImages(corrupt); return err }, corrupt, ErrIDXSize},
		{"missing images", func() error { _, _, err := LoadIDXImages(missing); return err }, missing, fs.ErrNotExist},
		{"missing labels", func() error { _, err := LoadIDXLabels(missing); return err }, missing, fs.ErrNotExist},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.load()
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error %q does not name the file %s", err, tt.path)
			}
		})
	}
}

func FuzzReadIDX(f *testing.F) {
	f.Add(encodeIDX(8, []uint32{3}, []byte{1, 2, 3}))
	f.Add(encodeIDX(8, []uint32{2, 2, 2}, seq(8)))
	f.Add(encodeIDX(8, []uint32{0}, nil))
	f.Add(encodeIDX(8, []uint32{0xffffffff, 0xffffffff}, seq(4)))
	f.Add(encodeIDX(9, []uint32{1}, []byte{1}))
	f.Add(gzipBytes(f, encodeIDX(8, []uint32{2, 3}, seq(6))))
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := ReadIDX(bytes.NewReader(in))
		if err != nil {
			if m != nil {
				t.Fatalf("non-nil IDX with error %v", err)
			}
			return
		}
		n := 1
		for _, d := range m.Dims {
			n *= d
		}
		if len(m.Dims) == 0 || m.Type != IDXUnsignedByte || len(m.Data) != n {
			t.Fatalf("type %#x dims %v with %d data bytes", m.Type, m.Dims, len(m.Data))
		}
		// Round trip: re-encoding gives back the (decompressed) input.
		dims := make([]uint32, len(m.Dims))
		for i, d := range m.Dims {
			dims[i] = uint32(d)
		}
		want := in
		if len(in) >= 2 && in[0] == 0x1f && in[1] == 0x8b {
			zr, err := gzip.NewReader(bytes.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			if want, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		if got := encodeIDX(m.Type, dims, m.Data); !bytes.Equal(got, want) {
			t.Fatalf("re-encoded %x, input %x", got, want)
		}
	})
}
