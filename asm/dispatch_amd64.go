//go:build amd64 && !noasm

package asm

// maxBuiltTier is the strongest tier this build has kernels for.
const maxBuiltTier = AVX512

// registerAsmTiers builds the avx2 table from the generic one and the avx512
// table from the avx2 one; each kernel family replaces what it accelerates
// (vector_amd64.go, lincomb_amd64.go, activation_amd64.go, gemm_amd64.go,
// pack_amd64.go, adam_amd64.go, fused_amd64.go).
func registerAsmTiers() {
	avx2 := *tables[Generic]
	vectorAVX2(&avx2)
	avx2.slincomb, avx2.dlincomb = slincombAVX2, dlincombAVX2
	activationAVX2(&avx2)
	gemmAVX2(&avx2)
	packAVX2(&avx2)
	adamAVX2(&avx2)
	fusedAVX2(&avx2)
	tables[AVX2] = &avx2

	avx512 := avx2
	vectorAVX512(&avx512)
	avx512.slincomb, avx512.dlincomb = slincombAVX512, dlincombAVX512
	activationAVX512(&avx512)
	gemmAVX512(&avx512)
	packAVX512(&avx512)
	adamAVX512(&avx512)
	fusedAVX512(&avx512)
	tables[AVX512] = &avx512
}
