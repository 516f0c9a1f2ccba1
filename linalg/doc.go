// Package linalg is ebmcpu's dense linear algebra: a packed, cache-blocked,
// multi-threaded GEMM on the asm micro-kernels, a gonum-compatible BLAS
// implementation that routes gonum/mat through it, and the spectral solvers
// (randomized SVD, smallest singular value) the singular-value bound needs.
//
// Matrices are row-major, as in gonum: element (i, j) of an m×n matrix with
// leading dimension ld is a[i*ld+j].
package linalg
