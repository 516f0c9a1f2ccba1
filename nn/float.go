package nn

import (
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
)

// Float is the element type of networks, workspaces and optimizers:
// float32 for training, float64 for gradient checks and exact references.
type Float interface{ float32 | float64 }

// The helpers below are the element-wise vocabulary of the layers, written
// once over Float. Each checks for the float32 instance and routes it to the
// asm kernels; float64 goes to the asm D kernels where they exist and to plain
// loops otherwise. Conversions to any do not escape, so they do not allocate.

func f32[T Float](x []T) ([]float32, bool) { v, ok := any(x).([]float32); return v, ok }

// vadd sets dst = a + b.
func vadd[T Float](dst, a, b []T) {
	if d, ok := f32(dst); ok {
		asm.Sadd(d, any(a).([]float32), any(b).([]float32))
		return
	}
	asm.Dadd(any(dst).([]float64), any(a).([]float64), any(b).([]float64))
}

// vsub sets dst = a − b.
func vsub[T Float](dst, a, b []T) {
	if d, ok := f32(dst); ok {
		asm.Ssub(d, any(a).([]float32), any(b).([]float32))
		return
	}
	asm.Dsub(any(dst).([]float64), any(a).([]float64), any(b).([]float64))
}

// vmul sets dst = a ∘ b.
func vmul[T Float](dst, a, b []T) {
	if d, ok := f32(dst); ok {
		asm.Smul(d, any(a).([]float32), any(b).([]float32))
		return
	}
	asm.Dmul(any(dst).([]float64), any(a).([]float64), any(b).([]float64))
}

// vscal sets x = alpha·x.
func vscal[T Float](alpha T, x []T) {
	if d, ok := f32(x); ok {
		asm.Sscal(float32(alpha), d)
		return
	}
	asm.Dscal(float64(alpha), any(x).([]float64))
}

// vaxpy sets y += alpha·x.
func vaxpy[T Float](alpha T, x, y []T) {
	if d, ok := f32(x); ok {
		asm.Saxpy(float32(alpha), d, any(y).([]float32))
		return
	}
	asm.Daxpy(float64(alpha), any(x).([]float64), any(y).([]float64))
}

// vdot returns Σ x∘y.
// vmaxabs returns max |x_i| (NaN if some x_i is NaN).
func vmaxabs[T Float](x []T) T {
	if xs, ok := f32(x); ok {
		return T(asm.Smaxabs(xs))
	}
	return T(asm.Dmaxabs(any(x).([]float64)))
}

// allFinite reports whether every value of every slice is finite.
func allFinite[T Float](xs ...[]T) bool {
	for _, x := range xs {
		if m := float64(vmaxabs(x)); math.IsNaN(m) || math.IsInf(m, 0) {
			return false
		}
	}
	return true
}

func vdot[T Float](x, y []T) T {
	if d, ok := f32(x); ok {
		return T(asm.Sdot(d, any(y).([]float32)))
	}
	return T(asm.Ddot(any(x).([]float64), any(y).([]float64)))
}

// vmuladd sets dst += a ∘ b (one pass over memory, no temporary).
func vmuladd[T Float](dst, a, b []T) {
	if d, ok := f32(dst); ok {
		asm.Sfma(d, any(a).([]float32), any(b).([]float32), d)
		return
	}
	a = a[:len(dst)]
	b = b[:len(dst)]
	for i := range dst {
		dst[i] += a[i] * b[i]
	}
}

// vmuladd2 sets dst = a∘b + c (one pass; dst may alias any operand).
func vmuladd2[T Float](dst, a, b, c []T) {
	if d, ok := f32(dst); ok {
		asm.Sfma(d, any(a).([]float32), any(b).([]float32), any(c).([]float32))
		return
	}
	a, b, c = a[:len(dst)], b[:len(dst)], c[:len(dst)]
	for i := range dst {
		dst[i] = a[i]*b[i] + c[i]
	}
}

// vfill sets every element of x to v.
func vfill[T Float](x []T, v T) {
	for i := range x {
		x[i] = v
	}
}

// sumRows adds the rows of the r×n row-major matrix m to acc (length n).
// ones holds at least r ones: the column sums are one linear combination
// of the rows (exact products by 1, the rows added in order).
func sumRows[T Float](acc, m []T, r, n int, ones []T) {
	if r == 0 {
		return
	}
	if a, ok := f32(acc); ok {
		asm.SlinComb(a, 1, any(ones[:r]).([]float32), any(m).([]float32), n)
		return
	}
	asm.DlinComb(any(acc).([]float64), 1, any(ones[:r]).([]float64), any(m).([]float64), n)
}

// newOnes returns a vector of n ones, for sumRows.
func newOnes[T Float](n int) []T {
	v := make([]T, n)
	vfill(v, 1)
	return v
}

// affineRows sets dst[i,:] = src[i,:]∘scale + shift for the rows of the
// row-major matrices dst and src of width n (len(src) rows·n); a nil scale
// means 1 and a nil shift 0. One call for all rows: the float32 kernel
// fuses the multiply-add, float64 rounds twice.
func affineRows[T Float](dst, src []T, n int, scale, shift []T) {
	if d, ok := f32(dst); ok {
		sc, _ := f32(scale)
		sh, _ := f32(shift)
		asm.SaffineRows(d, any(src).([]float32), n, sc, sh)
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
func vsigmoid[T Float](dst, x []T) {
	if d, ok := f32(dst); ok {
		asm.Ssigmoid(d, any(x).([]float32))
		return
	}
	d := any(dst).([]float64)
	for i, v := range any(x).([]float64) {
		d[i] = sigmoid64(v)
	}
}

// vtanh sets dst = tanh(x).
func vtanh[T Float](dst, x []T) {
	if d, ok := f32(dst); ok {
		asm.Stanh(d, any(x).([]float32))
		return
	}
	d := any(dst).([]float64)
	for i, v := range any(x).([]float64) {
		d[i] = math.Tanh(v)
	}
}

// vsoftplus sets dst = log(1+exp(x)), without overflow.
func vsoftplus[T Float](dst, x []T) {
	if d, ok := f32(dst); ok {
		asm.Ssoftplus(d, any(x).([]float32))
		return
	}
	d := any(dst).([]float64)
	for i, v := range any(x).([]float64) {
		d[i] = math.Max(v, 0) + math.Log1p(math.Exp(-math.Abs(v)))
	}
}

// vleaky sets dst = x where x > 0, slope·x elsewhere.
func vleaky[T Float](dst, x []T, slope T) {
	if d, ok := f32(dst); ok {
		asm.SleakyReLU(d, any(x).([]float32), float32(slope))
		return
	}
	d := any(dst).([]float64)
	s := float64(slope)
	for i, v := range any(x).([]float64) {
		if v > 0 {
			d[i] = v
		} else {
			d[i] = s * v
		}
	}
}

// vleakyBackward sets dx = dy where x > 0, slope·dy elsewhere, and returns
// Σ dy·x over x ≤ 0 (the gradient of a shared slope).
func vleakyBackward[T Float](dx, x, dy []T, slope T) T {
	if d, ok := f32(dx); ok {
		return T(asm.SleakyReLUBackward(d, any(x).([]float32), any(dy).([]float32), float32(slope)))
	}
	d := any(dx).([]float64)
	g := any(dy).([]float64)
	s := float64(slope)
	var ds float64
	for i, v := range any(x).([]float64) {
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
func vleakyBackwardDot[T Float](dx, x, dy, z []T, slope T) T {
	if d, ok := f32(dx); ok {
		return T(asm.SleakyReLUBackwardDot(d, any(x).([]float32), any(dy).([]float32), any(z).([]float32), float32(slope)))
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
func maskedDot[T Float](h, a, b []T) T {
	if v, ok := f32(h); ok {
		return T(asm.SmaskedDot(v, any(a).([]float32), any(b).([]float32)))
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
