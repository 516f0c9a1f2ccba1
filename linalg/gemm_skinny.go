package linalg

import "github.com/ebmcpu/ebmcpu/asm"

// skinnyMaxK is the largest tiny dimension of the skinny paths.
const skinnyMaxK = 8

// skinny handles products with a tiny dimension where the blocked path
// would differ from the micro-kernel's sums or cost more than it saves: an
// inner dimension k ≤ skinnyMaxK added to a scaled C (beta ≠ 0; the
// 2-D input layer's weight gradient of a tiny batch), and a few columns of
// C from a transposed A (the weight gradient of a layer with few outputs).
// It reports whether it did the work.
//
// Every path computes an element of C as the micro-kernel does, with
// alpha = 1: the products of its row of op(A) and column of op(B) added in
// the order of k, each with one rounding (fused), from zero, then added to
// beta·C. So a row of C has the same bits whatever m (a server batches
// requests and must not change answers) and whatever n (a convolution
// computes a varying number of images side by side), on every path. The
// one exception, smallInner with beta ≠ 0, scales C first and adds the
// terms to it one by one; its choice depends on k and beta only.
func skinny[T asm.Float](g *gemmArgs[T]) bool {
	switch {
	case g.k <= skinnyMaxK && g.beta != 0:
		smallInner(g)
	case g.n <= skinnyMaxK && g.transA:
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

// column computes column j of C for op(A) = Aᵀ: C[:, j] = Σ_p alpha·b[p]·A[p, :]
// + beta·C[:, j] with b = op(B)[:, j], a combination of A's rows.
func column[T asm.Float](g *gemmArgs[T], j int) {
	buf := getBuffers[T]()
	defer putBuffers(buf)
	var b []T
	if g.transB { // op(B)[:, j] is row j of B
		b = g.b[j*g.ldb : j*g.ldb+g.k]
	} else {
		buf.tile = grow(buf.tile, g.k)
		b = buf.tile
		for p := range b {
			b[p] = g.b[p*g.ldb+j]
		}
	}
	coef := scaledCopy(&buf.packB, b, g.alpha)
	buf.packA = grow(buf.packA, g.m)
	c := g.c[j:]
	// In kc-deep slices of k, as the blocked path sums.
	kc := kcOf[T]()
	for pc := 0; pc < g.k; pc += kc {
		asm.LinComb(buf.packA, 0, coef[pc:min(pc+kc, g.k)], g.a[pc*g.lda:], g.lda)
		for i, s := range buf.packA {
			if pc == 0 {
				c[i*g.ldc] = combine(s, g.beta, c[i*g.ldc])
			} else {
				c[i*g.ldc] += s
			}
		}
	}
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
