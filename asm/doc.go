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
// # The recipe
//
// The kernels come in families (vector, lincomb, activation, pack, gemm,
// adam, fused, rows, peak), and every family is made the same way:
//
//	<family>.go              the public wrappers, with their doc, and the
//	                         pure-Go twins (activation and gemm keep their
//	                         twins in <family>_generic.go)
//	<family>_avx2_amd64.s    the assembly, one file per tier, so a test can
//	<family>_avx512_amd64.s  check that a tier uses only the features it
//	                         requires; generated
//	<family>_stubs_amd64.go  the Go declarations of the assembly; generated
//	kernels_gen.go           the kernel table, one field per kernel, and the
//	                         generic tier's table of twins; generated
//	kernels_gen_amd64.go     the tables of the assembly tiers; generated
//
// and, for gemm and pack only, a hand-written <family>_amd64.go with the Go
// adapters that sit between the table and the assembly (a GemmKernel checks
// its GemmPanel, passes pointers and picks the narrow kernel for a narrow
// panel; the avx2 packing kernels leave the last groups of a sliver to the
// twin).
//
// A wrapper checks its operands and calls the active tier's table; the
// generic tier's table holds the twins, and each assembly tier's table
// starts as a copy of the next weaker tier's and replaces what the tier
// implements. Every test runs each tier the CPU has against the twins.
//
// Above the families sits generic.go, hand-written and holding no kernel:
// the element type Float of all generic code in the module, the dispatch
// helper (Is32, As32, As64) that hands a []T to the S or D kernel of T, and
// the generic wrappers built on it (Dot, Axpy, Scal, Add, Sub, Mul, Sum,
// MaxAbs, LinComb, PackRuns, PackInterleave, GemmKernelOf). A kernel that
// comes in both an S and a D version gets its wrapper there.
//
// The generated files come from asm/_gen, a Go program with its own module
// that writes the assembly with github.com/mmcloughlin/avo: one Go file per
// family holds the family's kernel list (table field, signature, doc) and
// the code of each kernel for each tier. Adding a kernel touches that file
// and the family's Go file (wrapper and twin); go generate ./asm writes the
// rest, and make asm-check fails when the files here differ from a fresh
// generation. Instructions the Go assembler cannot spell (AVX-512 BF16 or
// VNNI, AMX) are written in Intel syntax in the generator and encoded to
// bytes when it runs, with github.com/minio/asm2plan9s and GNU as.
// asm/_gen/README.md has the details.
package asm

//go:generate go run -C _gen .
