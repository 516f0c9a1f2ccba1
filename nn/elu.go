package nn

import "math"

// ELU's derivatives in float32, without branches on the data (the signs of
// a layer's inputs are random, and a mispredicted branch per element costs
// more than the arithmetic): both sides are computed and one is selected
// by a mask. The forward is asm.Selu.

// eluDerivs32 sets d1 = σ'(h) = h > 0 ? 1 : y + α and, if d2 is not nil,
// d2 = σ″(h) = h > 0 ? 0 : y + α, from the forward's output y.
func eluDerivs32(d1, d2, h, y []float32, alpha float32) {
	y, d1 = y[:len(h)], d1[:len(h)]
	if d2 != nil {
		d2 = d2[:len(h)]
	}
	for i, v := range h {
		e := y[i] + alpha
		d1[i] = select32(v > 0, 1, e)
		if d2 != nil {
			d2[i] = select32(v > 0, 0, e)
		}
	}
}

// select32 returns a if c, else b, by masking their bits (the compiler
// makes the mask with a SETcc, not a branch).
func select32(c bool, a, b float32) float32 {
	var m uint32
	if c {
		m = ^uint32(0)
	}
	return math.Float32frombits(math.Float32bits(a)&m | math.Float32bits(b)&^m)
}
