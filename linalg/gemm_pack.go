package linalg

// Packing copies a block of op(A) or op(B) into the layout the micro-kernel
// streams: A as slivers of MR rows, stored k-major (a[p*MR+i]); B as slivers
// of NR columns, stored k-major (b[p*NR+j]). Partial slivers are padded with
// zeros so the kernel always runs full tiles. Transposes are resolved here
// and nowhere else; alpha is folded into A.

// packA packs rows i0..i0+mc and columns p0..p0+kc of op(A), times alpha.
func packA[T Float](dst []T, transA bool, a []T, lda, i0, p0, mc, kc, mr int, alpha T) {
	for s := 0; s*mr < mc; s++ {
		d := dst[s*kc*mr : (s+1)*kc*mr]
		rows := min(mr, mc-s*mr)
		top := i0 + s*mr
		if !transA {
			for i := 0; i < rows; i++ {
				row := a[(top+i)*lda+p0 : (top+i)*lda+p0+kc]
				for p, v := range row {
					d[p*mr+i] = alpha * v
				}
			}
			for i := rows; i < mr; i++ {
				for p := 0; p < kc; p++ {
					d[p*mr+i] = 0
				}
			}
			continue
		}
		for p := 0; p < kc; p++ {
			src := a[(p0+p)*lda+top : (p0+p)*lda+top+rows]
			dd := d[p*mr : p*mr+mr]
			if alpha == 1 {
				copy(dd, src)
			} else {
				for i, v := range src {
					dd[i] = alpha * v
				}
			}
			clear(dd[rows:])
		}
	}
}

// packB packs rows p0..p0+kc and columns j0..j0+nc of op(B).
func packB[T Float](dst []T, transB bool, b []T, ldb, p0, j0, kc, nc, nr int) {
	for s := 0; s*nr < nc; s++ {
		d := dst[s*kc*nr : (s+1)*kc*nr]
		cols := min(nr, nc-s*nr)
		left := j0 + s*nr
		if !transB {
			for p := 0; p < kc; p++ {
				dd := d[p*nr : p*nr+nr]
				copy(dd, b[(p0+p)*ldb+left:(p0+p)*ldb+left+cols])
				clear(dd[cols:])
			}
			continue
		}
		for j := 0; j < cols; j++ {
			src := b[(left+j)*ldb+p0 : (left+j)*ldb+p0+kc]
			for p, v := range src {
				d[p*nr+j] = v
			}
		}
		for j := cols; j < nr; j++ {
			for p := 0; p < kc; p++ {
				d[p*nr+j] = 0
			}
		}
	}
}
