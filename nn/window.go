package nn

// Padding values for Conv2D and the pooling layers, as Keras spells them.
const (
	// PaddingValid uses only windows that lie wholly inside the input.
	PaddingValid = "valid"
	// PaddingSame pads the input with zeros so that the output has
	// ceil(input/stride) positions along each axis; the extra row or column
	// of an odd total goes to the bottom and right, as in Keras.
	PaddingSame = "same"
)

// Strides sets the step of a Conv2D or pooling window along the height and
// the width (Conv2D's default is 1×1, a pooling layer's is its pool size).
func Strides(height, width int) LayerOption {
	return func(o *layerOptions) { o.strides = [2]int{height, width}; o.mark("Strides") }
}

// Padding sets how a Conv2D or pooling layer treats the borders:
// PaddingValid (the default) or PaddingSame.
func Padding(p string) LayerOption {
	return func(o *layerOptions) { o.padding = p; o.mark("Padding") }
}

// UseBias sets whether a Conv2D layer adds a bias (the default is true).
func UseBias(use bool) LayerOption {
	return func(o *layerOptions) { o.noBias = !use; o.mark("UseBias") }
}

// window is the geometry of a sliding window over channels-last samples
// of shape (inH, inW, inC).
type window struct {
	inH, inW, inC int
	kh, kw        int // window size
	sh, sw        int // strides
	padT, padL    int // zeros before the first row and column (same padding)
	outH, outW    int
}

// newWindow validates a window of kh×kw with strides sh×sw over inputs of
// shape in.
func newWindow(in []int, kh, kw, sh, sw int, padding string) (window, error) {
	if len(in) != 3 {
		return window{}, specErr(ErrInvalidModel, "needs inputs of shape (height, width, channels), got %s", shapeString(in))
	}
	if kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0 {
		return window{}, specErr(ErrInvalidModel, "window %d×%d with strides %d×%d: sizes must be positive", kh, kw, sh, sw)
	}
	w := window{inH: in[0], inW: in[1], inC: in[2], kh: kh, kw: kw, sh: sh, sw: sw}
	switch padding {
	case PaddingValid, "":
		if kh > w.inH || kw > w.inW {
			return window{}, specErr(ErrInvalidModel, "window %d×%d is larger than the input %s with valid padding", kh, kw, shapeString(in))
		}
		w.outH, w.outW = (w.inH-kh)/sh+1, (w.inW-kw)/sw+1
	case PaddingSame:
		w.outH, w.outW = (w.inH+sh-1)/sh, (w.inW+sw-1)/sw
		w.padT = max((w.outH-1)*sh+kh-w.inH, 0) / 2
		w.padL = max((w.outW-1)*sw+kw-w.inW, 0) / 2
	default:
		return window{}, specErr(ErrInvalidModel, "padding %q (want valid or same)", padding)
	}
	return w, nil
}

func (w *window) inSize() int    { return w.inH * w.inW * w.inC }
func (w *window) positions() int { return w.outH * w.outW }

// paddingName is the canonical spelling of a padding setting.
func paddingName(p string) string {
	if p == "" {
		return PaddingValid
	}
	return p
}
