package asm

// The vector kernels: the public wrappers (length checks, then a call
// through the active tier's table) and, at the end, the pure-Go twins.

func checkLen(name string, n int, lens ...int) {
	for _, l := range lens {
		if l < n {
			panic("asm: " + name + ": operand shorter than the first")
		}
	}
}

// Sdot returns Σ x[i]·y[i] over len(x) elements.
func Sdot(x, y []float32) float32 { checkLen("Sdot", len(x), len(y)); return k.sdot(x, y[:len(x)]) }

// Ddot returns Σ x[i]·y[i] over len(x) elements.
func Ddot(x, y []float64) float64 { checkLen("Ddot", len(x), len(y)); return k.ddot(x, y[:len(x)]) }

// Saxpy sets y[i] += alpha·x[i] for i < len(x).
func Saxpy(alpha float32, x, y []float32) {
	checkLen("Saxpy", len(x), len(y))
	k.saxpy(alpha, x, y[:len(x)])
}

// Daxpy sets y[i] += alpha·x[i] for i < len(x).
func Daxpy(alpha float64, x, y []float64) {
	checkLen("Daxpy", len(x), len(y))
	k.daxpy(alpha, x, y[:len(x)])
}

// Sscal sets x[i] *= alpha.
func Sscal(alpha float32, x []float32) { k.sscal(alpha, x) }

// Dscal sets x[i] *= alpha.
func Dscal(alpha float64, x []float64) { k.dscal(alpha, x) }

// Sadd sets dst[i] = a[i] + b[i] for i < len(dst). dst may alias a or b.
func Sadd(dst, a, b []float32) {
	checkLen("Sadd", len(dst), len(a), len(b))
	k.sadd(dst, a[:len(dst)], b[:len(dst)])
}

// Dadd sets dst[i] = a[i] + b[i] for i < len(dst). dst may alias a or b.
func Dadd(dst, a, b []float64) {
	checkLen("Dadd", len(dst), len(a), len(b))
	k.dadd(dst, a[:len(dst)], b[:len(dst)])
}

// Ssub sets dst[i] = a[i] − b[i] for i < len(dst). dst may alias a or b.
func Ssub(dst, a, b []float32) {
	checkLen("Ssub", len(dst), len(a), len(b))
	k.ssub(dst, a[:len(dst)], b[:len(dst)])
}

// Dsub sets dst[i] = a[i] − b[i] for i < len(dst). dst may alias a or b.
func Dsub(dst, a, b []float64) {
	checkLen("Dsub", len(dst), len(a), len(b))
	k.dsub(dst, a[:len(dst)], b[:len(dst)])
}

// Smul sets dst[i] = a[i] · b[i] for i < len(dst). dst may alias a or b.
func Smul(dst, a, b []float32) {
	checkLen("Smul", len(dst), len(a), len(b))
	k.smul(dst, a[:len(dst)], b[:len(dst)])
}

// Dmul sets dst[i] = a[i] · b[i] for i < len(dst). dst may alias a or b.
func Dmul(dst, a, b []float64) {
	checkLen("Dmul", len(dst), len(a), len(b))
	k.dmul(dst, a[:len(dst)], b[:len(dst)])
}

// Ssum returns Σ x[i]. The summation order differs between tiers (lanes are
// summed separately), so results agree to rounding, not bit for bit.
func Ssum(x []float32) float32 { return k.ssum(x) }

// Dsum returns Σ x[i], in a tier-dependent order (see Ssum).
func Dsum(x []float64) float64 { return k.dsum(x) }

// Smaxabs returns max |x[i]|, NaN if any x[i] is NaN, and 0 for an empty x.
func Smaxabs(x []float32) float32 { return k.smaxabs(x) }

// Dmaxabs returns max |x[i]|, NaN if any x[i] is NaN, and 0 for an empty x.
func Dmaxabs(x []float64) float64 { return k.dmaxabs(x) }

// SdotInc returns Σ x[i·incX]·y[i·incY] for i < n (positive increments).
// Strided access gains nothing from SIMD loads, so every tier shares one
// implementation beyond the unit-stride case.
func SdotInc(n int, x []float32, incX int, y []float32, incY int) float32 {
	if incX == 1 && incY == 1 {
		return Sdot(x[:n], y[:n])
	}
	var s float32
	for i, ix, iy := 0, 0, 0; i < n; i, ix, iy = i+1, ix+incX, iy+incY {
		s += x[ix] * y[iy]
	}
	return s
}

// SaxpyInc sets y[i·incY] += alpha·x[i·incX] for i < n (positive increments).
func SaxpyInc(n int, alpha float32, x []float32, incX int, y []float32, incY int) {
	if incX == 1 && incY == 1 {
		Saxpy(alpha, x[:n], y[:n])
		return
	}
	for i, ix, iy := 0, 0, 0; i < n; i, ix, iy = i+1, ix+incX, iy+incY {
		y[iy] += alpha * x[ix]
	}
}

// DdotInc is SdotInc for float64.
func DdotInc(n int, x []float64, incX int, y []float64, incY int) float64 {
	if incX == 1 && incY == 1 {
		return Ddot(x[:n], y[:n])
	}
	var s float64
	for i, ix, iy := 0, 0, 0; i < n; i, ix, iy = i+1, ix+incX, iy+incY {
		s += x[ix] * y[iy]
	}
	return s
}

// DaxpyInc is SaxpyInc for float64.
func DaxpyInc(n int, alpha float64, x []float64, incX int, y []float64, incY int) {
	if incX == 1 && incY == 1 {
		Daxpy(alpha, x[:n], y[:n])
		return
	}
	for i, ix, iy := 0, 0, 0; i < n; i, ix, iy = i+1, ix+incX, iy+incY {
		y[iy] += alpha * x[ix]
	}
}

// The twins, written once over both element types.

func dotGeneric[T Float](x, y []T) T {
	var s T
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

func axpyGeneric[T Float](alpha T, x, y []T) {
	for i, v := range x {
		y[i] += alpha * v
	}
}

func scalGeneric[T Float](alpha T, x []T) {
	for i := range x {
		x[i] *= alpha
	}
}

func addGeneric[T Float](dst, a, b []T) {
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}

func subGeneric[T Float](dst, a, b []T) {
	for i := range dst {
		dst[i] = a[i] - b[i]
	}
}

func mulGeneric[T Float](dst, a, b []T) {
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
}

func sumGeneric[T Float](x []T) T {
	var s T
	for _, v := range x {
		s += v
	}
	return s
}

func maxabsGeneric[T Float](x []T) T {
	var m T
	for _, v := range x {
		if v != v {
			return v
		}
		if v < 0 {
			v = -v
		}
		if v > m {
			m = v
		}
	}
	return m
}

var (
	sdotGeneric    = dotGeneric[float32]
	ddotGeneric    = dotGeneric[float64]
	saxpyGeneric   = axpyGeneric[float32]
	daxpyGeneric   = axpyGeneric[float64]
	sscalGeneric   = scalGeneric[float32]
	dscalGeneric   = scalGeneric[float64]
	saddGeneric    = addGeneric[float32]
	daddGeneric    = addGeneric[float64]
	ssubGeneric    = subGeneric[float32]
	dsubGeneric    = subGeneric[float64]
	smulGeneric    = mulGeneric[float32]
	dmulGeneric    = mulGeneric[float64]
	ssumGeneric    = sumGeneric[float32]
	dsumGeneric    = sumGeneric[float64]
	smaxabsGeneric = maxabsGeneric[float32]
	dmaxabsGeneric = maxabsGeneric[float64]
)
