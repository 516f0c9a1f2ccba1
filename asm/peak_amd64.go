//go:build amd64 && !noasm

package asm

// asmPeakLoops holds the assembly FMA peak loops (peak_avx512_amd64.s,
// peak_avx2_amd64.s); see PeakLoopF32 for their flop counts.
var asmPeakLoops = [numTiers][2]peakLoop{
	AVX2:   {{peakF32AVX2, 24 * 8 * 2}, {peakF64AVX2, 24 * 4 * 2}},
	AVX512: {{peakF32AVX512, 24 * 16 * 2}, {peakF64AVX512, 24 * 8 * 2}},
}

// Each runs iters iterations (iters ≥ 1) of 24 FMAs on 12 accumulators.

//go:noescape
func peakF32AVX512(iters int)

//go:noescape
func peakF64AVX512(iters int)

//go:noescape
func peakF32AVX2(iters int)

//go:noescape
func peakF64AVX2(iters int)
