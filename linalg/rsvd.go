package linalg

import (
	"errors"
	"fmt"
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"gonum.org/v1/gonum/lapack"
)

// RandSVD computes the top K singular triplets of every operator of a batch
// by randomized subspace iteration (Halko, Martinsson & Tropp 2011,
// Algorithms 4.4 and 5.1): with ℓ = min(K+Oversample, D, d) and a Gaussian
// d×ℓ test block Ω_b,
//
//	Q = orth(J Ω);  PowerIters times: W = orth(Jᵀ Q), Q = orth(J W);
//	B = Qᵀ J (via ApplyT);  B = Ũ Σ Vᵀ (small SVD);  U = Q Ũ.
//
// All operators advance together: each step is one Apply or ApplyT with ℓ
// vectors per operator (the first carries the Probes extra vectors too). The
// small algebra (orthonormalisation, the ℓ×d SVD) runs per operator in
// float64; intermediate bases get one CholeskyQR pass (they need only be
// well conditioned), the final Q two.
//
// The cost is 2·(PowerIters+1)·ℓ operator-vector products, against d for the
// full Jacobian: when d is not well above 2(q+1)ℓ, forming J (Jacobians) is
// as cheap and gives every singular value. Accuracy depends on the decay past
// ℓ: the error of σ_k falls like (σ_{ℓ+1}/σ_k)^(2q+1), so flat spectra need
// large ℓ or q.
//
// The computed values never exceed the true ones (σ̃_i = σ_i(QᵀJ) ≤ σ_i(J),
// up to round-off), and σ_i(J)² ≤ σ̃_i² + ε² with ε = ‖(I − QQᵀ)J‖ (Weyl on
// JᵀJ). ErrEst estimates ε from Probes extra Gaussian vectors ω_j that ride
// along in the first Apply: ε ≤ 10·√(2/π)·max_j ‖(I − QQᵀ)Jω_j‖ with
// probability at least 1 − 10^(−Probes) (HMT §4.3).
//
// A RandSVD keeps its buffers between calls: once they have grown, Compute
// allocates nothing. It is not safe for concurrent use.
type RandSVD[T Float] struct {
	K          int        // singular triplets per operator, 1 ≤ K ≤ min(D, d)
	Oversample int        // extra test vectors p ≥ 0; ℓ = min(K+p, D, d)
	PowerIters int        // power iterations q ≥ 0
	Probes     int        // Gaussian probes for ErrEst (0: no estimate)
	Orth       OrthMethod // block orthonormalisation
	Seed       uint64     // seed of the random streams
	// Offset is the index of operator 0 in the random streams: operator b
	// draws from stream Offset+b only, so a batch split in parts (with
	// offsets 0, B₁, …) gives bit-identical results to the whole.
	Offset int

	streams  spStreams
	omega, y []T // tangent blocks: (ℓ+Probes)·B×d and ×D
	orth     orthWork
	blk      []float64 // one operator's ℓ×max(D, d) block
	q        []float64 // one operator's Q, ℓ×D
	sv, u    []float64 // small SVD: values, Ũ (ℓ×ℓ)
	vt       []float64 // small SVD: Vᵀ (ℓ×d)
	work     []float64
	ub       []float64 // one operator's U rows, K×D
}

// NewRandSVD returns a solver for the top k triplets with the defaults
// Oversample 8, PowerIters 2, Probes 5 and CholeskyQR2.
func NewRandSVD[T Float](k int, seed uint64) *RandSVD[T] {
	return &RandSVD[T]{K: k, Oversample: 8, PowerIters: 2, Probes: 5, Orth: OrthCholQR2, Seed: seed}
}

// SVDResult holds top-K singular triplets of a batch of operators.
type SVDResult[T Float] struct {
	Batch, Rows, Cols, K int
	// Values holds the K largest singular values of operator b, descending,
	// at Values[b·K : (b+1)·K].
	Values []float64
	// V and U hold the right (length Cols) and left (length Rows) singular
	// vectors in the tangent layout: vector i of operator b is row i·Batch+b
	// of the (K·Batch)×Cols (resp. ×Rows) block. J_b v_i = σ_i u_i.
	V, U []T
	// ErrEst is the a-posteriori estimate of ‖(I − QQᵀ)J_b‖ per operator
	// (NaN when no probes were drawn).
	ErrEst []float64
	// OK is false for an operator whose products turned non-finite; its
	// values are NaN and its vectors zero.
	OK []bool
	// Fallbacks counts CholeskyQR2 blocks that fell back to Householder.
	Fallbacks int
}

func (r *SVDResult[T]) reset(batch, rows, cols, k int) {
	r.Batch, r.Rows, r.Cols, r.K = batch, rows, cols, k
	r.Values = spResize(r.Values, batch*k)
	r.V = spResize(r.V, k*batch*cols)
	r.U = spResize(r.U, k*batch*rows)
	r.ErrEst = spResize(r.ErrEst, batch)
	r.OK = spResize(r.OK, batch)
	for b := range r.OK {
		r.OK[b] = true
	}
	r.Fallbacks = 0
}

// errEstFactor is HMT's 10·√(2/π).
var errEstFactor = 10 * math.Sqrt(2/math.Pi)

// Compute fills res with the top-K triplets of every operator of op. It
// returns an error, leaving res unspecified, for invalid settings.
func (r *RandSVD[T]) Compute(op BatchOperator[T], res *SVDResult[T]) error {
	B, D, d := op.Shape()
	switch {
	case r.K < 1 || r.K > min(D, d):
		return fmt.Errorf("linalg: RandSVD K = %d outside [1, min(%d, %d)]", r.K, D, d)
	case r.Oversample < 0 || r.PowerIters < 0 || r.Probes < 0:
		return errors.New("linalg: RandSVD with negative Oversample, PowerIters or Probes")
	}
	res.reset(B, D, d, r.K)
	if B == 0 {
		return nil
	}
	l := min(r.K+r.Oversample, D, d)
	np := r.Probes
	r.omega = spResize(r.omega, (l+np)*B*d)
	r.y = spResize(r.y, (l+np)*B*D)
	r.blk = spResize(r.blk, (l+np)*max(D, d))
	r.streams.reset(r.Seed, r.Offset, B)

	// Test block and probes: operator b draws its ℓ+np vectors from its
	// own stream, in a fixed order.
	for b := 0; b < B; b++ {
		g := r.blk[:(l+np)*d]
		spNormals(r.streams.rng[b], g)
		scatterRows(r.omega, g, l+np, d, B, b)
	}
	op.Apply(r.omega, l+np, r.y)
	// Later Apply calls carry ℓ vectors and overwrite only the first ℓ·B
	// rows of y, so the probe images Jω_j stay in rows ℓ·B, …
	// Intermediate bases need only be well conditioned (one CholeskyQR
	// pass); the final Q must be orthonormal (two).
	yl, ol := r.y[:l*B*D], r.omega[:l*B*d]
	r.orthBatch(yl, l, D, res, r.PowerIters == 0)
	for it := 0; it < r.PowerIters; it++ {
		op.ApplyT(yl, l, ol)
		r.orthBatch(ol, l, d, res, false)
		op.Apply(ol, l, yl)
		r.orthBatch(yl, l, D, res, it == r.PowerIters-1)
	}
	op.ApplyT(yl, l, ol) // row t of operator b: (Jᵀq_t)ᵀ, i.e. row t of B = QᵀJ
	for b := 0; b < B; b++ {
		r.finish(b, l, res)
	}
	return nil
}

// orthBatch orthonormalises the ℓ vectors (length n) of every operator still
// OK in the tangent block x (fully if final, else one CholeskyQR pass); it
// fails operators whose vectors are not finite and zeroes their rows so
// that nothing non-finite reaches the operator.
func (r *RandSVD[T]) orthBatch(x []T, l, n int, res *SVDResult[T], final bool) {
	B := res.Batch
	a := r.blk[:l*n]
	passes := 1
	if final {
		passes = 2
	}
	for b := 0; b < B; b++ {
		if res.OK[b] {
			gatherRows(a, x, l, n, B, b)
			hh, ok := r.orth.orthRows(r.Orth, l, n, a, passes)
			if hh {
				res.Fallbacks++
			}
			if !ok {
				res.OK[b] = false
				clear(a)
			}
		} else {
			clear(a)
		}
		scatterRows(x, a, l, n, B, b)
	}
}

// finish computes operator b's small SVD, vectors and error estimate from
// the block B = QᵀJ in r.omega and Q in r.y.
func (r *RandSVD[T]) finish(b, l int, res *SVDResult[T]) {
	B, D, d, K, np := res.Batch, res.Rows, res.Cols, res.K, r.Probes
	vals := res.Values[b*K : (b+1)*K]
	res.ErrEst[b] = math.NaN()
	if res.OK[b] {
		bm := r.blk[:l*d]
		gatherRows(bm, r.omega, l, d, B, b)
		res.OK[b] = spAllFinite(bm) && r.smallSVD(l, d, bm)
	}
	if !res.OK[b] {
		for i := range vals {
			vals[i] = math.NaN()
		}
		clear(r.blk[:K*max(D, d)])
		scatterRows(res.V, r.blk[:K*d], K, d, B, b)
		scatterRows(res.U, r.blk[:K*D], K, D, B, b)
		return
	}
	copy(vals, r.sv[:K])
	scatterRows(res.V, r.vt[:K*d], K, d, B, b)

	// U rows (K×D) = Ũ[:, :K]ᵀ·Q, with Q as the operator was given it.
	r.q = spResize(r.q, l*D)
	r.ub = spResize(r.ub, K*D)
	gatherRows(r.q, r.y, l, D, B, b)
	combineRows(r.ub, K, D, r.u, l, r.q, l)
	scatterRows(res.U, r.ub, K, D, B, b)

	if np == 0 {
		return
	}
	// (I − QQᵀ)Jω_j for the probes: P −= (P Qᵀ) Q.
	p := r.blk[:np*D]
	gatherRows(p, r.y[l*B*D:], np, D, B, b)
	var worst float64
	for j := 0; j < np; j++ {
		pj := p[j*D : (j+1)*D]
		for pass := 0; pass < 2; pass++ { // twice, for orthogonality
			for t := 0; t < l; t++ {
				qt := r.q[t*D : (t+1)*D]
				asm.Daxpy(-spDot(pj, qt), qt, pj)
			}
		}
		worst = math.Max(worst, spNrm2(pj))
	}
	res.ErrEst[b] = errEstFactor * worst
}

// smallSVD computes the SVD of the row-major l×d matrix a (l ≤ d, a is
// destroyed) into r.sv, r.u (l×l) and r.vt (l×d). It reports success.
func (r *RandSVD[T]) smallSVD(l, d int, a []float64) bool {
	r.sv = spResize(r.sv, l)
	r.u = spResize(r.u, l*l)
	r.vt = spResize(r.vt, l*d)
	r.work = spResize(r.work, max(1, len(r.work)))
	spLapack.Dgesvd(lapack.SVDAll, lapack.SVDStore, l, d, a, d, r.sv, r.u, l, r.vt, d, r.work, -1)
	lw := int(r.work[0])
	r.work = spResize(r.work, lw)
	return spLapack.Dgesvd(lapack.SVDAll, lapack.SVDStore, l, d, a, d, r.sv, r.u, l, r.vt, d, r.work, lw)
}
