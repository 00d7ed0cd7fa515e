//go:build !amd64 || purego

package pooling

// Available is false: there are no kernels for this architecture or build.
const Available = false

// MaxRowForward must not be called when Available is false.
func MaxRowForward(x, y []float32, arg []int32, base, outW, kh, kw, stride, c int) {
	panic("pooling: no kernels")
}

// MaxRowBackward must not be called when Available is false.
func MaxRowBackward(x, g, d []float32, arg []int32, base, outW, kh, kw, stride, c int, relu bool) {
	panic("pooling: no kernels")
}
