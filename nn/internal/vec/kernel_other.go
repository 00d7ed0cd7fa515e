//go:build !amd64 || purego

package vec

// Available is false: there are no kernels for this architecture or build.
const Available = false

var useAVX2 = false

func sgdStep(w, grad *float32, n int, lr float32) { panic("vec: no kernels") }

func adamStep(w, grad, m, v *float32, n int, alpha, c1, c2, eps float32) { panic("vec: no kernels") }

// MaxRowForward must not be called when Available is false.
func MaxRowForward(x, y []float32, arg []int32, base, outW, kh, kw, stride, c int) {
	panic("vec: no kernels")
}

// MaxRowBackward must not be called when Available is false.
func MaxRowBackward(x, g, d []float32, arg []int32, base, outW, kh, kw, stride, c int, relu bool) {
	panic("vec: no kernels")
}
