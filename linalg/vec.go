package linalg

import "github.com/ebmcpu/ebmcpu/asm"

// Element-type dispatch from generic code to the asm kernels. The interface
// conversions do not escape, so they allocate nothing.

func simdLinComb[T Float](dst []T, beta T, coef, src []T, ld int) {
	switch d := any(dst).(type) {
	case []float32:
		asm.SlinComb(d, float32(beta), any(coef).([]float32), any(src).([]float32), ld)
	case []float64:
		asm.DlinComb(d, float64(beta), any(coef).([]float64), any(src).([]float64), ld)
	}
}

func simdDot[T Float](x, y []T) T {
	switch xs := any(x).(type) {
	case []float32:
		return T(asm.Sdot(xs, any(y).([]float32)))
	case []float64:
		return T(asm.Ddot(xs, any(y).([]float64)))
	}
	panic("unreachable")
}
