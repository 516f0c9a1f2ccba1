//go:build amd64 && !noasm

package asm

// Assembly GEMM micro-kernels (gemm_avx512_amd64.s, gemm_avx2_amd64.s).
// Each registered kernel is a thin Go wrapper that checks the slice lengths
// once and passes base pointers to the assembly, so the assembly needs no
// slice headers and the checks stay in Go, where they are readable.

func gemmAVX2(t *kernels) {
	t.sgemm = GemmKernel[float32]{MR: 6, NR: 16, Fn: sgemm6x16AVX2}
	t.dgemm = GemmKernel[float64]{MR: 6, NR: 8, Fn: dgemm6x8AVX2}
}

func gemmAVX512(t *kernels) {
	t.sgemm = GemmKernel[float32]{MR: 12, NR: 32, Fn: sgemm12x32AVX512}
	t.dgemm = GemmKernel[float64]{MR: 12, NR: 16, Fn: dgemm12x16AVX512}
}

// sgemm12x32AVX512 is gemmKernelGeneric with a 12×32 float32 tile.
func sgemm12x32AVX512(k int, a, b, c []float32, ldc int) {
	if k <= 0 {
		return
	}
	checkGemmKernelArgs(12, 32, k, len(a), len(b), len(c), ldc)
	sgemmKern12x32AVX512(k, &a[0], &b[0], &c[0], ldc)
}

// dgemm12x16AVX512 is gemmKernelGeneric with a 12×16 float64 tile.
func dgemm12x16AVX512(k int, a, b, c []float64, ldc int) {
	if k <= 0 {
		return
	}
	checkGemmKernelArgs(12, 16, k, len(a), len(b), len(c), ldc)
	dgemmKern12x16AVX512(k, &a[0], &b[0], &c[0], ldc)
}

// sgemm6x16AVX2 is gemmKernelGeneric with a 6×16 float32 tile.
func sgemm6x16AVX2(k int, a, b, c []float32, ldc int) {
	if k <= 0 {
		return
	}
	checkGemmKernelArgs(6, 16, k, len(a), len(b), len(c), ldc)
	sgemmKern6x16AVX2(k, &a[0], &b[0], &c[0], ldc)
}

// dgemm6x8AVX2 is gemmKernelGeneric with a 6×8 float64 tile.
func dgemm6x8AVX2(k int, a, b, c []float64, ldc int) {
	if k <= 0 {
		return
	}
	checkGemmKernelArgs(6, 8, k, len(a), len(b), len(c), ldc)
	dgemmKern6x8AVX2(k, &a[0], &b[0], &c[0], ldc)
}

// The assembly kernels: k ≥ 1; a, b and c point at k·MR, k·NR and
// (MR-1)·ldc+NR elements; ldc ≥ NR is in elements.

//go:noescape
func sgemmKern12x32AVX512(k int, a, b, c *float32, ldc int)

//go:noescape
func dgemmKern12x16AVX512(k int, a, b, c *float64, ldc int)

//go:noescape
func sgemmKern6x16AVX2(k int, a, b, c *float32, ldc int)

//go:noescape
func dgemmKern6x8AVX2(k int, a, b, c *float64, ldc int)
