package nn

import (
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
)

// The element-wise vocabulary of the layers that asm's generic wrappers
// (asm.Add, asm.Axpy, asm.Dot, …) do not offer: float32 kernels whose
// float64 twin is a plain loop here. Each routes the float32 instance to its
// asm kernel with asm's dispatch helper (asm.Is32, asm.As32, asm.As64); the
// views allocate nothing.

// vmuladd sets dst += a ∘ b (one pass over memory, no temporary).
func vmuladd[T asm.Float](dst, a, b []T) {
	if asm.Is32[T]() {
		d := asm.As32(dst)
		asm.Sfma(d, asm.As32(a), asm.As32(b), d)
		return
	}
	a = a[:len(dst)]
	b = b[:len(dst)]
	for i := range dst {
		dst[i] += a[i] * b[i]
	}
}

// vmuladd2 sets dst = a∘b + c (one pass; dst may alias any operand).
func vmuladd2[T asm.Float](dst, a, b, c []T) {
	if asm.Is32[T]() {
		asm.Sfma(asm.As32(dst), asm.As32(a), asm.As32(b), asm.As32(c))
		return
	}
	a, b, c = a[:len(dst)], b[:len(dst)], c[:len(dst)]
	for i := range dst {
		dst[i] = a[i]*b[i] + c[i]
	}
}

// vfill sets every element of x to v.
func vfill[T asm.Float](x []T, v T) {
	for i := range x {
		x[i] = v
	}
}

// sumRows adds the rows of the r×n row-major matrix m to acc (length n).
// ones holds at least r ones: the column sums are one linear combination
// of the rows (exact products by 1, the rows added in order).
func sumRows[T asm.Float](acc, m []T, r, n int, ones []T) {
	if r == 0 {
		return
	}
	asm.LinComb(acc, 1, ones[:r], m, n)
}

// newOnes returns a vector of n ones, for sumRows.
func newOnes[T asm.Float](n int) []T {
	v := make([]T, n)
	vfill(v, 1)
	return v
}

// affineRows sets dst[i,:] = src[i,:]∘scale + shift for the rows of the
// row-major matrices dst and src of width n (len(src) rows·n); a nil scale
// means 1 and a nil shift 0. One call for all rows: the float32 kernel
// fuses the multiply-add, float64 rounds twice.
func affineRows[T asm.Float](dst, src []T, n int, scale, shift []T) {
	if asm.Is32[T]() {
		asm.SaffineRows(asm.As32(dst), asm.As32(src), n, asm.As32(scale), asm.As32(shift))
		return
	}
	dst = dst[:len(src)]
	for i := 0; i < len(src); i += n {
		d, v := dst[i:i+n], src[i:i+n]
		switch {
		case shift == nil:
			for j, s := range scale[:n] {
				d[j] = v[j] * s
			}
		case scale == nil:
			for j, b := range shift[:n] {
				d[j] = v[j] + b
			}
		default:
			for j, s := range scale[:n] {
				d[j] = v[j]*s + shift[j]
			}
		}
	}
}

// vsigmoid sets dst = 1/(1+exp(−x)).
func vsigmoid[T asm.Float](dst, x []T) {
	if asm.Is32[T]() {
		asm.Ssigmoid(asm.As32(dst), asm.As32(x))
		return
	}
	d := asm.As64(dst)
	for i, v := range asm.As64(x) {
		d[i] = sigmoid64(v)
	}
}

// vtanh sets dst = tanh(x).
func vtanh[T asm.Float](dst, x []T) {
	if asm.Is32[T]() {
		asm.Stanh(asm.As32(dst), asm.As32(x))
		return
	}
	d := asm.As64(dst)
	for i, v := range asm.As64(x) {
		d[i] = math.Tanh(v)
	}
}

// vsoftplus sets dst = log(1+exp(x)), without overflow.
func vsoftplus[T asm.Float](dst, x []T) {
	if asm.Is32[T]() {
		asm.Ssoftplus(asm.As32(dst), asm.As32(x))
		return
	}
	d := asm.As64(dst)
	for i, v := range asm.As64(x) {
		d[i] = math.Max(v, 0) + math.Log1p(math.Exp(-math.Abs(v)))
	}
}

// vleaky sets dst = x where x > 0, slope·x elsewhere.
func vleaky[T asm.Float](dst, x []T, slope T) {
	if asm.Is32[T]() {
		asm.SleakyReLU(asm.As32(dst), asm.As32(x), float32(slope))
		return
	}
	d := asm.As64(dst)
	s := float64(slope)
	for i, v := range asm.As64(x) {
		if v > 0 {
			d[i] = v
		} else {
			d[i] = s * v
		}
	}
}

// vleakyBackward sets dx = dy where x > 0, slope·dy elsewhere, and returns
// Σ dy·x over x ≤ 0 (the gradient of a shared slope).
func vleakyBackward[T asm.Float](dx, x, dy []T, slope T) T {
	if asm.Is32[T]() {
		return T(asm.SleakyReLUBackward(asm.As32(dx), asm.As32(x), asm.As32(dy), float32(slope)))
	}
	d := asm.As64(dx)
	g := asm.As64(dy)
	s := float64(slope)
	var ds float64
	for i, v := range asm.As64(x) {
		if v > 0 {
			d[i] = g[i]
		} else {
			d[i] = s * g[i]
			ds += g[i] * v
		}
	}
	return T(ds)
}

// vleakyBackwardDot sets dx = dy where x > 0, slope·dy elsewhere, and
// returns Σ dy·z over x ≤ 0: a tangent's cotangent through a PReLU together
// with its part of the slope gradient (z the tangent).
func vleakyBackwardDot[T asm.Float](dx, x, dy, z []T, slope T) T {
	if asm.Is32[T]() {
		return T(asm.SleakyReLUBackwardDot(asm.As32(dx), asm.As32(x), asm.As32(dy), asm.As32(z), float32(slope)))
	}
	dy, z = dy[:len(x)], z[:len(x)]
	var ds T
	for i, v := range x {
		if v > 0 {
			dx[i] = dy[i]
		} else {
			ds += dy[i] * z[i]
			dx[i] = slope * dy[i]
		}
	}
	return ds
}

// maskedDot returns Σ a∘b over the elements where h ≤ 0 (or NaN): the part
// of a PReLU slope gradient that comes from tangent rows (mask from the
// primal pre-activation h, values from the tangent).
func maskedDot[T asm.Float](h, a, b []T) T {
	if asm.Is32[T]() {
		return T(asm.SmaskedDot(asm.As32(h), asm.As32(a), asm.As32(b)))
	}
	a = a[:len(h)]
	b = b[:len(h)]
	var s T
	for i, v := range h {
		if !(v > 0) {
			s += a[i] * b[i]
		}
	}
	return s
}

func sigmoid64(v float64) float64 {
	if v >= 0 {
		return 1 / (1 + math.Exp(-v))
	}
	e := math.Exp(v)
	return e / (1 + e)
}
