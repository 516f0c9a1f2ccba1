//go:build amd64 && !noasm

package asm

import "math"

// packAVX2 registers the avx2 packing kernels. They matter although large
// GEMMs are bound by the micro-kernel: the trainer's are small (200–600 rows
// × 100 × 100, and k = 2), and with the twins packing took 29 % of its
// iteration on a Zen 3 VM. BENCHMARKS.md (issue 7) has the measurements:
// 3.7–6.7× (runs) and 4.5–9.7× (interleave) the twins, and the iteration
// 1.27× faster.
func packAVX2(t *kernels) {
	t.spackRuns = packRunsAVX2(spackRunsAVX2, 8)
	t.dpackRuns = packRunsAVX2(dpackRunsAVX2, 4)
	t.spackInterleave = packInterleaveAVX2(spackInterleaveAVX2, 8)
	t.dpackInterleave = packInterleaveAVX2(dpackInterleaveAVX2, 4)
}

// packFunc is the signature of every packing kernel.
type packFunc[T Float] func(dst []T, w int, src []T, ld, kc, n int, alpha T)

// packSpill returns how many trailing groups of a sliver of width w the avx2
// kernels leave to the twin. They store whole vectors of the given number of
// lanes, so group p's last store reaches p·w + r, r = w rounded up to whole
// vectors; the extra r−w elements belong to the following groups, which
// overwrite them later, but must not run past the sliver's kc·w elements.
// That holds for p < kc − packSpill(w, lanes).
func packSpill(w, lanes int) int {
	return (wholeVectors(w, lanes)+w-1)/w - 1
}

// wholeVectors is w rounded up to a multiple of lanes: the elements the
// stores of one group cover.
func wholeVectors(w, lanes int) int { return (w + lanes - 1) / lanes * lanes }

// packRunsAVX2 wraps an avx2 runs kernel: it packs the first groups, the
// twin the last ones. Besides the packSpill groups, those are the rows whose
// whole vectors would reach past src: the kernel's masked loads do not read
// the lanes past n, but AMD leaves it implementation-dependent whether such
// lanes can fault (the last row usually ends at the end of the matrix).
func packRunsAVX2[T Float](kern packFunc[T], lanes int) packFunc[T] {
	return func(dst []T, w int, src []T, ld, kc, n int, alpha T) {
		v := max(kc-packSpill(w, lanes), 0)
		r := wholeVectors(w, lanes)
		for v > 0 && (v-1)*ld+r > len(src) {
			v-- // only the last row or so, unless ld < r−n
		}
		if v > 0 {
			kern(dst, w, src, ld, v, n, alpha)
		}
		if v < kc {
			packRunsGeneric(dst[v*w:], w, src[min(v*ld, len(src)):], ld, kc-v, n, alpha)
		}
	}
}

// packInterleaveAVX2 wraps an avx2 interleaving kernel like packRunsAVX2
// (its loads stay inside src anyway). The kernel works on lanes×lanes tiles,
// so shallower slivers, kc < lanes after the packSpill groups, go to the twin
// whole.
func packInterleaveAVX2[T Float](kern packFunc[T], lanes int) packFunc[T] {
	return func(dst []T, w int, src []T, ld, kc, n int, alpha T) {
		v := kc - packSpill(w, lanes)
		if v < lanes {
			v = 0
		} else {
			kern(dst, w, src, ld, v, n, alpha)
		}
		if v < kc {
			packInterleaveGeneric(dst[v*w:], w, src[min(v, len(src)):], ld, kc-v, n, alpha)
		}
	}
}

// packAVX512 registers the avx512 packing kernels.
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

// spackRunsAVX2 is packRunsGeneric for float32 (w ≤ 32), except that each
// group's stores run r−w elements past it (see packSpill); kc ≥ 1.
//
//go:noescape
func spackRunsAVX2(dst []float32, w int, src []float32, ld, kc, n int, alpha float32)

// dpackRunsAVX2 is spackRunsAVX2 for float64 (w ≤ 16).
//
//go:noescape
func dpackRunsAVX2(dst []float64, w int, src []float64, ld, kc, n int, alpha float64)

// spackInterleaveAVX2 is packInterleaveGeneric for float32 (w ≤ 32), with
// stores that run past each group like spackRunsAVX2's; kc ≥ 8.
//
//go:noescape
func spackInterleaveAVX2(dst []float32, w int, src []float32, ld, kc, n int, alpha float32)

// dpackInterleaveAVX2 is spackInterleaveAVX2 for float64 (w ≤ 16); kc ≥ 4.
//
//go:noescape
func dpackInterleaveAVX2(dst []float64, w int, src []float64, ld, kc, n int, alpha float64)
