package asm

import "math"

// The generic layer: code written once over Float (the layers of nn, the
// GEMM driver and spectral solvers of linalg, the bounds) calls the S or D
// kernel of its element type through the wrappers below. They are not a
// kernel family: they hold no kernel of their own and add no table field,
// so nothing here is generated.
//
// Every wrapper is built on one dispatch helper, Is32 with its two views
// As32 and As64: Is32 says which instance T is, and As32 or As64 hands a
// []T to the kernel of that instance as the slice type it already is.
//
//	func Dot[T Float](x, y []T) T {
//		if Is32[T]() {
//			return T(Sdot(As32(x), As32(y)))
//		}
//		return T(Ddot(As64(x), As64(y)))
//	}
//
// Code outside asm uses the same helper for what the wrappers do not offer
// (a float32 kernel whose float64 twin is a plain loop of the caller's).
// The views convert through an interface that does not escape, so they
// allocate nothing (TestGenericNoAlloc); the wrappers return exactly what
// the S or D kernel returns, bit for bit.

// Float is the element type of the kernels and of every generic package
// above asm: float32 for training, float64 for exact references and
// gradient checks. It has no ~: the dispatch helper converts a []T to
// []float32 or []float64, which a named float type would not be.
type Float interface{ float32 | float64 }

// Is32 reports whether T is float32 (otherwise it is float64).
func Is32[T Float]() bool {
	var z T
	_, ok := any(z).(float32)
	return ok
}

// As32 returns x as a []float32, the slice itself (nil if x is nil). T must
// be float32: As32 panics otherwise, a programming error.
func As32[T Float](x []T) []float32 { return any(x).([]float32) }

// As64 returns x as a []float64, the slice itself (nil if x is nil). T must
// be float64: As64 panics otherwise, a programming error.
func As64[T Float](x []T) []float64 { return any(x).([]float64) }

// Dot returns Σ x[i]·y[i] over len(x) elements (Sdot, Ddot).
func Dot[T Float](x, y []T) T {
	if Is32[T]() {
		return T(Sdot(As32(x), As32(y)))
	}
	return T(Ddot(As64(x), As64(y)))
}

// Axpy sets y[i] += alpha·x[i] for i < len(x) (Saxpy, Daxpy).
func Axpy[T Float](alpha T, x, y []T) {
	if Is32[T]() {
		Saxpy(float32(alpha), As32(x), As32(y))
		return
	}
	Daxpy(float64(alpha), As64(x), As64(y))
}

// Scal sets x[i] *= alpha (Sscal, Dscal).
func Scal[T Float](alpha T, x []T) {
	if Is32[T]() {
		Sscal(float32(alpha), As32(x))
		return
	}
	Dscal(float64(alpha), As64(x))
}

// Add sets dst[i] = a[i] + b[i] for i < len(dst) (Sadd, Dadd).
func Add[T Float](dst, a, b []T) {
	if Is32[T]() {
		Sadd(As32(dst), As32(a), As32(b))
		return
	}
	Dadd(As64(dst), As64(a), As64(b))
}

// Sub sets dst[i] = a[i] − b[i] for i < len(dst) (Ssub, Dsub).
func Sub[T Float](dst, a, b []T) {
	if Is32[T]() {
		Ssub(As32(dst), As32(a), As32(b))
		return
	}
	Dsub(As64(dst), As64(a), As64(b))
}

// Mul sets dst[i] = a[i]·b[i] for i < len(dst) (Smul, Dmul).
func Mul[T Float](dst, a, b []T) {
	if Is32[T]() {
		Smul(As32(dst), As32(a), As32(b))
		return
	}
	Dmul(As64(dst), As64(a), As64(b))
}

// Sum returns Σ x[i] (Ssum, Dsum).
func Sum[T Float](x []T) T {
	if Is32[T]() {
		return T(Ssum(As32(x)))
	}
	return T(Dsum(As64(x)))
}

// MaxAbs returns max |x[i]|, NaN if some x[i] is NaN, 0 for an empty x
// (Smaxabs, Dmaxabs).
func MaxAbs[T Float](x []T) T {
	if Is32[T]() {
		return T(Smaxabs(As32(x)))
	}
	return T(Dmaxabs(As64(x)))
}

// Finite reports whether v is neither NaN nor ±Inf.
func Finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// AllFinite reports whether every element of every slice is finite: one
// MaxAbs per slice, which is NaN or +Inf exactly when some element is not.
func AllFinite[T Float](xs ...[]T) bool {
	for _, x := range xs {
		if !Finite(float64(MaxAbs(x))) {
			return false
		}
	}
	return true
}

// LinComb sets dst[j] = beta·dst[j] + Σ_p coef[p]·src[p·ld+j] for
// j < len(dst) (SlinComb, DlinComb).
func LinComb[T Float](dst []T, beta T, coef, src []T, ld int) {
	if Is32[T]() {
		SlinComb(As32(dst), float32(beta), As32(coef), As32(src), ld)
		return
	}
	DlinComb(As64(dst), float64(beta), As64(coef), As64(src), ld)
}

// PackRuns sets dst[p*w+i] = alpha·src[p*ld+i] for p < kc, i < n, and 0
// for n ≤ i < w (SpackRuns, DpackRuns).
func PackRuns[T Float](dst []T, w int, src []T, ld, kc, n int, alpha T) {
	if Is32[T]() {
		SpackRuns(As32(dst), w, As32(src), ld, kc, n, float32(alpha))
		return
	}
	DpackRuns(As64(dst), w, As64(src), ld, kc, n, float64(alpha))
}

// PackInterleave sets dst[p*w+i] = alpha·src[i*ld+p] for p < kc, i < n,
// and 0 for n ≤ i < w (SpackInterleave, DpackInterleave).
func PackInterleave[T Float](dst []T, w int, src []T, ld, kc, n int, alpha T) {
	if Is32[T]() {
		SpackInterleave(As32(dst), w, As32(src), ld, kc, n, float32(alpha))
		return
	}
	DpackInterleave(As64(dst), w, As64(src), ld, kc, n, float64(alpha))
}

// GemmKernelOf returns the active tier's GEMM micro-kernel for T
// (SgemmKernel, DgemmKernel). The kernel is converted through an interface
// that does not escape, so this allocates nothing either.
func GemmKernelOf[T Float]() GemmKernel[T] {
	if Is32[T]() {
		return any(SgemmKernel()).(GemmKernel[T])
	}
	return any(DgemmKernel()).(GemmKernel[T])
}
