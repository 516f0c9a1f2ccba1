package asm

import "math"

// The generic tier's GEMM micro-kernels: gemmKernelGeneric for a 4×4 tile,
// computed as two 4×2 halves so that each half's 8 sums, 2 B values and the
// A value in use (nearly) fit the 15 float registers Go's amd64 ABI leaves
// free; a 16-sum 4×4 loop spills most of its sums every iteration. About 3×
// the speed of the loop twin. Like the assembly kernels, they sum the k
// products from -0 and then add the sum to C.

func sgemm4x4Generic(kk int, a, b, c []float32, ldc int) {
	if kk <= 0 {
		return
	}
	checkGemmKernelArgs(4, 4, kk, len(a), len(b), len(c), ldc)
	gemm4x2Generic(kk, a, b, c, ldc)
	gemm4x2Generic(kk, a, b[2:], c[2:], ldc)
}

func dgemm4x4Generic(kk int, a, b, c []float64, ldc int) {
	if kk <= 0 {
		return
	}
	checkGemmKernelArgs(4, 4, kk, len(a), len(b), len(c), ldc)
	gemm4x2Generic(kk, a, b, c, ldc)
	gemm4x2Generic(kk, a, b[2:], c[2:], ldc)
}

// gemm4x2Generic adds A·B to the 4×2 tile at c, where a is a packed 4×kk
// sliver and column pair p of B is b[4p], b[4p+1] (a 4-wide packed sliver).
// kk must be ≥ 1.
func gemm4x2Generic[T Float](kk int, a, b, c []T, ldc int) {
	a, b = a[:4*kk], b[:4*kk-2]
	c0, c1, c2, c3 := c[:2], c[ldc:ldc+2], c[2*ldc:2*ldc+2], c[3*ldc:3*ldc+2]
	z := T(math.Copysign(0, -1))
	s00, s01, s10, s11 := z, z, z, z
	s20, s21, s30, s31 := z, z, z, z
	for p := 0; p < len(a); p += 4 {
		ap, bp := a[p:p+4:p+4], b[p:p+2:p+2]
		b0, b1 := bp[0], bp[1]
		a0 := ap[0]
		s00 += a0 * b0
		s01 += a0 * b1
		a1 := ap[1]
		s10 += a1 * b0
		s11 += a1 * b1
		a2 := ap[2]
		s20 += a2 * b0
		s21 += a2 * b1
		a3 := ap[3]
		s30 += a3 * b0
		s31 += a3 * b1
	}
	c0[0], c0[1] = c0[0]+s00, c0[1]+s01
	c1[0], c1[1] = c1[0]+s10, c1[1]+s11
	c2[0], c2[1] = c2[0]+s20, c2[1]+s21
	c3[0], c3[1] = c3[0]+s30, c3[1]+s31
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
