// Package asm holds the SIMD kernels that every other ebmcpu package runs on.
//
// Each kernel exists as a pure-Go twin (the reference, and the "generic" tier)
// and, on amd64, as Plan 9 assembly for two instruction-set tiers:
//
//	avx512  AVX-512 F, DQ, BW and VL (plus AVX2 and FMA, which every such CPU has)
//	avx2    AVX2 and FMA3
//	generic pure Go, always available; the only tier under the noasm build tag
//
// The tier is chosen once, at init, with github.com/klauspost/cpuid/v2: the
// best tier whose every required feature the CPU reports. The environment
// variable EBMCPU_SIMD=generic|avx2|avx512 forces a tier. Asking for a tier the
// CPU lacks does not crash: the package keeps the best available tier and
// EnvError reports the problem, so a command can print it and exit.
//
// Names follow BLAS: an S prefix for float32, a D prefix for float64. Slices
// carry the lengths: a kernel works on len(x) elements and panics if another
// operand is shorter (a programming error, like an index out of range).
//
// Files: kernels_generic.go holds the twins; stubs_amd64.go declares the
// assembly; dispatch_amd64.go fills the tier tables; *_avx512_amd64.s and
// *_avx2_amd64.s hold the assembly, one file per tier and kernel family, so a
// test can check that a tier's files use only the features the tier requires.
// Instructions the Go assembler cannot spell (BF16, FP16, AMX) would be
// encoded with github.com/minio/asm2plan9s next to an Intel-syntax source.
package asm
