package nn

// A Conv2D with a ReLU or no activation whose only consumer is a max
// pooling run by the kernels (pool_max.go) runs that pooling itself, chunk
// by chunk: each chunk's pre-activations (a few samples' worth, see
// conv.chunk) are pooled as soon as the product has stored them, while
// they are in L2, and the backward pass rebuilds each chunk's dL/dz from
// the pooling's gradient and argmaxes (the ReLU's derivative is in them)
// just before the products that use it. The convolution's output is thus
// never stored for a whole batch (for the lecture's CNN, 14.7 MB per batch
// of 200 written, read back and its gradient written and read twice), only
// one chunk of it. The kernel and bias gradients add the chunks' products;
// they equal the whole batch's product up to rounding.
//
// If the pooling's only consumer is a Dropout and a sample's pooled values
// fill whole 64-bit mask words, the Conv2D runs that too: it masks each
// chunk's pooled values in place as they are written, and unmasks each
// chunk's gradient into a chunk-sized buffer just before the pooling's
// backward pass reads it. The masks are those the Dropout draws alone
// (they are a function of the value's position in the batch), so this
// changes no bit; it saves the Dropout's output buffer and the pooling's
// gradient buffer.

// fusePools hands each max pooling that can be run so to its Conv2D, and
// the Dropout after it.
func fusePools(units []unit) {
	for _, u := range units {
		p, ok := u.(*pool)
		if !ok || !p.fastMax() {
			continue
		}
		c, ok := unitOf(units, p.ins[0]).(*conv)
		// A ReLU's derivative must be in the argmaxes (fuseReLU).
		if !ok || c.consumers != 1 || !(c.act == actReLU && p.reluIn || c.act == actLinear) {
			continue
		}
		c.pool, p.fused = p, true
		if p.consumers != 1 || p.size%64 != 0 {
			continue
		}
		for _, v := range units {
			if d, ok := v.(*dropoutUnit); ok && d.ins[0] == p.base() {
				p.dropout, d.inPlace = d, true
			}
		}
	}
}

// reservePooled sizes a pooling Conv2D's chunk buffers and returns the
// rows of z, one chunk's.
func (u *conv) reservePooled(rows int) int {
	cs := min(rows, u.chunk())
	if u.pool.dropout != nil {
		u.poolGrad = make([]float32, cs*u.pool.size)
	}
	return cs * u.win.positions()
}

// poolChunk runs the pooling (and its Dropout) over samples s0 to s1, whose
// pre-activations are z.
func (u *conv) poolChunk(z []float32, s0, s1 int, training bool) {
	p := u.pool
	p.forwardSamples(z, s0, s1)
	if d := p.dropout; d != nil && d.active(training) {
		y := p.y[s0*p.size : s1*p.size]
		d.apply(y, y, s0*p.size)
	}
}

// unitOf returns the unit whose base is b.
func unitOf(units []unit, b *unitBase) unit {
	for _, u := range units {
		if u.base() == b {
			return u
		}
	}
	return nil
}

// backwardPooled is the backward pass of a Conv2D running its pooling.
func (u *conv) backwardPooled(n int) {
	pos, size := u.win.positions(), u.win.inSize()
	in := u.ins[0]
	var dx []float32
	if in.wantsGrad {
		dx = in.g[:n*size]
		if !u.accum[0] {
			clear(dx)
		}
	}
	if n == 0 {
		clear(u.gb)
	}
	for s0, cs := 0, u.chunk(); s0 < n; s0 += cs {
		s1 := min(n, s0+cs)
		r0, r1 := s0*pos, s1*pos
		dz := u.z[:(r1-r0)*u.f]
		p := u.pool
		g := p.g[s0*p.size : s1*p.size]
		if d := p.dropout; d != nil {
			g = d.g[s0*p.size : s1*p.size]
			if d.training {
				d.unapply(g, u.poolGrad[:len(g)], s0*p.size, false)
				g = u.poolGrad[:len(g)]
			}
		}
		p.backwardSamples(g, dz, s0, s1)
		u.backwardChunk(dz, dx, s0, s1)
	}
}
