package linalg

import (
	"errors"
	"fmt"
	"math"

	"github.com/ebmcpu/ebmcpu/asm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/lapack"
)

// SVDMethod selects how RandSVD computes the top-K triplets.
type SVDMethod int

const (
	// SVDAuto takes the exact route when the operators have few columns,
	// d ≤ 2ℓ with ℓ = min(K+Oversample, D, d), and the randomized one
	// otherwise. Forming J costs d operator-vector products per operator;
	// the randomized route costs 2(PowerIters+1)·ℓ ≥ 2ℓ, so below that
	// threshold the exact route is both exact and cheaper (and its d×d
	// eigenproblem is at most 8 times the randomized ℓ×ℓ one).
	SVDAuto SVDMethod = iota
	// SVDRandomized always runs the randomized subspace iteration.
	SVDRandomized
	// SVDExact forms every J_b (d identity tangents, in calls of at most
	// ℓ+Probes vectors; DenseOperator matrices are read directly) and takes
	// the top K eigenpairs of the Gram matrix JᵀJ (d×d, float64):
	// V = its eigenvectors, σ_i = ‖J v_i‖, U = J V Σ⁻¹. ErrEst is 0 (up to
	// round-off). The values carry the relative error ~ε_T·σ_1/σ_i of the
	// products and ~ε_T·(σ_1/σ_i)² from the Gram matrix formed in T only
	// through the vectors, that is to second order; U is orthonormal to
	// ~ε_T·(σ_1/σ_K)².
	SVDExact
)

// RandSVD computes the top K singular triplets of every operator of a batch
// by randomized subspace iteration (Halko, Martinsson & Tropp 2011,
// Algorithms 4.4 and 5.1): with ℓ = min(K+Oversample, D, d) and a Gaussian
// d×ℓ test block Ω_b,
//
//	Q = orth(J Ω);  PowerIters times: W = orth(Jᵀ Q), Q = orth(J W);
//	B = Qᵀ J (via ApplyT);  B = Ũ Σ Vᵀ (small SVD);  U = Q Ũ.
//
// or, for operators with few columns, exactly from the Gram matrix (see
// SVDAuto and SVDExact).
//
// All operators advance together: each step is one Apply or ApplyT with ℓ
// vectors per operator (the first carries the Probes extra vectors too), so
// an operator is never asked for more than ℓ+Probes vectors per call. The
// blocks stay in the tangent layout throughout and every per-operator step
// is GEMM-shaped, in T, on the operator's strided rows:
//
//   - orthonormalisation is CholeskyQR: the ℓ×ℓ Gram matrix by one GEMM,
//     its Cholesky factor and inverse in float64, the triangular transform
//     by a second GEMM. Intermediate bases get one pass (they need only be
//     well conditioned; a second when the first was ill-conditioned), the
//     final Q two (CholeskyQR2). A block whose Gram matrix is too
//     ill-conditioned falls back to Householder (float64).
//   - the small SVD of B (ℓ×d) goes through the ℓ×ℓ Gram matrix BBᵀ in
//     float64 and a selective eigensolver for its top K pairs, when B's
//     precision T makes that as accurate as an SVD (float32 operators with
//     σ_K ≥ 3e-4·σ_1 or so); otherwise gonum's Dgesvd.
//   - U = Ũᵀ Q and the probe projections are GEMMs in T.
//
// The cost is 2·(PowerIters+1)·ℓ operator-vector products, against d for the
// full Jacobian: when d is not well above 2(q+1)ℓ, forming J (Jacobians) is
// as cheap and gives every singular value. Accuracy depends on the decay past
// ℓ: the error of σ_k falls like (σ_{ℓ+1}/σ_k)^(4q+2), so flat spectra need
// large ℓ or q. The defaults p = 32, q = 2 are the cheapest setting that
// meets a relative error of 1e-3 on the top 8 values of both benchmark
// spectra (BenchmarkSpectralTopK, 784×128: decaying s_i = 1/(1+i), 3e-7;
// flat s_i = e^(−3i/127), 6e-4; the top 16 of the flat one: 1.0e-3).
// Decaying spectra need far less: p = 16, q = 2 gives 7e-5 on the top 8.
//
// The computed values never exceed the true ones (σ̃_i = σ_i(QᵀJ) ≤ σ_i(J),
// up to round-off), and σ_i(J)² ≤ σ̃_i² + ε² with ε = ‖(I − QQᵀ)J‖ (Weyl on
// JᵀJ). ErrEst estimates ε from Probes extra Gaussian vectors ω_j that ride
// along in the first Apply: ε ≤ 10·√(2/π)·max_j ‖(I − QQᵀ)Jω_j‖ with
// probability at least 1 − 10^(−Probes) (HMT §4.3).
//
// A RandSVD keeps its buffers between calls: once they have grown, Compute
// allocates nothing. It is not safe for concurrent use.
type RandSVD[T asm.Float] struct {
	K          int        // singular triplets per operator, 1 ≤ K ≤ min(D, d)
	Oversample int        // extra test vectors p ≥ 0; ℓ = min(K+p, D, d)
	PowerIters int        // power iterations q ≥ 0
	Probes     int        // Gaussian probes for ErrEst (0: no estimate)
	Orth       OrthMethod // block orthonormalisation
	Method     SVDMethod  // randomized or exact route (default: by size)
	Seed       uint64     // seed of the random streams
	// Offset is the index of operator 0 in the random streams: operator b
	// draws from stream Offset+b only, so a batch split in parts (with
	// offsets 0, B₁, …) gives bit-identical results to the whole.
	Offset int

	streams  spStreams
	omega, y []T // tangent blocks: (ℓ+Probes)·B×d and ×D
	w2, y2   []T // ping-pong partners of omega and y: ℓ·B×d and ×D
	jt       []T // exact route: the formed columns J e_t, tangent layout
	gT, cT   []T // per-operator Gram matrix and coefficients in T
	// exactWork is the exact route's scratch, one per part.
	exactWork []*exactWork[T]
	exactJob  *exactJob[T]
	pc        []T // probe coefficients
	gram      []float64
	blk       []float64 // one operator's block in float64
	vals      []float64
	vecs      []float64
	eig       symEigWork
	orth      orthWork
	sv, u     []float64 // Dgesvd: values, Ũ (ℓ×ℓ)
	vt        []float64 // Dgesvd: Vᵀ (ℓ×d)
	work      []float64
}

// NewRandSVD returns a solver for the top k triplets with the defaults
// Oversample 32, PowerIters 2, Probes 5, CholeskyQR2 and SVDAuto.
func NewRandSVD[T asm.Float](k int, seed uint64) *RandSVD[T] {
	return &RandSVD[T]{K: k, Oversample: 32, PowerIters: 2, Probes: 5, Orth: OrthCholQR2, Seed: seed}
}

// SVDResult holds top-K singular triplets of a batch of operators.
type SVDResult[T asm.Float] struct {
	Batch, Rows, Cols, K int
	// Values holds the K largest singular values of operator b, descending,
	// at Values[b·K : (b+1)·K].
	Values []float64
	// V and U hold the right (length Cols) and left (length Rows) singular
	// vectors in the tangent layout: vector i of operator b is row i·Batch+b
	// of the (K·Batch)×Cols (resp. ×Rows) block. J_b v_i = σ_i u_i.
	V, U []T
	// ErrEst is the a-posteriori estimate of ‖(I − QQᵀ)J_b‖ per operator
	// (NaN when no probes were drawn, 0 on the exact route).
	ErrEst []float64
	// OK is false for an operator whose products turned non-finite; its
	// values are NaN and its vectors zero.
	OK []bool
	// Fallbacks counts CholeskyQR2 blocks that fell back to Householder.
	Fallbacks int
	// Exact reports that the exact (Gram) route was taken.
	Exact bool
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
	r.Exact = false
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
	case r.Method < SVDAuto || r.Method > SVDExact:
		return fmt.Errorf("linalg: RandSVD with unknown method %d", r.Method)
	}
	res.reset(B, D, d, r.K)
	if B == 0 {
		return nil
	}
	l := min(r.K+r.Oversample, D, d)
	if r.Method == SVDExact || (r.Method == SVDAuto && d <= 2*l) {
		res.Exact = true
		r.exact(op, l+r.Probes, res)
		return nil
	}
	r.randomized(op, l, res)
	return nil
}

// randomized runs the subspace iteration with ℓ = l vectors per operator.
func (r *RandSVD[T]) randomized(op BatchOperator[T], l int, res *SVDResult[T]) {
	B, D, d := res.Batch, res.Rows, res.Cols
	np := r.Probes
	nv := l + np
	r.omega = spResize(r.omega, nv*B*d)
	r.y = spResize(r.y, nv*B*D)
	r.w2 = spResize(r.w2, l*B*d)
	r.y2 = spResize(r.y2, l*B*D)
	r.streams.reset(r.Seed, r.Offset, B)

	// Test block and probes: operator b draws its ℓ+np vectors from its
	// own stream, in a fixed order.
	for b := 0; b < B; b++ {
		rng := r.streams.rng[b]
		for t := 0; t < nv; t++ {
			row := r.omega[(t*B+b)*d : (t*B+b+1)*d]
			for i := range row {
				row[i] = T(rng.NormFloat64())
			}
		}
	}
	op.Apply(r.omega, nv, r.y)
	// Later Apply calls carry ℓ vectors and write only the first ℓ·B rows
	// of y (or y2), so the probe images Jω_j stay in rows ℓ·B, … of y.
	q, qAlt := r.y[:l*B*D], r.y2
	w, wAlt := r.omega[:l*B*d], r.w2
	q, qAlt = r.orthBatch(q, qAlt, l, D, res, r.PowerIters == 0)
	for it := 0; it < r.PowerIters; it++ {
		op.ApplyT(q, l, w)
		w, wAlt = r.orthBatch(w, wAlt, l, d, res, false)
		op.Apply(w, l, q)
		q, qAlt = r.orthBatch(q, qAlt, l, D, res, it == r.PowerIters-1)
	}
	op.ApplyT(q, l, w) // row t of operator b: (Jᵀq_t)ᵀ, i.e. row t of B = QᵀJ
	for b := 0; b < B; b++ {
		r.finish(b, l, q, w, res)
	}
}

// orthBatch orthonormalises the ℓ vectors (length n) of every operator
// still OK in the tangent block x, fully if final, else well enough for an
// intermediate basis. The result lands in alt (one pass) or x (two): it
// returns the block holding it and the other one. Operators whose vectors
// are not finite fail, and their rows are zeroed so that nothing
// non-finite reaches the operator.
func (r *RandSVD[T]) orthBatch(x, alt []T, l, n int, res *SVDResult[T], final bool) (out, other []T) {
	B := res.Batch
	out, other = alt, x
	if final {
		out, other = x, alt
	}
	for b := 0; b < B; b++ {
		if !res.OK[b] {
			zeroRows(out, l, n, B, b)
			continue
		}
		switch r.orthOne(x, alt, l, n, B, b, out, final, res) {
		case orthFailed:
			res.OK[b] = false
			zeroRows(out, l, n, B, b)
		case orthInX:
			if final {
				break
			}
			copyRows(out, x, l, n, B, b)
		case orthInAlt:
			if !final {
				break
			}
			copyRows(out, alt, l, n, B, b)
		}
	}
	return out, other
}

// Where orthOne left an operator's orthonormalised rows.
const (
	orthFailed = iota
	orthInX
	orthInAlt
)

// orthOne orthonormalises operator b's rows of x by CholeskyQR passes
// x → alt (→ x), or by Householder into target, and reports where the
// result is.
func (r *RandSVD[T]) orthOne(x, alt []T, l, n, B, b int, target []T, final bool, res *SVDResult[T]) int {
	if r.Orth == OrthHouseholder {
		if !r.householderRows(x, target, l, n, B, b) {
			return orthFailed
		}
		return whereIs(target, x)
	}
	st, ratio := r.cholPass(x, alt, l, n, B, b, true)
	switch st {
	case cholNonFinite:
		return orthFailed
	case cholRefused:
		res.Fallbacks++
		if !r.householderRows(x, target, l, n, B, b) {
			return orthFailed
		}
		return whereIs(target, x)
	}
	if !final && ratio <= cholQRSecondRatio[T]() {
		return orthInAlt
	}
	if st, _ := r.cholPass(alt, x, l, n, B, b, false); st == cholDone {
		return orthInX
	}
	// alt spans the block and is well conditioned: Householder from it.
	res.Fallbacks++
	if !r.householderRows(alt, target, l, n, B, b) {
		return orthFailed
	}
	return whereIs(target, x)
}

func whereIs[T asm.Float](target, x []T) int {
	if &target[0] == &x[0] {
		return orthInX
	}
	return orthInAlt
}

// cholQRMaxRatioOf bounds max/min of the Cholesky factor's diagonal in a
// first CholeskyQR pass in T: the Gram matrix formed in T must stay well
// away from singular (CholeskyQR needs cond ≲ ε_T^(−1/2), and the diagonal
// ratio underestimates the condition number). See cholQRMaxRatio.
func cholQRMaxRatioOf[T asm.Float]() float64 {
	if spEpsOf[T]() > 1e-10 {
		return 300
	}
	return cholQRMaxRatio
}

// cholQRSecondRatio is the diagonal ratio above which an intermediate basis
// gets a second pass: one pass leaves an orthogonality error of
// ~ε_T·cond², which must stay small for the next product to keep its
// precision.
func cholQRSecondRatio[T asm.Float]() float64 {
	if spEpsOf[T]() > 1e-10 {
		return 20
	}
	return 1e3
}

// cholPass performs dst_b ← L⁻¹·src_b on operator b's rows, with
// src_b·src_bᵀ = L·Lᵀ: the Gram matrix and the transform are GEMMs in T,
// the Cholesky factor and its inverse float64. It refuses, leaving dst
// unspecified, when the pass would not be accurate: on a first pass when
// the factor is singular or too ill-conditioned, on a second when the rows
// were not already nearly orthonormal. It also returns the factor's
// diagonal ratio max/min.
func (r *RandSVD[T]) cholPass(src, dst []T, l, n, B, b int, first bool) (int, float64) {
	r.gT = spResize(r.gT, l*l)
	r.cT = spResize(r.cT, l*l)
	r.gram = spResize(r.gram, l*l)
	g, gf := r.gT[:l*l], r.gram[:l*l]
	// ℓ is a few dozen: the Gram matrix by dot products and the transform
	// by row combinations (asm kernels, reading the strided rows in place)
	// beat a GEMM, whose packing costs as much as its arithmetic here.
	s := src[b*n:]
	ld := B * n
	for i := 0; i < l; i++ {
		ri := s[i*ld : i*ld+n]
		for j := 0; j <= i; j++ {
			v := asm.Dot(ri, s[j*ld:j*ld+n])
			g[i*l+j], g[j*l+i] = v, v
		}
	}
	for i, v := range g {
		gf[i] = float64(v)
	}
	for i := 0; i < l; i++ {
		if v := gf[i*l+i]; math.IsNaN(v) || math.IsInf(v, 0) {
			return cholNonFinite, 0
		}
	}
	if !spLapack.Dpotrf(blas.Lower, l, gf, l) {
		return cholRefused, 0
	}
	lo, hi := math.Inf(1), 0.0
	for i := 0; i < l; i++ {
		v := gf[i*l+i]
		lo, hi = math.Min(lo, v), math.Max(hi, v)
		if !first && math.Abs(v-1) > 0.1 {
			return cholRefused, 0
		}
	}
	if first && !(lo > 0 && hi <= cholQRMaxRatioOf[T]()*lo) {
		return cholRefused, 0
	}
	if !spLapack.Dtrtri(blas.Lower, blas.NonUnit, l, gf, l) {
		return cholRefused, 0
	}
	c := r.cT[:l*l]
	for i := 0; i < l; i++ {
		for j := 0; j <= i; j++ {
			c[i*l+j] = T(gf[i*l+j])
		}
		asm.LinComb(dst[(i*B+b)*n:(i*B+b)*n+n], 0, c[i*l:i*l+i+1], s, ld)
	}
	return cholDone, hi / lo
}

// householderRows orthonormalises operator b's rows of src into dst by
// Householder LQ in float64; it reports false for non-finite rows.
func (r *RandSVD[T]) householderRows(src, dst []T, l, n, B, b int) bool {
	r.blk = spResize(r.blk, l*n)
	a := r.blk[:l*n]
	gatherRows(a, src, l, n, B, b)
	if _, ok := r.orth.orthRows(OrthHouseholder, l, n, a, 2); !ok {
		return false
	}
	scatterRows(dst, a, l, n, B, b)
	return true
}

// gramMinRatio is the smallest λ_K/λ_1 of BBᵀ for which the small SVD may
// go through the Gram matrix: the float64 Gram matrix perturbs the right
// vectors' orthogonality by ~ε₆₄·λ_1/λ_K, which must stay below the
// precision ε_T of B itself. For float64 operators that leaves only the
// SVD.
func gramMinRatio[T asm.Float]() float64 { return 64 * 0x1p-53 / spEpsOf[T]() }

// finish computes operator b's values and vectors from the block B = QᵀJ
// (rows of w) and Q (rows of q), and its error estimate.
func (r *RandSVD[T]) finish(b, l int, q, w []T, res *SVDResult[T]) {
	B, D, d, K, np := res.Batch, res.Rows, res.Cols, res.K, r.Probes
	vals := res.Values[b*K : (b+1)*K]
	res.ErrEst[b] = math.NaN()
	r.blk = spResize(r.blk, max(l*d, K*d))
	r.cT = spResize(r.cT, max(l*l, K*l))
	bm := r.blk[:l*d]
	if res.OK[b] {
		gatherRows(bm, w, l, d, B, b)
		res.OK[b] = spAllFinite(bm) && r.smallProblem(l, d, K, bm, vals)
	}
	if !res.OK[b] {
		for i := range vals {
			vals[i] = math.NaN()
		}
		zeroRows(res.V, K, d, B, b)
		zeroRows(res.U, K, D, B, b)
		return
	}
	scatterRows(res.V, r.vt[:K*d], K, d, B, b)
	// U rows (K×D) = Ũ[:, :K]ᵀ·Q, with the coefficients in r.cT.
	qb := q[b*D:]
	for i := 0; i < K; i++ {
		asm.LinComb(res.U[(i*B+b)*D:(i*B+b+1)*D], 0, r.cT[i*l:(i+1)*l], qb, B*D)
	}

	if np == 0 {
		return
	}
	// (I − QQᵀ)Jω_j for the probes, twice for orthogonality:
	// P −= (P Qᵀ) Q.
	r.pc = spResize(r.pc, l)
	p := r.y[(l*B+b)*D:]
	for j := 0; j < np; j++ {
		pj := p[j*B*D : j*B*D+D]
		for pass := 0; pass < 2; pass++ {
			for t := 0; t < l; t++ {
				r.pc[t] = -asm.Dot(pj, qb[t*B*D:t*B*D+D])
			}
			asm.LinComb(pj, 1, r.pc, qb, B*D)
		}
	}
	var worst float64
	for j := 0; j < np; j++ {
		worst = math.Max(worst, normT(p[j*B*D:j*B*D+D]))
	}
	res.ErrEst[b] = errEstFactor * worst
}

// smallProblem computes the SVD of the l×d block bm (destroyed) restricted
// to the top K triplets: the values into vals, the right vectors into the
// rows of r.vt (K×d, float64) and the coefficients of the left vectors in
// the rows of B's row space into r.cT (K×l, in T: u_i = Σ_t cT[i,t]·q_t).
func (r *RandSVD[T]) smallProblem(l, d, K int, bm, vals []float64) bool {
	r.gram = spResize(r.gram, l*l)
	r.vals = spResize(r.vals, K)
	r.vecs = spResize(r.vecs, K*l)
	r.vt = spResize(r.vt, max(K*d, l*d))
	m := r.gram[:l*l]
	symGram(m, bm, l, d)
	if r.eig.symEigSel(l, m, K, false, r.vals, r.vecs) && r.vals[K-1] > 0 && r.vals[K-1] >= gramMinRatio[T]()*r.vals[0] {
		for i := 0; i < K; i++ {
			// v_i = Bᵀũ_i / ‖Bᵀũ_i‖, σ_i = ‖Bᵀũ_i‖ (a Rayleigh quotient).
			ui := r.vecs[i*l : (i+1)*l]
			vi := r.vt[i*d : (i+1)*d]
			combineRows(vi, 1, d, ui, 1, bm, l)
			nrm := normT(vi)
			// The order survives round-off (ties aside): clamp it.
			vals[i] = nrm
			if i > 0 {
				vals[i] = math.Min(nrm, vals[i-1])
			}
			for j, c := range ui {
				r.cT[i*l+j] = T(c)
			}
			asm.Dscal(1/nrm, vi) // nrm > 0: λ_K > 0
		}
		return true
	}
	// B too ill-conditioned (or rank-deficient) for its Gram matrix:
	// gonum's SVD.
	if !r.smallSVD(l, d, bm) {
		return false
	}
	copy(vals, r.sv[:K])
	for i := 0; i < K; i++ {
		for t := 0; t < l; t++ {
			r.cT[i*l+t] = T(r.u[t*l+i])
		}
	}
	return true
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
