//go:build amd64 && !noasm

package asm

import "math"

// packAVX512 registers the avx512 packing kernels. The AVX2 tier keeps the
// twins: its GEMM is bound by the micro-kernel, not by packing.
func packAVX512(t *kernels) {
	t.spackRuns, t.dpackRuns = spackRunsAVX512, dpackRunsAVX512
	t.spackInterleave, t.dpackInterleave = spackInterleaveIdxAVX512, dpackInterleaveIdxAVX512
}

// spackInterleaveIdxAVX512 is packInterleaveGeneric; it gathers with int32
// row offsets, so it falls back to the twin when (n−1)·ld does not fit.
// (Inactive lanes may overflow harmlessly: they are never dereferenced.)
func spackInterleaveIdxAVX512(dst []float32, w int, src []float32, ld, kc, n int, alpha float32) {
	if n > 0 && (n-1)*ld > math.MaxInt32 {
		spackInterleaveGeneric(dst, w, src, ld, kc, n, alpha)
		return
	}
	spackInterleaveAVX512(dst, w, src, ld, kc, n, alpha)
}

// dpackInterleaveIdxAVX512 is spackInterleaveIdxAVX512 for float64.
func dpackInterleaveIdxAVX512(dst []float64, w int, src []float64, ld, kc, n int, alpha float64) {
	if n > 0 && (n-1)*ld > math.MaxInt32 {
		dpackInterleaveGeneric(dst, w, src, ld, kc, n, alpha)
		return
	}
	dpackInterleaveAVX512(dst, w, src, ld, kc, n, alpha)
}

// spackRunsAVX512 is packRunsGeneric for float32 (w ≤ 32).
//
//go:noescape
func spackRunsAVX512(dst []float32, w int, src []float32, ld, kc, n int, alpha float32)

// dpackRunsAVX512 is packRunsGeneric for float64 (w ≤ 16).
//
//go:noescape
func dpackRunsAVX512(dst []float64, w int, src []float64, ld, kc, n int, alpha float64)

// spackInterleaveAVX512 is packInterleaveGeneric for float32 (w ≤ 32).
//
//go:noescape
func spackInterleaveAVX512(dst []float32, w int, src []float32, ld, kc, n int, alpha float32)

// dpackInterleaveAVX512 is packInterleaveGeneric for float64 (w ≤ 16).
//
//go:noescape
func dpackInterleaveAVX512(dst []float64, w int, src []float64, ld, kc, n int, alpha float64)
