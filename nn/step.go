package nn

// The training step: the hot path that must not allocate once the batch
// buffers exist (see TestTrainStepZeroAllocs).

// trainStep runs one gradient step on the n rows of xb and yb and returns
// the sum of their losses before the update. It allocates nothing once
// reserve(n) has been called.
func (m *Model) trainStep(xb, yb []float32, n int) float64 {
	sum := m.computeGradients(xb, yb, n)
	m.opt.step()
	return sum
}

// computeGradients runs the n rows of xb forward and backward, leaving the
// gradients of the batch mean loss in every layer, and returns the sum of
// the rows' losses.
func (m *Model) computeGradients(xb, yb []float32, n int) float64 {
	m.forward(xb, n)
	last := len(m.denses) - 1
	out := m.denses[last]
	sum := m.loss.sumAndGrad(out.z, out.a, yb, out.g, n, out.out)
	for i := last; i >= 0; i-- {
		var dx []float32
		if i > 0 {
			dx = m.denses[i-1].g
		}
		m.denses[i].backward(n, i == last && m.loss.fused, dx)
	}
	return sum
}

// forward runs the n rows of x through every layer.
func (m *Model) forward(x []float32, n int) {
	for _, d := range m.denses {
		d.forward(x, n)
		x = d.a
	}
}

func (m *Model) units() int { return m.denses[len(m.denses)-1].out }

// reserve makes room in the batch buffers for n rows.
func (m *Model) reserve(n int) {
	if n <= m.capRows {
		return
	}
	for _, d := range m.denses {
		d.reserve(n)
	}
	m.xbuf = make([]float32, n*m.inSize)
	m.ybuf = make([]float32, n*m.loss.yCols(m.units()))
	m.capRows = n
}
