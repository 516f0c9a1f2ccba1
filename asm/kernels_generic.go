package asm

// The pure-Go twins: the reference every assembly kernel is tested against,
// and the generic tier. Written once over both element types.

// Float is the element type of the kernels.
type Float interface{ ~float32 | ~float64 }

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

// gemmKernelGeneric is the micro-kernel contract of GemmKernel written as
// plain loops, for any tile shape.
func gemmKernelGeneric[T Float](mr, nr, kk int, a, b, c []T, ldc int) {
	for i := 0; i < mr; i++ {
		ci := c[i*ldc : i*ldc+nr]
		for p := 0; p < kk; p++ {
			aip := a[p*mr+i]
			bp := b[p*nr : p*nr+nr]
			for j := range ci {
				ci[j] += aip * bp[j]
			}
		}
	}
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
