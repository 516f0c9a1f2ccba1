package linalg

import (
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"github.com/ebmcpu/ebmcpu/internal/parallel"
)

// The exact route of RandSVD (SVDExact) and the tangent-layout helpers of
// the randomized one.

// exact computes the top-K triplets of every operator from its Gram
// matrix, forming J with calls of at most nc vectors per operator (the most
// the randomized route would ask for).
func (r *RandSVD[T]) exact(op BatchOperator[T], nc int, res *SVDResult[T]) {
	B, D, d := res.Batch, res.Rows, res.Cols
	dense, isDense := op.(*DenseOperator[T])
	if !isDense {
		// Columns J_b e_t as rows t·B+b of jt, nc identity tangents a call.
		nc = max(1, min(nc, d))
		r.jt = spResize(r.jt, d*B*D)
		r.omega = spResize(r.omega, nc*B*d)
		for t0 := 0; t0 < d; t0 += nc {
			c := min(nc, d-t0)
			id := r.omega[:c*B*d]
			clear(id)
			for t := 0; t < c; t++ {
				for b := 0; b < B; b++ {
					id[(t*B+b)*d+t0+t] = 1
				}
			}
			op.Apply(id, c, r.jt[t0*B*D:(t0+c)*B*D])
		}
	}
	// The operators are independent: they run in parts on the linalg
	// workers, each part with its own scratch (the results do not depend
	// on the split).
	if r.exactJob == nil {
		r.exactJob = new(exactJob[T])
		r.exactJob.fn = r.exactJob.run
	}
	job := r.exactJob
	job.r, job.res, job.dense = r, res, dense
	parts := 1
	if w := Workers(); w > 1 && B >= 2 && float64(B)*float64(D)*float64(d)*float64(d) >= parallelMinFlops/2 {
		parts = min(w, B)
	}
	for len(r.exactWork) < parts {
		r.exactWork = append(r.exactWork, new(exactWork[T]))
	}
	parallel.Run(job.fn, parts, &job.grp)
	job.r, job.res, job.dense = nil, nil, nil
}

// exactWork is one part's scratch of the exact route.
type exactWork[T asm.Float] struct {
	gT, cT     []T
	gram, vals []float64
	vecs       []float64
	eig        symEigWork
}

// exactJob runs the operators of the exact route in parts.
type exactJob[T asm.Float] struct {
	r     *RandSVD[T]
	res   *SVDResult[T]
	dense *DenseOperator[T]
	fn    func(part, parts int) // run, made once
	grp   parallel.Group
}

func (j *exactJob[T]) run(part, parts int) {
	r, res := j.r, j.res
	B := res.Batch
	w := r.exactWork[part]
	for b := part * B / parts; b < (part+1)*B/parts; b++ {
		r.exactOne(b, w, j.dense, res)
	}
}

// exactOne computes the triplets of operator b from its Gram matrix.
func (r *RandSVD[T]) exactOne(b int, w *exactWork[T], dense *DenseOperator[T], res *SVDResult[T]) {
	B, D, d, K := res.Batch, res.Rows, res.Cols, res.K
	w.gT = spResize(w.gT, d*d)
	w.gram = spResize(w.gram, d*d)
	w.cT = spResize(w.cT, K*d)
	w.vals = spResize(w.vals, K)
	w.vecs = spResize(w.vecs, K*d)
	vals := res.Values[b*K : (b+1)*K]
	res.ErrEst[b] = 0
	g, gf := w.gT[:d*d], w.gram[:d*d]
	if dense != nil {
		jb := dense.Matrix(b)
		Gemm(true, false, d, d, D, 1, jb, d, jb, d, 0, g, d)
	} else {
		Gemm(false, true, d, d, D, 1, r.jt[b*D:], B*D, r.jt[b*D:], B*D, 0, g, d)
	}
	for i, v := range g {
		gf[i] = float64(v)
	}
	if !w.eig.symEigSel(d, gf, K, false, w.vals, w.vecs) {
		res.OK[b] = false
		for i := range vals {
			vals[i] = math.NaN()
		}
		zeroRows(res.V, K, d, B, b)
		zeroRows(res.U, K, D, B, b)
		return
	}
	v := w.cT[:K*d]
	for i, x := range w.vecs[:K*d] {
		v[i] = T(x)
	}
	// U·Σ = J·V: K rows of length D.
	if dense != nil {
		Gemm(false, true, K, D, d, 1, v, d, dense.Matrix(b), d, 0, res.U[b*D:], B*D)
	} else {
		Gemm(false, false, K, D, d, 1, v, d, r.jt[b*D:], B*D, 0, res.U[b*D:], B*D)
	}
	for i := 0; i < K; i++ {
		copy(res.V[(i*B+b)*d:(i*B+b+1)*d], v[i*d:(i+1)*d])
		u := res.U[(i*B+b)*D : (i*B+b+1)*D]
		s := normT(u)
		vals[i] = s
		if s > 0 && !math.IsInf(s, 0) {
			scaleT(u, 1/s)
		}
	}
	r.sortTriplets(b, vals, res)
}

// sortTriplets restores the descending order of operator b's values, which
// σ_i = ‖J v_i‖ can break between near-equal eigenvalues, moving the
// vectors along (insertion sort: K is small and swaps are rare).
func (r *RandSVD[T]) sortTriplets(b int, vals []float64, res *SVDResult[T]) {
	B, D, d := res.Batch, res.Rows, res.Cols
	for i := 1; i < len(vals); i++ {
		for j := i; j > 0 && vals[j] > vals[j-1]; j-- {
			vals[j], vals[j-1] = vals[j-1], vals[j]
			swapRows(res.V, (j*B+b)*d, ((j-1)*B+b)*d, d)
			swapRows(res.U, (j*B+b)*D, ((j-1)*B+b)*D, D)
		}
	}
}

func swapRows[T asm.Float](x []T, i, j, n int) {
	a, b := x[i:i+n], x[j:j+n]
	for k := range a {
		a[k], b[k] = b[k], a[k]
	}
}

// zeroRows clears the k vectors (length n) of operator b in the tangent
// block x of a batch of B.
func zeroRows[T asm.Float](x []T, k, n, batch, b int) {
	for t := 0; t < k; t++ {
		clear(x[(t*batch+b)*n : (t*batch+b+1)*n])
	}
}

// copyRows copies operator b's k vectors from src to dst (tangent layout).
func copyRows[T asm.Float](dst, src []T, k, n, batch, b int) {
	for t := 0; t < k; t++ {
		o := (t*batch + b) * n
		copy(dst[o:o+n], src[o:o+n])
	}
}

// normT returns ‖x‖₂ accumulated in float64 (0 for an empty x; NaN or Inf
// for a non-finite one).
func normT[T asm.Float](x []T) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	if s > 0x1p-960 && s < 0x1p960 || s == 0 || math.IsNaN(s) {
		return math.Sqrt(s)
	}
	var scale, ssq float64 = 0, 1
	for _, v := range x {
		a := math.Abs(float64(v))
		if a == 0 {
			continue
		}
		if math.IsInf(a, 0) {
			return a
		}
		if scale < a {
			ssq = 1 + ssq*(scale/a)*(scale/a)
			scale = a
		} else {
			ssq += (a / scale) * (a / scale)
		}
	}
	return scale * math.Sqrt(ssq)
}

// scaleT multiplies x by a in place.
func scaleT[T asm.Float](x []T, a float64) {
	for i, v := range x {
		x[i] = T(float64(v) * a)
	}
}
