//go:build !amd64 || purego

package vec

// Available is false: there are no kernels for this architecture or build.
const Available = false

var useAVX2 = false

func sgdStep(w, grad *float32, n int, lr float32) { panic("vec: no kernels") }

func adamStep(w, grad, m, v *float32, n int, alpha, c1, c2, eps float32) { panic("vec: no kernels") }

// MaxRowForward must not be called when Available is false.
func MaxRowForward(x, y []float32, arg []int32, base, outW, kh, kw, stride, c int, relu bool) {
	panic("vec: no kernels")
}

// MaxRowBackward must not be called when Available is false.
func MaxRowBackward(g, d []float32, arg []int32, base, outW, kh, kw, stride, c int) {
	panic("vec: no kernels")
}

// DropoutAvailable is false: there are no kernels for this architecture or build.
const DropoutAvailable = false

// DropoutForward must not be called when DropoutAvailable is false.
func DropoutForward(x, out []float32, mask []uint64, state uint64, thresh uint32, keep float32) {
	panic("vec: no kernels")
}

// DropoutBackward must not be called when DropoutAvailable is false.
func DropoutBackward(g, dst []float32, mask []uint64, keep float32, accum bool) {
	panic("vec: no kernels")
}

// Im2colRun must not be called when Available is false.
func Im2colRun(x, cols []float32, n, kh, rowLen, stride, step, ld int) { panic("vec: no kernels") }
