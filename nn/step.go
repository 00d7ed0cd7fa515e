package nn

// The training step: the hot path that must not allocate once the batch
// buffers exist (see TestTrainStepZeroAllocs).

// trainStep runs one gradient step on a batch of n rows (xb per input, yb
// per output, sw the sample weights or nil) and returns the weighted sum of
// the rows' total losses before the update. It allocates nothing once
// reserve(n) has been called.
func (m *Model) trainStep(xb, yb [][]float32, sw []float32, n int) float64 {
	sum := m.computeGradients(xb, yb, sw, n)
	m.opt.step()
	return sum
}

// computeGradients runs a batch forward in training mode and backward,
// leaving the gradients of the weighted batch-mean loss in every trainable
// tensor and each head's Σ wᵣ·lᵣ in head.batch; it returns the
// loss-weighted total of those sums.
func (m *Model) computeGradients(xb, yb [][]float32, sw []float32, n int) float64 {
	m.forward(xb, n, true)
	var total float64
	for k, h := range m.heads {
		s := h.eval(yb[k], sw, n, true, 0)
		h.batch = s
		total += h.weight * s
	}
	for i := len(m.units) - 1; i >= 0; i-- {
		if u := m.units[i]; u.base().wantsGrad {
			u.backward(n)
		}
	}
	return total
}

// forward runs the n rows of xb (one slice per input) through every unit.
func (m *Model) forward(xb [][]float32, n int, training bool) {
	for i, in := range m.inputs {
		in.out = xb[i][:n*in.size]
	}
	for _, u := range m.units {
		u.forward(n, training)
	}
}

// reserve makes room in the batch buffers for n rows.
func (m *Model) reserve(n int) {
	if n <= m.capRows {
		return
	}
	for _, u := range m.units {
		u.base().reserveBase(n)
		u.reserve(n)
	}
	m.xbuf = make([][]float32, len(m.inputs))
	for i, in := range m.inputs {
		m.xbuf[i] = make([]float32, n*in.size)
	}
	m.ybuf = make([][]float32, len(m.heads))
	for k, h := range m.heads {
		m.ybuf[k] = make([]float32, n*h.ycols)
	}
	m.swbuf = make([]float32, n)
	m.xbatch = make([][]float32, len(m.inputs))
	m.ybatch = make([][]float32, len(m.heads))
	m.capRows = n
}
