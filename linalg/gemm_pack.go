package linalg

import "github.com/ebmcpu/ebmcpu/asm"

// Packing copies a block of op(A) or op(B) into the layout the micro-kernel
// streams: A as slivers of MR rows, stored k-major (a[p*MR+i]); B as slivers
// of NR columns, stored k-major (b[p*NR+j]). Partial slivers are padded with
// zeros so the kernel always runs full tiles. Transposes are resolved here
// and nowhere else; alpha is folded into A.
//
// A sliver whose source elements are consecutive for fixed k (op(A)
// transposed, op(B) not) is a set of runs (asm.PackRuns); one whose source
// rows must be interleaved (op(A) not transposed, op(B) transposed) is a
// gather (asm.PackInterleave).

// packA packs rows i0..i0+mc and columns p0..p0+kc of op(A), times alpha.
func packA[T asm.Float](dst []T, transA bool, a []T, lda, i0, p0, mc, kc, mr int, alpha T) {
	for s := 0; s*mr < mc; s++ {
		d := dst[s*kc*mr : (s+1)*kc*mr]
		rows := min(mr, mc-s*mr)
		top := i0 + s*mr
		if transA {
			asm.PackRuns(d, mr, a[p0*lda+top:], lda, kc, rows, alpha)
		} else {
			asm.PackInterleave(d, mr, a[top*lda+p0:], lda, kc, rows, alpha)
		}
	}
}

// packB packs rows p0..p0+kc and columns j0..j0+nc of op(B).
func packB[T asm.Float](dst []T, transB bool, b []T, ldb, p0, j0, kc, nc, nr int) {
	for s := 0; s*nr < nc; s++ {
		d := dst[s*kc*nr : (s+1)*kc*nr]
		cols := min(nr, nc-s*nr)
		left := j0 + s*nr
		if transB {
			asm.PackInterleave(d, nr, b[left*ldb+p0:], ldb, kc, cols, 1)
		} else {
			asm.PackRuns(d, nr, b[p0*ldb+left:], ldb, kc, cols, 1)
		}
	}
}
