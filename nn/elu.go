package nn

import (
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
)

// ELU in float32, without branches on the data (the signs of a layer's
// inputs are random, and a mispredicted branch per element costs more than
// the arithmetic): both sides are computed and one is selected by a mask.

// elu32 sets y = h > 0 ? h : α(eʰ − 1), with tmp (len(h)) as scratch. eʰ − 1
// is a degree-7 Taylor polynomial for −ln2/2 < h ≤ 0, where subtracting 1
// from eʰ would cancel, and asm.Sexp(h) − 1 below; both are within a few
// float32 ulps of expm1(h).
func elu32(y, h, tmp []float32, alpha float32) {
	asm.Sexp(tmp, h)
	y, tmp = y[:len(h)], tmp[:len(h)]
	for i, v := range h {
		p := v * (1 + v*(1.0/2+v*(1.0/6+v*(1.0/24+v*(1.0/120+v*(1.0/720+v*(1.0/5040)))))))
		em := select32(v > -0.34657359, p, tmp[i]-1)
		y[i] = select32(v > 0, v, alpha*em)
	}
}

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
