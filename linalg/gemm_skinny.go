package linalg

import "github.com/ebmcpu/ebmcpu/asm"

// skinnyMaxK is the largest inner dimension the row-combination path takes:
// below it a GEMM is bound by writing C, and packing only adds traffic.
const skinnyMaxK = 8

// skinny handles products with a tiny dimension, where packing costs more
// than it saves: an inner dimension k ≤ skinnyMaxK (the 2-D input layer) or
// a few columns of C (n ≤ skinnyMaxK: a layer with one output, the weight
// gradient of a 2-D input layer). It reports whether it did the work.
//
// Both paths compute each row of C by the same arithmetic whatever m is,
// and so does the blocked path: a row of C has the same bits alone and in
// a batch, which lets a server batch requests without changing answers.
// (A single row is therefore not special-cased: a dot-product path for it
// would sum in another order than the micro-kernel.)
func skinny[T asm.Float](g *gemmArgs[T]) bool {
	switch {
	case g.k <= skinnyMaxK:
		smallInner(g)
	case g.n <= skinnyMaxK:
		for j := 0; j < g.n; j++ {
			column(g, j)
		}
	default:
		return false
	}
	return true
}

// smallInner: row i of C is a combination of the k rows of op(B) with
// coefficients alpha·op(A)[i, :].
func smallInner[T asm.Float](g *gemmArgs[T]) {
	buf := getBuffers[T]()
	defer putBuffers(buf)
	src, ld := g.b, g.ldb
	if g.transB { // op(B) = Bᵀ: transpose the k×n operand once
		buf.packB = grow(buf.packB, g.k*g.n)
		for j := 0; j < g.n; j++ {
			for p := 0; p < g.k; p++ {
				buf.packB[p*g.n+j] = g.b[j*g.ldb+p]
			}
		}
		src, ld = buf.packB, g.n
	}
	coefDirect := !g.transA && g.alpha == 1 // A's rows are the coefficients
	buf.tile = grow(buf.tile, g.k)
	coef := buf.tile
	for i := 0; i < g.m; i++ {
		switch {
		case coefDirect:
			coef = g.a[i*g.lda : i*g.lda+g.k]
		case g.transA:
			for p := range coef {
				coef[p] = g.alpha * g.a[p*g.lda+i]
			}
		default:
			for p, v := range g.a[i*g.lda : i*g.lda+g.k] {
				coef[p] = g.alpha * v
			}
		}
		asm.LinComb(g.c[i*g.ldc:i*g.ldc+g.n], g.beta, coef, src, ld)
	}
}

// column computes column j of C: C[:, j] = alpha·op(A)·b + beta·C[:, j]
// with b = op(B)[:, j].
func column[T asm.Float](g *gemmArgs[T], j int) {
	buf := getBuffers[T]()
	defer putBuffers(buf)
	var b []T
	if g.transB { // op(B)[:, j] is row j of B
		b = g.b[j*g.ldb : j*g.ldb+g.k]
	} else {
		b = gatherVector(&buf.tile, g.b[j:], g.k, g.ldb, true)
	}
	c := g.c[j:]
	if !g.transA { // C[i, j] = alpha·A[i, :]·b
		for i := 0; i < g.m; i++ {
			s := g.alpha * asm.Dot(g.a[i*g.lda:i*g.lda+g.k], b)
			c[i*g.ldc] = combine(s, g.beta, c[i*g.ldc])
		}
		return
	}
	// op(A) = Aᵀ: C[:, j] = Σ_p alpha·b[p]·A[p, :], a combination of A's rows.
	coef := scaledCopy(&buf.packB, b, g.alpha)
	buf.packA = grow(buf.packA, g.m)
	asm.LinComb(buf.packA, 0, coef, g.a, g.lda)
	for i, s := range buf.packA {
		c[i*g.ldc] = combine(s, g.beta, c[i*g.ldc])
	}
}

// gatherVector returns k elements of x at stride inc (1 if !strided),
// copying into *scratch only when they are not contiguous.
func gatherVector[T asm.Float](scratch *[]T, x []T, k, inc int, strided bool) []T {
	if !strided || inc == 1 {
		return x[:k]
	}
	*scratch = grow(*scratch, k)
	for p := range *scratch {
		(*scratch)[p] = x[p*inc]
	}
	return *scratch
}

func scaledCopy[T asm.Float](scratch *[]T, x []T, alpha T) []T {
	if alpha == 1 {
		return x
	}
	*scratch = grow(*scratch, len(x))
	for i, v := range x {
		(*scratch)[i] = alpha * v
	}
	return *scratch
}

// combine returns s + beta·c, with beta = 0 ignoring c (even NaN).
func combine[T asm.Float](s, beta, c T) T {
	if beta == 0 {
		return s
	}
	return s + beta*c
}
