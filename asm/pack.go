package asm

// GEMM packing kernels: they copy a block of a row-major matrix into the
// k-major slivers the micro-kernels stream (see GemmKernel). A sliver is kc
// groups of w elements; elements n ≤ i < w of each group are zero padding.
// w is at most 32 for float32 and 16 for float64 (the widest tile side).

// SpackRuns sets dst[p*w+i] = alpha·src[p*ld+i] for p < kc, i < n, and 0
// for n ≤ i < w: kc runs of n consecutive elements, one per source row.
func SpackRuns(dst []float32, w int, src []float32, ld, kc, n int, alpha float32) {
	checkPack("SpackRuns", len(dst), w, 32, len(src), kc, n, (kc-1)*ld+n)
	k.spackRuns(dst, w, src, ld, kc, n, alpha)
}

// DpackRuns is SpackRuns for float64 (w ≤ 16).
func DpackRuns(dst []float64, w int, src []float64, ld, kc, n int, alpha float64) {
	checkPack("DpackRuns", len(dst), w, 16, len(src), kc, n, (kc-1)*ld+n)
	k.dpackRuns(dst, w, src, ld, kc, n, alpha)
}

// SpackInterleave sets dst[p*w+i] = alpha·src[i*ld+p] for p < kc, i < n,
// and 0 for n ≤ i < w: n source rows of length kc, interleaved.
func SpackInterleave(dst []float32, w int, src []float32, ld, kc, n int, alpha float32) {
	checkPack("SpackInterleave", len(dst), w, 32, len(src), kc, n, (n-1)*ld+kc)
	k.spackInterleave(dst, w, src, ld, kc, n, alpha)
}

// DpackInterleave is SpackInterleave for float64 (w ≤ 16).
func DpackInterleave(dst []float64, w int, src []float64, ld, kc, n int, alpha float64) {
	checkPack("DpackInterleave", len(dst), w, 16, len(src), kc, n, (n-1)*ld+kc)
	k.dpackInterleave(dst, w, src, ld, kc, n, alpha)
}

func checkPack(name string, lenDst, w, maxW, lenSrc, kc, n, need int) {
	switch {
	case w < 1 || w > maxW || n < 0 || n > w || kc < 0:
		panic("asm: " + name + ": bad sliver shape")
	case lenDst < kc*w:
		panic("asm: " + name + ": dst shorter than kc·w")
	case kc > 0 && n > 0 && lenSrc < need:
		panic("asm: " + name + ": src too short")
	}
}

func packRunsGeneric[T Float](dst []T, w int, src []T, ld, kc, n int, alpha T) {
	for p := 0; p < kc; p++ {
		d := dst[p*w : p*w+w]
		if n > 0 { // checkPack allows any src when n = 0
			for i, v := range src[p*ld : p*ld+n] {
				d[i] = alpha * v
			}
		}
		clear(d[n:])
	}
}

func packInterleaveGeneric[T Float](dst []T, w int, src []T, ld, kc, n int, alpha T) {
	for i := 0; i < n; i++ {
		for p, v := range src[i*ld : i*ld+kc] {
			dst[p*w+i] = alpha * v
		}
	}
	for p := 0; p < kc; p++ {
		clear(dst[p*w+n : p*w+w])
	}
}

var (
	spackRunsGeneric       = packRunsGeneric[float32]
	dpackRunsGeneric       = packRunsGeneric[float64]
	spackInterleaveGeneric = packInterleaveGeneric[float32]
	dpackInterleaveGeneric = packInterleaveGeneric[float64]
)
